"""``seed_demo`` gives the approved demo university a parts history, and a second run duplicates nothing."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.holds import open_holds
from accounts.models import Account, Organisation
from certification.demo import SLUG
from core.models import Price
from parts.models import (
    CoreReturn,
    CreditLine,
    CreditSnapshot,
    Invoice,
    InvoiceLine,
    OrderLine,
    Part,
    PartsOrder,
    StockMovement,
)
from parts.selectors import stock_list
from parts.services import credit_compute, order_cart

pytestmark = pytest.mark.django_db

COUNTED = [Part, Price, PartsOrder, OrderLine, Invoice, InvoiceLine, CoreReturn, StockMovement, CreditSnapshot]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture
def seeded():
    call_command("seed_demo", stdout=io.StringIO())
    with scopes_disabled():  # the demo spans organisations
        yield Organisation.objects.get(slug=SLUG)


def test_the_demo_catalogue_covers_the_product_lines(seeded):
    for line in ("mac", "ipad", "iphone", "ipod"):
        fitting = Part.objects.filter(active=True, product_lines_key__contains=f"|{line}|")
        assert fitting.filter(kind=Part.Kind.PART).exists(), line
        assert fitting.filter(kind=Part.Kind.UNIT).exists(), line
    assert Part.objects.filter(core_return=True, exchange_price__isnull=False).exists()
    assert Price.objects.filter(item__startswith="part:").count() >= Part.objects.count()


def test_the_approved_university_has_orders_in_every_state(seeded):
    assert Account.objects.get(organisation=seeded).status == Account.Status.APPROVED
    statuses = set(PartsOrder.objects.filter(organisation=seeded).values_list("status", flat=True))
    assert statuses == set(PartsOrder.Status.values)
    shipped = PartsOrder.objects.get(organisation=seeded, status=PartsOrder.Status.SHIPPED)
    assert shipped.carrier and shipped.tracking_number and shipped.shipped_at
    for order in PartsOrder.objects.filter(organisation=seeded).exclude(status=PartsOrder.Status.DRAFT):
        assert order.number.startswith("PO-") and order.ship_date is not None
    # the cart is the administrator's: the shop shows it to them
    cart = PartsOrder.objects.get(organisation=seeded, status=PartsOrder.Status.DRAFT)
    assert order_cart(organisation=seeded, actor=cart.created_by) == cart and cart.lines.exists()


def test_one_core_is_overdue_relative_to_today(seeded):
    today = timezone.localdate()
    [core] = CoreReturn.objects.filter(organisation=seeded, status=CoreReturn.Status.OVERDUE)
    assert core.due_date < today and core.returned_at is None and core.overdue_since > core.due_date
    delivered = core.order_line.order
    assert delivered.status == PartsOrder.Status.DELIVERED
    assert timezone.localdate(delivered.delivered_at) < today - datetime.timedelta(days=15)
    assert core.due_date == timezone.localdate(delivered.delivered_at) + datetime.timedelta(days=15)
    assert CoreReturn.objects.filter(organisation=seeded, status=CoreReturn.Status.RETURNED).exists()


def test_one_invoice_is_open_and_one_paid(seeded):
    today = timezone.localdate()
    [open_invoice] = Invoice.objects.filter(organisation=seeded, status=Invoice.Status.OPEN)
    assert open_invoice.order.status == PartsOrder.Status.DELIVERED
    assert open_invoice.due_on >= today  # open, not yet overdue: no credit hold
    assert Invoice.objects.filter(organisation=seeded, status=Invoice.Status.PAID).count() == 1
    numbers = sorted(Invoice.objects.filter(organisation=seeded).values_list("issued_on", "number"))
    assert [n for _d, n in numbers] == sorted(n for _d, n in numbers)  # numbered in the order of their dates


def test_the_university_stays_in_good_standing_with_stock_and_a_credit_history(seeded):
    credit = credit_compute(organisation=seeded)
    assert Decimal("0") < credit.exposure < credit.limit
    assert CreditLine.objects.get(organisation=seeded).exposure == credit.exposure
    assert not open_holds(organisation=seeded).exists()
    assert stock_list(organisation=seeded)
    snapshots = list(CreditSnapshot.objects.filter(organisation=seeded).order_by("day"))
    assert len(snapshots) == 60 and snapshots[-1].day == timezone.localdate() - datetime.timedelta(days=1)
    assert any(s.exposure > 0 for s in snapshots) and all(s.exposure <= s.limit for s in snapshots)


def test_seeding_again_duplicates_nothing(seeded):
    before = counts()
    assert before["PartsOrder"] >= 7 and before["Invoice"] >= 2
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == before
