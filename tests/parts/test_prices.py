"""The price list as dated data: a change adds an entry, the entry in force answers, and loading an unchanged
catalogue adds nothing."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from core.models import AuditEntry, Price
from core.prices import part_item, price_history, price_on, price_set
from parts.models import Part
from parts.services import catalogue_load, part_update

pytestmark = pytest.mark.django_db

ITEM = "part:661-77777"
JAN, FEB, MAR = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)


def amounts(item, kind="stock"):
    return list(Price.objects.filter(item=item, kind=kind).order_by("valid_from").values_list("valid_from", "amount"))


# --- price_set and price_on ---------------------------------------------------------------------------------------


def test_price_set_adds_a_dated_entry_only_when_the_price_changes():
    assert price_set(item=ITEM, amount=Decimal("100.00"), valid_from=JAN) is True
    assert price_set(item=ITEM, amount=Decimal("100.00"), valid_from=FEB) is False  # the same price: nothing
    assert price_set(item=ITEM, amount=Decimal("100.00"), valid_from=JAN) is False
    assert amounts(ITEM) == [(JAN, Decimal("100.00"))]
    assert price_set(item=ITEM, amount=Decimal("110.00"), valid_from=MAR) is True
    assert amounts(ITEM) == [(JAN, Decimal("100.00")), (MAR, Decimal("110.00"))]


def test_a_second_change_on_the_same_day_replaces_that_days_entry():
    price_set(item=ITEM, amount=Decimal("100.00"), valid_from=JAN)
    price_set(item=ITEM, amount=Decimal("120.00"), valid_from=MAR)
    assert price_set(item=ITEM, amount=Decimal("115.00"), valid_from=MAR) is True
    assert amounts(ITEM) == [(JAN, Decimal("100.00")), (MAR, Decimal("115.00"))]


def test_price_on_gives_the_entry_in_force_on_the_day():
    price_set(item=ITEM, amount=Decimal("100.00"), valid_from=JAN)
    price_set(item=ITEM, amount=Decimal("110.00"), valid_from=MAR)
    assert price_on(item=ITEM, on=JAN) == Decimal("100.00")
    assert price_on(item=ITEM, on=MAR - datetime.timedelta(days=1)) == Decimal("100.00")
    assert price_on(item=ITEM, on=MAR) == Decimal("110.00")
    assert price_on(item=ITEM, on=datetime.date(2030, 1, 1)) == Decimal("110.00")
    with pytest.raises(LookupError):
        price_on(item=ITEM, on=JAN - datetime.timedelta(days=1))


def test_stock_and_exchange_prices_are_separate_series():
    price_set(item=ITEM, amount=Decimal("100.00"), valid_from=JAN)
    assert price_set(item=ITEM, kind="exchange", amount=Decimal("100.00"), valid_from=JAN) is True
    price_set(item=ITEM, kind="exchange", amount=Decimal("70.00"), valid_from=FEB)
    assert price_on(item=ITEM, on=MAR) == Decimal("100.00")
    assert price_on(item=ITEM, kind="exchange", on=MAR) == Decimal("70.00")
    with pytest.raises(LookupError):
        price_on(item=ITEM, kind="standard", on=MAR)
    assert [(p.valid_from, p.kind) for p in price_history(item=ITEM)] == [
        (FEB, "exchange"),
        (JAN, "exchange"),
        (JAN, "stock"),
    ]


def test_a_price_set_back_to_an_earlier_amount_is_a_change_too():
    price_set(item=ITEM, amount=Decimal("100.00"), valid_from=JAN)
    price_set(item=ITEM, amount=Decimal("110.00"), valid_from=FEB)
    assert price_set(item=ITEM, amount=Decimal("100.00"), valid_from=MAR) is True
    assert [a for _d, a in amounts(ITEM)] == [Decimal("100.00"), Decimal("110.00"), Decimal("100.00")]


# --- The catalogue ------------------------------------------------------------------------------------------------

CATALOGUE = """part_number;description;product_lines;fits_models;stock_price;exchange_price;core_return;available;kind
661-77777;Display, MacBook Pro 14-inch;mac;MacBook Pro 14-inch (M3);489,00;329,00;ja;ja;part
661-77778;Battery, iPhone 15;iphone;iPhone 15;79,00;;nein;ja;part
661-77779;Replacement unit, iPad Air 11-inch;ipad;iPad Air 11-inch (M2);399,00;299,00;ja;nein;unit
"""


def test_loading_the_catalogue_records_todays_prices():
    result = catalogue_load(data=CATALOGUE.encode("cp1252"))
    assert (result.created, result.updated, result.unchanged, result.errors) == (3, 0, 0, [])
    assert result.prices == 5  # three stock prices, two exchange prices
    today = timezone.localdate()
    assert amounts(part_item("661-77777")) == [(today, Decimal("489.00"))]
    assert amounts(part_item("661-77777"), "exchange") == [(today, Decimal("329.00"))]
    unit = Part.objects.get(part_number="661-77779")
    assert unit.kind == Part.Kind.UNIT and not unit.available and unit.product_lines == ["ipad"]


def test_loading_the_same_catalogue_twice_adds_no_prices_and_changes_no_parts():
    catalogue_load(data=CATALOGUE)
    prices, updated_at = Price.objects.count(), dict(Part.objects.values_list("part_number", "updated_at"))
    again = catalogue_load(data=CATALOGUE)
    assert (again.created, again.updated, again.unchanged, again.prices) == (0, 0, 3, 0)
    assert Price.objects.count() == prices
    assert dict(Part.objects.values_list("part_number", "updated_at")) == updated_at
    with scopes_disabled():  # the catalogue is the programme's: its entries carry no organisation
        assert AuditEntry.objects.filter(action="catalogue.loaded", organisation=None).count() == 2


def test_a_changed_price_in_the_catalogue_adds_an_entry_dated_today_and_keeps_the_older_one():
    catalogue_load(data=CATALOGUE)
    last_month = timezone.localdate() - datetime.timedelta(days=30)
    Price.objects.filter(item__startswith="part:661-7777").update(valid_from=last_month)  # as if loaded then

    changed = CATALOGUE.replace("489,00;329,00", "509,00;329,00")
    result = catalogue_load(data=changed)
    assert (result.updated, result.unchanged, result.prices) == (1, 2, 1)
    today = timezone.localdate()
    assert amounts(part_item("661-77777")) == [(last_month, Decimal("489.00")), (today, Decimal("509.00"))]
    assert amounts(part_item("661-77777"), "exchange") == [(last_month, Decimal("329.00"))]
    assert price_on(item=part_item("661-77777"), on=today - datetime.timedelta(days=1)) == Decimal("489.00")
    assert Part.objects.get(part_number="661-77777").stock_price == Decimal("509.00")
    assert catalogue_load(data=changed).prices == 0


def test_an_invalid_catalogue_row_is_reported_with_its_line_and_the_others_are_loaded():
    broken = CATALOGUE + "661-77780;Keyboard;toaster;;12,00;;nein;ja;part\n661-77781;Trackpad;mac;;;;nein;ja;part\n"
    result = catalogue_load(data=broken)
    assert result.created == 3
    assert [(line, sorted(errors)) for line, errors in result.errors] == [
        (5, ["product_lines"]),
        (6, ["stock_price"]),
    ]
    assert not Part.objects.filter(part_number__in=["661-77780", "661-77781"]).exists()
    assert not Price.objects.filter(item__in=["part:661-77780", "part:661-77781"]).exists()


def test_a_reviewers_edit_that_keeps_the_price_adds_no_entry(reviewer):
    catalogue_load(data=CATALOGUE)
    part = Part.objects.get(part_number="661-77778")
    before = Price.objects.count()
    part_update(
        part=part,
        actor=reviewer,
        data={"description": "Battery, iPhone 15 (genuine)", "product_lines": "iphone", "stock_price": "79.00"},
    )
    assert Price.objects.count() == before
    part_update(
        part=part, actor=reviewer, data={"description": "Battery", "product_lines": "iphone", "stock_price": "82"}
    )
    assert amounts(part_item("661-77778"))[-1] == (timezone.localdate(), Decimal("82.00"))
    assert Price.objects.count() == before  # same day: that day's entry is replaced
