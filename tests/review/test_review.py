"""The account lifecycle and the reviewer console: transitions, decisions, holds, standing, approval letter."""

import threading
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_scopes import scope, scopes_disabled

from accounts import holds, lifecycle
from accounts.models import Account, AccountMessage, Hold, ProgrammeRules
from accounts.services import api_token_create
from certification.models import ExamVoucher
from core.errors import InvalidTransition
from core.models import AuditEntry, Notification
from eligibility import application
from eligibility import services as eligibility_services
from eligibility.models import Device, EquipmentAttestation
from review import services as review_services
from tests.eligibility import files as f

pytestmark = pytest.mark.django_db
REVIEW = "/api/v1/review/accounts"


def bearer(user):
    from rest_framework.test import APIClient

    client = APIClient()
    _t, raw = api_token_create(user=user, name="t")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def make_submittable(organisation, admin, n=3):
    ProgrammeRules.objects.update_or_create(country="DE", defaults={"min_installed_base": n})
    with scope(organisation=organisation):
        eligibility_services.proof_upload(
            organisation=organisation, actor=admin, upload=SimpleUploadedFile("r.pdf", f.PDF), invoice_number="RE-1"
        )
        for i in range(n):
            eligibility_services.device_create(
                organisation=organisation,
                actor=admin,
                data={
                    "serial_number": f.serial(i),
                    "product_line": "mac" if i else "iphone",
                    "purchase_source": "apple",
                    "ownership": "owned",
                    "invoice_number": "RE-1",
                },
            )
        eligibility_services.equipment_save(
            organisation=organisation,
            actor=admin,
            items={i: {"present": True} for i in EquipmentAttestation.Item.values},
        )
        account = lifecycle.account_get(organisation=organisation)
        lifecycle.account_update(account=account, actor=admin, terms_accepted=True)
        return account


@pytest.fixture
def submitted(organisation, admin, committed):
    account = make_submittable(organisation, admin)
    with scope(organisation=organisation), committed():
        return application.account_submit(account=account, actor=admin)


def test_the_queue_lists_submitted_accounts_oldest_first_with_counts(submitted, reviewer, other_organisation, outsider):
    api = bearer(reviewer)
    body = api.get(f"{REVIEW}/?status=submitted").json()
    assert body["count"] == 1 and body["results"][0]["organisation"] == "schulamt-nord"
    assert body["results"][0]["waiting_days"] == 0
    assert api.get(f"{REVIEW}/?q=schulamt").json()["count"] == 1
    assert api.get(f"{REVIEW}/?q=nichts").json()["count"] == 0


def test_review_routes_answer_404_to_anyone_but_reviewers(submitted, admin, technician):
    for user in (admin, technician):
        assert bearer(user).get(f"{REVIEW}/").status_code == 404
        assert bearer(user).post(f"{REVIEW}/schulamt-nord/start/").status_code == 404


def test_full_review_flow_through_the_api(submitted, organisation, reviewer, admin, committed):
    api = bearer(reviewer)
    detail = api.get(f"{REVIEW}/schulamt-nord/").json()
    assert {"account", "eligibility", "serial_conflicts", "history"} <= set(detail)
    assert detail["account"]["status"] == "submitted"
    assert api.post(f"{REVIEW}/schulamt-nord/approve/", {"credit_limit": "1000.00"}, format="json").status_code == 409
    with committed():
        assert api.post(f"{REVIEW}/schulamt-nord/start/").json()["status"] == "in_review"
        response = api.post(
            f"{REVIEW}/schulamt-nord/request-info/", {"message": "Bitte Rechnung RE-2 nachreichen."}, format="json"
        )
    assert response.status_code == 200 and response.json()["status"] == "info_requested"
    assert "Rückfrage" in mail.outbox[-1].subject and "RE-2 nachreichen" in mail.outbox[-1].body
    # the applicant answers and resubmits
    applicant = bearer(admin)
    with scope(organisation=organisation):
        lifecycle.account_message_post(
            account=lifecycle.account_get(organisation=organisation), author=admin, body="Nachgereicht."
        )
    assert applicant.post("/api/v1/orgs/schulamt-nord/account/submit/").json()["status"] == "submitted"
    api.post(f"{REVIEW}/schulamt-nord/start/")
    with committed():
        approved = api.post(f"{REVIEW}/schulamt-nord/approve/", {"credit_limit": "25000.00"}, format="json")
    assert approved.status_code == 200, approved.json()
    body = approved.json()
    assert body["status"] == "approved" and body["credit_limit"] == "25000.00" and body["currency"] == "EUR"
    assert body["account_number"].startswith("SSA-") and body["setup_date"]
    import datetime

    setup = datetime.date.fromisoformat(body["setup_date"])
    assert datetime.date.fromisoformat(body["certification_deadline"]) == setup + datetime.timedelta(days=90)
    with scope(organisation=organisation):
        assert ExamVoucher.objects.filter(free=True).count() == 2
        account = Account.objects.get()
        assert account.service_history_ok and account.credit_line_ok
        actions = list(AuditEntry.objects.filter(action__startswith="account.").values_list("action", flat=True))
    assert {"account.submitted", "account.review_started", "account.info_requested", "account.approved"} <= set(actions)
    letter_mail = next(m for m in mail.outbox if m.attachments)
    filename, content, mimetype = letter_mail.attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    with scope(organisation=organisation):
        assert AccountMessage.objects.filter(organisation=organisation).count() == 2


@pytest.mark.parametrize(
    ("status", "path", "payload"),
    [
        ("draft", "start/", None),
        ("submitted", "approve/", {"credit_limit": "1"}),
        ("submitted", "reject/", {"reason": "x"}),
        ("approved", "start/", None),
        ("approved", "reinstate/", None),
        ("in_review", "suspend/", {"reason": "x"}),
        ("rejected", "approve/", {"credit_limit": "1"}),
        ("closed", "reinstate/", None),
        ("suspended", "request-info/", {"message": "x"}),
    ],
)
def test_every_illegal_transition_is_409(organisation, reviewer, status, path, payload):
    with scope(organisation=organisation):
        Account.objects.create(organisation=organisation, status=status)
    response = bearer(reviewer).post(f"{REVIEW}/schulamt-nord/{path}", payload or {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    with scope(organisation=organisation):
        assert Account.objects.get().status == status


def test_the_transition_table_allows_only_the_designed_paths():
    allowed = {(source, target) for name, (sources, target) in lifecycle.TRANSITIONS.items() for source in sources}
    assert allowed == {
        ("draft", "submitted"),
        ("info_requested", "submitted"),
        ("submitted", "in_review"),
        ("in_review", "info_requested"),
        ("in_review", "approved"),
        ("in_review", "rejected"),
        ("approved", "suspended"),
        ("suspended", "approved"),
    }


def test_reject_needs_a_reason_and_tells_the_applicant_the_alternatives(submitted, organisation, reviewer, committed):
    api = bearer(reviewer)
    api.post(f"{REVIEW}/schulamt-nord/start/")
    assert api.post(f"{REVIEW}/schulamt-nord/reject/", {"reason": ""}, format="json").status_code == 400
    with committed():
        response = api.post(f"{REVIEW}/schulamt-nord/reject/", {"reason": "Kreditprüfung negativ."}, format="json")
    assert response.json()["status"] == "rejected"
    assert "Service Provider" in mail.outbox[-1].body and "Kreditprüfung negativ." in mail.outbox[-1].body


def test_suspend_and_reinstate(submitted, organisation, reviewer):
    api = bearer(reviewer)
    api.post(f"{REVIEW}/schulamt-nord/start/")
    api.post(f"{REVIEW}/schulamt-nord/approve/", {"credit_limit": "5000"}, format="json")
    assert api.post(f"{REVIEW}/schulamt-nord/suspend/", {"reason": "Missbrauch"}, format="json").json()["status"] == (
        "suspended"
    )
    with scope(organisation=organisation):
        assert holds.standing(organisation=organisation, action="repair").reasons == ["account_not_active"]
    assert api.post(f"{REVIEW}/schulamt-nord/reinstate/").json()["status"] == "approved"
    with scope(organisation=organisation):
        assert ExamVoucher.objects.filter(free=True).count() == 2  # reinstating issues none again


def test_manual_holds_restrict_and_release(submitted, organisation, reviewer):
    api = bearer(reviewer)
    api.post(f"{REVIEW}/schulamt-nord/start/")
    api.post(f"{REVIEW}/schulamt-nord/approve/", {"credit_limit": "5000"}, format="json")
    with scope(organisation=organisation):
        assert holds.standing(organisation=organisation, action="repair", product_line="mac").allowed
    placed = api.post(
        f"{REVIEW}/schulamt-nord/holds/",
        {"reason": "manual", "product_line": "mac", "note": "Prüfung der Werkbank"},
        format="json",
    )
    assert placed.status_code == 201 and placed.json()["product_line"] == "mac"
    with scope(organisation=organisation):
        mac = holds.standing(organisation=organisation, action="repair", product_line="mac")
        assert not mac.allowed and mac.reasons == ["account_on_hold"]
        assert holds.standing(organisation=organisation, action="repair", product_line="iphone").allowed
    account = bearer(reviewer).get(f"{REVIEW}/schulamt-nord/").json()["account"]
    assert [h["reason"] for h in account["holds"]] == ["manual"]
    assert (
        api.post(f"{REVIEW}/schulamt-nord/holds/", {"reason": "manual", "note": ""}, format="json").status_code == 400
    )
    released = api.post(f"{REVIEW}/schulamt-nord/holds/{placed.json()['id']}/release/")
    assert released.status_code == 200 and released.json()["released_at"]
    with scope(organisation=organisation):
        assert holds.standing(organisation=organisation, action="repair", product_line="mac").allowed
        hold = Hold.objects.get()
        assert hold.released_by == reviewer  # kept, not deleted
        assert {"hold.placed", "hold.released"} <= set(AuditEntry.objects.values_list("action", flat=True))


def test_automatic_holds_are_not_doubled(organisation):
    with scope(organisation=organisation):
        first = holds.hold_place(organisation=organisation, reason="certification", product_line="mac")
        second = holds.hold_place(organisation=organisation, reason="certification", product_line="mac")
        assert first.pk == second.pk and Hold.objects.count() == 1


def test_a_rejected_proof_stops_its_devices_counting(submitted, organisation, reviewer):
    api = bearer(reviewer)
    proof = api.get(f"{REVIEW}/schulamt-nord/").json()["proofs"][0]
    assert (
        api.post(
            f"{REVIEW}/schulamt-nord/proofs/{proof['id']}/verdict/", {"status": "rejected"}, format="json"
        ).status_code
        == 400
    )
    response = api.post(
        f"{REVIEW}/schulamt-nord/proofs/{proof['id']}/verdict/",
        {"status": "rejected", "reason": "Rechnung unleserlich"},
        format="json",
    )
    assert response.json()["status"] == "rejected"
    eligibility = api.get(f"{REVIEW}/schulamt-nord/").json()["eligibility"]
    assert eligibility["counts"]["counted"] == 0 and eligibility["counts"]["proof_rejected"] == 3


def test_reviewers_see_which_other_organisation_claims_a_serial(submitted, organisation, other_organisation, reviewer):
    with scope(organisation=other_organisation):
        eligibility_services.device_create(
            organisation=other_organisation,
            actor=None,
            data={
                "serial_number": f.serial(1),
                "product_line": "mac",
                "purchase_source": "apple",
                "ownership": "owned",
            },
        )
    conflicts = bearer(reviewer).get(f"{REVIEW}/schulamt-nord/").json()["serial_conflicts"]
    assert conflicts == [
        {"serial_number": f.serial(1), "organisation": "klinikum-sued", "organisation_name": "Klinikum Süd"}
    ]


def test_the_approval_letter_is_a_pdf_naming_the_account_number(
    submitted, organisation, reviewer, client, admin, technician
):
    api = bearer(reviewer)
    api.post(f"{REVIEW}/schulamt-nord/start/")
    number = api.post(
        f"{REVIEW}/schulamt-nord/approve/", {"credit_limit": "12500.50", "account_number": "SSA-777001"}, format="json"
    ).json()["account_number"]
    assert number == "SSA-777001"
    client.force_login(technician)
    response = client.get("/o/schulamt-nord/account/approval-letter.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "SSA-777001" in text and "Freigabe" in text and "12.500,50" in text


def pdf_text(data: bytes) -> str:
    import shutil
    import subprocess

    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    pytest.skip("needs poppler's pdftotext")


def test_account_numbers_are_unique(submitted, organisation, other_organisation, reviewer, outsider):
    api = bearer(reviewer)
    api.post(f"{REVIEW}/schulamt-nord/start/")
    api.post(f"{REVIEW}/schulamt-nord/approve/", {"credit_limit": "1000", "account_number": "SSA-1"}, format="json")
    with scope(organisation=other_organisation):
        Account.objects.create(organisation=other_organisation, status="in_review")
    response = api.post(
        f"{REVIEW}/klinikum-sued/approve/", {"credit_limit": "1000", "account_number": "SSA-1"}, format="json"
    )
    assert response.status_code == 400 and "account_number" in response.json()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_approve_once(organisation, admin, reviewer):
    from tests.accounts.factories import UserFactory

    second = UserFactory(is_reviewer=True)
    account = make_submittable(organisation, admin)
    with scope(organisation=organisation):
        application.account_submit(account=account, actor=admin)
        review_services.review_start(account=account, reviewer=reviewer)
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(user, limit):
        try:
            barrier.wait()
            with scope(organisation=organisation):
                review_services.account_approve(account=account, reviewer=user, credit_limit=limit)
            outcomes.append("approved")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(reviewer, "1000")),
        threading.Thread(target=approve, args=(second, "2000")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["approved", "refused"]
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="account.approved").count() == 1
        assert ExamVoucher.objects.filter(organisation=organisation).count() == 2


def test_the_console_pages_render(submitted, client, reviewer):
    client.force_login(reviewer)
    queue = client.get("/review/").content.decode()
    assert "Schulamt Nord" in queue and 'data-testid="queue"' in queue
    page = client.get("/review/accounts/schulamt-nord/")
    assert page.status_code == 200 and 'data-testid="decisions"' in page.content.decode()
    response = client.post("/review/accounts/schulamt-nord/decide/start/")
    assert response.status_code == 302
    response = client.post("/review/accounts/schulamt-nord/decide/start/", follow=True)
    assert "Nicht ausgeführt" in response.content.decode()  # the second click gets a clear message


def test_the_organisation_sees_its_account_page(submitted, client, admin, reviewer):
    client.force_login(admin)
    html = client.get("/o/schulamt-nord/account/").content.decode()
    assert 'data-testid="account-status"' in html and "Eingereicht" in html and "Antrag eingereicht" in html
    response = client.post("/o/schulamt-nord/account/", {"message": "Eine Frage zur Frist."})
    assert response.status_code == 302
    assert Notification.objects.filter(user=reviewer, template="account_message").exists()


def test_reviewer_actions_are_throttled(submitted, client, reviewer, settings, monkeypatch):
    from core import ratelimit
    from review import views as review_views

    # All in one window of the fixed-window limit: a slow run must not cross a minute boundary half-way.
    now = ratelimit.time.time()
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now))
    client.force_login(reviewer)
    limit = review_views.REVIEWER_ACTIONS_PER_MINUTE
    for _ in range(limit):
        client.post("/review/accounts/schulamt-nord/decide/message/", {"message": "x"})
    response = client.post("/review/accounts/schulamt-nord/decide/message/", {"message": "y"}, follow=True)
    assert "Zu viele" in response.content.decode()
    with scopes_disabled():
        assert AccountMessage.objects.filter(body="y").count() == 0
        assert Device.objects.count() == 3
