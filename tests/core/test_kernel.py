"""The kernel's helpers: gapless sequences, money and VAT, the state machine, the audited model_update, the
transaction-aware task base and the scope that raw SQL takes its tenant from."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django_scopes import ScopeError, scope, scopes_disabled

from accounts.audit_actions import ACCOUNT_REVIEW_STARTED, ORGANISATION_UPDATED
from accounts.lifecycle import ACCOUNT_MACHINE
from accounts.models import Account
from core.errors import InvalidTransition
from core.models import AuditEntry, NumberSequence
from core.money import NotAnAmount, gross, money, vat_amount, vat_rate
from core.sequences import sequence_next
from core.services import model_update
from core.tenancy import scope_organisation_id


@pytest.mark.django_db
def test_a_sequence_counts_from_its_start_and_per_year():
    assert sequence_next(name="invoice", year=2026, start=0) == 1
    assert sequence_next(name="invoice", year=2026) == 2
    assert sequence_next(name="invoice", year=2027) == 1
    assert sequence_next(name="account", start=100000) == 100001


@pytest.mark.django_db
def test_a_rolled_back_number_is_given_back_so_the_series_has_no_gap():
    assert sequence_next(name="invoice", year=2026) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert sequence_next(name="invoice", year=2026) == 2
        raise RuntimeError("the invoice could not be written")
    assert sequence_next(name="invoice", year=2026) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_never_share_a_number():
    barrier = threading.Barrier(6)
    drawn = []

    def draw():
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    drawn.append(sequence_next(name="invoice", year=2026))
        finally:
            connection.close()

    threads = [threading.Thread(target=draw) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(drawn) == list(range(1, 31))
    assert NumberSequence.objects.get(name="invoice", year=2026).last_value == 30


def test_money_is_decimal_with_two_places_rounded_half_up():
    assert money("50000") == Decimal("50000.00")
    assert money(Decimal("1.005")) == Decimal("1.01")
    assert money(" 12.344 ") == Decimal("12.34")
    for bad in (1.5, "abc", "NaN", "Infinity", ""):
        with pytest.raises(NotAnAmount):
            money(bad)


@pytest.mark.django_db
def test_vat_rates_are_dated_data():
    assert vat_rate(country="DE", on=datetime.date(2026, 12, 4)) == Decimal("0.1900")
    assert vat_rate(country="DE", on=datetime.date(2026, 12, 4), kind="reduced") == Decimal("0.0700")
    with pytest.raises(LookupError):
        vat_rate(country="DE", on=datetime.date(2000, 1, 1))
    assert vat_amount(Decimal("100.00"), Decimal("0.19")) == Decimal("19.00")
    assert gross(Decimal("99.99"), Decimal("0.19")) == Decimal("118.99")


@pytest.mark.django_db
def test_the_state_machine_checks_saves_and_audits(organisation, reviewer):
    with scope(organisation=organisation):
        account = Account.objects.create(organisation=organisation, status="submitted")
        assert ACCOUNT_MACHINE.allowed(account) == {"start_review"}
        with pytest.raises(InvalidTransition) as refused:
            ACCOUNT_MACHINE.apply(account, "approve", actor=reviewer, action=ACCOUNT_REVIEW_STARTED)
        assert refused.value.extra == {"status": "submitted"}
        assert not AuditEntry.objects.exists()
        started = ACCOUNT_MACHINE.apply(account, "start_review", actor=reviewer, action=ACCOUNT_REVIEW_STARTED)
        assert started.status == "in_review"
        entry = AuditEntry.objects.get()
        assert entry.action == "account.review_started"
        assert entry.before["status"] == "submitted" and entry.after["status"] == "in_review"


@pytest.mark.django_db
def test_model_update_saves_and_audits_only_what_changed(organisation, admin):
    with scope(organisation=organisation):
        _obj, changed = model_update(
            instance=organisation,
            fields=["name", "address"],
            data={"name": organisation.name},
            actor=admin,
            action=ORGANISATION_UPDATED,
            organisation=organisation,
        )
        assert not changed and not AuditEntry.objects.exists()
        _obj, changed = model_update(
            instance=organisation,
            fields=["name", "address"],
            data={"name": "  Schulamt Nord-Ost ", "address": organisation.address},
            actor=admin,
            action=ORGANISATION_UPDATED,
            organisation=organisation,
        )
        assert changed
        entry = AuditEntry.objects.get()
        assert entry.before == {"name": "Schulamt Nord"} and entry.after == {"name": "Schulamt Nord-Ost"}
        with pytest.raises(ValueError):
            model_update(
                instance=organisation, fields=["name"], data={"slug": "x"}, actor=admin, action=ORGANISATION_UPDATED
            )


@pytest.mark.django_db
def test_raw_sql_takes_its_tenant_from_the_open_scope(organisation, other_organisation):
    with pytest.raises(ScopeError):
        scope_organisation_id()
    with scope(organisation=organisation):
        assert scope_organisation_id() == organisation.pk
        assert scope_organisation_id(expected=organisation) == organisation.pk
        with pytest.raises(ScopeError):
            scope_organisation_id(expected=other_organisation)
    with scopes_disabled():  # jobs and reviewer code that disabled scopes on purpose name their tenant
        assert scope_organisation_id(expected=other_organisation) == other_organisation.pk
        with pytest.raises(ScopeError):
            scope_organisation_id()


@pytest.mark.django_db
def test_a_transaction_aware_task_waits_for_the_commit(django_capture_on_commit_callbacks, settings):
    from celery import shared_task

    from core.taskbase import TransactionAwareTask

    ran = []

    @shared_task(base=TransactionAwareTask)
    def record(value):
        ran.append(value)

    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        record.delay("inside")
        assert ran == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert ran == ["inside"]
