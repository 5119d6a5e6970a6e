"""The daily deadline job: every reminder day, the hold the day after, the release on certification, expiry
notices, idempotency."""

import datetime

import pytest
from django.core import mail
from django_scopes import scope, scopes_disabled

from accounts.models import Account, Hold
from certification.jobs import certification_deadlines
from certification.models import Certification, ReminderSent
from certification.services import certification_record
from core.models import Notification
from eligibility.models import Device
from tests.eligibility import files as f

pytestmark = pytest.mark.django_db
SETUP = datetime.date(2026, 1, 5)
DEADLINE = SETUP + datetime.timedelta(days=90)


@pytest.fixture
def approved(organisation, admin, technician):
    with scope(organisation=organisation):
        Account.objects.create(
            organisation=organisation,
            status="approved",
            setup_date=SETUP,
            certification_deadline=DEADLINE,
            account_number="SSA-1",
            credit_limit=1000,
        )
        Device.objects.create(
            organisation=organisation,
            serial_number=f.serial(1),
            product_line="mac",
            purchase_source="apple",
            ownership="owned",
        )
        Device.objects.create(
            organisation=organisation,
            serial_number=f.serial(2),
            product_line="iphone",
            purchase_source="apple",
            ownership="owned",
        )
    return organisation


def run(day):
    return certification_deadlines(today=day)


@pytest.mark.parametrize("days_before", [60, 30, 14, 7, 1])
def test_a_reminder_on_each_reminder_day_sent_once(approved, admin, days_before, committed):
    day = DEADLINE - datetime.timedelta(days=days_before)
    with committed():
        assert run(day)["reminders"] == 1
    with committed():
        assert run(day)["reminders"] == 0  # the same day again: nothing twice
    reminders = [m for m in mail.outbox if "Zertifizierungsfrist" in m.subject]
    assert len(reminders) == 1 and reminders[0].to == [admin.email]
    assert "iphone" in reminders[0].body and "mac" in reminders[0].body


def test_no_reminder_between_reminder_days_or_when_everything_is_certified(approved, admin, technician):
    assert run(DEADLINE - datetime.timedelta(days=61))["reminders"] == 0
    with scope(organisation=approved):
        for kind, cred in (("acmt", "A-1"), ("ios", "I-1")):
            certification_record(
                organisation=approved,
                actor=admin,
                technician_email=technician.email,
                kind=kind,
                credential_id=cred,
                passed_on=SETUP,
            )
    assert run(DEADLINE - datetime.timedelta(days=30))["reminders"] == 0


def test_a_missed_day_is_caught_up_with_the_most_urgent_reminder(approved):
    assert run(DEADLINE - datetime.timedelta(days=12))["reminders"] == 1
    with scopes_disabled():
        assert list(ReminderSent.objects.values_list("key", flat=True)) == [f"{DEADLINE.isoformat()}:14"]


def test_on_the_day_after_the_deadline_each_uncertified_line_is_held(approved, admin, technician):
    with scope(organisation=approved):
        certification_record(
            organisation=approved,
            actor=admin,
            technician_email=technician.email,
            kind="ios",
            credential_id="I-1",
            passed_on=SETUP,
        )
    assert run(DEADLINE)["holds_placed"] == 0  # the deadline day itself is still in time
    assert run(DEADLINE + datetime.timedelta(days=1))["holds_placed"] == 1
    assert run(DEADLINE + datetime.timedelta(days=1))["holds_placed"] == 0  # twice: no second hold
    with scope(organisation=approved):
        assert list(Hold.objects.values_list("reason", "product_line")) == [("certification", "mac")]
        from accounts.holds import standing

        assert standing(organisation=approved, action="repair", product_line="mac").reasons == ["account_on_hold"]
        assert standing(organisation=approved, action="repair", product_line="iphone").allowed


def test_the_hold_lifts_as_soon_as_a_certification_is_recorded(approved, admin, technician):
    run(DEADLINE + datetime.timedelta(days=1))
    with scope(organisation=approved):
        assert Hold.objects.filter(released_at__isnull=True).count() == 2
        certification_record(
            organisation=approved,
            actor=technician,
            technician_email=technician.email,
            kind="acmt",
            credential_id="A-9",
            passed_on=DEADLINE,
        )
        assert list(Hold.objects.filter(released_at__isnull=True).values_list("product_line", flat=True)) == ["iphone"]


def test_the_job_repairs_holds_it_finds_out_of_date(approved, admin, technician):
    run(DEADLINE + datetime.timedelta(days=1))
    with scope(organisation=approved):
        Certification.objects.create(
            organisation=approved, technician=technician, kind="ios", credential_id="X", passed_on=SETUP
        )  # recorded behind the services' back
    assert run(DEADLINE + datetime.timedelta(days=2))["holds_released"] == 1


def test_an_expired_certification_does_not_count(approved, admin, technician):
    with scope(organisation=approved):
        for kind in ("acmt", "ios"):
            certification_record(
                organisation=approved,
                actor=admin,
                technician_email=technician.email,
                kind=kind,
                credential_id=f"{kind}-1",
                passed_on=SETUP,
                expires_on=DEADLINE - datetime.timedelta(days=1),
            )
    assert run(DEADLINE + datetime.timedelta(days=1))["holds_placed"] == 2


def test_expiring_certifications_are_announced_once(approved, admin, technician, committed):
    with scope(organisation=approved):
        certification_record(
            organisation=approved,
            actor=admin,
            technician_email=technician.email,
            kind="acmt",
            credential_id="A-1",
            passed_on=SETUP,
            expires_on=SETUP + datetime.timedelta(days=200),
        )
    day = SETUP + datetime.timedelta(days=175)
    with committed():
        assert run(day)["expiry_notices"] == 1
        assert run(day + datetime.timedelta(days=1))["expiry_notices"] == 0
    assert Notification.objects.filter(template="certification_expiring").count() == 1


def test_technicians_record_only_their_own(approved, admin, technician):
    from core.errors import PermissionDeniedError

    with scope(organisation=approved), pytest.raises(PermissionDeniedError):
        certification_record(
            organisation=approved,
            actor=technician,
            technician_email=admin.email,
            kind="acmt",
            credential_id="Z",
            passed_on=SETUP,
        )


def test_the_job_takes_the_same_queries_for_one_or_many_organisations(approved):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Organisation

    day = DEADLINE + datetime.timedelta(days=1)
    with CaptureQueriesContext(connection) as one:
        run(day - datetime.timedelta(days=30))
    for i in range(15):
        org = Organisation.objects.create(name=f"O{i}", slug=f"o-{i}")
        with scope(organisation=org):
            Account.objects.create(organisation=org, status="approved", certification_deadline=DEADLINE)
            Device.objects.create(
                organisation=org,
                serial_number=f.serial(100 + i),
                product_line="ipad",
                purchase_source="apple",
                ownership="owned",
            )
    with scopes_disabled():
        ReminderSent.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        result = run(day - datetime.timedelta(days=30))
    assert result["reminders"] == 16
    assert len(many) == len(one)


def test_a_voucher_is_redeemed_by_the_certification_and_unused_ones_expire(approved, admin, technician):
    from certification.models import ExamVoucher
    from certification.services import voucher_assign, vouchers_issue_free

    with scope(organisation=approved):
        acmt, ios = sorted(vouchers_issue_free(organisation=approved, count=2), key=lambda v: v.kind)
        voucher_assign(voucher=acmt, actor=admin, technician_email=technician.email)
        certification_record(
            organisation=approved,
            actor=admin,
            technician_email=technician.email,
            kind="acmt",
            credential_id="A-7",
            passed_on=SETUP,
        )
        acmt.refresh_from_db()
        assert acmt.status == "redeemed" and acmt.redeemed_at
        ExamVoucher.objects.filter(pk=ios.pk).update(expires_on=SETUP)
    assert run(SETUP + datetime.timedelta(days=1))["vouchers_expired"] == 1
    with scope(organisation=approved):
        ios.refresh_from_db()
        assert ios.status == "expired"
