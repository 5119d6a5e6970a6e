"""The SSA account's lifecycle: the table of allowed transitions, and the only code that changes an account's status.

``draft → submitted → in_review → approved``, with ``in_review → info_requested → submitted`` and
``in_review → rejected``; reviewers suspend and reinstate. Each transition runs through ``core.statemachine``:
row lock, check (409 ``invalid_transition`` otherwise), save, typed audit entry, notifications. The applicant's
submission is orchestrated by ``eligibility.application`` (it needs the eligibility result); the reviewer's
decisions by ``review.services`` (approval issues the free vouchers).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import AuditAction, audit_changes, audit_record, snapshot
from core.errors import DomainError
from core.notifications import notify
from core.statemachine import StateMachine

from .audit_actions import ACCOUNT_MESSAGE, ACCOUNT_UPDATED
from .models import Account, AccountMessage, Organisation
from .selectors import organisation_admins, reviewers
from .services import organisation_admins_notify

S = Account.Status

TRANSITION_FIELDS = ["status", "submitted_at", "setup_date", "certification_deadline", "account_number", "credit_limit"]
ACCOUNT_MACHINE = StateMachine(
    model=Account,
    transitions={
        "submit": (frozenset({S.DRAFT, S.INFO_REQUESTED}), S.SUBMITTED),
        "start_review": (frozenset({S.SUBMITTED}), S.IN_REVIEW),
        "request_info": (frozenset({S.IN_REVIEW}), S.INFO_REQUESTED),
        "approve": (frozenset({S.IN_REVIEW}), S.APPROVED),
        "reject": (frozenset({S.IN_REVIEW}), S.REJECTED),
        "suspend": (frozenset({S.APPROVED}), S.SUSPENDED),
        "reinstate": (frozenset({S.SUSPENDED}), S.APPROVED),
    },
    audit_fields=TRANSITION_FIELDS,
    select_related=("organisation",),
)
TRANSITIONS = ACCOUNT_MACHINE.transitions
EDITABLE_BY_APPLICANT = frozenset({S.DRAFT, S.INFO_REQUESTED})
APPLICANT_FIELDS = ["terms_accepted", "contact_name", "contact_email", "contact_phone", "apple_customer_number"]


class AccountLocked(DomainError):
    code = "account_locked"


def account_get(*, organisation: Organisation) -> Account:
    """The organisation's account; an unsaved draft if it has none yet (a read never writes)."""
    return Account.objects.filter(organisation=organisation).first() or Account(organisation=organisation)


def account_for_update(*, organisation: Organisation) -> Account:
    """The organisation's account row, made on the first write and locked until the transaction ends."""
    Account.objects.get_or_create(organisation=organisation)
    return Account.objects.select_for_update().select_related("organisation").get(organisation=organisation)


def account_transition(
    account: Account,
    transition: str,
    *,
    actor,
    action: AuditAction,
    fields: dict | None = None,
    notify_template: str | None = None,
    context: dict | None = None,
    validate=None,
) -> Account:
    """One transition of the account, then the organisation's admins hear of it (when ``notify_template``)."""

    def tell_admins(saved: Account) -> None:
        if notify_template:
            organisation_admins_notify(organisation=saved.organisation, template=notify_template, context=context or {})

    if account.pk is None:
        account = account_for_update(organisation=account.organisation)
    return ACCOUNT_MACHINE.apply(
        account, transition, actor=actor, action=action, fields=fields, validate=validate, notify=tell_admins
    )


@transaction.atomic
def account_update(*, account: Account, actor, **fields) -> Account:
    """The applicant's part of the application: contact data, customer number, acceptance of the terms."""
    unknown = set(fields) - set(APPLICANT_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    account = account_for_update(organisation=account.organisation)
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
        action=ACCOUNT_UPDATED,
        obj=account,
        before=before,
        after=after,
    )
    return account


@transaction.atomic
def account_message_post(*, account: Account, author, body: str) -> AccountMessage:
    """A message in the application's conversation, from the applicant or a reviewer."""
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
        action=ACCOUNT_MESSAGE,
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
