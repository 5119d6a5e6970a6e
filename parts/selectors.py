"""Reads for parts: the catalogue, orders, the credit line, core returns, invoices, statements and stock. Always
given the organisation (the catalogue is everyone's), aggregated in the database."""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.holds import open_holds
from accounts.models import Account, Hold, Organisation

from .models import CoreReturn, CreditSnapshot, Invoice, InvoiceLine, OrderLine, Part, PartsOrder, StockMovement
from .services.credit import Credit, credit_compute

ZERO = Decimal("0.00")


# --- Catalogue ------------------------------------------------------------------------------------------------


def part_list(*, filters: dict | None = None, include_withdrawn: bool = False) -> QuerySet[Part]:
    """The catalogue; filters: ``product_line``, ``q`` (part number, description, models), ``kind``,
    ``available``."""
    filters = filters or {}
    parts = Part.objects.all() if include_withdrawn else Part.objects.filter(active=True)
    line = str(filters.get("product_line") or "").strip().lower()
    if line:
        parts = parts.filter(product_lines_key__contains=f"|{line}|")
    term = str(filters.get("q") or "").strip()
    if term:
        parts = parts.filter(
            Q(part_number__icontains=term) | Q(description__icontains=term) | Q(fits_models__icontains=term)
        )
    if filters.get("kind") in Part.Kind.values:
        parts = parts.filter(kind=filters["kind"])
    available = filters.get("available")
    if available in (True, "true", "1", "yes"):
        parts = parts.filter(available=True)
    elif available in (False, "false", "0", "no"):
        parts = parts.filter(available=False)
    return parts.order_by("part_number")


def part_get(*, part_number: str, include_withdrawn: bool = False) -> Part:
    part = part_list(include_withdrawn=include_withdrawn).filter(part_number=str(part_number).strip().upper()).first()
    if part is None:
        raise Http404
    return part


# --- Orders ---------------------------------------------------------------------------------------------------


# Lines per order as a subquery, evaluated only for the rows of the page; a ``Count("lines")`` would GROUP BY
# every order of the organisation (100,000 in the bench), for the paginator's count as well.
def _line_count():
    lines = OrderLine.objects.filter(order=OuterRef("pk")).order_by().values("order").annotate(n=Count("id"))
    return Coalesce(Subquery(lines.values("n")), 0)


def order_list(*, organisation: Organisation, filters: dict | None = None) -> QuerySet[PartsOrder]:
    """The organisation's orders with their lines (two queries for any number); filters: ``status``."""
    filters = filters or {}
    orders = PartsOrder.objects.filter(organisation=organisation)
    if filters.get("status") in PartsOrder.Status.values:
        orders = orders.filter(status=filters["status"])
    return (
        orders.annotate(line_count=_line_count())
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.select_related("part").order_by("id")))
        .order_by("-created_at", "-id")
    )


def order_get(*, organisation: Organisation, order_id) -> PartsOrder:
    try:
        order_id = int(order_id)
    except (TypeError, ValueError):
        raise Http404 from None
    order = (
        order_list(organisation=organisation)
        .select_related("created_by", "submitted_by", "organisation")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise Http404
    return order


def open_order_count(*, organisation: Organisation) -> int:
    """Orders submitted and not yet delivered or cancelled."""
    return PartsOrder.objects.filter(organisation=organisation, status__in=PartsOrder.OPEN).count()


def orders_for_fulfilment(*, status: str | None = None) -> QuerySet[PartsOrder]:
    """For the reviewers standing in for Apple: submitted, confirmed and shipped orders of every organisation,
    oldest first. The caller has opened the reviewer scope."""
    wanted = [status] if status in PartsOrder.OPEN else list(PartsOrder.OPEN)
    return (
        PartsOrder.objects.filter(status__in=wanted)
        .select_related("organisation")
        .annotate(line_count=_line_count())
        .order_by("submitted_at", "id")
    )


def order_for_fulfilment(*, order_id) -> PartsOrder:
    try:
        order_id = int(order_id)
    except (TypeError, ValueError):
        raise Http404 from None
    order = (
        PartsOrder.objects.exclude(status=PartsOrder.Status.DRAFT)
        .select_related("organisation", "created_by", "invoice")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.select_related("part").order_by("id")))
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise Http404
    return order


# --- Credit ---------------------------------------------------------------------------------------------------


@dataclass
class CreditSummary:
    credit: Credit
    holds: list[Hold]
    snapshots: list[CreditSnapshot] = field(default_factory=list)

    @property
    def on_hold(self) -> bool:
        return bool(self.holds)


def credit_summary(*, organisation: Organisation, history_days: int | None = None) -> CreditSummary:
    """Limit, exposure and available credit as they stand, the open credit holds, and (with ``history_days``) the
    daily snapshots for the chart."""
    credit = credit_compute(organisation=organisation)
    holds = list(open_holds(organisation=organisation).filter(reason=Hold.Reason.CREDIT))
    snapshots = []
    if history_days:
        since = timezone.localdate() - datetime.timedelta(days=history_days)
        snapshots = list(CreditSnapshot.objects.filter(organisation=organisation, day__gte=since).order_by("day"))
    return CreditSummary(credit=credit, holds=holds, snapshots=snapshots)


# --- Core returns ---------------------------------------------------------------------------------------------


def core_return_list(*, organisation: Organisation, filters: dict | None = None) -> QuerySet[CoreReturn]:
    filters = filters or {}
    cores = CoreReturn.objects.filter(organisation=organisation).select_related("part", "order_line__order")
    if filters.get("status") in CoreReturn.Status.values:
        cores = cores.filter(status=filters["status"])
    if filters.get("open") in (True, "true", "1"):
        cores = cores.filter(returned_at__isnull=True)
    return cores.order_by("due_date", "id")


def core_return_get(*, organisation: Organisation, core_id) -> CoreReturn:
    try:
        core_id = int(core_id)
    except (TypeError, ValueError):
        raise Http404 from None
    core = core_return_list(organisation=organisation).filter(pk=core_id).first()
    if core is None:
        raise Http404
    return core


# --- Invoices and statements ----------------------------------------------------------------------------------


def invoice_list(*, organisation: Organisation | None = None, filters: dict | None = None) -> QuerySet[Invoice]:
    """An organisation's invoices, newest first; without an organisation, every organisation's (reviewers)."""
    filters = filters or {}
    invoices = Invoice.objects.all() if organisation is None else Invoice.objects.filter(organisation=organisation)
    if filters.get("status") in Invoice.Status.values:
        invoices = invoices.filter(status=filters["status"])
    if filters.get("overdue") in (True, "true", "1"):
        invoices = invoices.filter(status=Invoice.Status.OPEN, due_on__lt=timezone.localdate())
    return invoices.select_related("organisation", "order").order_by("-issued_on", "-id")


def invoice_get(*, organisation: Organisation | None, invoice_id) -> Invoice:
    try:
        invoice_id = int(invoice_id)
    except (TypeError, ValueError):
        raise Http404 from None
    invoice = (
        invoice_list(organisation=organisation)
        .prefetch_related(Prefetch("lines", queryset=InvoiceLine.objects.order_by("id")))
        .filter(pk=invoice_id)
        .first()
    )
    if invoice is None:
        raise Http404
    return invoice


@dataclass
class Statement:
    """A month's account statement: what was owed at its start, invoiced and paid in it, owed at its end."""

    organisation: Organisation
    month: datetime.date  # the first day
    opening: Decimal
    invoices: list[Invoice]
    payments: list[Invoice]
    closing: Decimal
    open_items: list[Invoice]
    account_number: str = ""

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def invoiced(self) -> Decimal:
        return sum((i.gross for i in self.invoices), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((i.gross for i in self.payments), ZERO)


MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")  # ASCII digits only: int() would also read "２０２６"


def _month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, month, 1)
    end = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def statement_months(*, organisation: Organisation, today: datetime.date | None = None) -> list[str]:
    """The months with a statement (``YYYY-MM``, newest first): from the first invoice's month to this one."""
    today = today or timezone.localdate()
    first = Invoice.objects.filter(organisation=organisation).order_by("issued_on").values_list("issued_on", flat=True)
    first = first.first()
    if first is None:
        return []
    months, year, month = [], first.year, first.month
    while (year, month) <= (today.year, today.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months[::-1]


def statement(*, organisation: Organisation, key: str, today: datetime.date | None = None) -> Statement:
    """The statement of month ``key`` (``YYYY-MM``); 404 for a malformed or future month, or one before the first
    invoice."""
    if not MONTH.fullmatch(str(key)):
        raise Http404
    year, month = int(key[:4]), int(key[5:])
    try:
        start, end = _month_bounds(year, month)
    except ValueError:
        raise Http404 from None
    if f"{year:04d}-{month:02d}" not in statement_months(organisation=organisation, today=today):
        raise Http404
    invoices = Invoice.objects.filter(organisation=organisation)
    opening_invoiced = invoices.filter(issued_on__lt=start).aggregate(s=Sum("gross"))["s"] or ZERO
    opening_paid = invoices.filter(paid_at__date__lt=start).aggregate(s=Sum("gross"))["s"] or ZERO
    issued = list(invoices.filter(issued_on__gte=start, issued_on__lt=end).order_by("issued_on", "id"))
    payments = list(invoices.filter(paid_at__date__gte=start, paid_at__date__lt=end).order_by("paid_at", "id"))
    open_items = list(
        invoices.filter(issued_on__lt=end)
        .filter(Q(paid_at__isnull=True) | Q(paid_at__date__gte=end))
        .order_by("due_on", "id")
    )
    opening = opening_invoiced - opening_paid
    closing = opening + sum((i.gross for i in issued), ZERO) - sum((i.gross for i in payments), ZERO)
    account_number = Account.objects.filter(organisation=organisation).values_list("account_number", flat=True)
    return Statement(
        organisation=organisation,
        month=start,
        opening=opening,
        invoices=issued,
        payments=payments,
        closing=closing,
        open_items=open_items,
        account_number=account_number.first() or "",
    )


# --- Stock ----------------------------------------------------------------------------------------------------


def stock_list(*, organisation: Organisation) -> list[dict]:
    """Delivered parts not yet used, per part number: ``[{part_number, description, quantity}]``."""
    rows = (
        StockMovement.objects.filter(organisation=organisation)
        .values("part__part_number", "part__description")
        .annotate(quantity=Sum("quantity"))
        .filter(quantity__gt=0)
        .order_by("part__part_number")
    )
    return [
        {"part_number": r["part__part_number"], "description": r["part__description"], "quantity": r["quantity"]}
        for r in rows
    ]
