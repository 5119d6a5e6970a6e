"""Reads for the reviewer console. The tenancy middleware has opened the reviewer's scope: one organisation's on
its pages, every organisation's on the queue."""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.lifecycle import account_get
from accounts.models import Account, AccountMessage, Hold, Organisation
from core.models import AuditEntry
from eligibility.audit_actions import DEVICE_CREATED, DEVICE_DELETED, DEVICE_UPDATED
from eligibility.engine import eligibility_evaluate
from eligibility.models import Device
from eligibility.selectors import equipment_list, proof_list

DEVICE_EDITS = [DEVICE_CREATED.key, DEVICE_UPDATED.key, DEVICE_DELETED.key]

QUEUE_STATUSES = [Account.Status.SUBMITTED, Account.Status.IN_REVIEW, Account.Status.INFO_REQUESTED]


def review_queue(*, status: str | None = None, q: str = "") -> QuerySet[Account]:
    """Accounts by status and waiting time, oldest first. Drafts are the applicants' own and not listed."""
    with scopes_disabled():  # the queue spans every organisation
        accounts = Account.objects.select_related("organisation").exclude(status=Account.Status.DRAFT)
        if status:
            accounts = accounts.filter(status=status)
        if q:
            term = q.strip()
            accounts = accounts.filter(
                Q(organisation__name__icontains=term)
                | Q(organisation__vat_id__iexact=term.replace(" ", ""))
                | Q(apple_customer_number__iexact=term)
                | Q(account_number__iexact=term)
            )
        return accounts.order_by(F("submitted_at").asc(nulls_last=True), "pk")


def review_status_counts() -> dict[str, int]:
    with scopes_disabled():  # the counts span every organisation, like the queue
        rows = Account.objects.exclude(status=Account.Status.DRAFT).values("status").annotate(n=Count("pk"))
        counts = {status: 0 for status in Account.Status.values if status != Account.Status.DRAFT}
        counts.update({row["status"]: row["n"] for row in rows})
        return counts


def waiting_days(account: Account) -> int | None:
    if not account.submitted_at:
        return None
    return (timezone.now() - account.submitted_at).days


def organisation_for_review(*, slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404
    return organisation


@dataclass
class Evidence:
    organisation: Organisation
    account: Account
    eligibility: object
    proofs: list
    equipment: list
    conflicts: list[dict]
    history: list
    messages: list
    holds: list


def serial_conflicts(*, organisation: Organisation, limit: int = 200) -> list[dict]:
    """Serials this organisation lists that other organisations list too, with those organisations named."""
    with scopes_disabled():  # a conflict is by definition across organisations; reviewers only
        mine = Device.objects.filter(organisation=organisation, serial_conflict=True).values_list(
            "serial_number", flat=True
        )[:limit]
        others = (
            Device.objects.filter(serial_number__in=list(mine))
            .exclude(organisation=organisation)
            .values("serial_number", "organisation__name", "organisation__slug")
            .order_by("serial_number")
        )
        return list(others)


def evidence_for(*, organisation: Organisation) -> Evidence:
    return Evidence(
        organisation=organisation,
        account=account_get(organisation=organisation),
        eligibility=eligibility_evaluate(organisation=organisation),
        proofs=list(proof_list(organisation=organisation)),
        equipment=equipment_list(organisation=organisation),
        conflicts=serial_conflicts(organisation=organisation),
        # decisions and evidence; single device edits stay in the full trail
        history=list(
            AuditEntry.objects.filter(organisation=organisation)
            .exclude(action__in=DEVICE_EDITS)
            .select_related("actor")[:200]
        ),
        messages=list(AccountMessage.objects.filter(organisation=organisation).select_related("author")),
        holds=list(Hold.objects.filter(organisation=organisation).select_related("placed_by", "released_by")),
    )
