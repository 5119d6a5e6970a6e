"""Billing's answer to what happens below it: requested exam vouchers are invoiced at once."""

from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from certification.models import ExamVoucher
from certification.signals import vouchers_requested

from .models import InvoiceLine
from .services.billing import Charge, invoice_issue


@receiver(vouchers_requested, dispatch_uid="parts.invoice_vouchers")
def invoice_vouchers(sender, *, organisation, actor, vouchers, **kwargs):
    billable = [v for v in vouchers if not v.free and v.billed_at is None]
    if not billable:
        return
    with translation.override(organisation.language):
        charges = [
            Charge(
                kind=InvoiceLine.Kind.VOUCHER,
                description=_("Exam voucher %(kind)s, %(code)s") % {"kind": v.get_kind_display(), "code": v.code},
                quantity=1,
                unit_price=v.price,
            )
            for v in billable
        ]
    today = timezone.localdate()
    invoice_issue(organisation=organisation, kind="charges", charges=charges, actor=actor, service_date=today)
    ExamVoucher.objects.filter(pk__in=[v.pk for v in billable]).update(billed_at=timezone.now())
