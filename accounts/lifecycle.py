"""The SSA account's lifecycle: the only code that changes an account's status.

``draft → submitted → in_review → approved``, with ``in_review → info_requested → submitted`` and
``in_review → rejected``; reviewers suspend, reinstate and close. Each transition checks the current status
(409 ``invalid_transition`` otherwise), takes a row lock, saves, writes the audit entry and queues notifications.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ssa_portal.errors import DomainError, InvalidTransition

from .audit import audit_changes, audit_record, snapshot
from .models import Account, AccountMessage, Membership, Organisation, User
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
    audit_changes(
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


# --- the reviewer's decisions -----------------------------------------------------------------------------------


def _transition(
    account: Account,
    transition: str,
    *,
    actor,
    action: str,
    fields: dict,
    notify_template: str | None,
    context: dict | None = None,
) -> Account:
    """Lock, check, save, audit, notify: the order every decision follows."""
    account = _locked(account)
    target = _check(account, transition)
    before = snapshot(account, TRANSITION_FIELDS)
    account.status = target
    for key, value in fields.items():
        setattr(account, key, value)
    account.save(update_fields=["status", *fields])
    audit_record(
        actor=actor,
        organisation=account.organisation,
        action=action,
        obj=account,
        before=before,
        after={
            **snapshot(account, TRANSITION_FIELDS),
            **{k: v for k, v in fields.items() if k not in TRANSITION_FIELDS},
        },
    )
    if notify_template:
        for admin in organisation_admins(account.organisation):
            notify(
                user=admin,
                organisation=account.organisation,
                template=notify_template,
                context=context or {},
                url=f"/o/{account.organisation.slug}/account/",
            )
    return account


@transaction.atomic
def review_start(*, account: Account, reviewer) -> Account:
    return _transition(
        account,
        "start_review",
        actor=reviewer,
        action="account.review_started",
        fields={"review_started_at": timezone.now()},
        notify_template="account_in_review",
    )


@transaction.atomic
def review_request_info(*, account: Account, reviewer, message: str) -> Account:
    message = (message or "").strip()
    if not message:
        from django.core.exceptions import ValidationError

        raise ValidationError({"message": [_("Say what information you need.")]})
    account = _transition(
        account,
        "request_info",
        actor=reviewer,
        action="account.info_requested",
        fields={},
        notify_template="account_info_requested",
        context={"message": message[:2000]},
    )
    AccountMessage.objects.create(organisation=account.organisation, author=reviewer, from_reviewer=True, body=message)
    return account


@transaction.atomic
def account_message_post(*, account: Account, author, body: str) -> AccountMessage:
    """A message in the application's conversation, from the applicant or a reviewer."""
    from django.core.exceptions import ValidationError

    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("The message is empty.")]})
    if len(body) > 10_000:
        raise ValidationError({"body": [_("The message is too long (at most 10 000 characters).")]})
    from_reviewer = bool(author.is_reviewer)
    message = AccountMessage.objects.create(
        organisation=account.organisation, author=author, from_reviewer=from_reviewer, body=body
    )
    audit_record(
        actor=author,
        organisation=account.organisation,
        action="account.message",
        obj=message,
        after={"from_reviewer": from_reviewer},
    )
    organisation = account.organisation
    recipients = organisation_admins(organisation) if from_reviewer else reviewers()
    url = f"/o/{organisation.slug}/account/" if from_reviewer else f"/review/accounts/{organisation.slug}/"
    for user in recipients:
        if user != author:
            notify(
                user=user,
                organisation=organisation,
                template="account_message",
                context={"author": author.display_name, "excerpt": body[:300]},
                url=url,
            )
    return message


def _next_account_number() -> str:
    last = (
        Account.objects.exclude(account_number="")
        .filter(account_number__startswith="SSA-")
        .order_by("-account_number")
        .values_list("account_number", flat=True)
        .first()
    )
    number = int(last.split("-")[1]) + 1 if last and last.split("-")[1].isdigit() else 100001
    return f"SSA-{number:06d}"


@transaction.atomic
def account_approve(*, account: Account, reviewer, credit_limit, account_number: str = "") -> Account:
    """Approve with a credit line: sets the setup date (today), the certification deadline and issues the free
    exam vouchers. The reviewer thereby confirms the service history and the credit line."""
    import datetime
    from decimal import Decimal, InvalidOperation

    from django.core.exceptions import ValidationError
    from django_scopes import scopes_disabled

    from certification.services import vouchers_issue_free
    from eligibility.engine import programme_rules_for

    try:
        credit_limit = Decimal(str(credit_limit)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"credit_limit": [_("Enter the credit limit in euros, e.g. 50000.00.")]}) from None
    if credit_limit <= 0 or credit_limit > Decimal("100000000"):
        raise ValidationError({"credit_limit": [_("The credit limit must be a positive amount.")]})
    account_number = (account_number or "").strip().upper()
    with scopes_disabled():  # account numbers are unique across organisations
        if account_number and Account.objects.filter(account_number=account_number).exclude(pk=account.pk).exists():
            raise ValidationError({"account_number": [_("This account number is already taken.")]})
        account_number = account_number or _next_account_number()
    programme = programme_rules_for(account.organisation)
    today = timezone.localdate()
    fields = {
        "approved_at": timezone.now(),
        "decided_at": timezone.now(),
        "setup_date": today,
        "certification_deadline": today + datetime.timedelta(days=programme.certification_days),
        "credit_limit": credit_limit,
        "account_number": account_number,
        "service_history_ok": True,
        "credit_line_ok": True,
    }
    account = _transition(
        account, "approve", actor=reviewer, action="account.approved", fields=fields, notify_template=None
    )
    vouchers = vouchers_issue_free(organisation=account.organisation, count=programme.free_vouchers, actor=reviewer)
    for admin in organisation_admins(account.organisation):
        notify(
            user=admin,
            organisation=account.organisation,
            template="account_approved",
            context={
                "account_number": account.account_number,
                "setup_date": account.setup_date.isoformat(),
                "deadline": account.certification_deadline.isoformat(),
                "credit_limit": str(account.credit_limit),
                "vouchers": len(vouchers),
                "attachments": [{"builder": "approval_letter", "organisation_id": account.organisation_id}],
            },
            url=f"/o/{account.organisation.slug}/account/",
        )
    return account


@transaction.atomic
def account_reject(*, account: Account, reviewer, reason: str) -> Account:
    from django.core.exceptions import ValidationError

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the applicant the reason.")]})
    return _transition(
        account,
        "reject",
        actor=reviewer,
        action="account.rejected",
        fields={"rejection_reason": reason, "decided_at": timezone.now()},
        notify_template="account_rejected",
        context={"reason": reason[:2000]},
    )


@transaction.atomic
def account_suspend(*, account: Account, reviewer, reason: str) -> Account:
    from django.core.exceptions import ValidationError

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the suspension.")]})
    return _transition(
        account,
        "suspend",
        actor=reviewer,
        action="account.suspended",
        fields={"suspension_reason": reason},
        notify_template="account_suspended",
        context={"reason": reason[:2000]},
    )


@transaction.atomic
def account_reinstate(*, account: Account, reviewer) -> Account:
    return _transition(
        account,
        "reinstate",
        actor=reviewer,
        action="account.reinstated",
        fields={"suspension_reason": ""},
        notify_template="account_reinstated",
    )
