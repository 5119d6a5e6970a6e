"""The API boundary of ``/api/v1/orgs/{org}/``: every write takes a JSON and a multipart body through the same input
serializer, and bad input (a NUL byte, control characters, broken JSON) is a 400 in the contract's shape with
nothing saved."""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern
from django_scopes import scope, scopes_disabled
from rest_framework.test import APIClient

from accounts.api import urls as accounts_urls
from accounts.models import Account, Invitation, Membership, Organisation
from accounts.services import api_token_create
from certification.api import urls as certification_urls
from certification.models import Certification, ExamVoucher
from certification.services import vouchers_issue_free
from core.models import AuditEntry
from eligibility.api import urls as eligibility_urls
from eligibility.models import Device, DeviceImport, EquipmentAttestation, ProofOfPurchase
from eligibility.services import proof_upload
from parts.api import urls as parts_urls
from parts.models import CoreReturn, OrderLine, PartsOrder
from tests.accounts.factories import give_totp
from tests.eligibility import files as f
from tests.parts.factories import PartFactory, approve, cart_of

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/schulamt-nord"
SERIAL = "C02XL0GHJGH5"
PART = "661-30001"
TECHNICIAN = "tech@schulamt.example"
FORMATS = ["json", "multipart"]


@pytest.fixture
def as_admin(admin):
    client = APIClient()
    _token, raw = api_token_create(user=admin, name="t")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def world(organisation, admin, technician):
    """A device, a proof, a certification, a free voucher, a parts cart and a core return due to change, delete,
    assign, submit or mark."""
    with scope(organisation=organisation):
        proof = proof_upload(
            organisation=organisation, actor=admin, upload=SimpleUploadedFile("r.pdf", f.PDF), invoice_number="RE-0"
        )
        Device.objects.create(
            organisation=organisation,
            serial_number=SERIAL,
            product_line="mac",
            purchase_source="apple",
            ownership="owned",
        )
        certification = Certification.objects.create(
            organisation=organisation,
            technician=technician,
            kind="ios",
            credential_id="IOS-0",
            passed_on=datetime.date(2026, 1, 10),
        )
        vouchers_issue_free(organisation=organisation, count=1)
        voucher = ExamVoucher.objects.get()
        display = PartFactory(part_number=PART, description="Display")
        cart = cart_of(organisation, admin, (display, 1, "exchange"), reference="Ticket 1")
        core = _core_return_due(organisation, admin, display)
    return {
        "serial": SERIAL,
        "proof_id": proof.pk,
        "certification_id": certification.pk,
        "code": voucher.code,
        "order_id": cart.pk,
        "core_id": core.pk,
    }


def _core_return_due(organisation, admin, part) -> CoreReturn:
    # The rows a delivery leaves, written directly: the account stays a draft for the application's writes.
    order = PartsOrder.objects.create(
        organisation=organisation, created_by=admin, status=PartsOrder.Status.DELIVERED, number="PO-2026-000001"
    )
    line = OrderLine.objects.create(
        organisation=organisation, order=order, part=part, quantity=1, pricing="exchange", unit_price="200.00"
    )
    return CoreReturn.objects.create(
        organisation=organisation, order_line=line, part=part, due_date=datetime.date.today()
    )


@dataclass(frozen=True)
class Write:
    """One write endpoint: the body per format, the answer, and how to see that the write took effect."""

    method: str
    route: str  # the URL name, to check that the table covers every route
    path: str
    body: Callable[[str], dict]
    status: int
    took_effect: Callable[[], bool]
    json_status: int | None = None  # uploads: a JSON body cannot carry the file
    code: str = "not_eligible"  # the error code of an expected 409
    prepare: Callable[[Organisation], object] | None = None  # what the write needs beyond the world

    def __str__(self):
        return f"{self.method} {self.path}"


def _device(fmt: str) -> dict:
    return {
        "serial_number": f.serial(1).lower(),
        "product_line": "mac",
        "model": "MacBook Air",
        "purchase_date": "2024-03-01",
        "purchase_source": "apple",
        "ownership": "owned",
        "third_party_warranty": False,
        "invoice_number": "RE-1",
    }


def _equipment(fmt: str) -> dict:
    if fmt == "multipart":
        return {"workbench.present": "true", "workbench.detail": "Werkbank 1"}
    return {"workbench": {"present": True, "detail": "Werkbank 1"}}


def _certification(fmt: str) -> dict:
    body = {"technician": TECHNICIAN, "kind": "acmt", "credential_id": "ACMT-1", "passed_on": "2026-01-10"}
    if fmt == "multipart":
        body["evidence"] = SimpleUploadedFile("zertifikat.pdf", f.PDF)
    return body


def _import(fmt: str) -> dict:
    if fmt == "json":
        return {"file": "inventar.csv"}
    return {"file": SimpleUploadedFile("inventar.csv", f.german_excel_csv([f.german_row(i) for i in range(3)]))}


def _proof(fmt: str) -> dict:
    if fmt == "json":
        return {"invoice_number": "RE-1", "supplier": "Apple"}
    return {"file": SimpleUploadedFile("rechnung.pdf", f.PDF), "invoice_number": "RE-1", "supplier": "Apple"}


def _order_lines(fmt: str):
    lines = [{"part_number": PART, "quantity": 2, "pricing": "stock"}]
    return json.dumps(lines) if fmt == "multipart" else lines  # a form carries the list JSON-encoded


def _equipment_attested() -> bool:
    found = EquipmentAttestation.objects.filter(item="workbench").first()
    return bool(found and found.present and found.detail == "Werkbank 1")


WRITES = [
    Write(
        "POST",
        "api_members",
        "members/",
        lambda fmt: {"email": "neu@schulamt.example", "role": "technician"},
        201,
        lambda: Invitation.objects.filter(email="neu@schulamt.example", role="technician").exists(),
    ),
    Write(
        "PATCH",
        "api_account",
        "account/",
        lambda fmt: {"terms_accepted": True, "contact_name": "Jana Krüger", "contact_phone": "+49 40 123"},
        200,
        lambda: Account.objects.filter(terms_accepted=True, contact_name="Jana Krüger").exists(),
    ),
    Write(
        "POST",
        "api_account_submit",
        "account/submit/",
        lambda fmt: {},
        409,  # not eligible yet: refused the same way whatever the body's format
        lambda: Account.objects.filter(status="submitted").exists(),
    ),
    Write(
        "POST",
        "api_devices",
        "devices/",
        _device,
        201,
        lambda: Device.objects.filter(serial_number=f.serial(1), model="MacBook Air", invoice_number="RE-1").exists(),
    ),
    Write(
        "PATCH",
        "api_device",
        "devices/{serial}/",
        lambda fmt: {"model": "Mac mini", "third_party_warranty": "ja", "ownership": "Leasing"},
        200,
        lambda: Device.objects.filter(model="Mac mini", third_party_warranty=True, ownership="leased").exists(),
    ),
    Write("DELETE", "api_device", "devices/{serial}/", lambda fmt: {}, 204, lambda: not Device.objects.exists()),
    Write(
        "POST",
        "api_device_imports",
        "device-imports/",
        _import,
        202,
        lambda: DeviceImport.objects.exists(),
        json_status=400,
    ),
    Write(
        "POST",
        "api_proofs",
        "proofs/",
        _proof,
        201,
        lambda: ProofOfPurchase.objects.filter(invoice_number="RE-1").exists(),
        json_status=400,
    ),
    Write(
        "DELETE",
        "api_proof",
        "proofs/{proof_id}/",
        lambda fmt: {},
        204,
        lambda: not ProofOfPurchase.objects.filter(invoice_number="RE-0").exists(),
    ),
    Write("PUT", "api_equipment", "equipment/", _equipment, 200, _equipment_attested),
    Write(
        "POST",
        "api_certifications",
        "certifications/",
        _certification,
        201,
        lambda: Certification.objects.filter(credential_id="ACMT-1", technician__email=TECHNICIAN).exists(),
    ),
    Write(
        "DELETE",
        "api_certification",
        "certifications/{certification_id}/",
        lambda fmt: {},
        204,
        lambda: not Certification.objects.exists(),
    ),
    Write(
        "POST",
        "api_vouchers_request",
        "vouchers/request/",
        lambda fmt: {"kind": "ios", "quantity": 2},
        201,
        lambda: ExamVoucher.objects.filter(free=False, kind="ios").count() == 2,
    ),
    Write(
        "POST",
        "api_voucher_assign",
        "vouchers/{code}/assign/",
        lambda fmt: {"technician": TECHNICIAN},
        200,
        lambda: ExamVoucher.objects.filter(assigned_to__email=TECHNICIAN).exists(),
    ),
    Write(
        "POST",
        "api_orders",
        "orders/",
        lambda fmt: {"lines": _order_lines(fmt), "reference": "Raum 12"},
        201,
        lambda: OrderLine.objects.filter(order__reference="Raum 12", part__part_number=PART, quantity=2).exists(),
    ),
    Write(
        "PATCH",
        "api_order",
        "orders/{order_id}/",
        lambda fmt: {"lines": _order_lines(fmt), "reference": "Raum 12"},
        200,
        lambda: OrderLine.objects.filter(order__reference="Raum 12", pricing="stock", quantity=2).exists(),
    ),
    Write(
        "POST",
        "api_order_submit",
        "orders/{order_id}/submit/",
        lambda fmt: {},
        200,
        lambda: PartsOrder.objects.filter(reference="Ticket 1", status="submitted").exists(),
        prepare=approve,
    ),
    Write(
        "POST",
        "api_order_cancel",
        "orders/{order_id}/cancel/",
        lambda fmt: {},
        200,
        lambda: PartsOrder.objects.filter(reference="Ticket 1", status="cancelled").exists(),
    ),
    Write(
        "POST",
        "api_core_return_returned",
        "core-returns/{core_id}/returned/",
        lambda fmt: {"tracking_number": "1Z-RETOURE"},
        200,
        lambda: CoreReturn.objects.filter(status="returned", tracking_number="1Z-RETOURE").exists(),
    ),
]


def _org_write_routes() -> set[tuple[str, str]]:
    routes = set()
    for module in (accounts_urls, eligibility_urls, certification_urls, parts_urls):
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern)
            if not str(pattern.pattern).startswith("orgs/<slug:org>/"):
                continue
            view = pattern.callback.view_class
            for method in ("post", "put", "patch", "delete"):
                if hasattr(view, method):
                    routes.add((method.upper(), pattern.name))
    return routes


def test_the_table_covers_every_write_endpoint_of_the_organisation_api():
    assert {(w.method, w.route) for w in WRITES} == _org_write_routes()


def _send(client, method: str, path: str, body: dict, fmt: str):
    return getattr(client, method.lower())(path, body, format=fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("write", WRITES, ids=str)
def test_every_write_takes_json_and_multipart_bodies(write, fmt, world, as_admin, organisation):
    if write.prepare:
        with scope(organisation=organisation):
            write.prepare(organisation)
    response = _send(as_admin, write.method, BASE + "/" + write.path.format(**world), write.body(fmt), fmt)
    expected = write.json_status if fmt == "json" and write.json_status else write.status
    assert response.status_code == expected, response.content
    if expected == 400:
        assert set(response.json()) == {"file"}, response.json()  # the contract's field error, not a 415
    if expected == 409:
        assert response.json()["code"] == write.code
    with scope(organisation=organisation):
        assert write.took_effect() is (expected < 400)


def test_a_device_posted_as_a_form_is_stored_with_its_serial_not_a_list_of_it(as_admin, organisation):
    """The bug: ``dict(request.data)`` of a form gave ``['C02XL0GHJGH5']``, which no serial parser accepts."""
    form = {
        "serial_number": "c02xl0ghjgh5",
        "product_line": "Mac",
        "purchase_date": "31.03.2024",
        "purchase_source": "Apple",
        "ownership": "Eigentum",
        "third_party_warranty": "nein",
    }
    response = as_admin.post(f"{BASE}/devices/", form, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["serial_number"] == "C02XL0GHJGH5" and response.json()["purchase_date"] == "2024-03-31"
    with scope(organisation=organisation):
        device = Device.objects.get()
    assert (device.serial_number, device.ownership, device.third_party_warranty) == ("C02XL0GHJGH5", "owned", False)


def test_organisation_create_takes_json_and_multipart_bodies(api_client, technician):
    give_totp(technician)  # after the first, the caller is an admin: their token needs two-factor (issue #9)
    _token, raw = api_token_create(user=technician, name="t")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for fmt, name in (("json", "Stadtbibliothek"), ("multipart", "Volkshochschule")):
        body = {"name": name, "country": "de", "federal_state": "HH", "address": "Musterweg 1\n20095 Hamburg"}
        response = api_client.post("/api/v1/organisations/", body, format=fmt)
        assert response.status_code == 201, response.json()
        assert response.json()["name"] == name and response.json()["country"] == "DE"
    assert Organisation.objects.filter(name__in=["Stadtbibliothek", "Volkshochschule"]).count() == 2


# --- bad input ------------------------------------------------------------------------------------------------


def _everything() -> dict:
    # a snapshot of every table these endpoints write, across organisations: nothing may change
    with scopes_disabled():  # the test compares all tenants' rows
        models = [Organisation, Membership, Invitation, Account, Device, ProofOfPurchase, EquipmentAttestation]
        models += [DeviceImport, Certification, ExamVoucher, AuditEntry, PartsOrder, OrderLine, CoreReturn]
        return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


# (method, path, body with {bad} in one text field, the field named in the error)
TEXT_FIELDS = [
    ("POST", "devices/", lambda bad: {**_device("json"), "model": f"MacBook{bad} Air"}, "model"),
    ("POST", "devices/", lambda bad: {**_device("json"), "serial_number": f"C02XL0{bad}GHJGH5"}, "serial_number"),
    ("PATCH", "devices/{serial}/", lambda bad: {"invoice_number": f"RE{bad}-1"}, "invoice_number"),
    ("PATCH", "account/", lambda bad: {"contact_name": f"Jana{bad} Krüger"}, "contact_name"),
    ("POST", "proofs/", lambda bad: {**_proof("multipart"), "supplier": f"Apple{bad}"}, "supplier"),
    ("PUT", "equipment/", lambda bad: {"workbench": {"present": True, "detail": f"Werk{bad}bank"}}, "workbench"),
    (
        "POST",
        "certifications/",
        lambda bad: {**_certification("json"), "credential_id": f"ACMT{bad}1"},
        "credential_id",
    ),
    ("POST", "/api/v1/organisations/", lambda bad: {"name": f"Stadt{bad}bibliothek", "country": "DE"}, "name"),
    ("POST", "orders/", lambda bad: {"lines": "[]", "reference": f"Raum{bad}12"}, "reference"),
    ("POST", "orders/", lambda bad: {"lines": json.dumps([{"part_number": f"661{bad}", "quantity": 1}])}, "lines"),
    ("PATCH", "orders/{order_id}/", lambda bad: {"reference": f"Raum{bad}12"}, "reference"),
    ("POST", "core-returns/{core_id}/returned/", lambda bad: {"tracking_number": f"1Z{bad}9"}, "tracking_number"),
]


@pytest.mark.parametrize("bad", ["\x00", "\x1b[2J", "\x07"], ids=["nul", "escape", "bell"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", TEXT_FIELDS, ids=lambda case: f"{case[0]} {case[1]} {case[3]}")
def test_control_characters_in_a_text_field_are_a_field_error_and_nothing_is_saved(case, fmt, bad, world, as_admin):
    method, path, body, name = case
    payload = body(bad)
    if fmt == "multipart" and path == "equipment/":
        payload = {"workbench.present": "true", "workbench.detail": payload["workbench"]["detail"]}
    if fmt == "json":
        payload = {key: value for key, value in payload.items() if not isinstance(value, SimpleUploadedFile)}
    url = path if path.startswith("/") else BASE + "/" + path.format(**world)
    before = _everything()
    response = _send(as_admin, method, url, payload, fmt)
    assert response.status_code == 400, response.content
    errors = response.json()
    assert name in errors, errors
    assert "\\u0000" not in response.content.decode() and bad not in response.content.decode()  # not echoed back
    assert _everything() == before


BODY_WRITES = [w for w in WRITES if w.method != "DELETE" and w.route != "api_account_submit"]


@pytest.mark.parametrize("write", BODY_WRITES, ids=str)
def test_broken_json_is_a_400_in_the_contracts_shape(write, world, as_admin):
    url = BASE + "/" + write.path.format(**world)
    before = _everything()
    response = as_admin.generic(write.method, url, '{"serial_number": "C02', content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code"} and body["code"] == "parse_error"
    not_an_object = as_admin.generic(write.method, url, "[1, 2]", content_type="application/json")
    assert not_an_object.status_code == 400 and "non_field_errors" in not_an_object.json()
    assert _everything() == before


def test_a_list_where_one_value_belongs_is_a_field_error(as_admin):
    response = as_admin.post(f"{BASE}/devices/", {**_device("json"), "serial_number": [SERIAL]}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"serial_number"}
    assert SERIAL not in response.json()["serial_number"][0]
