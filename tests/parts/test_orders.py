"""Orders: submission on the credit line (account status, holds, credit), prices fixed at submission, cancellation,
fulfilment, and what delivery makes: the invoice, core returns, stock."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django_scopes import scope

from accounts.holds import hold_place
from accounts.models import Account, Hold
from core.errors import InvalidTransition
from core.models import AuditEntry
from parts.models import CoreReturn, CreditLine, Invoice, InvoiceLine, PartsOrder, StockMovement
from parts.selectors import credit_summary, stock_list
from parts.services import (
    AccountNotActive,
    AccountOnHold,
    CreditExceeded,
    EmptyOrder,
    credit_compute,
    invoice_mark_paid,
    order_cancel,
    order_cart,
    order_confirm,
    order_deliver,
    order_ship,
    order_submit,
    part_update,
    stock_use,
)

from .factories import PartFactory, approve, cart_of, charges_invoice

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
S = PartsOrder.Status


@pytest.fixture(autouse=True)
def _scoped(organisation):
    with scope(organisation=organisation):
        yield


@pytest.fixture
def hundred(db):
    """A Mac part at 100.00, stock price only."""
    return PartFactory(
        part_number="661-50000",
        description="Keyboard, MacBook Air 13-inch",
        stock_price="100.00",
        exchange_price=None,
        core_return=False,
    )


@pytest.fixture
def mac_and_ipad(db):
    return PartFactory(
        part_number="661-40001",
        description="USB-C power adapter 35 W",
        product_lines_key="|mac|ipad|",
        stock_price="49.00",
        exchange_price=None,
        core_return=False,
    )


def delivered(order, admin, reviewer):
    order = order_submit(order=order, actor=admin)
    order = order_ship(order=order, actor=reviewer, carrier="DHL", tracking_number="00340434161094042557")
    return order_deliver(order=order, actor=reviewer)


def reprice(part, actor, stock, exchange=None):
    """A reviewer changes the part's price in the catalogue."""
    return part_update(
        part=part,
        actor=actor,
        data={
            "description": part.description,
            "product_lines": part.product_lines,
            "fits_models": part.fits_models,
            "kind": part.kind,
            "stock_price": stock,
            "exchange_price": exchange if exchange is not None else part.exchange_price,
            "core_return": part.core_return,
            "available": part.available,
        },
    )


def refused_unchanged(order):
    order.refresh_from_db()
    assert order.status == S.DRAFT and order.number == "" and order.submitted_at is None
    assert not AuditEntry.objects.filter(action="order.submitted", object_id=str(order.pk)).exists()


# --- Account status -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "in_review", "suspended"])
def test_submit_refuses_an_account_that_is_not_approved(organisation, admin, display, status):
    Account.objects.create(organisation=organisation, status=status, credit_limit=Decimal("10000.00"))
    order = cart_of(organisation, admin, (display, 1, "stock"))
    with pytest.raises(AccountNotActive) as exc:
        order_submit(order=order, actor=admin)
    assert exc.value.code == "account_not_active" and exc.value.status_code == 409
    assert exc.value.extra == {"status": status}
    refused_unchanged(order)


def test_submit_refuses_an_organisation_without_an_account(organisation, admin, display):
    order = cart_of(organisation, admin, (display, 1, "stock"))
    with pytest.raises(AccountNotActive):
        order_submit(order=order, actor=admin)
    refused_unchanged(order)


def test_submit_refuses_an_empty_cart(approved, admin):
    cart = order_cart(organisation=approved, actor=admin)
    with pytest.raises(EmptyOrder) as exc:
        order_submit(order=cart, actor=admin)
    assert exc.value.code == "empty_order" and exc.value.status_code == 409
    refused_unchanged(cart)


def test_submitting_twice_is_an_invalid_transition(approved, admin, display):
    order = order_submit(order=cart_of(approved, admin, (display, 1, "stock")), actor=admin)
    with pytest.raises(InvalidTransition):
        order_submit(order=order, actor=admin)
    assert credit_compute(organisation=approved).open_orders == Decimal("300.00")


# --- Holds --------------------------------------------------------------------------------------------------------


def test_a_certification_hold_on_mac_refuses_a_mac_only_part_and_names_the_hold(approved, admin, display):
    hold = hold_place(organisation=approved, reason=Hold.Reason.CERTIFICATION, product_line="mac")
    order = cart_of(approved, admin, (display, 1, "stock"))
    with translation.override("en"), pytest.raises(AccountOnHold) as exc:
        order_submit(order=order, actor=admin)
    assert exc.value.code == "account_on_hold" and exc.value.status_code == 409
    assert exc.value.extra["holds"] == [
        {"id": hold.pk, "reason": "certification", "product_line": "mac", "since": hold.since.isoformat()}
    ]
    assert "Certification missing (Mac)" in exc.value.detail
    refused_unchanged(order)


def test_a_mac_hold_refuses_a_cart_that_mixes_a_mac_part_with_an_iphone_part(approved, admin, display, battery):
    hold_place(organisation=approved, reason=Hold.Reason.CERTIFICATION, product_line="mac")
    order = cart_of(approved, admin, (display, 1, "stock"), (battery, 1, "stock"))
    with pytest.raises(AccountOnHold) as exc:
        order_submit(order=order, actor=admin)
    assert [h["product_line"] for h in exc.value.extra["holds"]] == ["mac"]


def test_a_mac_hold_does_not_stop_an_iphone_part(approved, admin, battery):
    hold_place(organisation=approved, reason=Hold.Reason.CERTIFICATION, product_line="mac")
    order = order_submit(order=cart_of(approved, admin, (battery, 2, "stock")), actor=admin)
    assert order.status == S.SUBMITTED


def test_a_part_that_fits_mac_and_ipad_is_refused_while_mac_is_held(approved, admin, mac_and_ipad):
    # The rule (parts.services.orders.order_blocking_holds): the account must be allowed to order for every product
    # line of every part, so a Mac hold also stops a part that fits iPads besides.
    mac = hold_place(organisation=approved, reason=Hold.Reason.CERTIFICATION, product_line="mac")
    order = cart_of(approved, admin, (mac_and_ipad, 1, "stock"))
    with pytest.raises(AccountOnHold) as exc:
        order_submit(order=order, actor=admin)
    assert [h["id"] for h in exc.value.extra["holds"]] == [mac.pk]
    refused_unchanged(order)


def test_a_part_that_fits_mac_and_ipad_is_refused_when_both_are_held(approved, admin, mac_and_ipad):
    mac = hold_place(organisation=approved, reason=Hold.Reason.CERTIFICATION, product_line="mac")
    ipad = hold_place(organisation=approved, reason=Hold.Reason.CERTIFICATION, product_line="ipad")
    order = cart_of(approved, admin, (mac_and_ipad, 1, "stock"))
    with pytest.raises(AccountOnHold) as exc:
        order_submit(order=order, actor=admin)
    assert sorted(h["id"] for h in exc.value.extra["holds"]) == sorted([mac.pk, ipad.pk])
    refused_unchanged(order)


@pytest.mark.parametrize("reason, note", [(Hold.Reason.MANUAL, "Payment dispute"), (Hold.Reason.CREDIT, "")])
def test_a_hold_without_a_product_line_refuses_every_part(approved, admin, battery, mac_and_ipad, reason, note):
    hold = hold_place(organisation=approved, reason=reason, note=note)
    for part in (battery, mac_and_ipad):
        order = cart_of(approved, admin, (part, 1, "stock"))
        with pytest.raises(AccountOnHold) as exc:
            order_submit(order=order, actor=admin)
        assert exc.value.extra["holds"] == [
            {"id": hold.pk, "reason": reason, "product_line": None, "since": hold.since.isoformat()}
        ]
        refused_unchanged(order)


def test_a_released_hold_no_longer_stops_orders(approved, admin, display):
    from accounts.holds import hold_release

    hold = hold_place(organisation=approved, reason=Hold.Reason.CERTIFICATION, product_line="mac")
    hold_release(hold=hold, note="ACMT recorded")
    assert order_submit(order=cart_of(approved, admin, (display, 1, "stock")), actor=admin).status == S.SUBMITTED


# --- Credit -------------------------------------------------------------------------------------------------------


def test_exposure_is_unpaid_invoices_plus_open_orders(approved, admin, reviewer, hundred):
    approve(approved, credit_limit="1000.00")
    invoice = charges_invoice(approved, "300.00")
    order_submit(order=cart_of(approved, admin, (hundred, 2, "stock")), actor=admin)
    cart_of(approved, admin, (hundred, 4, "stock"))  # a cart is no exposure
    credit = credit_compute(organisation=approved)
    assert (credit.unpaid, credit.open_orders, credit.exposure) == (
        Decimal("300.00"),
        Decimal("200.00"),
        Decimal("500.00"),
    )
    assert credit.available == Decimal("500.00") and credit.utilisation == 50
    invoice_mark_paid(invoice=invoice, actor=reviewer)
    assert credit_compute(organisation=approved).exposure == Decimal("200.00")


def test_an_order_that_would_exceed_the_limit_is_refused_with_the_figures(approved, admin, hundred):
    approve(approved, credit_limit="1000.00")
    charges_invoice(approved, "300.00")
    order_submit(order=cart_of(approved, admin, (hundred, 2, "stock")), actor=admin)
    order = cart_of(approved, admin, (hundred, 6, "stock"))
    with pytest.raises(CreditExceeded) as exc:
        order_submit(order=order, actor=admin)
    assert exc.value.code == "credit_exceeded" and exc.value.status_code == 409
    assert exc.value.extra == {
        "limit": "1000.00",
        "exposure": "500.00",
        "available": "500.00",
        "order_total": "600.00",
        "currency": "EUR",
    }
    refused_unchanged(order)
    assert credit_compute(organisation=approved).exposure == Decimal("500.00")


def test_an_order_that_fits_the_available_credit_exactly_is_accepted(approved, admin, hundred):
    approve(approved, credit_limit="1000.00")
    charges_invoice(approved, "300.00")
    order_submit(order=cart_of(approved, admin, (hundred, 2, "stock")), actor=admin)
    order = order_submit(order=cart_of(approved, admin, (hundred, 5, "stock")), actor=admin)
    assert order.status == S.SUBMITTED
    credit = credit_compute(organisation=approved)
    assert credit.exposure == Decimal("1000.00") and credit.available == Decimal("0.00")
    assert CreditLine.objects.get(organisation=approved).exposure == Decimal("1000.00")
    cent = PartFactory(part_number="661-00001", stock_price="0.01", exchange_price=None, core_return=False)
    with pytest.raises(CreditExceeded):
        order_submit(order=cart_of(approved, admin, (cent, 1, "stock")), actor=admin)


def test_the_credit_check_uses_the_price_of_the_day_of_submission(approved, admin, reviewer, hundred):
    approve(approved, credit_limit="1000.00")
    order = cart_of(approved, admin, (hundred, 10, "stock"))  # exactly 1000.00 in the cart
    reprice(hundred, reviewer, "100.01")
    with pytest.raises(CreditExceeded) as exc:
        order_submit(order=order, actor=admin)
    assert exc.value.extra["order_total"] == "1000.10"


# --- Prices are fixed at submission -------------------------------------------------------------------------------


def test_the_order_charges_the_price_of_the_day_it_is_submitted_and_keeps_it(approved, admin, reviewer, display):
    order = cart_of(approved, admin, (display, 1, "stock"), (display, 2, "exchange"))
    assert order.total == Decimal("700.00")  # 300 + 2 × 200 in the cart
    display = reprice(display, reviewer, "320.00", "210.00")
    order = order_submit(order=order, actor=admin)
    prices = {line.pricing: line.unit_price for line in order.lines.all()}
    assert prices == {"stock": Decimal("320.00"), "exchange": Decimal("210.00")}
    assert order.total == Decimal("740.00")

    display = reprice(display, reviewer, "400.00", "250.00")
    order.refresh_from_db()
    assert order.total == Decimal("740.00")
    assert {line.pricing: line.unit_price for line in order.lines.all()} == prices
    assert credit_compute(organisation=approved).exposure == Decimal("740.00")

    order = order_ship(order=order, actor=reviewer, carrier="DHL", tracking_number="1")
    order = order_deliver(order=order, actor=reviewer)
    invoice = Invoice.objects.get(order=order)
    assert invoice.net == Decimal("740.00")
    assert sorted(invoice.lines.values_list("unit_price", flat=True)) == [Decimal("210.00"), Decimal("320.00")]

    reprice(display, reviewer, "450.00", "260.00")
    invoice.refresh_from_db()
    assert (invoice.net, invoice.vat, invoice.gross) == (Decimal("740.00"), Decimal("140.60"), Decimal("880.60"))
    assert sorted(invoice.lines.values_list("unit_price", flat=True)) == [Decimal("210.00"), Decimal("320.00")]


# --- Ship date on submission --------------------------------------------------------------------------------------


def test_submission_promises_the_ship_date_of_the_organisations_federal_state(approved, admin, display):
    approved.federal_state = "BY"
    approved.save(update_fields=["federal_state"])
    thursday = datetime.datetime(2026, 4, 2, 10, 0, tzinfo=BERLIN)
    order = order_submit(order=cart_of(approved, admin, (display, 1, "stock")), actor=admin, now=thursday)
    assert order.ship_date == datetime.date(2026, 4, 7) and order.ship_note == ""
    assert order.number == "PO-2026-000001"
    assert order.submitted_at == thursday and order.submitted_by == admin


def test_an_unavailable_part_gives_an_estimated_ship_date_with_the_reason(approved, admin, display):
    approved.federal_state = "BY"
    approved.save(update_fields=["federal_state"])
    missing = PartFactory(part_number="661-99999", available=False)
    thursday = datetime.datetime(2026, 4, 2, 10, 0, tzinfo=BERLIN)
    order = cart_of(approved, admin, (display, 1, "stock"), (missing, 1, "stock"))
    order = order_submit(order=order, actor=admin, now=thursday)
    assert order.ship_date == datetime.date(2026, 4, 14)
    assert order.ship_note == PartsOrder.ShipNote.UNAVAILABLE and order.ship_date_estimated


# --- Cancellation -------------------------------------------------------------------------------------------------


def test_cancelling_releases_the_exposure(approved, admin, display):
    order = order_submit(order=cart_of(approved, admin, (display, 2, "stock")), actor=admin)
    assert CreditLine.objects.get(organisation=approved).exposure == Decimal("600.00")
    order = order_cancel(order=order, actor=admin)
    assert order.status == S.CANCELLED and order.cancelled_at is not None
    assert credit_compute(organisation=approved).exposure == Decimal("0.00")
    assert CreditLine.objects.get(organisation=approved).exposure == Decimal("0.00")
    assert credit_summary(organisation=approved).credit.available == Decimal("10000.00")


def test_a_confirmed_order_can_still_be_cancelled(approved, admin, reviewer, display):
    order = order_submit(order=cart_of(approved, admin, (display, 1, "stock")), actor=admin)
    order = order_confirm(order=order, actor=reviewer)
    assert order_cancel(order=order, actor=admin).status == S.CANCELLED


@pytest.mark.parametrize("stage", ["shipped", "delivered"])
def test_cancelling_after_shipping_is_an_invalid_transition(approved, admin, reviewer, display, stage):
    order = order_submit(order=cart_of(approved, admin, (display, 1, "stock")), actor=admin)
    order = order_ship(order=order, actor=reviewer, carrier="UPS", tracking_number="1Z999")
    if stage == "delivered":
        order = order_deliver(order=order, actor=reviewer)
    with pytest.raises(InvalidTransition) as exc:
        order_cancel(order=order, actor=admin)
    assert exc.value.code == "invalid_transition" and exc.value.extra == {"status": stage}
    order.refresh_from_db()
    assert order.status == stage and order.cancelled_at is None


def test_shipping_needs_a_carrier_and_a_tracking_number(approved, admin, reviewer, display):
    order = order_submit(order=cart_of(approved, admin, (display, 1, "stock")), actor=admin)
    with pytest.raises(ValidationError) as exc:
        order_ship(order=order, actor=reviewer, carrier=" ", tracking_number="")
    assert set(exc.value.message_dict) == {"carrier", "tracking_number"}
    order.refresh_from_db()
    assert order.status == S.SUBMITTED


def test_a_cart_cannot_be_delivered_before_it_is_shipped(approved, admin, reviewer, display):
    order = order_submit(order=cart_of(approved, admin, (display, 1, "stock")), actor=admin)
    with pytest.raises(InvalidTransition):
        order_deliver(order=order, actor=reviewer)
    assert not Invoice.objects.filter(order=order).exists()


# --- Delivery: invoice, core returns, stock -----------------------------------------------------------------------


def test_delivery_issues_an_invoice_with_a_gapless_number_vat_and_gross(approved, admin, reviewer):
    odd = PartFactory(part_number="661-33333", stock_price="33.33", exchange_price=None, core_return=False)
    today = timezone.localdate()
    order = delivered(cart_of(approved, admin, (odd, 3, "stock")), admin, reviewer)
    invoice = Invoice.objects.get(order=order)
    assert re.fullmatch(r"RE-\d{4}-\d{6}", invoice.number)
    assert invoice.number == f"RE-{today.year}-000001"
    assert invoice.kind == Invoice.Kind.ORDER and invoice.status == Invoice.Status.OPEN
    # 3 × 33.33 = 99.99 net; 19 % of it is 18.9981, rounded to 19.00; gross 118.99
    assert (invoice.net, invoice.vat_rate, invoice.vat, invoice.gross) == (
        Decimal("99.99"),
        Decimal("0.1900"),
        Decimal("19.00"),
        Decimal("118.99"),
    )
    assert invoice.issued_on == today and invoice.due_on == today + datetime.timedelta(days=30)
    account_number = Account.objects.get(organisation=approved).account_number
    assert account_number and invoice.buyer == {
        "name": approved.name,
        "address": approved.address,
        "vat_id": approved.vat_id,
        "country": "DE",
        "account_number": account_number,
    }
    [line] = invoice.lines.all()
    assert (line.kind, line.part_number, line.quantity, line.unit_price, line.net) == (
        InvoiceLine.Kind.PART,
        "661-33333",
        3,
        Decimal("33.33"),
        Decimal("99.99"),
    )

    second = delivered(cart_of(approved, admin, (odd, 1, "stock")), admin, reviewer)
    assert Invoice.objects.get(order=second).number == f"RE-{today.year}-000002"


def test_vat_is_rounded_half_up_to_the_cent(approved, admin, reviewer):
    nickel = PartFactory(part_number="661-00005", stock_price="0.05", exchange_price=None, core_return=False)
    invoice = Invoice.objects.get(order=delivered(cart_of(approved, admin, (nickel, 1, "stock")), admin, reviewer))
    assert (invoice.net, invoice.vat, invoice.gross) == (Decimal("0.05"), Decimal("0.01"), Decimal("0.06"))


def test_delivery_opens_one_core_return_per_exchange_unit_due_in_fifteen_days(approved, admin, reviewer, display):
    other = PartFactory(part_number="661-30003", stock_price="500.00", exchange_price="350.00")
    order = cart_of(approved, admin, (display, 3, "exchange"), (display, 1, "stock"), (other, 1, "exchange"))
    order = delivered(order, admin, reviewer)
    due = timezone.localdate() + datetime.timedelta(days=15)
    cores = CoreReturn.objects.filter(organisation=approved).order_by("id")
    assert [(c.part.part_number, c.status, c.due_date) for c in cores] == [
        (display.part_number, CoreReturn.Status.DUE, due),
        (display.part_number, CoreReturn.Status.DUE, due),
        (display.part_number, CoreReturn.Status.DUE, due),
        (other.part_number, CoreReturn.Status.DUE, due),
    ]
    assert {c.order_line.order_id for c in cores} == {order.pk}
    assert all(c.order_line.pricing == "exchange" for c in cores)
    kinds = sorted(Invoice.objects.get(order=order).lines.values_list("kind", "quantity"))
    assert kinds == [("exchange", 1), ("exchange", 3), ("part", 1)]


def test_delivery_puts_the_parts_into_stock_and_stock_use_never_goes_below_zero(
    approved, admin, reviewer, display, battery
):
    order = delivered(cart_of(approved, admin, (display, 2, "exchange"), (battery, 3, "stock")), admin, reviewer)
    movements = StockMovement.objects.filter(organisation=approved).order_by("id")
    assert [(m.part_id, m.kind, m.quantity, m.reference) for m in movements] == [
        (display.pk, StockMovement.Kind.DELIVERED, 2, order.number),
        (battery.pk, StockMovement.Kind.DELIVERED, 3, order.number),
    ]
    assert all(m.order_line.order_id == order.pk for m in movements)

    with pytest.raises(ValidationError) as exc:
        stock_use(organisation=approved, part=battery, quantity=4, reference="R-1")
    assert "quantity" in exc.value.message_dict
    with pytest.raises(ValidationError):
        stock_use(organisation=approved, part=battery, quantity=0, reference="R-1")
    used = stock_use(organisation=approved, part=battery, quantity=3, reference="R-1")
    assert used.kind == StockMovement.Kind.USED and used.quantity == -3
    assert stock_list(organisation=approved) == [
        {"part_number": display.part_number, "description": display.description, "quantity": 2}
    ]
    with pytest.raises(ValidationError):
        stock_use(organisation=approved, part=battery, quantity=1, reference="R-2")


def test_stock_of_another_organisation_cannot_be_used(approved, admin, reviewer, battery, other_organisation):
    delivered(cart_of(approved, admin, (battery, 1, "stock")), admin, reviewer)
    with scope(organisation=other_organisation), pytest.raises(ValidationError):
        stock_use(organisation=other_organisation, part=battery, quantity=1, reference="R-1")


def test_delivery_counts_the_order_once_as_an_unpaid_invoice(approved, admin, reviewer, display):
    order = delivered(cart_of(approved, admin, (display, 1, "stock")), admin, reviewer)
    credit = credit_compute(organisation=approved)
    assert (credit.unpaid, credit.open_orders) == (Decimal("300.00"), Decimal("0.00"))
    invoice_mark_paid(invoice=order.invoice, actor=reviewer)
    assert credit_compute(organisation=approved).exposure == Decimal("0.00")


# --- Audit trail --------------------------------------------------------------------------------------------------


def test_every_step_of_an_order_is_audited(approved, admin, reviewer, display):
    order = order_submit(order=cart_of(approved, admin, (display, 1, "stock")), actor=admin)
    order = order_confirm(order=order, actor=reviewer)
    order = order_ship(order=order, actor=reviewer, carrier="DHL", tracking_number="JJD0099")
    order = order_deliver(order=order, actor=reviewer)
    invoice = Invoice.objects.get(order=order)
    invoice_mark_paid(invoice=invoice, actor=reviewer)
    cancelled = order_submit(order=cart_of(approved, admin, (display, 1, "stock")), actor=admin)
    order_cancel(order=cancelled, actor=admin)

    def entry(action, obj):
        [found] = AuditEntry.objects.filter(action=action, object_id=str(obj.pk))
        return found

    assert entry("order.submitted", order).actor == admin
    assert entry("order.submitted", order).after["status"] == "submitted"
    assert entry("order.confirmed", order).actor == reviewer
    shipped = entry("order.shipped", order)
    assert shipped.after["tracking_number"] == "JJD0099" and shipped.before == {"status": "confirmed"}
    assert entry("order.delivered", order).actor == reviewer
    assert entry("invoice.issued", invoice).organisation_id == approved.pk
    assert entry("invoice.paid", invoice).after["status"] == "paid"
    assert entry("order.cancelled", cancelled).actor == admin
    assert entry("order.submitted", cancelled).organisation_id == approved.pk


def test_two_adds_to_one_cart_both_count_and_a_ship_from_submitted_confirms(approved, admin, reviewer, display):
    from parts.services import order_create, order_line_add, order_ship

    with scope(organisation=approved):
        cart = order_create(organisation=approved, actor=admin, lines=[])
        order_line_add(order=cart, part_number=display.part_number, quantity=2)
        order_line_add(order=cart, part_number=display.part_number.lower(), quantity=3)
        assert [(line.part_id, line.quantity) for line in cart.lines.all()] == [(display.pk, 5)]
        with pytest.raises(ValidationError):
            order_line_add(order=cart, part_number=display.part_number, quantity=995)  # 1000 > 999 in one line
        order = order_submit(order=cart, actor=admin)
        order = order_ship(order=order, actor=reviewer, carrier="DHL\r\nX", tracking_number=" 00340434\n ")
        assert (
            order.confirmed_at == order.shipped_at and order.carrier == "DHL X" and order.tracking_number == "00340434"
        )
