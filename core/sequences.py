"""Gapless numbering: account numbers now, invoice numbers next.

One counter row per sequence and year. Drawing a number increments the row inside the caller's transaction, which
holds the row lock until it commits: concurrent callers wait their turn and never share a number, and a rolled-back
transaction gives its number back, so the series has no gaps.
"""

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import NumberSequence


@transaction.atomic
def sequence_next(*, name: str, year: int = 0, start: int = 0) -> int:
    """The next number of ``name`` (in ``year``; 0 for a series that never restarts). A new series begins after
    ``start``."""
    if not NumberSequence.objects.filter(name=name, year=year).update(last_value=F("last_value") + 1):
        try:
            with transaction.atomic():  # a savepoint: a concurrent first caller may win the insert
                NumberSequence.objects.create(name=name, year=year, last_value=start + 1)
                return start + 1
        except IntegrityError:
            NumberSequence.objects.filter(name=name, year=year).update(last_value=F("last_value") + 1)
    return NumberSequence.objects.filter(name=name, year=year).values_list("last_value", flat=True).get()


@transaction.atomic
def sequence_block(*, name: str, year: int = 0, count: int, start: int = 0) -> list[int]:
    """``count`` consecutive numbers of ``name`` at once, for a job that numbers many documents in one
    transaction: one row lock and two statements, whatever the count."""
    if count <= 0:
        return []
    NumberSequence.objects.get_or_create(name=name, year=year, defaults={"last_value": start})
    NumberSequence.objects.filter(name=name, year=year).update(last_value=F("last_value") + count)
    last = NumberSequence.objects.filter(name=name, year=year).values_list("last_value", flat=True).get()
    return list(range(last - count + 1, last + 1))
