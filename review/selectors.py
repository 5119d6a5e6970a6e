"""Reads for the reviewer console. The tenancy middleware has opened the reviewer's scope: one organisation's on
its pages, every organisation's on the queue."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from accounts.holds import open_holds
from accounts.lifecycle import account_get
from accounts.models import Account, AccountMessage, Organisation
from core.models import AuditEntry
from eligibility.audit_actions import DEVICE_CREATED, DEVICE_DELETED, DEVICE_UPDATED
from eligibility.engine import COUNTED, eligibility_evaluate
from eligibility.models import Device
from eligibility.selectors import equipment_list, proof_list

PROOFS_PER_PAGE = 25

DEVICE_EDITS = [DEVICE_CREATED.key, DEVICE_UPDATED.key, DEVICE_DELETED.key]


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


@dataclass
class Evidence:
    organisation: Organisation
    account: Account
    eligibility: object
    proofs: QuerySet  # lazy: the page paginates it (PROOFS_PER_PAGE), the API lists it
    equipment: list
    conflicts: list[dict]
    history: list
    messages: list
    holds: list


def _claims(serials) -> list[dict]:
    """Every claim of these serials, earliest first, each with whether it counts (reviewers only)."""
    rows = (
        Device.objects.filter(serial_number__in=serials)
        .annotate(counted=Case(When(COUNTED, then=Value(True)), default=Value(False)))
        .values("serial_number", "organisation__slug", "organisation__name", "created_at", "counted")
        .order_by("serial_number", "created_at", "pk")
    )
    return [
        {
            "serial_number": row["serial_number"],
            "organisation": row["organisation__slug"],
            "organisation_name": row["organisation__name"],
            "since": row["created_at"],
            "counted": row["counted"],
        }
        for row in rows
    ]


def _grouped(claims: list[dict]) -> list[dict]:
    conflicts: dict[str, dict] = {}
    for claim in claims:
        conflict = conflicts.setdefault(claim["serial_number"], {"serial_number": claim["serial_number"], "claims": []})
        conflict["claims"].append({k: v for k, v in claim.items() if k != "serial_number"})
    return list(conflicts.values())


def disputed_serials() -> QuerySet:
    """The serials with a disputed (later) claim: what reviewers have to resolve. The partial index on flagged
    devices keeps this cheap."""
    return Device.objects.filter(serial_conflict=True).values("serial_number").distinct().order_by("serial_number")


def conflict_list(*, limit: int = 500) -> list[dict]:
    """Every open serial conflict with its claims, earliest first: ``[{serial_number, claims: [{organisation,
    organisation_name, since, counted}]}]``."""
    with scopes_disabled():  # a conflict spans organisations; reviewers only
        serials = list(disputed_serials().values_list("serial_number", flat=True)[:limit])
        return _grouped(_claims(serials))


def conflict_get(*, serial: str) -> dict:
    """One open conflict; 404 when the serial is not disputed."""
    with scopes_disabled():  # a conflict spans organisations; reviewers only
        if not Device.objects.filter(serial_number=serial, serial_conflict=True).exists():
            raise Http404
        return _grouped(_claims([serial]))[0]


def conflict_claims(*, serial: str) -> dict:
    """A serial's claims, disputed or not (what a resolution leaves)."""
    with scopes_disabled():  # a conflict spans organisations; reviewers only
        found = _grouped(_claims([serial]))
    return found[0] if found else {"serial_number": serial, "claims": []}


def conflict_claimant(*, serial: str, slug: str) -> Organisation:
    """The claimant of a disputed serial named by its slug; 404 when the serial is not disputed, 400 when the
    organisation does not list it."""
    conflict = conflict_get(serial=serial)
    if slug not in {claim["organisation"] for claim in conflict["claims"]}:
        raise ValidationError({"organisation": [_("This organisation does not list the serial number.")]})
    return Organisation.objects.get(slug=slug)


def serial_conflicts(*, organisation: Organisation, limit: int = 200) -> list[dict]:
    """The open conflicts over serials this organisation lists, whichever side it is on, with every claim (the
    other organisations named: reviewers only)."""
    with scopes_disabled():  # a conflict is by definition across organisations; reviewers only
        serials = list(
            Device.objects.filter(organisation=organisation, serial_number__in=disputed_serials())
            .order_by("serial_number")
            .values_list("serial_number", flat=True)[:limit]
        )
        return _grouped(_claims(serials))


def other_claims(conflicts: list[dict], *, organisation: Organisation) -> list[dict]:
    """The claims of other organisations in ``conflicts``, one row each (the account API's ``serial_conflicts``)."""
    return [
        {"serial_number": c["serial_number"], **claim}
        for c in conflicts
        for claim in c["claims"]
        if claim["organisation"] != organisation.slug
    ]


def evidence_for(*, organisation: Organisation) -> Evidence:
    return Evidence(
        organisation=organisation,
        account=account_get(organisation=organisation),
        eligibility=eligibility_evaluate(organisation=organisation),
        # reviewed_by for the rejection note, organisation for the file link: no query per proof
        proofs=proof_list(organisation=organisation).select_related("reviewed_by", "organisation"),
        equipment=equipment_list(organisation=organisation),
        conflicts=serial_conflicts(organisation=organisation),
        # decisions and evidence; single device edits stay in the full trail
        history=list(
            AuditEntry.objects.filter(organisation=organisation)
            .exclude(action__in=DEVICE_EDITS)
            .select_related("actor")[:200]
        ),
        messages=list(AccountMessage.objects.filter(organisation=organisation).select_related("author")),
        # the open ones, as the account page shows them; organisation for the release form's link
        holds=list(open_holds(organisation=organisation).select_related("organisation")),
    )
