"""The parts documents as PDFs, each in the organisation's correspondence language: the invoice, the monthly
statement, the core-return label (packing slip) and the order confirmation. Rendered from the templates under
``parts/pdf/``; amounts and dates are formatted for the language (1.234,50 € and 04.12.2026 in German)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import number_format
from django_scopes import scope

from accounts.models import Account
from accounts.selectors import programme_rules_for
from core.pdf import render_pdf

from .models import CoreReturn, Invoice, InvoiceLine, OrderLine, PartsOrder, Pricing
from .selectors import Statement


def core_code(core: CoreReturn) -> str:
    """The code a core return goes by on its label and in the return shipment."""
    return f"CR-{core.pk:08d}"


def _percent(rate: Decimal) -> str:
    """0.1900 → "19", 0.0750 → "7,5" in German: the rate as the active language writes a percentage."""
    value = (Decimal(rate) * 100).normalize()
    places = max(-value.as_tuple().exponent, 0)
    return number_format(value, decimal_pos=places, use_l10n=True)


def _render(template: str, language: str, context: dict) -> bytes:
    """``context`` may bring its own ``seller`` (an invoice's copy); otherwise today's configured one."""
    with translation.override(language):
        return render_pdf(template, {"seller": settings.INVOICE_SELLER, "today": timezone.localdate(), **context})


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice: seller and buyer with their VAT ids, the lines, net, VAT and gross, payment terms and the
    bank details. The buyer is the snapshot taken on the day it was issued."""
    organisation = invoice.organisation
    with scope(organisation=organisation):
        lines = list(InvoiceLine.objects.filter(invoice=invoice).order_by("id"))
        order_number = (
            PartsOrder.objects.filter(pk=invoice.order_id).values_list("number", flat=True).first()
            if invoice.order_id
            else ""
        )
    return _render(
        "parts/pdf/invoice.html",
        invoice.language or organisation.language,  # the language its lines were written in
        {
            "invoice": invoice,
            "seller": invoice.seller or settings.INVOICE_SELLER,  # the seller as on the day it was issued
            "buyer": invoice.buyer or {},
            "lines": lines,
            "order_number": order_number,
            "vat_percent": _percent(invoice.vat_rate),
            "payment_days": (invoice.due_on - invoice.issued_on).days,
        },
    )


def _month_end(month: datetime.date) -> datetime.date:
    following = datetime.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def statement_pdf(statement: Statement) -> bytes:
    """The month's statement: the balance at its start, the invoices issued and payments received in it, the
    balance at its end and the items open then, each with its due date (overdue ones marked)."""
    organisation = statement.organisation
    as_of = min(_month_end(statement.month), timezone.localdate())
    return _render(
        "parts/pdf/statement.html",
        organisation.language,
        {
            "statement": statement,
            "organisation": organisation,
            "as_of": as_of,
            "month_end": _month_end(statement.month),
            "open_items": [{"invoice": invoice, "overdue": invoice.due_on < as_of} for invoice in statement.open_items],
            "open_total": sum((i.gross for i in statement.open_items), Decimal("0.00")),
        },
    )


def core_return_label_pdf(core: CoreReturn) -> bytes:
    """The label and packing slip that goes with the defective part back to Apple: the return address, the
    sender, the part, the order, the core's code in large type, the due date and a field for the tracking
    number."""
    organisation = core.organisation
    with scope(organisation=organisation):
        core = CoreReturn.objects.select_related("part", "order_line__order").get(pk=core.pk)
        account_number = Account.objects.filter(organisation=organisation).values_list("account_number", flat=True)
        account_number = account_number.first() or ""
    return _render(
        "parts/pdf/core_return_label.html",
        organisation.language,
        {
            "core": core,
            "code": core_code(core),
            "organisation": organisation,
            "account_number": account_number,
            "order": core.order_line.order,
        },
    )


def order_confirmation_pdf(order: PartsOrder) -> bytes:
    """The order as submitted: its lines at the prices fixed then, the net total, and the ship date (or the
    estimate and why)."""
    organisation = order.organisation
    with scope(organisation=organisation):
        lines = list(OrderLine.objects.filter(order=order).select_related("part").order_by("id"))
        account_number = Account.objects.filter(organisation=organisation).values_list("account_number", flat=True)
        account_number = account_number.first() or ""
    return _render(
        "parts/pdf/order_confirmation.html",
        organisation.language,
        {
            "order": order,
            "organisation": organisation,
            "account_number": account_number,
            "lines": lines,
            "has_exchange": any(line.pricing == Pricing.EXCHANGE for line in lines),
            "core_return_days": programme_rules_for(organisation).core_return_days,
        },
    )
