import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from accounts.models import Account, ProgrammeRules
from accounts.services import api_token_create
from core.models import AuditEntry, Notification
from eligibility.models import Device, EquipmentAttestation
from tests.eligibility import files as f

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/schulamt-nord"


@pytest.fixture
def as_admin(api_client, admin):
    _t, raw = api_token_create(user=admin, name="t")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client


@pytest.fixture
def as_technician(technician):
    from rest_framework.test import APIClient

    client = APIClient()
    _t, raw = api_token_create(user=technician, name="t")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


DEVICE = {
    "serial_number": "c02xl0ghjgh5",
    "product_line": "mac",
    "model": "MacBook Air",
    "purchase_date": "2024-03-01",
    "purchase_source": "apple",
    "ownership": "owned",
    "third_party_warranty": False,
    "invoice_number": "RE-1",
}


def test_device_crud_with_the_contracts_fields(as_admin):
    response = as_admin.post(f"{BASE}/devices/", DEVICE, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["serial_number"] == "C02XL0GHJGH5"
    assert {
        "serial_number",
        "product_line",
        "model",
        "purchase_date",
        "purchase_source",
        "ownership",
        "third_party_warranty",
        "invoice_number",
        "proof",
        "counted",
        "not_counted_reasons",
    } <= set(body)
    assert body["counted"] is False and body["not_counted_reasons"] == ["without_proof"] and body["proof"] is None
    # lookups accept the barcode's leading S
    assert as_admin.get(f"{BASE}/devices/SC02XL0GHJGH5/").json()["serial_number"] == "C02XL0GHJGH5"
    response = as_admin.patch(f"{BASE}/devices/C02XL0GHJGH5/", {"third_party_warranty": "ja"}, format="json")
    assert response.status_code == 200 and "third_party_warranty" in response.json()["not_counted_reasons"]
    assert as_admin.delete(f"{BASE}/devices/C02XL0GHJGH5/").status_code == 204
    assert as_admin.get(f"{BASE}/devices/C02XL0GHJGH5/").status_code == 404


def test_device_validation_errors_are_field_errors(as_admin):
    response = as_admin.post(
        f"{BASE}/devices/", {**DEVICE, "serial_number": "356789012345678", "ownership": "Miete"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"serial_number", "ownership"}
    as_admin.post(f"{BASE}/devices/", DEVICE, format="json")
    response = as_admin.post(f"{BASE}/devices/", DEVICE, format="json")
    assert response.status_code == 400 and "serial_number" in response.json()


def test_device_filters(as_admin, organisation, admin):
    with scope(organisation=organisation):
        from eligibility import services

        services.proof_upload(
            organisation=organisation, actor=admin, upload=SimpleUploadedFile("a.pdf", f.PDF), invoice_number="RE-1"
        )
    for i, line in enumerate(["mac", "mac", "iphone"]):
        as_admin.post(f"{BASE}/devices/", {**DEVICE, "serial_number": f.serial(i), "product_line": line}, format="json")
    as_admin.post(f"{BASE}/devices/", {**DEVICE, "serial_number": f.serial(9), "invoice_number": ""}, format="json")
    assert as_admin.get(f"{BASE}/devices/?product_line=mac").json()["count"] == 3
    assert as_admin.get(f"{BASE}/devices/?counted=true").json()["count"] == 3
    assert as_admin.get(f"{BASE}/devices/?counted=false").json()["count"] == 1
    assert as_admin.get(f"{BASE}/devices/?q={f.serial(1)}").json()["count"] == 1


def test_technicians_read_but_do_not_change_the_installed_base(as_technician):
    assert as_technician.get(f"{BASE}/devices/").status_code == 200
    assert as_technician.post(f"{BASE}/devices/", DEVICE, format="json").status_code == 403
    assert as_technician.get(f"{BASE}/eligibility/").status_code == 200
    assert as_technician.put(f"{BASE}/equipment/", {}, format="json").status_code == 403


def test_import_answers_202_and_is_polled(as_admin, committed):
    data = f.german_excel_csv(
        [f.german_row(i) for i in range(12)] + [["x", "Mac", "", "", "Apple", "Eigentum", "nein", ""]]
    )
    with committed():
        response = as_admin.post(
            f"{BASE}/device-imports/", {"file": SimpleUploadedFile("inv.csv", data)}, format="multipart"
        )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] in {"queued", "running", "succeeded"}
    polled = as_admin.get(f"{BASE}/device-imports/{body['id']}/").json()
    assert {"id", "status", "total_rows", "processed_rows", "created", "updated", "error_count", "errors"} <= set(
        polled
    )
    assert polled["status"] == "succeeded" and polled["created"] == 12 and polled["error_count"] == 1
    assert polled["errors"][0] == {"row": 14, "column": "Seriennummer", "message": polled["errors"][0]["message"]}
    report = as_admin.get(polled["error_report"])
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")


def test_a_200_mb_upload_is_refused_with_413_before_it_is_read(as_admin):
    response = as_admin.generic(
        "POST",
        f"{BASE}/device-imports/",
        b"tiny",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 413 and response.json()["code"] == "file_too_large"


def test_import_without_a_file_is_a_field_error(as_admin):
    response = as_admin.post(f"{BASE}/device-imports/", {}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


def test_proof_upload_by_content_not_name(as_admin, organisation):
    response = as_admin.post(
        f"{BASE}/proofs/",
        {"file": SimpleUploadedFile("rechnung.pdf", f.PNG), "invoice_number": "RE-1", "supplier": "Apple"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == "image/png"
    fake = SimpleUploadedFile("rechnung.pdf", b"MZ\x90\x00 this is an executable")
    response = as_admin.post(f"{BASE}/proofs/", {"file": fake, "invoice_number": "RE-2"}, format="multipart")
    assert response.status_code == 415 and response.json()["code"] == "unsupported_file_type"
    big = SimpleUploadedFile("gross.pdf", f.PDF + b"0" * (20 * 1024 * 1024))
    response = as_admin.post(f"{BASE}/proofs/", {"file": big, "invoice_number": "RE-3"}, format="multipart")
    assert response.status_code == 413 and response.json()["code"] == "file_too_large"
    with scope(organisation=organisation):
        from eligibility.models import ProofOfPurchase

        assert ProofOfPurchase.objects.count() == 1


def test_proof_links_devices_and_is_downloadable_by_members_only(as_admin, as_technician, outsider, client, reviewer):
    from rest_framework.test import APIClient

    as_admin.post(f"{BASE}/devices/", DEVICE, format="json")
    proof = as_admin.post(
        f"{BASE}/proofs/", {"file": SimpleUploadedFile("r.pdf", f.PDF), "invoice_number": "RE-1"}, format="multipart"
    ).json()
    assert proof["device_count"] == 1
    assert as_admin.get(f"{BASE}/devices/C02XL0GHJGH5/").json()["proof"] == proof["id"]
    download = as_technician.get(proof["file"])
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert download["Content-Type"] == "application/pdf" and download["X-Content-Type-Options"] == "nosniff"
    _t, raw = api_token_create(user=outsider, name="x")
    assert APIClient().get(proof["file"], HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 404
    client.force_login(reviewer)
    reviewer_view = client.get(f"/review/accounts/schulamt-nord/proofs/{proof['id']}/file/")
    assert reviewer_view.status_code == 200
    client.force_login(outsider)
    assert client.get(f"/review/accounts/schulamt-nord/proofs/{proof['id']}/file/").status_code == 404


def test_proofs_are_never_under_a_public_url(as_admin, client, settings):
    proof = as_admin.post(
        f"{BASE}/proofs/", {"file": SimpleUploadedFile("r.pdf", f.PDF), "invoice_number": "RE-1"}, format="multipart"
    ).json()
    assert proof["file"].startswith("/api/v1/orgs/")
    assert client.get(settings.MEDIA_URL + "org/").status_code == 404


def test_equipment_get_and_put(as_admin):
    body = as_admin.get(f"{BASE}/equipment/").json()
    assert set(body) == set(EquipmentAttestation.Item.values)
    assert body["esd_tester"] == {"present": False, "detail": ""}
    payload = {item: {"present": True, "detail": "vorhanden"} for item in EquipmentAttestation.Item.values}
    payload["diagnostic_server"]["detail"] = "diag01.schulamt.local"
    response = as_admin.put(f"{BASE}/equipment/", payload, format="json")
    assert response.status_code == 200 and response.json()["diagnostic_server"]["detail"] == "diag01.schulamt.local"
    assert as_admin.put(f"{BASE}/equipment/", {"coffee_machine": {"present": True}}, format="json").status_code == 400


def test_eligibility_shape(as_admin):
    body = as_admin.get(f"{BASE}/eligibility/").json()
    assert {"eligible", "shortfall", "counts", "rules"} <= set(body)
    assert set(body["counts"]) >= {
        "total",
        "counted",
        "by_product_line",
        "without_proof",
        "not_bought_from_apple",
        "third_party_warranty",
        "not_owned",
    }
    assert set(body["counts"]["by_product_line"]) == {"mac", "iphone", "ipad", "ipod"}
    assert [r["code"] for r in body["rules"]] == [
        "installed_base",
        "proof_of_purchase",
        "equipment",
        "terms",
        "service_history",
        "credit_line",
    ]
    assert all({"code", "passed", "detail"} <= set(r) for r in body["rules"])
    assert body["shortfall"] == 1000 and body["eligible"] is False


def test_account_get_patch_and_submit(as_admin, as_technician, organisation, admin, reviewer):
    body = as_admin.get(f"{BASE}/account/").json()
    assert {
        "status",
        "submitted_at",
        "approved_at",
        "setup_date",
        "certification_deadline",
        "account_number",
        "credit_limit",
        "currency",
        "terms_accepted",
        "holds",
    } <= set(body)
    assert body["status"] == "draft" and body["currency"] == "EUR" and body["holds"] == []
    assert as_technician.patch(f"{BASE}/account/", {"terms_accepted": True}, format="json").status_code == 403
    response = as_admin.patch(
        f"{BASE}/account/",
        {"terms_accepted": True, "contact_name": "Jana Krüger", "apple_customer_number": "1234567"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["terms_accepted"] is True

    refused = as_admin.post(f"{BASE}/account/submit/")
    assert refused.status_code == 409 and refused.json()["code"] == "not_eligible"
    assert refused.json()["eligibility"]["shortfall"] == 1000

    ProgrammeRules.objects.filter(country="DE").update(min_installed_base=2)
    as_admin.post(
        f"{BASE}/proofs/", {"file": SimpleUploadedFile("r.pdf", f.PDF), "invoice_number": "RE-1"}, format="multipart"
    )
    for i in range(2):
        as_admin.post(f"{BASE}/devices/", {**DEVICE, "serial_number": f.serial(i)}, format="json")
    as_admin.put(f"{BASE}/equipment/", {i: {"present": True} for i in EquipmentAttestation.Item.values}, format="json")
    accepted = as_admin.post(f"{BASE}/account/submit/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "submitted"
    assert accepted.json()["submitted_at"]
    again = as_admin.post(f"{BASE}/account/submit/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    locked = as_admin.patch(f"{BASE}/account/", {"terms_accepted": False}, format="json")
    assert locked.status_code == 409
    with scope(organisation=organisation):
        assert AuditEntry.objects.filter(action="account.submitted").count() == 1
        assert Account.objects.get().status == "submitted"
    assert Notification.objects.filter(user=reviewer, template="account_submitted").count() == 1


def test_the_applicant_never_learns_who_else_claims_a_serial(as_admin, other_organisation, outsider):
    with scope(organisation=other_organisation):
        Device.objects.create(
            organisation=other_organisation,
            serial_number="C02XL0GHJGH5",
            product_line="mac",
            purchase_source="apple",
            ownership="owned",
        )
    as_admin.post(f"{BASE}/devices/", DEVICE, format="json")
    response = as_admin.get(f"{BASE}/devices/C02XL0GHJGH5/")
    body = response.content.decode()
    assert response.json()["needs_clarification"] is True
    assert "needs_clarification" in response.json()["not_counted_reasons"]
    assert "Klinikum" not in body and "klinikum" not in body and other_organisation.slug not in body


def test_device_list_takes_a_constant_number_of_queries(as_admin, devices, django_assert_max_num_queries):
    devices(5)
    with django_assert_max_num_queries(7) as few:
        as_admin.get(f"{BASE}/devices/?page_size=500")
    devices(300, start=1000)
    with django_assert_max_num_queries(len(few)):
        assert len(as_admin.get(f"{BASE}/devices/?page_size=500").json()["results"]) == 305


def test_device_filters_by_reason_and_invoice_and_refuse_unknown_choices(as_admin, organisation, devices):
    devices(2, invoice_number="RE-7")
    devices(1, start=10, purchase_source="reseller")
    assert as_admin.get(f"{BASE}/devices/?invoice=RE-7").json()["count"] == 2
    assert as_admin.get(f"{BASE}/devices/?reason=not_bought_from_apple").json()["count"] == 1
    assert as_admin.get(f"{BASE}/devices/?reason=without_proof&counted=false").json()["count"] == 3
    assert as_admin.get(f"{BASE}/devices/?q=%20%20").json()["count"] == 3
    refused = as_admin.get(f"{BASE}/devices/?product_line=toaster&reason=whim")
    assert refused.status_code == 400 and set(refused.json()) == {"product_line", "reason"}


def test_filtered_device_list_takes_a_constant_number_of_queries(as_admin, devices, django_assert_max_num_queries):
    url = f"{BASE}/devices/?product_line=mac&counted=false&q=MacBook&reason=without_proof&page_size=500"
    devices(5, model="MacBook Air")
    with django_assert_max_num_queries(7) as few:
        as_admin.get(url)
    devices(300, start=1000, model="MacBook Pro")
    with django_assert_max_num_queries(len(few)):
        assert as_admin.get(url).json()["count"] == 305


def test_proof_filters(as_admin):
    for number in ("RE-1", "RE-2"):
        upload = {"file": SimpleUploadedFile("r.pdf", f.PDF), "invoice_number": number}
        assert as_admin.post(f"{BASE}/proofs/", upload, format="multipart").status_code == 201
    assert as_admin.get(f"{BASE}/proofs/?invoice_number=re-2").json()["count"] == 1
    assert as_admin.get(f"{BASE}/proofs/?status=pending").json()["count"] == 2
    assert as_admin.get(f"{BASE}/proofs/?status=rejected").json()["count"] == 0
    assert as_admin.get(f"{BASE}/proofs/?status=lost").status_code == 400


def test_equipment_put_from_a_form_and_unknown_items_in_it(as_admin):
    form = {"workbench.present": "true", "workbench.detail": "Werkbank 1", "esd_mats.present": "false"}
    response = as_admin.put(f"{BASE}/equipment/", form, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["workbench"] == {"present": True, "detail": "Werkbank 1"}
    refused = as_admin.put(f"{BASE}/equipment/", {"coffee_machine.present": "true"}, format="multipart")
    assert refused.status_code == 400 and set(refused.json()) == {"coffee_machine"}


@pytest.mark.parametrize("serial", ["ß0123456789", "０１２３４５６７８９ＡＢ", "С02XL0GHJGH5", "c02xl0ghjgh5ı"])
def test_serials_outside_ascii_are_refused(as_admin, organisation, serial):
    response = as_admin.post(f"{BASE}/devices/", {**DEVICE, "serial_number": serial}, format="json")
    assert response.status_code == 400 and "A–Z" in str(response.json()["serial_number"])
    with scope(organisation=organisation):
        assert not Device.objects.exists()
