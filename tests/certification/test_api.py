import datetime
from decimal import Decimal

import pytest
from django_scopes import scope

from accounts.models import Account, Hold
from accounts.services import api_token_create
from certification.models import ExamVoucher, TrainingModule
from certification.services import vouchers_issue_free
from core.models import AuditEntry
from eligibility.models import Device
from parts.models import Invoice
from tests.eligibility import files as f

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/schulamt-nord"


def client_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    _t, raw = api_token_create(user=user, name="t")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def approved(organisation):
    today = datetime.date.today()
    with scope(organisation=organisation):
        Account.objects.create(
            organisation=organisation,
            status="approved",
            setup_date=today,
            certification_deadline=today + datetime.timedelta(days=23),
            credit_limit=1000,
        )
        Device.objects.create(
            organisation=organisation,
            serial_number=f.serial(1),
            product_line="mac",
            purchase_source="apple",
            ownership="owned",
        )
        vouchers_issue_free(organisation=organisation, count=2)
    return organisation


def test_certification_status_as_the_contract_says(approved, admin):
    body = client_for(admin).get(f"{BASE}/certification-status/").json()
    assert body["days_left"] == 23 and body["deadline"]
    assert set(body["product_lines"]) == {"mac", "iphone", "ipad", "ipod"}
    assert body["product_lines"]["mac"] == {"required": True, "certified": False, "on_hold": False}
    assert body["product_lines"]["iphone"]["required"] is False


def test_record_list_and_delete_certifications(approved, admin, technician):
    api = client_for(admin)
    payload = {"technician": technician.email, "kind": "acmt", "credential_id": "ACMT-123", "passed_on": "2026-01-10"}
    created = api.post(f"{BASE}/certifications/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["technician"] == technician.email and created.json()["valid"] is True
    assert api.post(f"{BASE}/certifications/", payload, format="json").status_code == 400  # duplicate credential
    technicians = api.get(f"{BASE}/technicians/").json()["results"]
    assert technicians[0]["email"] == technician.email and technicians[0]["certifications"][0]["kind"] == "acmt"
    assert api.get(f"{BASE}/certification-status/").json()["product_lines"]["mac"]["certified"] is True
    assert client_for(technician).delete(f"{BASE}/certifications/{created.json()['id']}/").status_code == 403
    assert api.delete(f"{BASE}/certifications/{created.json()['id']}/").status_code == 204
    with scope(organisation=approved):
        assert {"certification.recorded", "certification.deleted"} <= set(
            AuditEntry.objects.values_list("action", flat=True)
        )


def test_technicians_record_for_themselves_only(approved, admin, technician):
    api = client_for(technician)
    mine = {"technician": technician.email, "kind": "ios", "credential_id": "IOS-1", "passed_on": "2026-01-10"}
    assert api.post(f"{BASE}/certifications/", mine, format="json").status_code == 201
    theirs = {**mine, "technician": admin.email, "credential_id": "IOS-2"}
    response = api.post(f"{BASE}/certifications/", theirs, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_bad_certification_input_gets_field_errors(approved, admin, technician):
    api = client_for(admin)
    response = api.post(
        f"{BASE}/certifications/",
        {"technician": "nobody@example.org", "kind": "acmt", "credential_id": "X", "passed_on": "2099-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "technician" in response.json()


def test_recording_lifts_the_hold_immediately(approved, admin, technician):
    with scope(organisation=approved):
        Hold.objects.create(organisation=approved, reason="certification", product_line="mac")
    api = client_for(admin)
    assert api.get(f"{BASE}/certification-status/").json()["product_lines"]["mac"]["on_hold"] is True
    api.post(
        f"{BASE}/certifications/",
        {"technician": technician.email, "kind": "acmt", "credential_id": "A", "passed_on": "2026-01-10"},
        format="json",
    )
    status = api.get(f"{BASE}/certification-status/").json()["product_lines"]["mac"]
    assert status == {"required": True, "certified": True, "on_hold": False}


def test_vouchers_list_assign_and_billed_requests(approved, admin, technician):
    api = client_for(admin)
    vouchers = api.get(f"{BASE}/vouchers/").json()["results"]
    assert len(vouchers) == 2 and all(v["free"] and v["status"] == "issued" for v in vouchers)
    assert {"code", "kind", "free", "status"} <= set(vouchers[0])
    code = vouchers[0]["code"]
    assigned = api.post(f"{BASE}/vouchers/{code}/assign/", {"technician": technician.email}, format="json")
    assert assigned.status_code == 200 and assigned.json()["assigned_to"] == technician.email
    assert (
        client_for(technician)
        .post(f"{BASE}/vouchers/request/", {"kind": "ios", "quantity": 1}, format="json")
        .status_code
        == 403
    )
    requested = api.post(f"{BASE}/vouchers/request/", {"kind": "ios", "quantity": 2}, format="json")
    assert requested.status_code == 201 and len(requested.json()) == 2
    assert all(not v["free"] and v["price"] == "150.00" for v in requested.json())
    with scope(organisation=approved):
        # billed at once: both on one invoice of other charges, at the price list's price
        assert ExamVoucher.objects.filter(free=False, billed_at__isnull=False).count() == 2
        invoice = Invoice.objects.get(organisation=approved, kind="charges")
        assert invoice.net == Decimal("300.00") and invoice.lines.filter(kind="voucher").count() == 2
    assert api.post(f"{BASE}/vouchers/request/", {"kind": "ios", "quantity": 50}, format="json").status_code == 400


def test_team_and_training_pages(approved, client, admin, technician):
    client.force_login(technician)
    page = client.get("/o/schulamt-nord/certification/").content.decode()
    assert 'data-testid="certification-countdown"' in page and "Mac" in page
    module = TrainingModule.objects.first()
    client.post(f"/o/schulamt-nord/training/{module.pk}/complete/")
    html = client.get("/o/schulamt-nord/training/").content.decode()
    assert f'data-testid="completed-{module.pk}"' in html
    client.force_login(admin)
    dashboard = client.get("/o/schulamt-nord/").content.decode()
    assert "noch kein ACMT" in dashboard and "23 Tage" in dashboard
    team = client.get("/o/schulamt-nord/certification/").content.decode()
    assert f"1 von {TrainingModule.objects.count()} Modulen" in team


def test_certificate_evidence_is_private(approved, client, admin, technician, outsider):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from certification.services import certification_record

    with scope(organisation=approved):
        certification = certification_record(
            organisation=approved,
            actor=admin,
            technician_email=technician.email,
            kind="acmt",
            credential_id="E-1",
            passed_on=datetime.date(2026, 1, 10),
            evidence=SimpleUploadedFile("c.pdf", f.PDF),
        )
    url = f"/o/schulamt-nord/certification/{certification.pk}/evidence/"
    client.force_login(technician)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_certification_and_voucher_filters(approved, admin, technician):
    api = client_for(admin)
    for kind, credential, person in (("acmt", "A-1", technician), ("ios", "I-1", technician), ("ios", "I-2", admin)):
        body = {"technician": person.email, "kind": kind, "credential_id": credential, "passed_on": "2026-01-10"}
        assert api.post(f"{BASE}/certifications/", body, format="json").status_code == 201
    assert api.get(f"{BASE}/certifications/").json()["count"] == 3
    assert api.get(f"{BASE}/certifications/?technician={technician.email.upper()}").json()["count"] == 2
    assert api.get(f"{BASE}/certifications/?kind=ios&technician={admin.email}").json()["count"] == 1
    assert api.get(f"{BASE}/certifications/?kind=cisco").status_code == 400

    code = api.get(f"{BASE}/vouchers/").json()["results"][0]["code"]
    api.post(f"{BASE}/vouchers/{code}/assign/", {"technician": technician.email}, format="multipart")
    api.post(f"{BASE}/vouchers/request/", {"kind": "ios", "quantity": 3}, format="multipart")
    assert api.get(f"{BASE}/vouchers/?free=true").json()["count"] == 2
    assert api.get(f"{BASE}/vouchers/?free=false&kind=ios&status=issued").json()["count"] == 3
    assert api.get(f"{BASE}/vouchers/?assigned_to={technician.email}").json()["results"][0]["code"] == code
    assert api.get(f"{BASE}/vouchers/?status=lost").status_code == 400


def test_unknown_vouchers_and_certifications_are_404(approved, admin, technician):
    api = client_for(admin)
    assert api.post(f"{BASE}/vouchers/SSA-NOPE-NOPE/assign/", {"technician": technician.email}).status_code == 404
    assert api.delete(f"{BASE}/certifications/999999/").status_code == 404
