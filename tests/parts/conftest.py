import pytest
from django_scopes import scope

from .factories import PartFactory, approve


@pytest.fixture
def approved(organisation):
    with scope(organisation=organisation):
        approve(organisation)
    return organisation


@pytest.fixture
def display(db):
    return PartFactory(part_number="661-30001", description="Display, MacBook Pro 14-inch", product_lines_key="|mac|")


@pytest.fixture
def battery(db):
    return PartFactory(
        part_number="661-30002",
        description="Battery, iPhone 15",
        product_lines_key="|iphone|",
        stock_price="80.00",
        exchange_price=None,
        core_return=False,
    )
