import datetime
from decimal import Decimal

import pytest
from django_scopes import scope

from parts.models import CoreReturn, Invoice, PartsOrder
from parts.selectors import credit_summary, stock_list
from parts.services import order_create, order_deliver, order_ship, order_submit


@pytest.mark.django_db
def test_order_to_invoice(approved, admin, reviewer, display, battery):
    with scope(organisation=approved):
        order = order_create(
            organisation=approved,
            actor=admin,
            lines=[
                {"part_number": display.part_number, "quantity": 2, "pricing": "exchange"},
                {"part_number": battery.part_number, "quantity": 1, "pricing": "stock"},
            ],
        )
        order = order_submit(order=order, actor=admin, now=datetime.datetime(2026, 4, 2, 8, tzinfo=datetime.UTC))
        assert order.status == PartsOrder.Status.SUBMITTED
        assert order.total == Decimal("480.00")
        assert credit_summary(organisation=approved).credit.exposure == Decimal("480.00")
        order = order_ship(order=order, actor=reviewer, carrier="DHL", tracking_number="123")
        order = order_deliver(order=order, actor=reviewer)
        invoice = Invoice.objects.get(order=order)
        assert invoice.number.startswith("RE-")
        assert invoice.vat == Decimal("91.20") and invoice.gross == Decimal("571.20")
        assert CoreReturn.objects.filter(organisation=approved).count() == 2
        assert {s["part_number"]: s["quantity"] for s in stock_list(organisation=approved)} == {
            display.part_number: 2,
            battery.part_number: 1,
        }
        assert credit_summary(organisation=approved).credit.exposure == Decimal("480.00")
