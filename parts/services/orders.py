"""Parts orders: the cart, submission on the credit line, and fulfilment (confirm, ship, deliver) by the reviewers
who stand in for Apple's back office. Delivery invoices the order, opens a core return for every part bought at
the exchange price and puts the parts into the organisation's stock."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.holds import standing
from accounts.models import Account, Hold, Organisation
from accounts.selectors import programme_rules_for
from accounts.services import organisation_admins_notify
from core.errors import DomainError
from core.money import money, money_text
from core.sequences import sequence_next
from core.statemachine import StateMachine
from core.text import single_line

from ..audit_actions import (
    ORDER_CANCELLED,
    ORDER_CONFIRMED,
    ORDER_DELIVERED,
    ORDER_SHIPPED,
    ORDER_SUBMITTED,
)
from ..models import CoreReturn, InvoiceLine, OrderLine, Part, PartsOrder, Pricing, StockMovement
from ..shipping import ShipDate, ship_date
from .billing import Charge, invoice_issue
from .credit import credit_compute, credit_hold_review, credit_line_lock, credit_store

S = PartsOrder.Status
ORDER = StateMachine(
    model=PartsOrder,
    transitions={
        "submit": ({S.DRAFT}, S.SUBMITTED),
        "confirm": ({S.SUBMITTED}, S.CONFIRMED),
        "ship": ({S.SUBMITTED, S.CONFIRMED}, S.SHIPPED),
        "deliver": ({S.SHIPPED}, S.DELIVERED),
        "cancel": ({S.DRAFT, S.SUBMITTED, S.CONFIRMED}, S.CANCELLED),
    },
    audit_fields=["status"],
    select_related=("organisation",),
)

MAX_QUANTITY = 999
MAX_LINES = 100


class CreditExceeded(DomainError):
    status_code = 409
    code = "credit_exceeded"


class AccountOnHold(DomainError):
    status_code = 409
    code = "account_on_hold"


class AccountNotActive(DomainError):
    status_code = 409
    code = "account_not_active"


class EmptyOrder(DomainError):
    status_code = 409
    code = "empty_order"


# --- The cart -------------------------------------------------------------------------------------------------


def _clean_lines(lines) -> list[tuple[Part, int, str]]:
    """Validate requested lines against the catalogue: every part listed, a whole positive quantity, a pricing the
    part offers. The same part at the same pricing twice is one line with the quantities added."""
    if not isinstance(lines, list | tuple):
        raise ValidationError({"lines": [_("Give the lines as a list.")]})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": [_("An order has at most %(max)s lines.") % {"max": MAX_LINES}]})
    numbers = {str(line.get("part_number", "")).strip().upper() for line in lines if isinstance(line, dict)}
    parts = {p.part_number: p for p in Part.objects.filter(part_number__in=numbers, active=True)}
    merged: dict[tuple[str, str], int] = {}
    errors = []
    for index, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            errors.append(_("Line %(n)s: give part_number, quantity and pricing.") % {"n": index})
            continue
        number = str(line.get("part_number", "")).strip().upper()
        pricing = line.get("pricing") or Pricing.STOCK
        quantity = line.get("quantity", 1)
        part = parts.get(number)
        if part is None:
            errors.append(_("Line %(n)s: %(part)s is not in the parts catalogue.") % {"n": index, "part": number})
            continue
        if pricing not in Pricing.values:
            errors.append(_("Line %(n)s: pricing is stock or exchange.") % {"n": index})
            continue
        if pricing == Pricing.EXCHANGE and part.exchange_price is None:
            errors.append(_("Line %(n)s: %(part)s has no exchange price.") % {"n": index, "part": number})
            continue
        if isinstance(quantity, bool) or not isinstance(quantity, int | str) or not str(quantity).isdigit():
            errors.append(_("Line %(n)s: the quantity is a whole number.") % {"n": index})
            continue
        quantity = int(quantity)
        if not 1 <= quantity <= MAX_QUANTITY:
            errors.append(_("Line %(n)s: order between 1 and %(max)s.") % {"n": index, "max": MAX_QUANTITY})
            continue
        merged[(number, pricing)] = merged.get((number, pricing), 0) + quantity
    if errors:
        raise ValidationError({"lines": errors})
    over = [number for (number, _p), q in merged.items() if q > MAX_QUANTITY]
    if over:
        raise ValidationError({"lines": [_("Order between 1 and %(max)s.") % {"max": MAX_QUANTITY}]})
    return [(parts[number], quantity, pricing) for (number, pricing), quantity in merged.items()]


def _total(order: PartsOrder) -> Decimal:
    return money(sum((line.unit_price * line.quantity for line in order.lines.all()), Decimal("0")))


@transaction.atomic
def order_create(*, organisation: Organisation, actor, lines, reference: str = "") -> PartsOrder:
    """A new cart (draft) with ``lines`` of ``{part_number, quantity, pricing}``; prices are today's."""
    cleaned = _clean_lines(lines)
    order = PartsOrder.objects.create(
        organisation=organisation, created_by=actor, reference=single_line(str(reference or ""))[:80]
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                organisation=organisation,
                order=order,
                part=part,
                quantity=quantity,
                pricing=pricing,
                unit_price=part.unit_price(pricing),
            )
            for part, quantity, pricing in cleaned
        ]
    )
    order.total = _total(order)
    order.save(update_fields=["total"])
    return order


def order_cart(*, organisation: Organisation, actor) -> PartsOrder:
    """The person's open cart in this organisation, made when first needed."""
    cart = (
        PartsOrder.objects.filter(organisation=organisation, created_by=actor, status=S.DRAFT)
        .order_by("-created_at", "-id")
        .first()
    )
    return cart or PartsOrder.objects.create(organisation=organisation, created_by=actor)


@transaction.atomic
def order_line_set(*, order: PartsOrder, part_number: str, quantity: int, pricing: str = Pricing.STOCK) -> PartsOrder:
    """Put ``quantity`` of a part into a cart (0 takes it out). Only a cart can change."""
    order = ORDER.lock(order)
    if order.status != S.DRAFT:
        ORDER.check(order, "submit")  # raises invalid_transition with the current status
    if str(quantity).strip() in {"0", ""}:
        OrderLine.objects.filter(
            order=order, part__part_number=str(part_number).strip().upper(), pricing=pricing
        ).delete()
    else:
        [(part, quantity, pricing)] = _clean_lines(
            [{"part_number": part_number, "quantity": quantity, "pricing": pricing}]
        )
        OrderLine.objects.update_or_create(
            order=order,
            part=part,
            pricing=pricing,
            defaults={"organisation": order.organisation, "quantity": quantity, "unit_price": part.unit_price(pricing)},
        )
    order.total = _total(order)
    order.save(update_fields=["total"])
    return order


@transaction.atomic
def order_line_add(*, order: PartsOrder, part_number: str, quantity: int, pricing: str = Pricing.STOCK) -> PartsOrder:
    """Add ``quantity`` of a part to a cart, on top of what it holds: the cart row is locked first, so two adds at
    the same moment both count."""
    order = ORDER.lock(order)
    if order.status != S.DRAFT:
        ORDER.check(order, "submit")
    number = str(part_number).strip().upper()
    held = (
        OrderLine.objects.filter(order=order, part__part_number=number, pricing=pricing)
        .values_list("quantity", flat=True)
        .first()
        or 0
    )
    [(part, total, pricing)] = _clean_lines(
        [
            {"part_number": number, "quantity": quantity, "pricing": pricing},
            {"part_number": number, "quantity": held, "pricing": pricing},
        ]
        if held
        else [{"part_number": number, "quantity": quantity, "pricing": pricing}]
    )
    OrderLine.objects.update_or_create(
        order=order,
        part=part,
        pricing=pricing,
        defaults={"organisation": order.organisation, "quantity": total, "unit_price": part.unit_price(pricing)},
    )
    order.total = _total(order)
    order.save(update_fields=["total"])
    return order


@transaction.atomic
def order_lines_replace(*, order: PartsOrder, lines, reference: str | None = None) -> PartsOrder:
    """Replace a cart's lines (the API's PATCH)."""
    order = ORDER.lock(order)
    if order.status != S.DRAFT:
        ORDER.check(order, "submit")
    cleaned = _clean_lines(lines)
    OrderLine.objects.filter(order=order).delete()
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                organisation=order.organisation,
                order=order,
                part=part,
                quantity=quantity,
                pricing=pricing,
                unit_price=part.unit_price(pricing),
            )
            for part, quantity, pricing in cleaned
        ]
    )
    order.total = _total(order)
    fields = ["total"]
    if reference is not None:
        order.reference = single_line(str(reference))[:80]
        fields.append("reference")
    order.save(update_fields=fields)
    return order


# --- Submission -----------------------------------------------------------------------------------------------


def hold_payload(hold: Hold) -> dict:
    return {
        "id": hold.pk,
        "reason": hold.reason,
        "product_line": hold.product_line or None,
        "since": hold.since.isoformat(),
    }


def order_blocking_holds(*, order: PartsOrder, lines: list[OrderLine] | None = None) -> list[Hold]:
    """The holds that stop this order: the account must be allowed to order for every product line of every part.
    A hold for a product line stops each part that fits that line (also one that fits other lines besides); a
    hold without a product line stops every part."""
    if lines is None:
        lines = list(OrderLine.objects.filter(order=order).select_related("part"))
    result = standing(organisation=order.organisation, action="order")
    if not result.holds:
        return []
    account_wide = [h for h in result.holds if not h.product_line]
    if account_wide:
        return account_wide
    ordered_lines = {pl for line in lines for pl in line.part.product_lines}
    return [h for h in result.holds if h.product_line in ordered_lines]


def _hold_message(holds: list[Hold]) -> str:
    names = ", ".join(
        f"{h.get_reason_display()} ({h.get_product_line_display()})" if h.product_line else str(h.get_reason_display())
        for h in holds
    )
    return _("The account is on hold and may not order these parts: %(holds)s.") % {"holds": names}


def order_ship_promise(
    *, organisation: Organisation, lines: list[OrderLine], at: datetime.datetime, in_good_standing: bool = True
) -> ShipDate:
    """The ship date an order of ``lines`` submitted at ``at`` gets, by the organisation's programme rules (cut-off,
    its time zone, days added for parts not in stock) and its federal state's holidays."""
    rules = programme_rules_for(organisation)
    return ship_date(
        submitted_at=at,
        country=organisation.country,
        subdivision=organisation.federal_state,
        cutoff=rules.order_cutoff,
        timezone=rules.order_timezone,
        all_available=all(line.part.available for line in lines),
        in_good_standing=in_good_standing,
        backorder_days=rules.backorder_days,
    )


def order_submit(*, order: PartsOrder, actor, now: datetime.datetime | None = None) -> PartsOrder:
    """Submit a cart: in one transaction, with the organisation's credit line locked, check the account's standing
    for every line's product lines and that the order fits the available credit, fix the prices, promise a ship
    date. A refusal changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        organisation = order.organisation
        credit_line_lock(organisation=organisation)  # concurrent submissions of this organisation queue here
        locked = ORDER.lock(order)
        ORDER.check(locked, "submit")
        lines = list(OrderLine.objects.filter(order=locked).select_related("part"))
        if not lines:
            raise EmptyOrder(_("The cart is empty: add at least one part."))
        withdrawn = [line.part.part_number for line in lines if not line.part.active]
        if withdrawn:
            raise ValidationError(
                {"lines": [_("No longer in the catalogue: %(parts)s.") % {"parts": ", ".join(withdrawn)}]}
            )
        account = Account.objects.filter(organisation=organisation).first()
        if account is None or account.status != Account.Status.APPROVED:
            raise AccountNotActive(
                _("Parts can be ordered once the account is approved and active."),
                extra={"status": account.status if account else Account.Status.DRAFT},
            )
        holds = order_blocking_holds(order=locked, lines=lines)
        if holds:
            raise AccountOnHold(_hold_message(holds), extra={"holds": [hold_payload(h) for h in holds]})
        # Today's prices are the ones charged.
        for line in lines:
            line.unit_price = line.part.unit_price(line.pricing)
        OrderLine.objects.bulk_update(lines, ["unit_price"])
        total = money(sum((line.unit_price * line.quantity for line in lines), Decimal("0")))
        credit = credit_compute(organisation=organisation, limit=account.credit_limit)
        if credit.exposure + total > credit.limit:
            raise CreditExceeded(
                _("This order of %(total)s exceeds the available credit of %(available)s.")
                % {"total": money_text(total), "available": money_text(credit.available)},
                extra={
                    "limit": str(credit.limit),
                    "exposure": str(credit.exposure),
                    "available": str(credit.available),
                    "order_total": str(total),
                    "currency": "EUR",
                },
            )
        promise = order_ship_promise(organisation=organisation, lines=lines, at=now)
        year = timezone.localtime(now).year
        number = f"PO-{year}-{sequence_next(name='order', year=year):06d}"
        order = ORDER.apply(
            locked,
            "submit",
            actor=actor,
            action=ORDER_SUBMITTED,
            fields={
                "number": number,
                "submitted_at": now,
                "submitted_by": actor,
                "total": total,
                "ship_date": promise.date,
                "ship_note": promise.reason,
            },
            notify=lambda o: _tell(o, "order_submitted"),
        )
        credit_store(organisation=organisation)
    return order


def _tell(order: PartsOrder, template: str) -> None:
    organisation_admins_notify(
        organisation=order.organisation,
        template=template,
        context={
            "number": order.number,
            "total": str(order.total),
            "ship_date": order.ship_date.isoformat() if order.ship_date else "",
            "estimated": bool(order.ship_note),
            "carrier": order.carrier,
            "tracking_number": order.tracking_number,
        },
        url=f"/o/{order.organisation.slug}/orders/{order.pk}/",
    )


@transaction.atomic
def order_cancel(*, order: PartsOrder, actor) -> PartsOrder:
    """Cancel before shipping; the order no longer counts toward the exposure."""
    credit_line_lock(organisation=order.organisation)  # the same lock order as a submission: credit line, order
    order = ORDER.apply(order, "cancel", actor=actor, action=ORDER_CANCELLED, fields={"cancelled_at": timezone.now()})
    credit_hold_review(organisation=order.organisation, actor=actor)  # stores the exposure, may lift a hold
    return order


# --- Fulfilment (reviewers for Apple) -------------------------------------------------------------------------


@transaction.atomic
def order_confirm(*, order: PartsOrder, actor) -> PartsOrder:
    return ORDER.apply(order, "confirm", actor=actor, action=ORDER_CONFIRMED, fields={"confirmed_at": timezone.now()})


@transaction.atomic
def order_ship(*, order: PartsOrder, actor, carrier: str, tracking_number: str) -> PartsOrder:
    """Shipped with a carrier and tracking number. Shipping a submitted order confirms it in the same step (the
    order's confirmation time is then its shipping time), as a warehouse that ships at once would."""
    now = timezone.now()
    carrier, tracking_number = single_line(str(carrier or "")), single_line(str(tracking_number or ""))
    errors = {}
    if not carrier:
        errors["carrier"] = [_("Name the carrier.")]
    if not tracking_number:
        errors["tracking_number"] = [_("Give the tracking number.")]
    if errors:
        raise ValidationError(errors)
    order = ORDER.apply(
        order,
        "ship",
        actor=actor,
        action=ORDER_SHIPPED,
        fields={"shipped_at": now, "carrier": carrier[:60], "tracking_number": tracking_number[:60]},
        validate=lambda locked: {} if locked.confirmed_at else {"confirmed_at": now},
        notify=lambda o: _tell(o, "order_shipped"),
    )
    return order


@transaction.atomic
def order_deliver(*, order: PartsOrder, actor, today: datetime.date | None = None) -> PartsOrder:
    """Delivered: invoice the order, open a core return per part bought at the exchange price (due after the
    return window), and add the parts to the organisation's stock."""
    today = today or timezone.localdate()
    credit_line_lock(organisation=order.organisation)  # credit line before order, as a submission takes them
    order = ORDER.apply(
        order,
        "deliver",
        actor=actor,
        action=ORDER_DELIVERED,
        fields={"delivered_at": timezone.now()},
    )
    organisation = order.organisation
    lines = list(OrderLine.objects.filter(order=order).select_related("part"))
    invoice_issue(
        organisation=organisation,
        kind="order",
        order=order,
        actor=actor,
        issued_on=today,
        service_date=today,
        charges=[
            Charge(
                kind=InvoiceLine.Kind.EXCHANGE if line.pricing == Pricing.EXCHANGE else InvoiceLine.Kind.PART,
                description=line.part.description,
                part_number=line.part.part_number,
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for line in lines
        ],
    )
    due = today + datetime.timedelta(days=programme_rules_for(organisation).core_return_days)
    CoreReturn.objects.bulk_create(
        [
            CoreReturn(organisation=organisation, order_line=line, part=line.part, due_date=due)
            for line in lines
            if line.pricing == Pricing.EXCHANGE
            for _unit in range(line.quantity)
        ]
    )
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                organisation=organisation,
                part=line.part,
                kind=StockMovement.Kind.DELIVERED,
                quantity=line.quantity,
                order_line=line,
                reference=order.number,
            )
            for line in lines
        ]
    )
    credit_hold_review(organisation=organisation, actor=actor, today=today)
    _tell(order, "order_delivered")
    return order


# --- Stock ----------------------------------------------------------------------------------------------------

NOT_IN_STOCK = gettext_lazy("Not enough of this part in stock: %(available)s left.")


@transaction.atomic
def stock_use(*, organisation: Organisation, part: Part, quantity: int, reference: str) -> StockMovement:
    """Take delivered parts out of stock for a repair; never below zero, also when two technicians take the last
    one at the same moment (the credit-line row serialises the organisation's stock changes too)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationError({"quantity": [_("The quantity is a whole number.")]})
    credit_line_lock(organisation=organisation)
    available = (
        StockMovement.objects.filter(organisation=organisation, part=part).aggregate(s=Sum("quantity"))["s"] or 0
    )
    if quantity < 1 or quantity > available:
        raise ValidationError({"quantity": [NOT_IN_STOCK % {"available": available}]})
    return StockMovement.objects.create(
        organisation=organisation,
        part=part,
        kind=StockMovement.Kind.USED,
        quantity=-quantity,
        reference=reference[:80],
    )
