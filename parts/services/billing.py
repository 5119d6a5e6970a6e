"""Invoices: numbered without gaps per year (``RE-2026-000001``), net lines, VAT at the rate of the invoice date,
gross, due after the programme's payment term; the buyer's details as they were that day. Reviewers record
payments. Monthly statements are read from the invoices (``parts.selectors.statement``)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, Organisation
from accounts.selectors import programme_rules_by_country
from core.audit import audit_record
from core.errors import InvalidTransition
from core.money import money, vat_amount, vat_rate
from core.sequences import sequence_block, sequence_next

from ..audit_actions import INVOICE_ISSUED, INVOICE_PAID
from ..models import CreditLine, Invoice, InvoiceLine
from .cores import core_hold_review
from .credit import credit_hold_review, credit_line_lock


@dataclass
class Charge:
    """One line to invoice."""

    kind: str
    description: str
    quantity: int
    unit_price: Decimal
    part_number: str = ""
    core_return_id: int | None = None

    @property
    def net(self) -> Decimal:
        return money(self.unit_price * self.quantity)


def _rate(on: datetime.date) -> Decimal:
    """The VAT rate of the seller's country (the supply is taxed where the seller delivers from, Germany)."""
    return vat_rate(country=seller_details().get("country", "DE"), on=on)


def seller_details() -> dict:
    """The seller as configured today; every invoice keeps its own copy, so a later change rewrites none."""
    return dict(settings.INVOICE_SELLER)


def invoice_number(year: int, value: int) -> str:
    return f"RE-{year}-{value:06d}"


def buyer_details(organisation: Organisation, account_number: str = "") -> dict:
    return {
        "name": organisation.name,
        "address": organisation.address,
        "vat_id": organisation.vat_id,
        "country": organisation.country,
        "account_number": account_number,
    }


def _invoice(
    *, organisation, number, kind, charges, order, issued_on, payment_days, rate, account_number, service_date
) -> Invoice:
    net = money(sum((c.net for c in charges), Decimal("0")))
    vat = vat_amount(net, rate)
    return Invoice(
        organisation=organisation,
        number=number,
        kind=kind,
        order=order,
        issued_on=issued_on,
        service_date=service_date or issued_on,
        due_on=issued_on + datetime.timedelta(days=payment_days),
        net=net,
        vat_rate=rate,
        vat=vat,
        gross=net + vat,
        language=organisation.language,
        buyer=buyer_details(organisation, account_number),
        seller=seller_details(),
    )


def _lines(invoice: Invoice, charges: list[Charge]) -> list[InvoiceLine]:
    return [
        InvoiceLine(
            organisation_id=invoice.organisation_id,
            invoice=invoice,
            kind=c.kind,
            description=c.description[:300],
            part_number=c.part_number,
            quantity=c.quantity,
            unit_price=money(c.unit_price),
            net=c.net,
            core_return_id=c.core_return_id,
        )
        for c in charges
    ]


@transaction.atomic
def invoice_issue(
    *,
    organisation: Organisation,
    kind: str,
    charges: list[Charge],
    actor=None,
    order=None,
    issued_on: datetime.date | None = None,
    service_date: datetime.date | None = None,
) -> Invoice:
    """Issue one invoice. Its number is drawn inside this transaction, so a rollback leaves no gap; the credit
    line is locked first, so a submission checking the exposure at the same moment waits for it."""
    issued_on = issued_on or timezone.localdate()
    # The credit line, if the organisation has one, is locked first: a submission checking the exposure waits.
    list(CreditLine.objects.select_for_update().filter(organisation=organisation))
    rules = programme_rules_by_country([organisation.country])[organisation.country]
    rate = _rate(issued_on)
    account_number = Account.objects.filter(organisation=organisation).values_list("account_number", flat=True).first()
    number = invoice_number(issued_on.year, sequence_next(name="invoice", year=issued_on.year))
    invoice = _invoice(
        organisation=organisation,
        number=number,
        kind=kind,
        charges=charges,
        order=order,
        issued_on=issued_on,
        payment_days=rules.invoice_payment_days,
        rate=rate,
        account_number=account_number or "",
        service_date=service_date,
    )
    invoice.save()
    InvoiceLine.objects.bulk_create(_lines(invoice, charges))
    audit_record(
        actor=actor,
        organisation=organisation,
        action=INVOICE_ISSUED,
        obj=invoice,
        after={"net": invoice.net, "vat": invoice.vat, "gross": invoice.gross, "due_on": invoice.due_on},
    )
    return invoice


def invoices_issue_bulk(
    *, charges_by_organisation: dict[int, list[Charge]], issued_on: datetime.date, kind: str = Invoice.Kind.CHARGES
) -> dict[int, Invoice]:
    """Issue one invoice per organisation for a periodic job, in a constant number of statements: one block of
    numbers, one insert of invoices, one of lines. The caller writes the audit entries and holds the transaction."""
    if not charges_by_organisation:
        return {}
    organisations = Organisation.objects.in_bulk(list(charges_by_organisation))
    rules = programme_rules_by_country({o.country for o in organisations.values()})
    accounts = dict(
        Account.objects.filter(organisation_id__in=organisations).values_list("organisation_id", "account_number")
    )
    rate = _rate(issued_on)
    numbers = sequence_block(name="invoice", year=issued_on.year, count=len(organisations))
    invoices = {}
    for value, (org_id, organisation) in zip(numbers, sorted(organisations.items()), strict=True):
        invoices[org_id] = _invoice(
            organisation=organisation,
            number=invoice_number(issued_on.year, value),
            kind=kind,
            charges=charges_by_organisation[org_id],
            order=None,
            issued_on=issued_on,
            payment_days=rules[organisation.country].invoice_payment_days,
            rate=rate,
            account_number=accounts.get(org_id) or "",
            service_date=issued_on,
        )
    Invoice.objects.bulk_create(list(invoices.values()))
    InvoiceLine.objects.bulk_create(
        [line for org_id, inv in invoices.items() for line in _lines(inv, charges_by_organisation[org_id])]
    )
    return invoices


@transaction.atomic
def invoice_mark_paid(*, invoice: Invoice, actor) -> Invoice:
    """Record the payment (a reviewer, for Apple's accounts receivable); the credit hold is reviewed at once."""
    credit_line_lock(organisation=invoice.organisation)  # credit line before invoice, as everywhere
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status == Invoice.Status.PAID:
        raise InvalidTransition(_("This invoice is already paid."), extra={"status": invoice.status})
    invoice.status = Invoice.Status.PAID
    invoice.paid_at = timezone.now()
    invoice.paid_by = actor
    invoice.save(update_fields=["status", "paid_at", "paid_by"])
    audit_record(
        actor=actor,
        organisation=invoice.organisation,
        action=INVOICE_PAID,
        obj=invoice,
        before={"status": Invoice.Status.OPEN},
        after={"status": Invoice.Status.PAID, "gross": invoice.gross},
    )
    credit_hold_review(organisation=invoice.organisation, actor=actor)
    core_hold_review(organisation=invoice.organisation, actor=actor)  # paid core charges count as resolved
    return invoice
