"""Certifications and exam vouchers, each with the sentence the audit trail reads as."""

from django.utils.translation import gettext_lazy as _

from core.audit import CHOICE, DATE, LIST, MONEY, AuditAction

from .models import CertificationKind

KIND = {"kind": dict(CertificationKind.choices)}

CERTIFICATION_RECORDED = AuditAction(
    "certification.recorded",
    _("%(actor)s recorded the certification %(kind)s of %(technician)s, passed on %(passed_on)s"),
    formats={"kind": CHOICE, "passed_on": DATE, "expires_on": DATE},
    choices=KIND,
    details={"credential_id": _("credential id %(credential_id)s"), "expires_on": _("valid until %(expires_on)s")},
)
CERTIFICATION_DELETED = AuditAction(
    "certification.deleted",
    _("%(actor)s deleted the certification %(kind)s of %(technician)s"),
    formats={"kind": CHOICE},
    choices=KIND,
    details={"credential_id": _("credential id %(credential_id)s")},
)
VOUCHERS_ISSUED_FREE = AuditAction(
    "vouchers.issued_free",
    _("%(actor)s issued the free exam vouchers %(codes)s"),
    formats={"codes": LIST},
    timeline=True,
)

VOUCHERS_REQUESTED = AuditAction(
    "vouchers.requested",
    _("%(actor)s ordered exam vouchers for %(kind)s: %(quantity)s at %(price_each)s each, %(total)s in total"),
    formats={"kind": CHOICE, "price_each": MONEY, "total": MONEY, "codes": LIST},
    choices=KIND,
    timeline=True,
)

# The sentence names the new holder; an earlier holder is in the trail's earlier entry.
VOUCHER_ASSIGNED = AuditAction(
    "voucher.assigned", _("%(actor)s assigned the exam voucher %(object)s to %(assigned_to)s")
)
VOUCHER_REDEEMED = AuditAction(
    "voucher.redeemed",
    _("%(actor)s redeemed the exam voucher %(object)s for the certification with credential id %(certification)s"),
)
