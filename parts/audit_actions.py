"""Orders, the catalogue, core returns, invoices and the credit line, each with the sentence the trail reads as."""

from django.utils.translation import gettext_lazy as _

from core.audit import DATE, MONEY, AuditAction

PART_CREATED = AuditAction(
    "part.created",
    _("%(actor)s added the part %(object)s to the catalogue"),
    formats={"stock_price": MONEY, "exchange_price": MONEY},
)
PART_CHANGED = AuditAction(
    "part.changed",
    _("%(actor)s changed the catalogue entry %(object)s"),
    formats={"stock_price": MONEY, "exchange_price": MONEY},
    labels={
        "description": _("description"),
        "stock_price": _("stock price"),
        "exchange_price": _("exchange price"),
        "available": _("available"),
        "core_return": _("core return"),
        "product_lines": _("product lines"),
        "active": _("listed"),
    },
)
CATALOGUE_LOADED = AuditAction(
    "catalogue.loaded",
    _("%(actor)s loaded the parts catalogue: %(created)s new, %(updated)s changed, %(prices)s new prices"),
)
ORDER_SUBMITTED = AuditAction(
    "order.submitted",
    _("%(actor)s submitted the order %(object)s over %(total)s, to ship on %(ship_date)s"),
    formats={"total": MONEY, "ship_date": DATE},
    timeline=True,
)
ORDER_CANCELLED = AuditAction("order.cancelled", _("%(actor)s cancelled the order %(object)s"), timeline=True)
ORDER_CONFIRMED = AuditAction("order.confirmed", _("%(actor)s confirmed the order %(object)s"))
ORDER_SHIPPED = AuditAction(
    "order.shipped",
    _("%(actor)s shipped the order %(object)s with %(carrier)s, tracking number %(tracking_number)s"),
)
ORDER_DELIVERED = AuditAction(
    "order.delivered", _("%(actor)s recorded the delivery of the order %(object)s"), timeline=True
)
CORE_RETURNED = AuditAction(
    "core.returned",
    _("%(actor)s returned the core %(object)s, tracking number %(tracking_number)s"),
)
CORES_CHARGED = AuditAction(
    "cores.charged",
    _("%(actor)s charged %(count)s unreturned cores, %(total)s on invoice %(invoice)s"),
    formats={"total": MONEY},
    timeline=True,
)
INVOICE_ISSUED = AuditAction(
    "invoice.issued",
    _("%(actor)s issued the invoice %(object)s over %(gross)s, due on %(due_on)s"),
    formats={"gross": MONEY, "net": MONEY, "due_on": DATE},
    timeline=True,
)
INVOICE_PAID = AuditAction("invoice.paid", _("%(actor)s recorded the payment of the invoice %(object)s"), timeline=True)
