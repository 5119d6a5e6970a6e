"""Writes for certification. The review flow calls ``vouchers_issue_free`` on approval."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record

from .models import CertificationKind, ExamVoucher

VOUCHER_VALIDITY_DAYS = 365


@transaction.atomic
def vouchers_issue_free(*, organisation, count: int, actor=None) -> list[ExamVoucher]:
    """Issue the programme's free vouchers, once: approving again (after a reinstatement) adds none."""
    existing = ExamVoucher.objects.filter(organisation=organisation, free=True).count()
    missing = max(count - existing, 0)
    kinds = [CertificationKind.ACMT, CertificationKind.IOS]
    expires = timezone.localdate() + datetime.timedelta(days=VOUCHER_VALIDITY_DAYS)
    vouchers = [
        ExamVoucher.objects.create(
            organisation=organisation,
            code=ExamVoucher.new_code(),
            kind=kinds[(existing + i) % len(kinds)],
            free=True,
            expires_on=expires,
        )
        for i in range(missing)
    ]
    if vouchers:
        audit_record(
            actor=actor,
            organisation=organisation,
            action="vouchers.issued_free",
            after={"codes": [v.code for v in vouchers]},
        )
    return vouchers
