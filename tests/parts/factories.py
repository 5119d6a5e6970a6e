import datetime
from decimal import Decimal

import factory

from accounts.models import Account
from parts.models import Part


class PartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Part
        django_get_or_create = ["part_number"]

    part_number = factory.Sequence(lambda n: f"661-{n:05d}")
    description = factory.Sequence(lambda n: f"Display assembly {n}")
    product_lines_key = "|mac|"
    fits_models = "MacBook Pro 14-inch (M3)"
    kind = Part.Kind.PART
    stock_price = Decimal("300.00")
    exchange_price = Decimal("200.00")
    core_return = True
    available = True


def approve(organisation, *, credit_limit="10000.00", setup_date=None, account_number=None) -> Account:
    """An approved account with a credit line (the caller has the organisation's scope open or none needed)."""
    today = setup_date or datetime.date.today()
    account, _created = Account.objects.update_or_create(
        organisation=organisation,
        defaults={
            "status": Account.Status.APPROVED,
            "setup_date": today,
            "approved_at": datetime.datetime.now(datetime.UTC),
            "certification_deadline": today + datetime.timedelta(days=90),
            "credit_limit": Decimal(credit_limit),
            "account_number": account_number or f"SSA-{organisation.pk:06d}",
        },
    )
    return account


# --- Helpers for orders and invoices (the caller has the organisation's scope open) ------------------------------


def cart_of(organisation, actor, *lines, reference: str = ""):
    """A cart of ``(part, quantity, pricing)`` lines, through the service."""
    from parts.services import order_create

    return order_create(
        organisation=organisation,
        actor=actor,
        reference=reference,
        lines=[{"part_number": p.part_number, "quantity": q, "pricing": pricing} for p, q, pricing in lines],
    )


def charges_invoice(organisation, net, *, issued_on=None, actor=None):
    """An invoice of other charges over ``net`` (one line), through the service."""
    from parts.models import InvoiceLine
    from parts.services import Charge, invoice_issue

    return invoice_issue(
        organisation=organisation,
        kind="charges",
        actor=actor,
        issued_on=issued_on,
        charges=[
            Charge(kind=InvoiceLine.Kind.VOUCHER, description="Exam voucher", quantity=1, unit_price=Decimal(net))
        ],
    )
