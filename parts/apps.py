from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartsConfig(AppConfig):
    name = "parts"
    verbose_name = _("Parts")

    def ready(self):
        from . import panels, receivers  # noqa: F401  (the dashboard's credit panel; vouchers are invoiced)
