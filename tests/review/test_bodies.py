"""The reviewer API's writes take JSON and multipart bodies through the same input serializers as the console's
decision table, and the tables of cases below (an account's decisions, fulfilment) cover every write route of
``review.api.urls``."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern
from django_scopes import scope

from accounts.models import Account, Hold
from eligibility.models import ProofOfPurchase
from eligibility.services import proof_upload
from parts.models import Invoice, Part, PartsOrder
from parts.services import order_confirm, order_ship, order_submit
from review.api import urls as review_urls
from tests.eligibility import files as f
from tests.parts.factories import PartFactory, approve, cart_of, charges_invoice
from tests.review.test_review import bearer

pytestmark = pytest.mark.django_db
BASE = "/api/v1/review/accounts/schulamt-nord"
FORMATS = ["json", "multipart"]

# route name, starting status, path under BASE, body, expected status, what the account or hold shows afterwards
CASES = [
    ("api_review_start", "submitted", "start/", {}, 200, ("status", "in_review")),
    (
        "api_review_request_info",
        "in_review",
        "request-info/",
        {"message": "Bitte RE-2 nachreichen."},
        200,
        ("status", "info_requested"),
    ),
    ("api_review_approve", "in_review", "approve/", {"credit_limit": "25000.00"}, 200, ("status", "approved")),
    ("api_review_reject", "in_review", "reject/", {"reason": "Zu wenige Geräte."}, 200, ("status", "rejected")),
    ("api_review_suspend", "approved", "suspend/", {"reason": "Offene Rechnungen."}, 200, ("status", "suspended")),
    ("api_review_reinstate", "suspended", "reinstate/", {}, 200, ("status", "approved")),
    ("api_review_holds", "approved", "holds/", {"reason": "manual", "note": "Rückfrage offen."}, 201, ("holds", 1)),
    ("api_review_hold_release", "approved", "holds/{hold}/release/", {}, 200, ("holds", 0)),
    (
        "api_review_proof_verdict",
        "in_review",
        "proofs/{proof}/verdict/",
        {"status": "rejected", "reason": "Unlesbar"},
        200,
        ("proof", "rejected"),
    ),
]
READ_ONLY = {
    "api_review_queue",
    "api_review_account",
    "api_review_proof_file",
    "api_review_conflicts",
    "api_review_orders",
    "api_review_order",
    "api_review_invoices",
    "api_review_invoice_pdf",
}
# not an account's route: tests/review/test_conflicts.py sends it JSON and multipart bodies the same way
COVERED_IN_TEST_CONFLICTS = {"api_review_conflict_resolve"}


# Fulfilment: route name, the order's status before, path, body, expected status, what shows afterwards
FULFILMENT = [
    ("api_review_order_confirm", "submitted", "orders/{order}/confirm/", {}, 200, ("order", "confirmed")),
    (
        "api_review_order_ship",
        "confirmed",
        "orders/{order}/ship/",
        {"carrier": "DHL", "tracking_number": "JJD0001"},
        200,
        ("order", "shipped"),
    ),
    ("api_review_order_deliver", "shipped", "orders/{order}/deliver/", {}, 200, ("order", "delivered")),
    ("api_review_invoice_paid", "submitted", "invoices/{invoice}/paid/", {}, 200, ("invoice", "paid")),
    (
        "api_review_parts",
        "submitted",
        "parts/",
        {"part_number": "661-40001", "description": "Keyboard", "product_lines": "mac", "stock_price": "189.00"},
        201,
        ("part", "189.00"),
    ),
    ("api_review_part", "submitted", "parts/661-30001/", {"stock_price": "310.00"}, 200, ("part", "310.00")),
]


def test_the_table_covers_every_write_route_of_the_reviewer_api():
    names = {p.name for p in review_urls.urlpatterns if isinstance(p, URLPattern)}
    tables = {case[0] for case in CASES} | {case[0] for case in FULFILMENT}
    assert names - READ_ONLY - COVERED_IN_TEST_CONFLICTS == tables


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case[0])
def test_every_reviewer_write_takes_json_and_multipart_bodies(case, fmt, organisation, admin, reviewer):
    _name, status, path, body, expected, (what, value) = case
    with scope(organisation=organisation):
        Account.objects.create(organisation=organisation, status=status)
        hold = Hold.objects.create(organisation=organisation, reason="manual", note="x") if "{hold}" in path else None
        proof = proof_upload(
            organisation=organisation, actor=admin, upload=SimpleUploadedFile("r.pdf", f.PDF), invoice_number="RE-1"
        )
    url = f"{BASE}/{path}".format(hold=hold.pk if hold else 0, proof=proof.pk)
    response = bearer(reviewer).post(url, body, format=fmt)
    assert response.status_code == expected, response.content
    with scope(organisation=organisation):
        if what == "status":
            assert Account.objects.get().status == value
        elif what == "holds":
            assert Hold.objects.filter(released_at__isnull=True).count() == value
        else:
            assert ProofOfPurchase.objects.get().status == value


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_control_character_in_a_reviewer_text_is_a_field_error_and_nothing_changes(fmt, organisation, reviewer):
    with scope(organisation=organisation):
        Account.objects.create(organisation=organisation, status="in_review")
    response = bearer(reviewer).post(f"{BASE}/reject/", {"reason": "Nein\x00"}, format=fmt)
    assert response.status_code == 400 and "reason" in response.json()
    with scope(organisation=organisation):
        assert Account.objects.get().status == "in_review"


def _order_in(organisation, admin, status: str) -> PartsOrder:
    with scope(organisation=organisation):
        approve(organisation)
        display = PartFactory(part_number="661-30001", description="Display", stock_price="300.00")
        order = order_submit(order=cart_of(organisation, admin, (display, 1, "exchange")), actor=admin)
        if status in {"confirmed", "shipped"}:
            order = order_confirm(order=order, actor=admin)
        if status == "shipped":
            order = order_ship(order=order, actor=admin, carrier="DHL", tracking_number="1")
        return order


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", FULFILMENT, ids=lambda case: case[0])
def test_every_fulfilment_write_takes_json_and_multipart_bodies(case, fmt, organisation, admin, reviewer):
    _name, status, path, body, expected, (what, value) = case
    order = _order_in(organisation, admin, status)
    with scope(organisation=organisation):
        invoice = charges_invoice(organisation, "50.00")
    url = f"/api/v1/review/{path}".format(order=order.pk, invoice=invoice.pk)
    method = "patch" if _name == "api_review_part" else "post"
    response = getattr(bearer(reviewer), method)(url, body, format=fmt)
    assert response.status_code == expected, response.content
    with scope(organisation=organisation):
        if what == "order":
            assert PartsOrder.objects.get(pk=order.pk).status == value
        elif what == "invoice":
            assert Invoice.objects.get(pk=invoice.pk).status == value
        else:
            assert str(Part.objects.get(part_number=body.get("part_number", "661-30001")).stock_price) == value


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_control_character_in_a_fulfilment_text_is_a_field_error_and_nothing_changes(
    fmt, organisation, admin, reviewer
):
    order = _order_in(organisation, admin, "confirmed")
    response = bearer(reviewer).post(
        f"/api/v1/review/orders/{order.pk}/ship/", {"carrier": "DHL\x00", "tracking_number": "1"}, format=fmt
    )
    assert response.status_code == 400 and set(response.json()) == {"carrier"}
    with scope(organisation=organisation):
        assert PartsOrder.objects.get(pk=order.pk).status == "confirmed"
