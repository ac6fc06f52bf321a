"""How programs authenticate: a person's API token (`Authorization: Token <key>`, the header
of DRF's TokenAuthentication, so clients change nothing) or a scanner device's own token
(`Authorization: Device <token>`)."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts import tokens
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


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """A person's API token (accounts.ApiToken), found by the digest of its key. The request
    then acts as the token's user; `request.auth` is the token.

    A revoked or expired token is told so (the person whose program stopped needs to know
    why); an unknown key is simply invalid."""

    def authenticate_credentials(self, key):
        token = tokens.token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(_("This API token has been revoked."))
        if token.has_expired():
            raise exceptions.AuthenticationFailed(_("This API token has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This API token's account is disabled."))
        tokens.note_token_used(token)
        return token.user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A person's API token, as `Token <key>`: made in the back office under "
                "*API tokens* or with `manage.py create_api_token`, shown once."
            ),
        }
