"""Writes for certification. The review flow calls ``vouchers_issue_free`` on approval."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.holds import hold_release
from accounts.models import Hold, Membership
from certification.audit_actions import (
    CERTIFICATION_DELETED,
    CERTIFICATION_RECORDED,
    VOUCHER_ASSIGNED,
    VOUCHER_REDEEMED,
    VOUCHERS_ISSUED_FREE,
    VOUCHERS_REQUESTED,
)
from core.audit import audit_record
from core.errors import PermissionDeniedError
from core.files import removed_unless_written, sniff_document
from core.prices import VOUCHER_ITEM, price_on

from .models import Certification, CertificationKind, ExamVoucher, TrainingProgress
from .selectors import certification_status
from .signals import vouchers_requested

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
            action=VOUCHERS_ISSUED_FREE,
            after={"codes": [v.code for v in vouchers]},
        )
    return vouchers


# Extra vouchers cost what the price list says on the day they are requested (150 EUR net since 2024).
EXTRA_VOUCHER_FALLBACK_PRICE = Decimal("150.00")


def extra_voucher_price(on: datetime.date | None = None) -> Decimal:
    try:
        return price_on(item=VOUCHER_ITEM, kind="standard", on=on or timezone.localdate())
    except LookupError:
        return EXTRA_VOUCHER_FALLBACK_PRICE


# A certificate's dates as they can be: no exam before Apple's programmes existed, none valid for over ten years.
EARLIEST_EXAM_DATE = datetime.date(1990, 1, 1)
MAX_VALIDITY_YEARS = 10


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _technician(organisation, email: str):
    membership = (
        Membership.objects.select_related("user")
        .filter(organisation=organisation, user__email__iexact=(email or "").strip())
        .first()
    )
    if membership is None:
        raise ValidationError({"technician": [_("No member of this organisation has that email address.")]})
    return membership.user


@transaction.atomic
def certification_record(
    *,
    organisation,
    actor,
    technician_email: str,
    kind: str,
    credential_id: str,
    passed_on,
    expires_on=None,
    evidence=None,
) -> Certification:
    """Record a passed exam. Admins record for anyone; a technician only for themself. A qualifying
    certification lifts the certification hold for its product lines at once."""
    technician = _technician(organisation, technician_email)
    actor_membership = Membership.objects.filter(organisation=organisation, user=actor).first()
    if actor_membership is None or (not actor_membership.is_admin and technician != actor):
        raise PermissionDeniedError(_("Technicians record their own certifications only."))
    if kind not in CertificationKind.values:
        raise ValidationError({"kind": [_("Choose ACMT or the iOS qualification.")]})
    credential_id = (credential_id or "").strip()
    if not credential_id or len(credential_id) > 64:
        raise ValidationError({"credential_id": [_("Enter the credential id from the certificate.")]})
    today = timezone.localdate()
    if passed_on > today:
        raise ValidationError({"passed_on": [_("The exam date lies in the future.")]})
    if passed_on < EARLIEST_EXAM_DATE:
        raise ValidationError(
            {"passed_on": [_("The exam date must not be before %(date)s.") % {"date": EARLIEST_EXAM_DATE.isoformat()}]}
        )
    if expires_on and expires_on <= passed_on:
        raise ValidationError({"expires_on": [_("The expiry date must be after the exam date.")]})
    if expires_on and expires_on > _years_after(passed_on, MAX_VALIDITY_YEARS):
        raise ValidationError(
            {
                "expires_on": [
                    _("The expiry date must be within %(years)d years of the exam date.")
                    % {"years": MAX_VALIDITY_YEARS}
                ]
            }
        )
    if Certification.objects.filter(organisation=organisation, kind=kind, credential_id=credential_id).exists():
        raise ValidationError({"credential_id": [_("This credential is already recorded.")]})
    certification = Certification(
        organisation=organisation,
        technician=technician,
        kind=kind,
        credential_id=credential_id,
        passed_on=passed_on,
        expires_on=expires_on,
        recorded_by=actor,
    )
    content_type = sniff_document(evidence)[0] if evidence is not None else None
    with removed_unless_written(certification.evidence):
        if evidence is not None:
            certification.evidence.save(evidence.name or "evidence", evidence, save=False)
            certification.evidence_content_type = content_type
        try:
            with transaction.atomic():  # the same credential recorded at the same moment loses at the constraint
                certification.save()
        except IntegrityError:
            raise ValidationError({"credential_id": [_("This credential is already recorded.")]}) from None
        audit_record(
            actor=actor,
            organisation=organisation,
            action=CERTIFICATION_RECORDED,
            obj=certification,
            after={
                "technician": technician.email,
                "kind": kind,
                "credential_id": credential_id,
                "passed_on": passed_on,
                "expires_on": expires_on,
            },
        )
        # The voucher the technician took the exam with is used up now.
        voucher = (
            ExamVoucher.objects.filter(
                organisation=organisation, assigned_to=technician, kind=kind, status=ExamVoucher.Status.ISSUED
            )
            .order_by("issued_at")
            .first()
        )
        if voucher is not None:
            voucher.status = ExamVoucher.Status.REDEEMED
            voucher.redeemed_at = timezone.now()
            voucher.save(update_fields=["status", "redeemed_at"])
            audit_record(
                actor=actor,
                organisation=organisation,
                action=VOUCHER_REDEEMED,
                obj=voucher,
                after={"certification": credential_id},
            )
        certification_holds_refresh(organisation=organisation, actor=actor)
    return certification


@transaction.atomic
def certification_delete(*, certification: Certification, actor) -> None:
    audit_record(
        actor=actor,
        organisation=certification.organisation,
        action=CERTIFICATION_DELETED,
        obj=certification,
        before={
            "technician": certification.technician.email,
            "kind": certification.kind,
            "credential_id": certification.credential_id,
        },
    )
    certification.delete()


def certification_holds_refresh(*, organisation, actor=None, today=None) -> None:
    """Lift the certification holds of product lines that now have a certified technician (immediately, not
    waiting for the nightly job). Placing holds is the job's: it knows the deadline has passed."""
    status = certification_status(organisation=organisation, today=today)
    for hold in Hold.objects.filter(
        organisation=organisation, reason=Hold.Reason.CERTIFICATION, released_at__isnull=True
    ):
        line = status.product_lines.get(hold.product_line)
        if line is not None and line.certified:
            hold_release(hold=hold, actor=actor, note="certification recorded")


@transaction.atomic
def voucher_assign(*, voucher: ExamVoucher, actor, technician_email: str) -> ExamVoucher:
    if voucher.status != ExamVoucher.Status.ISSUED:
        raise ValidationError({"voucher": [_("Only an unused voucher can be assigned.")]})
    technician = _technician(voucher.organisation, technician_email)
    before = {"assigned_to": voucher.assigned_to.email if voucher.assigned_to else None}
    voucher.assigned_to = technician
    voucher.save(update_fields=["assigned_to"])
    audit_record(
        actor=actor,
        organisation=voucher.organisation,
        action=VOUCHER_ASSIGNED,
        obj=voucher,
        before=before,
        after={"assigned_to": technician.email},
    )
    return voucher


@transaction.atomic
def vouchers_request(*, organisation, actor, kind: str, quantity: int) -> list[ExamVoucher]:
    """Extra vouchers beyond the free ones are billed: each carries its price for billing to invoice."""
    if kind not in CertificationKind.values:
        raise ValidationError({"kind": [_("Choose ACMT or the iOS qualification.")]})
    if not 1 <= int(quantity) <= 20:
        raise ValidationError({"quantity": [_("Request between 1 and 20 vouchers.")]})
    expires = timezone.localdate() + datetime.timedelta(days=VOUCHER_VALIDITY_DAYS)
    price = extra_voucher_price()
    vouchers = [
        ExamVoucher.objects.create(
            organisation=organisation,
            code=ExamVoucher.new_code(),
            kind=kind,
            free=False,
            expires_on=expires,
            price=price,
        )
        for _ in range(int(quantity))
    ]
    audit_record(
        actor=actor,
        organisation=organisation,
        action=VOUCHERS_REQUESTED,
        after={
            "kind": kind,
            "quantity": int(quantity),
            "price_each": price,
            "total": price * int(quantity),
            "codes": [v.code for v in vouchers],
        },
    )
    vouchers_requested.send(sender=ExamVoucher, organisation=organisation, actor=actor, vouchers=vouchers)
    return vouchers


@transaction.atomic
def training_start(*, organisation, user, module) -> TrainingProgress:
    progress, _created = TrainingProgress.objects.get_or_create(organisation=organisation, user=user, module=module)
    return progress


@transaction.atomic
def training_complete(*, organisation, user, module) -> TrainingProgress:
    progress, _created = TrainingProgress.objects.get_or_create(organisation=organisation, user=user, module=module)
    if progress.completed_at is None:
        progress.completed_at = timezone.now()
        progress.save(update_fields=["completed_at"])
    return progress
