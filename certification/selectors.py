"""Reads for certification: who is certified for what, and where each product line stands."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import Account, Hold, Membership, ProductLine

from .models import (
    QUALIFIES,
    Certification,
    ExamVoucher,
    TrainingModule,
    TrainingProgress,
    valid_certification_filter,
)
from .rules import line_certified, required_lines


def valid_certifications(*, organisation, today: datetime.date | None = None):
    today = today or timezone.localdate()
    return Certification.objects.filter(organisation=organisation).filter(valid_certification_filter(today))


@dataclass
class LineStatus:
    required: bool
    certified: bool
    on_hold: bool
    technicians: list[str] = field(default_factory=list)


@dataclass
class CertificationStatus:
    deadline: datetime.date | None
    days_left: int | None
    product_lines: dict[str, LineStatus]

    def as_api(self) -> dict:
        return {
            "deadline": self.deadline,
            "days_left": self.days_left,
            "product_lines": {
                line: {"required": s.required, "certified": s.certified, "on_hold": s.on_hold}
                for line, s in self.product_lines.items()
            },
        }


def certification_status(
    *, organisation, today: datetime.date | None = None, deadline: datetime.date | None = None
) -> CertificationStatus:
    """Per product line: required (in the installed base), certified (a valid qualifying certification), on hold.
    ``deadline``: the account's certification deadline where the caller has it already (saves a query)."""
    today = today or timezone.localdate()
    required = required_lines(organisation_ids=[organisation.pk])[organisation.pk]
    by_kind: dict[str, list[str]] = {}
    for kind, first, last, email in valid_certifications(organisation=organisation, today=today).values_list(
        "kind", "technician__first_name", "technician__last_name", "technician__email"
    ):
        by_kind.setdefault(kind, []).append(f"{first} {last}".strip() or email)
    held = set(
        Hold.objects.filter(
            organisation=organisation, released_at__isnull=True, reason=Hold.Reason.CERTIFICATION
        ).values_list("product_line", flat=True)
    )
    if deadline is None:
        deadline = (
            Account.objects.filter(organisation=organisation).values_list("certification_deadline", flat=True).first()
        )
    lines = {
        line: LineStatus(
            required=line in required,
            certified=line_certified(line, set(by_kind)),
            on_hold=line in held,
            technicians=sorted(set(by_kind.get(QUALIFIES[line], []))),
        )
        for line in ProductLine.values
    }
    return CertificationStatus(
        deadline=deadline, days_left=(deadline - today).days if deadline else None, product_lines=lines
    )


def technician_list(*, organisation):
    return (
        Membership.objects.filter(organisation=organisation, role=Membership.Role.TECHNICIAN)
        .select_related("user")
        .order_by("user__email")
    )


def voucher_list(*, organisation):
    return ExamVoucher.objects.filter(organisation=organisation).select_related("assigned_to")


def voucher_get(*, organisation, code: str) -> ExamVoucher:
    voucher = voucher_list(organisation=organisation).filter(code=code).first()
    if voucher is None:
        raise Http404
    return voucher


def certification_list(*, organisation):
    return Certification.objects.filter(organisation=organisation).select_related("technician")


def certification_get(*, organisation, certification_id) -> Certification:
    certification = certification_list(organisation=organisation).filter(pk=certification_id).first()
    if certification is None:
        raise Http404
    return certification


def training_catalogue(*, organisation, user) -> list[dict]:
    """Every module with this user's progress, the user's language first."""
    progress = {p.module_id: p for p in TrainingProgress.objects.filter(organisation=organisation, user=user)}
    modules = sorted(TrainingModule.objects.all(), key=lambda m: (m.language != user.language, m.position))
    return [{"module": m, "progress": progress.get(m.pk)} for m in modules]


def team_training(*, organisation) -> list[dict]:
    """Per technician: modules started and completed (one query for the progress, one for the people)."""
    total = TrainingModule.objects.count()
    counts = {
        row["user_id"]: row
        for row in TrainingProgress.objects.filter(organisation=organisation)
        .values("user_id")
        .annotate(started=Count("pk"), completed=Count("pk", filter=Q(completed_at__isnull=False)))
    }
    return [
        {
            "user": m.user,
            "started": counts.get(m.user_id, {}).get("started", 0),
            "completed": counts.get(m.user_id, {}).get("completed", 0),
            "total": total,
        }
        for m in technician_list(organisation=organisation)
    ]


def certifications_by_technician(*, organisation) -> dict[int, list]:
    found: dict[int, list] = {}
    for c in Certification.objects.filter(organisation=organisation).order_by("-passed_on"):
        found.setdefault(c.technician_id, []).append(c)
    return found
