"""Money: Decimal with two places, in euros, and VAT rates as dated data (``core.VatRate``)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .models import VatRate

CURRENCY = "EUR"
CENT = Decimal("0.01")


class NotAnAmount(ValueError):
    pass


def money(value) -> Decimal:
    """An amount rounded half-up to the cent; ``"50000"``, ``50000``, ``Decimal("1.005")`` all work. Floats are
    refused: they cannot hold cents exactly."""
    if isinstance(value, float):
        raise NotAnAmount("amounts are Decimal or str, never float")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise NotAnAmount(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise NotAnAmount(f"not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def vat_rate(*, country: str, on: datetime.date, kind: str = VatRate.Kind.STANDARD) -> Decimal:
    """The rate in force in ``country`` on ``on``; ``LookupError`` when none is recorded."""
    rate = (
        VatRate.objects.filter(country=country, kind=kind, valid_from__lte=on)
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise LookupError(f"no {kind} VAT rate for {country} on {on}")
    return rate


def vat_amount(net: Decimal, rate: Decimal) -> Decimal:
    return money(money(net) * rate)


def gross(net: Decimal, rate: Decimal) -> Decimal:
    return money(net) + vat_amount(net, rate)


def money_text(amount) -> str:
    """An amount as the reader's language writes it, with the currency: ``1.234,50 €`` or ``1,234.50 €``."""
    from django.utils.formats import number_format

    return f"{number_format(money(amount), 2, use_l10n=True, force_grouping=True)} €"
