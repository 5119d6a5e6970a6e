"""Demo data for parts: the catalogue, and for the approved demo university a parts history that shows every
page at work — a cart, orders in every state, a paid and an open invoice, a returned and an overdue core, stock,
and the credit line's last weeks.

Idempotent: the catalogue is loaded only while there is none, and the orders only while the university has none,
so running ``seed_demo`` again duplicates no order and no invoice."""

import datetime
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from accounts.models import Membership, Organisation, User
from certification.demo import SLUG as APPROVED_SLUG

from .models import CoreReturn, CreditSnapshot, Invoice, Part, PartsOrder, Pricing
from .services import (
    catalogue_load,
    core_mark_returned,
    credit_store,
    invoice_mark_paid,
    order_cancel,
    order_confirm,
    order_create,
    order_deliver,
    order_ship,
    order_submit,
)
from .shipping import is_business_day

CATALOGUE = Path(__file__).resolve().parent / "fixtures" / "catalogue.csv"
SNAPSHOT_DAYS = 60


def seed_parts() -> None:
    """The catalogue from ``fixtures/catalogue.csv`` (through the loader reviewers use) and the approved demo
    university's orders, invoices, core returns and credit history."""
    reviewer = User.objects.filter(is_reviewer=True).order_by("pk").first()
    if not Part.objects.exists() and CATALOGUE.exists():
        catalogue_load(data=CATALOGUE.read_bytes(), actor=reviewer)
    organisation = Organisation.objects.filter(slug=APPROVED_SLUG).first()
    if organisation is None or PartsOrder.objects.filter(organisation=organisation).exists():
        return
    admin = _member(organisation, Membership.Role.ADMIN)
    technician = _member(organisation, Membership.Role.TECHNICIAN) or admin
    if admin is None or reviewer is None:
        return
    _orders(organisation, admin=admin, technician=technician, reviewer=reviewer)


def _member(organisation, role) -> User | None:
    membership = (
        Membership.objects.filter(organisation=organisation, role=role, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


# --- Which parts: taken from whatever catalogue is loaded ---------------------------------------------------------


def _pick(product_line: str, *, exchange: bool = False, kind: str | None = None, skip=()) -> Part | None:
    """An orderable part for the product line: with an exchange price when ``exchange``, of ``kind`` when given."""
    parts = Part.objects.filter(active=True, available=True, product_lines_key__contains=f"|{product_line}|")
    if exchange:
        parts = parts.filter(exchange_price__isnull=False, core_return=True)
    if kind:
        parts = parts.filter(kind=kind)
    return parts.exclude(pk__in=[p.pk for p in skip if p]).order_by("part_number").first()


def _lines(*specs) -> list[dict]:
    """``(part, quantity, pricing)`` for the parts the catalogue has; a part it lacks is left out."""
    return [
        {"part_number": part.part_number, "quantity": quantity, "pricing": pricing}
        for part, quantity, pricing in specs
        if part is not None and (pricing == Pricing.STOCK or part.exchange_price is not None)
    ]


# --- The university's orders --------------------------------------------------------------------------------------


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _orders(organisation: Organisation, *, admin: User, technician: User, reviewer: User) -> None:
    today = timezone.localdate()
    calendar = {"country": organisation.country, "subdivision": organisation.federal_state}

    def working_day(days_ago: int) -> datetime.date:
        """The business day on or before ``days_ago`` days ago (the organisation's public holidays respected)."""
        day = today - datetime.timedelta(days=days_ago)
        while not is_business_day(day, **calendar):
            day -= datetime.timedelta(days=1)
        return day

    def before(day: datetime.date) -> datetime.date:
        day -= datetime.timedelta(days=1)
        while not is_business_day(day, **calendar):
            day -= datetime.timedelta(days=1)
        return day

    mac_exchange = _pick("mac", exchange=True, kind=Part.Kind.PART) or _pick("mac", exchange=True)
    mac_stock = _pick("mac", kind=Part.Kind.PART, skip=[mac_exchange])
    mac_unit = _pick("mac", kind=Part.Kind.UNIT)
    ipad_exchange = _pick("ipad", exchange=True)
    ipad_stock = _pick("ipad", kind=Part.Kind.PART, skip=[ipad_exchange])

    def order(reference: str, *specs) -> PartsOrder | None:
        lines = _lines(*specs)
        if not lines:
            return None
        return order_create(organisation=organisation, actor=admin, reference=reference, lines=lines)

    def submitted(reference: str, day: datetime.date | None, *specs) -> PartsOrder | None:
        """Submitted on ``day`` in the morning (None: now); it ships the next business day."""
        cart = order(reference, *specs)
        if cart is None:
            return None
        if day is None:
            return order_submit(order=cart, actor=admin)
        PartsOrder.objects.filter(pk=cart.pk).update(created_at=_at(day, 9, 10))
        return order_submit(order=cart, actor=admin, now=_at(day, 10, 30))

    def shipped(placed: PartsOrder) -> PartsOrder:
        """Confirmed and shipped on the promised day."""
        day = placed.ship_date
        placed = order_confirm(order=placed, actor=reviewer)
        placed = order_ship(order=placed, actor=reviewer, carrier="DHL", tracking_number=f"0034043416{placed.pk:010d}")
        PartsOrder.objects.filter(pk=placed.pk).update(confirmed_at=_at(before(day), 14), shipped_at=_at(day, 15))
        return placed

    def delivered(placed: PartsOrder, day: datetime.date) -> PartsOrder:
        placed = order_deliver(order=placed, actor=reviewer, today=day)
        PartsOrder.objects.filter(pk=placed.pk).update(delivered_at=_at(day, 11))
        return placed

    def returned(cores, day: datetime.date) -> None:
        for core in cores:
            core_mark_returned(core=core, actor=technician, tracking_number=f"0034043417{core.pk:010d}")
            CoreReturn.objects.filter(pk=core.pk).update(returned_at=_at(day, 16))

    # Eight weeks ago, delivered and paid; its core went back within the window. (Orders in the order they were
    # placed, so their numbers run with the dates.)
    arrived = working_day(57)
    first = submitted(
        "Ersatzteile Rechenzentrum, Q3",
        before(before(arrived)),
        (mac_exchange, 1, Pricing.EXCHANGE),
        (mac_stock, 2, Pricing.STOCK),
        (ipad_stock, 1, Pricing.STOCK),
    )
    if first is not None:
        first = delivered(shipped(first), arrived)
        invoice = Invoice.objects.get(order=first)
        invoice_mark_paid(invoice=invoice, actor=reviewer)
        Invoice.objects.filter(pk=invoice.pk).update(paid_at=_at(working_day(30), 14))
        returned(CoreReturn.objects.filter(order_line__order=first), arrived + datetime.timedelta(days=6))

    # Delivered more than the return window ago: the invoice is open (due in under two weeks) and one core is
    # overdue. Delivered 16 to 20 days ago, so the core has been due for one to five days: overdue, as the daily
    # core-returns job leaves it, and not yet charged (that waits five more days).
    arrived = working_day(16)
    second = submitted(
        "Hörsaalgebäude: Macs und iPads",
        before(before(arrived)),
        (mac_exchange, 1, Pricing.EXCHANGE),
        (ipad_exchange, 1, Pricing.EXCHANGE),
        (mac_stock, 1, Pricing.STOCK),
    )
    if second is not None:
        second = delivered(shipped(second), arrived)
        cores = list(CoreReturn.objects.filter(order_line__order=second).order_by("pk"))
        if cores:
            late = cores[0]
            CoreReturn.objects.filter(pk=late.pk).update(
                status=CoreReturn.Status.OVERDUE, overdue_since=late.due_date + datetime.timedelta(days=1)
            )
        returned(cores[1:], arrived + datetime.timedelta(days=8))

    # Cancelled the day it was placed: ordered twice by mistake.
    cancelled = submitted("Doppelt bestellt", working_day(10), (mac_stock, 1, Pricing.STOCK))
    if cancelled is not None:
        order_cancel(order=cancelled, actor=admin)
        PartsOrder.objects.filter(pk=cancelled.pk).update(cancelled_at=_at(working_day(10), 11))

    # On its way.
    third = submitted(
        "Bibliothek: Akkutausch", before(working_day(1)), (mac_stock, 3, Pricing.STOCK), (ipad_stock, 2, Pricing.STOCK)
    )
    if third is not None:
        shipped(third)

    # Confirmed by Apple, not yet shipped.
    fourth = submitted("Austauschgerät Verwaltung", working_day(1), (mac_unit or mac_exchange, 1, Pricing.STOCK))
    if fourth is not None:
        order_confirm(order=fourth, actor=reviewer)
        PartsOrder.objects.filter(pk=fourth.pk).update(confirmed_at=_at(working_day(1), 15))

    # Submitted just now.
    submitted("Labor Informatik", None, (ipad_exchange, 2, Pricing.EXCHANGE), (mac_stock, 1, Pricing.STOCK))

    # The administrator's cart, not yet submitted.
    order("", (mac_exchange, 1, Pricing.EXCHANGE), (ipad_stock, 2, Pricing.STOCK))

    credit_store(organisation=organisation)
    _snapshots(organisation, today)


def _snapshots(organisation: Organisation, today: datetime.date) -> None:
    """The credit line at the end of each of the last weeks, worked out from the orders and invoices as they were
    on the day (what the daily credit job would have written)."""
    limit = organisation.account.credit_limit or Decimal("0")
    tz = timezone.get_current_timezone()

    def on(moment) -> datetime.date | None:
        return moment.astimezone(tz).date() if moment else None

    orders = [
        (on(o.submitted_at), on(o.cancelled_at) or on(o.delivered_at), o.total)
        for o in PartsOrder.objects.filter(organisation=organisation).exclude(submitted_at=None)
    ]
    invoices = [(i.issued_on, on(i.paid_at), i.net) for i in Invoice.objects.filter(organisation=organisation)]

    def exposure(day: datetime.date) -> Decimal:
        def counts(start, end):
            return start is not None and start <= day and (end is None or end > day)

        open_orders = sum((total for start, end, total in orders if counts(start, end)), Decimal("0"))
        unpaid = sum((net for start, end, net in invoices if counts(start, end)), Decimal("0"))
        return open_orders + unpaid

    CreditSnapshot.objects.bulk_create(
        [
            CreditSnapshot(organisation=organisation, day=day, limit=limit, exposure=exposure(day))
            for day in (today - datetime.timedelta(days=n) for n in range(SNAPSHOT_DAYS, 0, -1))
        ],
        ignore_conflicts=True,
    )
