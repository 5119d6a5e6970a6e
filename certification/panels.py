"""The certification countdown on the organisation dashboard, while an approved account runs its deadline."""

from accounts.lifecycle import account_get
from core.panels import register_panel

from .selectors import certification_status


def countdown_context(request) -> dict | None:
    account = account_get(organisation=request.organisation)
    if not account.certification_deadline or account.status not in ("approved", "suspended"):
        return None
    status = certification_status(organisation=request.organisation, deadline=account.certification_deadline)
    return {"status": status, "organisation": request.organisation}


register_panel(name="certification_countdown", template="certification/_countdown.html", context=countdown_context)
