"""Scanner devices authenticate with their own token: `Authorization: Device <token>`."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from audit import context as audit_context
from checkin import services as checkin


class DeviceTokenAuthentication(authentication.BaseAuthentication):
    """A scanner device's token. The request then has no user; `request.auth` is the device.

    A revoked device is told so (the staff holding it need to know why it stopped); an unknown
    token is simply invalid."""

    keyword = "Device"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the device token after “Device ”."))
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid device token.")) from None
        device = checkin.device_for_token(token)
        if device is None:
            raise exceptions.AuthenticationFailed(_("Invalid device token."))
        if device.is_revoked:
            raise exceptions.AuthenticationFailed(_("This device has been revoked."))
        # The audit trail's actor for what this request changes: the device, by its name.
        audit_context.identify(kind=audit_context.ActorKind.DEVICE, label=device.name)
        return AnonymousUser(), device

    def authenticate_header(self, request):
        return self.keyword


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = DeviceTokenAuthentication
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A scanner device's token, as `Device <token>`.",
        }
