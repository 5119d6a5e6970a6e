"""Demo data across every floor: the organisations of the lower floors, and the reviewer's approval where a demo
organisation needs one."""

from accounts.demo import seed_accounts
from accounts.models import User
from certification.demo import seed_certification
from eligibility.demo import seed_eligibility
from parts.demo import seed_parts

from .services import account_approve, review_start


def _approve(account):
    reviewer = User.objects.filter(is_reviewer=True).first()
    review_start(account=account, reviewer=reviewer)
    return account_approve(account=account, reviewer=reviewer, credit_limit="50000.00")


def seed_demo() -> list[tuple[str, str]]:
    people = seed_accounts()
    seed_eligibility()
    people += seed_certification(approve=_approve)
    seed_parts()
    return people
