"""Approvals at the same moment: every organisation gets its own account number from the gapless sequence."""

import threading

import pytest
from django.db import connection
from django_scopes import scope, scopes_disabled

from accounts.models import Account
from core.models import NumberSequence
from review import services as review_services
from tests.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_review(n: int, prefix: str = "parallel") -> list:
    organisations = []
    for i in range(n):
        organisation = OrganisationFactory(slug=f"{prefix}-{i}", name=f"{prefix.title()} {i}")
        MembershipFactory(organisation=organisation, user=UserFactory(), role="admin")
        with scope(organisation=organisation):
            Account.objects.create(organisation=organisation, status="in_review")
        organisations.append(organisation)
    return organisations


def _approve_all_at_once(organisations, reviewer) -> list:
    barrier = threading.Barrier(len(organisations))
    outcomes = []

    def approve(organisation):
        try:
            barrier.wait()
            with scope(organisation=organisation):
                account = Account.objects.get(organisation=organisation)
                review_services.account_approve(account=account, reviewer=reviewer, credit_limit="10000")
            outcomes.append("approved")
        except Exception as exc:  # any failure is a finding: the test reports it
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(o,)) for o in organisations]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_four_organisations_approved_at_the_same_moment_all_get_distinct_numbers():
    reviewer = UserFactory(is_reviewer=True)
    organisations = _in_review(4)
    outcomes = _approve_all_at_once(organisations, reviewer)
    assert outcomes == ["approved"] * 4
    with scopes_disabled():
        numbers = sorted(Account.objects.values_list("account_number", flat=True))
    assert numbers == ["SSA-100001", "SSA-100002", "SSA-100003", "SSA-100004"]  # distinct and without gaps
    assert NumberSequence.objects.get(name="account").last_value == 100004


def test_a_refused_approval_uses_up_no_number():
    reviewer = UserFactory(is_reviewer=True)
    [organisation] = _in_review(1)
    with scope(organisation=organisation):
        account = Account.objects.get(organisation=organisation)
        account.status = "draft"
        account.save(update_fields=["status"])
    assert _approve_all_at_once([organisation], reviewer) != ["approved"]
    [second] = _in_review(1, prefix="next")
    assert _approve_all_at_once([second], reviewer) == ["approved"]
    with scope(organisation=second):
        assert Account.objects.get(organisation=second).account_number == "SSA-100001"
