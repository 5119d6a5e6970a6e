"""The price list as dated data (``core.Price``): parts and replacement units by part number, extra exam vouchers.

A price is set from a day on; asking for the price on a day gives the entry in force then. Setting the same price
again adds nothing, so loading an unchanged catalogue every night leaves the history as it was.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from .models import Price

VOUCHER_ITEM = "voucher:exam"


def part_item(part_number: str) -> str:
    return f"part:{part_number}"


def price_on(*, item: str, on: datetime.date, kind: str = "stock") -> Decimal:
    """The price of ``item`` in force on ``on``; ``LookupError`` when none is recorded."""
    amount = (
        Price.objects.filter(item=item, kind=kind, valid_from__lte=on)
        .order_by("-valid_from")
        .values_list("amount", flat=True)
        .first()
    )
    if amount is None:
        raise LookupError(f"no {kind} price for {item} on {on}")
    return amount


@transaction.atomic
def price_set(*, item: str, amount: Decimal, valid_from: datetime.date, kind: str = "stock") -> bool:
    """Record ``amount`` as the price from ``valid_from`` on, unless it is already the price then. Returns whether
    the list changed. A second change on the same day replaces that day's entry."""
    try:
        current = price_on(item=item, on=valid_from, kind=kind)
    except LookupError:
        current = None
    if current == amount:
        return False
    Price.objects.update_or_create(item=item, kind=kind, valid_from=valid_from, defaults={"amount": amount})
    return True


def price_history(*, item: str) -> list[Price]:
    return list(Price.objects.filter(item=item).order_by("-valid_from", "kind"))
