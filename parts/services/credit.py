"""The credit line: exposure (unpaid invoices plus open orders, net) against the account's limit, and the credit
hold that follows from it. Submission locks the organisation's ``CreditLine`` row, so concurrent orders are checked
one after another against the exposure the previous one left."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.holds import hold_place, hold_release, open_holds
from accounts.models import Account, Hold, Organisation
from accounts.selectors import programme_rules_for
from core.money import money

from ..models import CreditLine, Invoice, PartsOrder

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Credit:
    limit: Decimal
    exposure: Decimal
    unpaid: Decimal
    open_orders: Decimal

    @property
    def available(self) -> Decimal:
        return max(self.limit - self.exposure, ZERO)

    @property
    def utilisation(self) -> int:
        """Percent of the limit in use, 0 when there is no limit."""
        return int(self.exposure * 100 / self.limit) if self.limit else 0


def credit_compute(*, organisation: Organisation, limit: Decimal | None = None) -> Credit:
    """The credit line as it stands now, from the rows (two aggregates)."""
    if limit is None:
        limit = Account.objects.filter(organisation=organisation).values_list("credit_limit", flat=True).first()
    unpaid = Invoice.objects.filter(organisation=organisation, status=Invoice.Status.OPEN).aggregate(s=Sum("net"))["s"]
    orders = PartsOrder.objects.filter(organisation=organisation, status__in=PartsOrder.OPEN).aggregate(s=Sum("total"))[
        "s"
    ]
    unpaid, orders = money(unpaid or 0), money(orders or 0)
    return Credit(limit=money(limit or 0), exposure=unpaid + orders, unpaid=unpaid, open_orders=orders)


def credit_line_lock(*, organisation: Organisation) -> CreditLine:
    """The organisation's credit-line row, made on first use and locked until the transaction ends."""
    CreditLine.objects.get_or_create(organisation=organisation)
    return CreditLine.objects.select_for_update().get(organisation=organisation)


def credit_store(*, organisation: Organisation) -> Credit:
    """Recompute the exposure and keep it on the credit line (after an order, a delivery, a payment)."""
    credit = credit_compute(organisation=organisation)
    CreditLine.objects.update_or_create(
        organisation=organisation, defaults={"exposure": credit.exposure, "computed_at": timezone.now()}
    )
    return credit


def credit_overdue_invoices(*, organisation: Organisation, today: datetime.date):
    """Open invoices overdue by more than the programme's grace (30 days in Germany)."""
    grace = programme_rules_for(organisation).credit_hold_overdue_days
    return Invoice.objects.filter(
        organisation=organisation,
        status=Invoice.Status.OPEN,
        due_on__lt=today - datetime.timedelta(days=grace),
    )


@transaction.atomic
def credit_hold_review(*, organisation: Organisation, actor=None, today: datetime.date | None = None) -> Hold | None:
    """Place the credit hold when an invoice is long overdue or the exposure is over the limit; release it when
    neither holds any more. The daily job does the same for everyone at once; this is the immediate answer to a
    payment or a delivery."""
    today = today or timezone.localdate()
    credit = credit_store(organisation=organisation)
    account_status = Account.objects.filter(organisation=organisation).values_list("status", flat=True).first()
    overdue = credit_overdue_invoices(organisation=organisation, today=today).exists()
    over_limit = account_status == Account.Status.APPROVED and credit.exposure > credit.limit
    current = open_holds(organisation=organisation).filter(reason=Hold.Reason.CREDIT).first()
    if overdue or over_limit:
        if current is None:
            note = _("An invoice is overdue.") if overdue else _("The exposure is above the credit limit.")
            return hold_place(organisation=organisation, reason=Hold.Reason.CREDIT, actor=actor, note=note)
        return current
    if current is not None:
        hold_release(hold=current, actor=actor, note="credit resolved")
    return None
