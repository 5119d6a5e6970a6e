from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Imported here: the admin needs the app registry, which is ready only now.
        from django.contrib import admin

        from .admin import admin_has_permission, admin_login

        admin.site.has_permission = admin_has_permission  # staff with two-factor authentication only
        admin.site.login = admin_login  # through the portal's login, which asks for the second factor
