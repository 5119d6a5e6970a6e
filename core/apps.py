from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The kernel: tenancy, permissions, the API boundary, audit, notifications, files, jobs, state machines,
    numbering and money. It knows no domain; the apps above register what it needs to know."""

    name = "core"
    verbose_name = _("Portal kernel")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each app's ``jobs`` module registers its periodic jobs, its ``audit_actions`` module its audit sentences.
        autodiscover_modules("jobs")
        autodiscover_modules("audit_actions")
