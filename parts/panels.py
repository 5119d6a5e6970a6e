"""The credit line on the organisation dashboard, once the account is approved: what is available to order."""

from accounts.lifecycle import account_get
from core.panels import register_panel
from core.permissions import can

from .models import PartsOrder
from .selectors import credit_summary


def credit_context(request) -> dict | None:
    account = account_get(organisation=request.organisation)
    if account.status != "approved" or not can(getattr(request, "membership", None), "orders.view"):
        return None
    summary = credit_summary(organisation=request.organisation)
    open_orders = PartsOrder.objects.filter(organisation=request.organisation, status__in=PartsOrder.OPEN).count()
    return {
        "summary": summary,
        "open_orders": open_orders,
        "organisation": request.organisation,
        "show_billing": can(request.membership, "billing.view"),
    }


register_panel(name="credit_line", template="parts/_credit_panel.html", context=credit_context, order=50)
