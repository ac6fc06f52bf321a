from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Staff accounts: login limits (django-axes), password reset by email."""

    name = "accounts"
    verbose_name = _("Accounts")
