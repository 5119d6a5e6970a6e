"""Bad input is never a 500 (issue #9, finding 8): a NUL byte in a path, a query string or a body, a JSON body that is
not an object, a number JSON cannot carry back, nesting deeper than the parser recurses, and two uploads of the same
invoice (or credential) at the same moment all answer 400, 404 or 409 in the contract's shape; the API never answers
HTML, and a refused upload leaves no file behind."""

import datetime
import json
import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import scope, scopes_disabled
from rest_framework.test import APIClient

from accounts.models import Account
from accounts.services import api_token_create
from certification.models import Certification
from certification.services import certification_record
from eligibility.models import Device, ProofOfPurchase
from eligibility.services import proof_upload
from tests.eligibility import files as f

pytestmark = pytest.mark.django_db
ORG = "schulamt-nord"
API = f"/api/v1/orgs/{ORG}"
REVIEW_API = f"/api/v1/review/accounts/{ORG}"
SERIAL = "C02XL0GHJGH5"
OK = (400, 404, 409)


def _bearer(user) -> APIClient:
    client = APIClient()
    _token, raw = api_token_create(user=user, name="t")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def world(organisation, admin, technician, reviewer):
    """A device, a proof and an account in review, and a client per door: the organisation's API and pages, the
    reviewer's API and console."""
    with scope(organisation=organisation):
        proof = proof_upload(
            organisation=organisation, actor=admin, upload=SimpleUploadedFile("r.pdf", f.PDF), invoice_number="RE-0"
        )
        Device.objects.create(
            organisation=organisation, serial_number=SERIAL, product_line="mac", purchase_source="apple"
        )
        Account.objects.update_or_create(organisation=organisation, defaults={"status": "in_review"})
    html, review_html = APIClient(), APIClient()  # APIClient is a Django test client with format= for bodies
    html.force_login(admin)
    review_html.force_login(reviewer)
    return {
        "api": _bearer(admin),
        "html": html,
        "review_api": _bearer(reviewer),
        "review_html": review_html,
        "proof_id": proof.pk,
    }


def _assert_refused(response, path: str):
    assert response.status_code in OK, (response.status_code, response.content[:300])
    if path.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
        body = response.json()
        assert isinstance(body, dict) and body, body
        assert {"detail", "code"} <= set(body) or all(isinstance(v, list | dict) for v in body.values()), body
    else:
        assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    assert b"\x00" not in response.content  # a raw NUL byte never goes back out


# --- the finding's cases, one row each --------------------------------------------------------------------------

# (client, method, path, body or None, format)
CASES = [
    ("api", "GET", f"{API}/devices/?q=%00", None, None),
    ("api", "GET", f"{API}/devices/?product_line=%00", None, None),
    ("api", "GET", f"{API}/devices/ABC%00DEF/", None, None),
    ("api", "PATCH", f"{API}/devices/ABC%00DEF/", {"model": "Mac mini"}, "json"),
    ("api", "DELETE", f"{API}/devices/ABC%00DEF/", None, None),
    ("api", "POST", f"{API}/vouchers/AB%00CD/assign/", {"technician": "tech@schulamt.example"}, "json"),
    ("api", "GET", f"{API}/proofs/?q=%00", None, None),
    ("api", "GET", f"{API}/certifications/?kind=%00", None, None),
    ("api", "GET", f"{API}/vouchers/?status=%00", None, None),
    ("api", "GET", f"{API}/members/?page=%00", None, None),
    ("api", "GET", f"{API}/devices/?page_size=%00", None, None),
    ("api", "GET", f"{API}/devices/?%00=1", None, None),
    ("api", "POST", f"{API}/devices/", {"serial_number": SERIAL[:-1] + "X", "model": "\x00"}, "json"),
    ("api", "POST", f"{API}/devices/", {"serial_number": "C02XL0GHJGH6", "product_line": "\x00"}, "json"),
    ("api", "POST", f"{API}/devices/", {"serial_number": "\x00", "product_line": "mac"}, "json"),
    ("api", "POST", f"{API}/devices/", {"serial_number": "C02XL0GHJGH6", "purchase_date": "\x00"}, "json"),
    ("api", "POST", f"{API}/devices/", {"serial_number": "C02XL0GHJGH6", "ownership": "\x00"}, "json"),
    ("api", "POST", f"{API}/devices/", {"serial_number": "C02XL0GHJGH6", "third_party_warranty": "\x00"}, "json"),
    ("api", "POST", f"{API}/members/", {"email": "a\x00@schulamt.example", "role": "technician"}, "json"),
    ("api", "POST", f"{API}/members/", {"email": "neu@schulamt.example", "role": "\x00"}, "json"),
    ("api", "POST", f"{API}/certifications/", {"technician": "tech\x00@schulamt.example", "kind": "ios"}, "json"),
    ("api", "POST", f"{API}/vouchers/request/", {"kind": "\x00", "quantity": 1}, "json"),
    ("api", "POST", f"{API}/vouchers/AB12/assign/", {"technician": "\x00"}, "json"),
    ("api", "PUT", f"{API}/equipment/", {"\x00": {"present": True, "detail": ""}}, "json"),
    ("api", "POST", "/api/v1/organisations/", {"name": "Stadt", "country": "D\x00", "federal_state": "HH"}, "json"),
    ("review_api", "GET", "/api/v1/review/accounts/?q=%00", None, None),
    ("review_api", "GET", "/api/v1/review/accounts/?status=%00", None, None),
    ("review_api", "GET", "/api/v1/review/accounts/AB%00C/", None, None),
    ("review_api", "POST", f"{REVIEW_API}/reject/", {"reason": "\x00"}, "json"),
    ("review_api", "POST", f"{REVIEW_API}/holds/", {"reason": "\x00", "note": "x"}, "json"),
    ("review_api", "POST", f"{REVIEW_API}/approve/", {"credit_limit": "\x00"}, "json"),
    ("review_api", "POST", f"{REVIEW_API}/proofs/{{proof_id}}/verdict/", {"verdict": "\x00"}, "json"),
    ("html", "GET", f"/o/{ORG}/inventory/?q=%00", None, None),
    ("html", "GET", f"/o/{ORG}/inventory/?product_line=%00", None, None),
    ("html", "GET", f"/o/{ORG}/audit/?q=%00", None, None),
    ("html", "POST", f"/o/{ORG}/inventory/%00/delete/", {}, "multipart"),
    ("html", "GET", f"/o/{ORG}/equipment/%00/photo/", None, None),
    ("html", "POST", f"/o/{ORG}/certification/vouchers/AB%00CD/assign/", {}, "multipart"),
    ("html", "GET", "/invitations/AB%00CD/", None, None),
    ("html", "GET", "/notifications/?page=%00", None, None),
    ("review_html", "GET", "/review/?q=%00", None, None),
    ("review_html", "GET", "/review/?status=%00", None, None),
    ("review_html", "GET", "/review/audit/?q=%00", None, None),
    ("review_html", "GET", f"/review/accounts/{ORG}/equipment/%00/photo/", None, None),
    ("review_html", "GET", "/review/accounts/AB%00C/", None, None),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[1]} {c[2]} {sorted(c[3] or {})}")
def test_a_nul_byte_anywhere_is_refused_never_a_500(case, world):
    who, method, path, body, fmt = case
    path = path.format(**world)
    client = world[who]
    client.raise_request_exception = False
    if body is None:
        response = getattr(client, method.lower())(path)
    else:
        response = getattr(client, method.lower())(path, body, format=fmt)
    _assert_refused(response, path)


def _routes():
    """Every route of the portal under an organisation or the reviewer's console, with its arguments filled in."""

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    for route in walk(get_resolver()):
        if route.startswith(("o/", "review/", "api/v1/orgs/", "api/v1/review/")):
            path = route.replace("<slug:org>", ORG).replace("<int:", "1<").replace("<str:", "x<")
            while "<" in path:
                start = path.index("<")
                path = path[:start] + path[path.index(">", start) + 1 :]
            yield "/" + path


@pytest.mark.parametrize("path", sorted(set(_routes())))
def test_every_route_refuses_a_nul_byte_in_its_query_string(path, world):
    client = world["review_html" if "review" in path else "html"]
    if path.startswith("/api/"):
        client = world["review_api" if "review" in path else "api"]
    client.raise_request_exception = False
    response = client.get(path + "?q=%00&page=%00&status=%00")
    assert response.status_code == 400, (response.status_code, response.content[:300])
    _assert_refused(response, path)


def test_the_html_400_page_speaks_german_and_english(world):
    response = world["html"].get(f"/o/{ORG}/inventory/?q=%00")
    assert response.status_code == 400 and b"<html" in response.content.lower()
    assert "text/html" in response["Content-Type"]


# --- JSON bodies the parser must refuse -------------------------------------------------------------------------

JSON_WRITES = [
    ("api", "POST", f"{API}/devices/"),
    ("api", "PATCH", f"{API}/devices/{SERIAL}/"),
    ("api", "DELETE", f"{API}/devices/{SERIAL}/"),
    ("api", "PATCH", f"{API}/account/"),
    ("api", "POST", f"{API}/account/submit/"),
    ("api", "POST", f"{API}/members/"),
    ("api", "POST", f"{API}/proofs/"),
    ("api", "DELETE", f"{API}/proofs/{{proof_id}}/"),
    ("api", "PUT", f"{API}/equipment/"),
    ("api", "POST", f"{API}/certifications/"),
    ("api", "POST", f"{API}/vouchers/request/"),
    ("api", "POST", f"{API}/vouchers/AB12/assign/"),
    ("api", "POST", "/api/v1/organisations/"),
    ("review_api", "POST", f"{REVIEW_API}/start/"),
    ("review_api", "POST", f"{REVIEW_API}/request-info/"),
    ("review_api", "POST", f"{REVIEW_API}/approve/"),
    ("review_api", "POST", f"{REVIEW_API}/reject/"),
    ("review_api", "POST", f"{REVIEW_API}/suspend/"),
    ("review_api", "POST", f"{REVIEW_API}/reinstate/"),
    ("review_api", "POST", f"{REVIEW_API}/holds/"),
    ("review_api", "POST", f"{REVIEW_API}/holds/1/release/"),
    ("review_api", "POST", f"{REVIEW_API}/proofs/{{proof_id}}/verdict/"),
]

BAD_BODIES = {
    "list": "[1, 2]",
    "string": '"a string"',
    "number": "42",
    "null": "null",
    "huge number": '{"third_party_warranty": 1e400, "quantity": 1e400, "credit_limit": 1e400}',
    "huge number alone": "1e400",
    "negative huge number": '{"quantity": -1e400}',
    "too many digits": '{"quantity": ' + "9" * 5000 + "}",
    "deep nesting": "[" * 5000 + "]" * 5000,
    "deep nesting in an object": '{"model": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}",
    "nul in a key": '{"mod\\u0000el": "x"}',
    "lone surrogate": '{"model": "\\ud800"}',
    "broken": '{"model": "Mac',
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
@pytest.mark.parametrize("write", JSON_WRITES, ids=lambda w: f"{w[1]} {w[2]}")
def test_a_json_body_that_is_not_a_plain_object_is_refused(write, body, world):
    who, method, path = write
    path = path.format(**world)
    client = world[who]
    client.raise_request_exception = False
    response = client.generic(method, path, body, content_type="application/json")
    _assert_refused(response, path)


def test_a_non_finite_number_is_a_parse_error(world):
    response = world["api"].patch(
        f"{API}/devices/{SERIAL}/", '{"third_party_warranty": 1e400}', content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


def test_deep_nesting_is_a_parse_error(world):
    response = world["api"].post(f"{API}/devices/", "[" * 5000 + "]" * 5000, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


# --- the API never answers HTML ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/nope/", "/api/v1/orgs/", "/api/nope", f"{API}/nope/", "/api/v1/review/nope/"]
)
def test_an_unrouted_api_path_answers_json_404(path, world):
    for who in ("api", "review_api"):
        response = world[who].get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["code"] == "not_found"


def test_an_unrouted_page_answers_the_portals_404_page(world):
    response = world["html"].get("/nope/")
    assert response.status_code == 404 and "text/html" in response["Content-Type"]


def test_a_server_error_under_the_api_answers_json(rf):
    from core.views import server_error

    response = server_error(rf.get("/api/v1/orgs/x/devices/"))
    assert response.status_code == 500 and response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["code"] == "server_error"
    page = server_error(rf.get("/o/x/"))
    assert page.status_code == 500 and "text/html" in page["Content-Type"]


# --- the same invoice or credential at the same moment ----------------------------------------------------------


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _at_once(n: int, work) -> list:
    barrier = threading.Barrier(n)
    outcomes = []

    def run(i):
        try:
            barrier.wait()
            outcomes.append(work(i))
        except Exception as exc:  # any failure is a finding: the test reports it
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }
    return tmp_path


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_invoice_uploaded_twice_at_once_is_stored_once(organisation, admin, private_media):
    _token, raw = api_token_create(user=admin, name="t")

    def upload(i):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.raise_request_exception = False
        body = {"file": SimpleUploadedFile(f"rechnung-{i}.pdf", f.PDF), "invoice_number": "RE-7"}
        response = client.post(f"{API}/proofs/", body, format="multipart")
        return response.status_code, response.json()

    outcomes = _at_once(4, upload)
    statuses = sorted(status for status, _body in outcomes)
    assert statuses == [201, 409, 409, 409] or statuses == [201, 400, 400, 400], outcomes
    for status, body in outcomes:
        if status != 201:
            assert "invoice_number" in body or body.get("code") == "duplicate", body
    with scopes_disabled():  # the test counts rows
        assert ProofOfPurchase.objects.filter(invoice_number="RE-7").count() == 1
    assert len(_files(private_media)) == 1, _files(private_media)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_credential_recorded_twice_at_once_is_stored_once(organisation, admin, technician, private_media):
    def record(i):
        with scope(organisation=organisation):
            certification_record(
                organisation=organisation,
                actor=admin,
                technician_email=technician.email,
                kind="ios",
                credential_id="IOS-7",
                passed_on=datetime.date(2026, 1, 10),
                evidence=SimpleUploadedFile(f"zertifikat-{i}.pdf", f.PDF),
            )
        return "recorded"

    outcomes = _at_once(4, record)
    assert outcomes.count("recorded") == 1, outcomes
    assert all("ValidationError" in o and "credential_id" in o for o in outcomes if o != "recorded"), outcomes
    with scopes_disabled():  # the test counts rows
        assert Certification.objects.filter(credential_id="IOS-7").count() == 1
    assert len(_files(private_media)) == 1, _files(private_media)


def test_a_proof_refused_after_its_file_was_stored_leaves_no_file(organisation, admin, private_media, monkeypatch):
    """Any failure after the file is written (here the audit entry) removes the file with the row."""
    from eligibility import services

    def boom(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "audit_record", boom)
    with scope(organisation=organisation), pytest.raises(RuntimeError):
        proof_upload(
            organisation=organisation, actor=admin, upload=SimpleUploadedFile("r.pdf", f.PDF), invoice_number="RE-8"
        )
    assert _files(private_media) == []
