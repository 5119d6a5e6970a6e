from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    """The reviewer console: queue, evidence, decisions, approval letter and the programme-wide trail."""

    name = "review"
    verbose_name = _("Review")

    def ready(self):
        from . import pdf  # noqa: F401  (registers the approval letter as an email attachment)
