"""The credit line on the organisation dashboard, once the account is approved: what is available to order."""

from accounts.lifecycle import account_get
from core.panels import register_panel
from core.permissions import can

from .selectors import credit_summary, open_order_count


def credit_context(request) -> dict | None:
    account = account_get(organisation=request.organisation)
    if account.status != "approved" or not can(getattr(request, "membership", None), "orders.view"):
        return None
    summary = credit_summary(organisation=request.organisation)
    open_orders = open_order_count(organisation=request.organisation)
    return {
        "summary": summary,
        "open_orders": open_orders,
        "organisation": request.organisation,
        "show_billing": can(request.membership, "billing.view"),
    }


register_panel(name="credit_line", template="parts/_credit_panel.html", context=credit_context, order=50)
