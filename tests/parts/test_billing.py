"""Billing: payments, the credit hold they release, monthly statements, and extra exam vouchers invoiced at the
price list's price."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404
from django.utils import timezone
from django_scopes import scope

from accounts.holds import hold_place, open_holds
from accounts.models import Account, Hold
from certification.models import ExamVoucher
from certification.services import vouchers_request
from core.errors import InvalidTransition
from core.models import AuditEntry, Price
from core.prices import VOUCHER_ITEM, price_set
from parts.models import Invoice, InvoiceLine
from parts.selectors import statement, statement_months
from parts.services import credit_hold_review, invoice_mark_paid

from .factories import approve, charges_invoice

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def _scoped(organisation):
    with scope(organisation=organisation):
        yield


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def credit_hold(organisation):
    return open_holds(organisation=organisation).filter(reason=Hold.Reason.CREDIT).first()


# --- Payments -----------------------------------------------------------------------------------------------------


def test_marking_an_invoice_paid_records_who_and_when_and_twice_is_an_invalid_transition(approved, reviewer):
    invoice = charges_invoice(approved, "100.00")
    paid = invoice_mark_paid(invoice=invoice, actor=reviewer)
    assert paid.status == Invoice.Status.PAID and paid.paid_by == reviewer and paid.paid_at is not None
    first_paid_at = paid.paid_at
    with pytest.raises(InvalidTransition) as exc:
        invoice_mark_paid(invoice=invoice, actor=reviewer)
    assert exc.value.code == "invalid_transition" and exc.value.extra == {"status": "paid"}
    invoice.refresh_from_db()
    assert invoice.paid_at == first_paid_at
    assert AuditEntry.objects.filter(action="invoice.paid", object_id=str(invoice.pk)).count() == 1


def test_invoices_are_due_after_the_programmes_payment_term(approved):
    invoice = charges_invoice(approved, "100.00", issued_on=datetime.date(2026, 3, 10))
    assert invoice.due_on == datetime.date(2026, 4, 9)
    assert invoice.number == "RE-2026-000001"


def test_invoice_numbers_restart_each_year(approved):
    numbers = [
        charges_invoice(approved, "1.00", issued_on=datetime.date(2025, 12, 31)).number,
        charges_invoice(approved, "1.00", issued_on=datetime.date(2026, 1, 1)).number,
        charges_invoice(approved, "1.00", issued_on=datetime.date(2025, 12, 30)).number,
        charges_invoice(approved, "1.00", issued_on=datetime.date(2026, 1, 2)).number,
    ]
    assert numbers == ["RE-2025-000001", "RE-2026-000001", "RE-2025-000002", "RE-2026-000002"]


# --- The credit hold ----------------------------------------------------------------------------------------------


def test_an_invoice_overdue_by_more_than_thirty_days_places_the_credit_hold(approved):
    charges_invoice(approved, "100.00", issued_on=days_ago(60))  # due 30 days ago: not more than 30
    assert credit_hold_review(organisation=approved) is None
    charges_invoice(approved, "100.00", issued_on=days_ago(61))  # due 31 days ago
    hold = credit_hold_review(organisation=approved)
    assert hold is not None and hold.reason == Hold.Reason.CREDIT and not hold.product_line
    assert credit_hold_review(organisation=approved) == hold  # reviewed again: the same hold, not a second


def test_paying_releases_the_credit_hold_only_when_no_overdue_invoice_remains(approved, reviewer):
    first = charges_invoice(approved, "100.00", issued_on=days_ago(70))
    second = charges_invoice(approved, "200.00", issued_on=days_ago(65))
    hold = credit_hold_review(organisation=approved)
    assert hold is not None

    invoice_mark_paid(invoice=first, actor=reviewer)
    assert credit_hold(approved) == hold  # the second invoice is still more than 30 days overdue

    invoice_mark_paid(invoice=second, actor=reviewer)
    assert credit_hold(approved) is None
    hold.refresh_from_db()
    assert hold.released_at is not None and hold.release_note == "credit resolved"


def test_an_exposure_above_the_limit_places_the_credit_hold_and_paying_releases_it(approved, reviewer):
    approve(approved, credit_limit="1000.00")
    invoice = charges_invoice(approved, "1000.01")
    hold = credit_hold_review(organisation=approved)
    assert hold is not None
    invoice_mark_paid(invoice=invoice, actor=reviewer)
    assert credit_hold(approved) is None


def test_paying_does_not_release_a_credit_hold_while_the_exposure_is_above_the_limit(approved, reviewer):
    approve(approved, credit_limit="1000.00")
    overdue = charges_invoice(approved, "50.00", issued_on=days_ago(80))
    charges_invoice(approved, "1200.00")
    assert credit_hold_review(organisation=approved) is not None
    invoice_mark_paid(invoice=overdue, actor=reviewer)
    assert credit_hold(approved) is not None  # nothing overdue now, but 1200.00 of 1000.00 is in use


def test_paying_leaves_other_holds_alone(approved, reviewer):
    manual = hold_place(organisation=approved, reason=Hold.Reason.MANUAL, note="Service history under review")
    invoice = charges_invoice(approved, "100.00", issued_on=days_ago(90))
    credit_hold_review(organisation=approved)
    invoice_mark_paid(invoice=invoice, actor=reviewer)
    assert credit_hold(approved) is None
    assert list(open_holds(organisation=approved)) == [manual]


# --- Statements ---------------------------------------------------------------------------------------------------


def _paid_on(invoice, reviewer, when: datetime.datetime):
    invoice_mark_paid(invoice=invoice, actor=reviewer)
    Invoice.objects.filter(pk=invoice.pk).update(paid_at=when)
    invoice.refresh_from_db()
    return invoice


@pytest.fixture
def two_months(approved, reviewer):
    """January: A (119.00 gross) and B (238.00). February: A paid, C issued (59.50). March: B paid."""
    a = charges_invoice(approved, "100.00", issued_on=datetime.date(2026, 1, 10))
    b = charges_invoice(approved, "200.00", issued_on=datetime.date(2026, 1, 20))
    c = charges_invoice(approved, "50.00", issued_on=datetime.date(2026, 2, 15))
    a = _paid_on(a, reviewer, datetime.datetime(2026, 2, 5, 11, 0, tzinfo=BERLIN))
    b = _paid_on(b, reviewer, datetime.datetime(2026, 3, 2, 9, 30, tzinfo=BERLIN))
    return a, b, c


def test_the_months_with_a_statement_run_from_the_first_invoice_to_this_month(approved, two_months):
    assert statement_months(organisation=approved, today=datetime.date(2026, 3, 15)) == [
        "2026-03",
        "2026-02",
        "2026-01",
    ]


def test_no_statement_months_before_the_first_invoice(approved):
    assert statement_months(organisation=approved, today=datetime.date(2026, 3, 15)) == []


def test_the_statement_of_the_first_month(approved, two_months):
    a, b, _c = two_months
    january = statement(organisation=approved, key="2026-01", today=datetime.date(2026, 3, 15))
    assert january.month == datetime.date(2026, 1, 1) and january.key == "2026-01"
    assert january.opening == Decimal("0.00")
    assert [i.number for i in january.invoices] == [a.number, b.number]
    assert january.invoiced == Decimal("357.00")
    assert january.payments == [] and january.paid == Decimal("0.00")
    assert january.closing == Decimal("357.00")
    assert [i.number for i in january.open_items] == [a.number, b.number]
    assert january.account_number == Account.objects.get(organisation=approved).account_number != ""


def test_the_statement_of_a_month_with_a_payment_and_an_invoice(approved, two_months):
    a, b, c = two_months
    february = statement(organisation=approved, key="2026-02", today=datetime.date(2026, 3, 15))
    assert february.opening == Decimal("357.00")
    assert [i.number for i in february.invoices] == [c.number]
    assert [i.number for i in february.payments] == [a.number]
    assert (february.invoiced, february.paid) == (Decimal("59.50"), Decimal("119.00"))
    assert february.closing == Decimal("297.50")  # 357.00 + 59.50 - 119.00
    # B was paid only in March, so it is still open at the end of February
    assert [i.number for i in february.open_items] == [b.number, c.number]


def test_the_statement_of_the_month_the_last_open_item_was_paid(approved, two_months):
    _a, b, c = two_months
    march = statement(organisation=approved, key="2026-03", today=datetime.date(2026, 3, 15))
    assert march.opening == Decimal("297.50")
    assert march.invoices == [] and [i.number for i in march.payments] == [b.number]
    assert march.closing == Decimal("59.50")
    assert [i.number for i in march.open_items] == [c.number]
    assert march.closing == sum((i.gross for i in march.open_items), Decimal("0"))


@pytest.mark.parametrize("key", ["2026-04", "2025-12", "2026-13", "march", ""])
def test_a_statement_outside_the_months_is_not_found(approved, two_months, key):
    with pytest.raises(Http404):
        statement(organisation=approved, key=key, today=datetime.date(2026, 3, 15))


def test_a_statement_shows_only_the_organisations_own_invoices(approved, two_months, other_organisation):
    with scope(organisation=other_organisation):
        charges_invoice(other_organisation, "1000.00", issued_on=datetime.date(2026, 2, 1))
    february = statement(organisation=approved, key="2026-02", today=datetime.date(2026, 3, 15))
    assert february.closing == Decimal("297.50") and len(february.invoices) == 1


# --- Extra exam vouchers ------------------------------------------------------------------------------------------


def test_requested_vouchers_are_invoiced_at_once_at_the_price_lists_price(approved, admin):
    assert Price.objects.filter(item=VOUCHER_ITEM, kind="standard", amount=Decimal("150.00")).exists()
    vouchers = vouchers_request(organisation=approved, actor=admin, kind="acmt", quantity=2)
    invoice = Invoice.objects.get(organisation=approved)
    assert invoice.kind == Invoice.Kind.CHARGES
    assert (invoice.net, invoice.vat, invoice.gross) == (Decimal("300.00"), Decimal("57.00"), Decimal("357.00"))
    lines = list(invoice.lines.all())
    assert [(line.kind, line.quantity, line.unit_price) for line in lines] == [
        (InvoiceLine.Kind.VOUCHER, 1, Decimal("150.00")),
        (InvoiceLine.Kind.VOUCHER, 1, Decimal("150.00")),
    ]
    for voucher in vouchers:  # each line names its voucher
        assert sum(voucher.code in line.description for line in lines) == 1
    assert all(v.billed_at is not None for v in ExamVoucher.objects.filter(pk__in=[v.pk for v in vouchers]))


def test_a_voucher_price_change_affects_only_later_requests(approved, admin, monkeypatch):
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    vouchers_request(organisation=approved, actor=admin, kind="ios", quantity=1)
    assert price_set(item=VOUCHER_ITEM, kind="standard", amount=Decimal("175.00"), valid_from=tomorrow)

    vouchers_request(organisation=approved, actor=admin, kind="ios", quantity=1)  # still today: the old price
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    later = vouchers_request(organisation=approved, actor=admin, kind="ios", quantity=1)

    invoices = list(Invoice.objects.filter(organisation=approved).order_by("id"))
    assert [i.net for i in invoices] == [Decimal("150.00"), Decimal("150.00"), Decimal("175.00")]
    assert [i.issued_on for i in invoices] == [today, today, tomorrow]
    assert later[0].price == Decimal("175.00")
    # the history stays: both entries are in the list
    assert list(
        Price.objects.filter(item=VOUCHER_ITEM, kind="standard").order_by("valid_from").values_list("amount", flat=True)
    ) == [Decimal("150.00"), Decimal("175.00")]
