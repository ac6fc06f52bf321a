"""django-axes' log of logins, for superusers only: it holds every account's attempts and
addresses. (AXES_ENABLE_ADMIN is off so that axes does not register it for all staff.)"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin


class SuperusersOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting an attempt lifts its lockout.
        return request.user.is_active and request.user.is_superuser


@admin.register(AccessAttempt)
class LoginAttemptAdmin(SuperusersOnly, AccessAttemptAdmin):
    pass


@admin.register(AccessLog)
class LoginLogAdmin(SuperusersOnly, AccessLogAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessFailureLog)
class LoginFailureLogAdmin(SuperusersOnly, AccessFailureLogAdmin):
    def has_delete_permission(self, request, obj=None):
        return False
