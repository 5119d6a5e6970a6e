"""The application's submission, with the wizard it ends: the account moves to the reviewers only while every
rule the applicant controls passes."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit_actions import ACCOUNT_SUBMITTED
from accounts.lifecycle import account_transition
from accounts.models import Account
from accounts.selectors import reviewers
from core.errors import DomainError
from core.notifications import notify

from .engine import eligibility_evaluate


class NotEligible(DomainError):
    code = "not_eligible"


@transaction.atomic
def account_submit(*, account: Account, actor) -> Account:
    """Submit the application for review; refused with the eligibility result while an applicant rule fails."""
    result = None

    def require_eligible(locked: Account) -> None:
        nonlocal result
        result = eligibility_evaluate(organisation=locked.organisation)
        if not result.applicant_rules_passed:
            raise NotEligible(
                _("The application cannot be submitted yet: %(rules)s.")
                % {"rules": "; ".join(r.detail for r in result.failing_applicant_rules)},
                extra={"eligibility": result.as_api()},
            )

    account = account_transition(
        account,
        "submit",
        actor=actor,
        action=ACCOUNT_SUBMITTED,
        fields={"submitted_at": timezone.now()},
        notify_template="account_submitted_applicant",
        validate=require_eligible,
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
    return account
