"""The reviewer's decisions on an SSA account. Each is one transition of ``accounts.lifecycle`` (lock, check,
save, typed audit entry, notifications); approval also orchestrates what the floors below must do: the account
number from its gapless sequence and the free exam vouchers from certification."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from accounts.audit_actions import (
    ACCOUNT_APPROVED,
    ACCOUNT_INFO_REQUESTED,
    ACCOUNT_REINSTATED,
    ACCOUNT_REJECTED,
    ACCOUNT_REVIEW_STARTED,
    ACCOUNT_SUSPENDED,
)
from accounts.lifecycle import account_transition
from accounts.models import Account, AccountMessage
from accounts.selectors import programme_rules_for
from accounts.services import organisation_admins_notify
from certification.services import vouchers_issue_free
from core.audit import audit_record, snapshot
from core.errors import DomainError
from core.money import NotAnAmount, money
from core.sequences import sequence_next
from eligibility.linking import devices_refresh_conflicts
from eligibility.models import DEVICE_FIELDS, Device

from .audit_actions import SERIAL_CONFLICT_ASSIGNED, SERIAL_CONFLICT_REMOVED

ACCOUNT_NUMBER_SEQUENCE = "account"
ACCOUNT_NUMBER_START = 100000  # the first account is SSA-100001
MAX_CREDIT_LIMIT = money("100000000")


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    return value


@transaction.atomic
def review_start(*, account: Account, reviewer) -> Account:
    return account_transition(
        account,
        "start_review",
        actor=reviewer,
        action=ACCOUNT_REVIEW_STARTED,
        fields={"review_started_at": timezone.now()},
        notify_template="account_in_review",
    )


@transaction.atomic
def review_request_info(*, account: Account, reviewer, message: str) -> Account:
    message = _required(message, "message", _("Say what information you need."))
    account = account_transition(
        account,
        "request_info",
        actor=reviewer,
        action=ACCOUNT_INFO_REQUESTED,
        notify_template="account_info_requested",
        context={"message": message[:2000]},
    )
    AccountMessage.objects.create(organisation=account.organisation, author=reviewer, from_reviewer=True, body=message)
    return account


def account_number_next() -> str:
    """The next free account number, drawn from the gapless sequence inside the approval's transaction."""
    with scopes_disabled():  # account numbers are unique across organisations
        while True:
            number = f"SSA-{sequence_next(name=ACCOUNT_NUMBER_SEQUENCE, start=ACCOUNT_NUMBER_START):06d}"
            # a reviewer may have typed a number by hand that the sequence reaches later: skip it
            if not Account.objects.filter(account_number=number).exists():
                return number


def _account_number(account: Account, typed: str) -> str:
    typed = (typed or "").strip().upper()
    if not typed:
        return account_number_next()
    with scopes_disabled():  # account numbers are unique across organisations
        if Account.objects.filter(account_number=typed).exclude(pk=account.pk).exists():
            raise ValidationError({"account_number": [_("This account number is already taken.")]})
    return typed


@transaction.atomic
def account_approve(*, account: Account, reviewer, credit_limit, account_number: str = "") -> Account:
    """Approve with a credit line: sets the setup date (today), the certification deadline and issues the free
    exam vouchers. The reviewer thereby confirms the service history and the credit line."""
    try:
        credit_limit = money(credit_limit)
    except NotAnAmount:
        raise ValidationError({"credit_limit": [_("Enter the credit limit in euros, e.g. 50000.00.")]}) from None
    if credit_limit <= 0:
        raise ValidationError({"credit_limit": [_("The credit limit must be a positive amount.")]})
    if credit_limit > MAX_CREDIT_LIMIT:
        raise ValidationError(
            {
                "credit_limit": [
                    _("The credit limit can be at most %(limit)s EUR.")
                    % {"limit": number_format(MAX_CREDIT_LIMIT, decimal_pos=2, use_l10n=True, force_grouping=True)}
                ]
            }
        )
    programme = programme_rules_for(account.organisation)
    today = timezone.localdate()
    fields = {
        "approved_at": timezone.now(),
        "decided_at": timezone.now(),
        "setup_date": today,
        "certification_deadline": today + datetime.timedelta(days=programme.certification_days),
        "credit_limit": credit_limit,
        "service_history_ok": True,
        "credit_line_ok": True,
    }

    def number(locked: Account) -> dict:
        # drawn only once the transition is allowed, so a refused approval uses up no number
        return {"account_number": _account_number(locked, account_number)}

    account = account_transition(
        account, "approve", actor=reviewer, action=ACCOUNT_APPROVED, fields=fields, validate=number
    )
    vouchers = vouchers_issue_free(organisation=account.organisation, count=programme.free_vouchers, actor=reviewer)
    organisation_admins_notify(
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
    )
    return account


@transaction.atomic
def account_reject(*, account: Account, reviewer, reason: str) -> Account:
    reason = _required(reason, "reason", _("Give the applicant the reason."))
    return account_transition(
        account,
        "reject",
        actor=reviewer,
        action=ACCOUNT_REJECTED,
        fields={"rejection_reason": reason, "decided_at": timezone.now()},
        notify_template="account_rejected",
        context={"reason": reason[:2000]},
    )


@transaction.atomic
def account_suspend(*, account: Account, reviewer, reason: str) -> Account:
    reason = _required(reason, "reason", _("Give the reason for the suspension."))
    return account_transition(
        account,
        "suspend",
        actor=reviewer,
        action=ACCOUNT_SUSPENDED,
        fields={"suspension_reason": reason},
        notify_template="account_suspended",
        context={"reason": reason[:2000]},
    )


@transaction.atomic
def account_reinstate(*, account: Account, reviewer) -> Account:
    return account_transition(
        account,
        "reinstate",
        actor=reviewer,
        action=ACCOUNT_REINSTATED,
        fields={"suspension_reason": ""},
        notify_template="account_reinstated",
    )


@transaction.atomic
def serial_conflict_resolve(*, serial: str, owner, reviewer, reason: str) -> Device:
    """Assign a disputed serial to one of its claimants: the owner's device stays and counts (its other rules
    permitting); the other claims are removed from their installed bases. Each organisation's trail records what
    happened to its own device and its admins are told in their language, neither naming the other party.
    409 when the serial is not (or no longer) disputed, 400 when ``owner`` does not list it."""
    reason = _required(reason, "reason", _("Give the reason for the assignment."))
    with scopes_disabled():  # a conflict spans organisations; reviewers only
        claims = list(
            Device.objects.select_for_update()
            .select_related("organisation")
            .filter(serial_number=serial)
            .order_by("pk")
        )
        if not any(claim.serial_conflict for claim in claims):
            raise DomainError(_("This serial number is not in conflict (any more)."), code="not_in_conflict")
        kept = next((claim for claim in claims if claim.organisation_id == owner.pk), None)
        if kept is None:
            raise ValidationError({"organisation": [_("This organisation does not list the serial number.")]})
        removed = [claim for claim in claims if claim.pk != kept.pk]
        decision = {"serial_number": serial, "reason": reason[:2000]}
        audit_record(
            actor=reviewer, organisation=kept.organisation, action=SERIAL_CONFLICT_ASSIGNED, obj=kept, after=decision
        )
        for claim in removed:
            audit_record(
                actor=reviewer,
                organisation=claim.organisation,
                action=SERIAL_CONFLICT_REMOVED,
                obj=claim,
                before=snapshot(claim, DEVICE_FIELDS),
                after=decision,
            )
        Device.objects.filter(pk__in=[claim.pk for claim in removed]).delete()
        devices_refresh_conflicts(serials=[serial])
        for organisation, template in [(kept.organisation, "serial_conflict_assigned")] + [
            (claim.organisation, "serial_conflict_removed") for claim in removed
        ]:
            organisation_admins_notify(
                organisation=organisation, template=template, context=decision, url=f"/o/{organisation.slug}/inventory/"
            )
        kept.refresh_from_db()
    return kept
