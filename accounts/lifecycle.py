"""The SSA account's lifecycle: the only code that changes an account's status.

``draft → submitted → in_review → approved``, with ``in_review → info_requested → submitted`` and
``in_review → rejected``; reviewers suspend, reinstate and close. Each transition checks the current status
(409 ``invalid_transition`` otherwise), takes a row lock, saves, writes the audit entry and queues notifications.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ssa_portal.errors import DomainError, InvalidTransition

from .audit import audit_record, snapshot
from .models import Account, Membership, Organisation, User
from .notifications import notify

S = Account.Status

TRANSITIONS: dict[str, tuple[frozenset, str]] = {
    "submit": (frozenset({S.DRAFT, S.INFO_REQUESTED}), S.SUBMITTED),
    "start_review": (frozenset({S.SUBMITTED}), S.IN_REVIEW),
    "request_info": (frozenset({S.IN_REVIEW}), S.INFO_REQUESTED),
    "approve": (frozenset({S.IN_REVIEW}), S.APPROVED),
    "reject": (frozenset({S.IN_REVIEW}), S.REJECTED),
    "suspend": (frozenset({S.APPROVED}), S.SUSPENDED),
    "reinstate": (frozenset({S.SUSPENDED}), S.APPROVED),
    "close": (frozenset({S.APPROVED, S.SUSPENDED, S.REJECTED}), S.CLOSED),
}
EDITABLE_BY_APPLICANT = frozenset({S.DRAFT, S.INFO_REQUESTED})
APPLICANT_FIELDS = ["terms_accepted", "contact_name", "contact_email", "contact_phone", "apple_customer_number"]
TRANSITION_FIELDS = ["status", "submitted_at", "setup_date", "certification_deadline", "account_number", "credit_limit"]


class NotEligible(DomainError):
    code = "not_eligible"
    detail_text = gettext_lazy("The organisation does not meet the programme's requirements yet.")


class AccountLocked(DomainError):
    code = "account_locked"


def account_get(*, organisation: Organisation) -> Account:
    """The organisation's account, created as a draft the first time it is asked for."""
    account, _created = Account.objects.get_or_create(organisation=organisation)
    return account


def _locked(account: Account) -> Account:
    return Account.objects.select_for_update().select_related("organisation").get(pk=account.pk)


def _check(account: Account, transition: str) -> str:
    allowed_from, target = TRANSITIONS[transition]
    if account.status not in allowed_from:
        raise InvalidTransition(
            _("This is not possible while the account is “%(status)s”.") % {"status": account.get_status_display()},
            extra={"status": account.status},
        )
    return target


def reviewers() -> list[User]:
    return list(User.objects.filter(is_reviewer=True, is_active=True))


def organisation_admins(organisation: Organisation) -> list[User]:
    return [
        m.user
        for m in Membership.objects.select_related("user").filter(
            organisation=organisation, role=Membership.Role.ADMIN, user__is_active=True
        )
    ]


@transaction.atomic
def account_update(*, account: Account, actor, **fields) -> Account:
    """The applicant's part of the application: contact data, customer number, acceptance of the terms."""
    unknown = set(fields) - set(APPLICANT_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    account = _locked(account)
    if account.status not in EDITABLE_BY_APPLICANT and set(fields) - {"contact_name", "contact_email", "contact_phone"}:
        raise AccountLocked(_("The application is with the reviewers and cannot be changed now."))
    before = snapshot(account, list(fields))
    for key, value in fields.items():
        setattr(account, key, value.strip() if isinstance(value, str) else value)
    changed = list(fields)
    if "terms_accepted" in fields and account.terms_accepted != before.get("terms_accepted"):
        account.terms_accepted_at = timezone.now() if account.terms_accepted else None
        account.terms_accepted_by = actor if account.terms_accepted else None
        changed += ["terms_accepted_at", "terms_accepted_by"]
    account.save(update_fields=changed)
    after = snapshot(account, list(fields))
    if before != after:
        audit_record(
            actor=actor,
            organisation=account.organisation,
            action="account.updated",
            obj=account,
            before=before,
            after=after,
        )
    return account


@transaction.atomic
def account_submit(*, account: Account, actor) -> Account:
    """Submit the application for review; refused with the eligibility result while an applicant rule fails."""
    from eligibility.engine import eligibility_evaluate

    account = _locked(account)
    target = _check(account, "submit")
    result = eligibility_evaluate(organisation=account.organisation)
    if not result.applicant_rules_passed:
        raise NotEligible(
            _("The application cannot be submitted yet: %(rules)s.")
            % {"rules": "; ".join(r.detail for r in result.failing_applicant_rules)},
            extra={"eligibility": result.as_api()},
        )
    before = snapshot(account, TRANSITION_FIELDS)
    account.status = target
    account.submitted_at = timezone.now()
    account.save(update_fields=["status", "submitted_at"])
    audit_record(
        actor=actor,
        organisation=account.organisation,
        action="account.submitted",
        obj=account,
        before=before,
        after=snapshot(account, TRANSITION_FIELDS),
    )
    organisation = account.organisation
    for reviewer in reviewers():
        notify(
            user=reviewer,
            organisation=organisation,
            template="account_submitted",
            context={"counted": result.counts["counted"]},
            url=f"/review/accounts/{organisation.slug}/",
        )
    for admin in organisation_admins(organisation):
        notify(
            user=admin,
            organisation=organisation,
            template="account_submitted_applicant",
            context={},
            url=f"/o/{organisation.slug}/account/",
        )
    return account
