"""Certifications and exam vouchers, each with the sentence the audit trail reads as."""

from django.utils.translation import gettext_lazy as _

from core.audit import CHOICE, DATE, LIST, MONEY, AuditAction

from .models import CertificationKind

KIND = {"kind": dict(CertificationKind.choices)}

CERTIFICATION_RECORDED = AuditAction(
    "certification.recorded",
    _("%(actor)s recorded the %(kind)s certification of %(technician)s (passed %(passed_on)s)"),
    formats={"kind": CHOICE, "passed_on": DATE, "expires_on": DATE},
    choices=KIND,
)
CERTIFICATION_DELETED = AuditAction(
    "certification.deleted",
    _("%(actor)s deleted the %(kind)s certification of %(technician)s"),
    formats={"kind": CHOICE},
    choices=KIND,
)
VOUCHERS_ISSUED_FREE = AuditAction(
    "vouchers.issued_free",
    _("%(actor)s issued the free exam vouchers %(codes)s"),
    formats={"codes": LIST},
    timeline=True,
)

VOUCHERS_REQUESTED = AuditAction(
    "vouchers.requested",
    _("%(actor)s ordered %(quantity)s %(kind)s exam vouchers at %(price_each)s each, %(total)s in total"),
    formats={"kind": CHOICE, "price_each": MONEY, "total": MONEY, "codes": LIST},
    choices=KIND,
    timeline=True,
)

VOUCHER_ASSIGNED = AuditAction(
    "voucher.assigned",
    _("%(actor)s assigned the exam voucher %(object)s to %(assigned_to)s"),
    labels={"assigned_to": _("assigned to")},
)
VOUCHER_REDEEMED = AuditAction(
    "voucher.redeemed", _("%(actor)s redeemed the exam voucher %(object)s for the certification %(certification)s")
)
