"""The parts API of the organisation: the catalogue, orders on the credit line, the credit line, core returns,
invoices, statements and stock, exactly as API.md "Parts, credit and billing" writes them."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope
from rest_framework.test import APIClient

from accounts.holds import hold_place
from accounts.services import api_token_create
from parts.models import CoreReturn, Invoice, OrderLine, PartsOrder
from parts.services import order_create, order_deliver, order_ship, order_submit

from .factories import PartFactory, approve, cart_of

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/schulamt-nord"
PART_FIELDS = {
    "part_number",
    "description",
    "product_lines",
    "fits_models",
    "kind",
    "stock_price",
    "exchange_price",
    "core_return",
    "available",
    "currency",
}
ORDER_FIELDS = {
    "id",
    "number",
    "status",
    "reference",
    "lines",
    "total",
    "currency",
    "ship_date",
    "ship_date_estimated",
    "ship_note",
    "carrier",
    "tracking_number",
    "created_at",
    "submitted_at",
    "shipped_at",
    "delivered_at",
    "invoice",
}
LINE_FIELDS = {"part_number", "description", "quantity", "pricing", "unit_price", "net"}
INVOICE_FIELDS = {
    "id",
    "number",
    "kind",
    "issued_on",
    "due_on",
    "net",
    "vat_rate",
    "vat",
    "gross",
    "currency",
    "status",
    "paid_at",
    "order",
    "lines",
}
CORE_FIELDS = {
    "id",
    "part_number",
    "description",
    "order",
    "order_number",
    "due_date",
    "status",
    "tracking_number",
    "returned_at",
    "charge",
}


def bearer(user) -> APIClient:
    client = APIClient()
    _token, raw = api_token_create(user=user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def as_admin(admin):
    return bearer(admin)


@pytest.fixture
def as_technician(technician):
    return bearer(technician)


def lines(display, battery, *, exchange=2, stock=1):
    return [
        {"part_number": display.part_number, "quantity": exchange, "pricing": "exchange"},
        {"part_number": battery.part_number, "quantity": stock, "pricing": "stock"},
    ]


@pytest.fixture
def draft(approved, admin, display, battery):
    with scope(organisation=approved):
        return cart_of(approved, admin, (display, 2, "exchange"), (battery, 1, "stock"), reference="Ticket 7")


def deliver(organisation, admin, reviewer, *parts_lines) -> PartsOrder:
    """An order through the services from cart to delivery: invoiced, cores due, parts in stock."""
    with scope(organisation=organisation):
        order = cart_of(organisation, admin, *parts_lines)
        order = order_submit(order=order, actor=admin)
        order = order_ship(order=order, actor=reviewer, carrier="DHL", tracking_number="JJD0001")
        return order_deliver(order=order, actor=reviewer)


@pytest.fixture
def delivered(approved, admin, reviewer, display, battery):
    return deliver(approved, admin, reviewer, (display, 2, "exchange"), (battery, 1, "stock"))


def orders_in_db(organisation) -> list[tuple]:
    with scope(organisation=organisation):
        return list(PartsOrder.objects.values_list("id", "status", "reference", "total").order_by("id")) + list(
            OrderLine.objects.values_list("order_id", "part__part_number", "quantity", "pricing").order_by("id")
        )


# --- the catalogue --------------------------------------------------------------------------------------------


def test_the_catalogue_lists_parts_for_any_signed_in_user(as_technician, display, battery):
    PartFactory(part_number="661-39999", description="Old keyboard", active=False)
    response = as_technician.get("/api/v1/parts/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2  # the withdrawn part is not offered
    first = body["results"][0]
    assert set(first) >= PART_FIELDS
    assert first == {
        **first,
        "part_number": "661-30001",
        "product_lines": ["mac"],
        "stock_price": "300.00",
        "exchange_price": "200.00",
        "core_return": True,
        "available": True,
        "kind": "part",
        "currency": "EUR",
    }
    assert body["results"][1]["exchange_price"] is None


def test_the_catalogue_filters_by_product_line_text_kind_and_availability(as_technician, display, battery):
    PartFactory(part_number="661-30003", description="iPad Air, replacement unit", product_lines_key="|ipad|",
                kind="unit", available=False)  # fmt: skip

    def numbers(params):
        response = as_technician.get("/api/v1/parts/", params)
        assert response.status_code == 200, response.json()
        return [p["part_number"] for p in response.json()["results"]]

    assert numbers({"product_line": "iphone"}) == ["661-30002"]
    assert numbers({"q": "DISPLAY"}) == ["661-30001"]
    assert numbers({"q": "661-3000"}) == ["661-30001", "661-30002", "661-30003"]
    assert numbers({"kind": "unit"}) == ["661-30003"]
    assert numbers({"available": "false"}) == ["661-30003"]
    assert numbers({"available": "true", "product_line": "mac"}) == ["661-30001"]
    assert as_technician.get("/api/v1/parts/", {"product_line": "toaster"}).status_code == 400
    assert as_technician.get("/api/v1/parts/", {"available": "maybe"}).status_code == 400


def test_one_part_by_its_number_and_404_for_an_unknown_or_withdrawn_one(as_technician, display):
    PartFactory(part_number="661-39999", active=False)
    response = as_technician.get("/api/v1/parts/661-30001/")
    assert response.status_code == 200 and set(response.json()) >= PART_FIELDS
    assert as_technician.get("/api/v1/parts/661-00000/").status_code == 404
    assert as_technician.get("/api/v1/parts/661-39999/").status_code == 404


def test_the_catalogue_needs_a_signed_in_user(api_client, display):
    assert api_client.get("/api/v1/parts/").status_code == 401
    assert api_client.get("/api/v1/parts/661-30001/").status_code == 401


# --- orders ---------------------------------------------------------------------------------------------------


def test_a_member_makes_a_draft_and_gets_the_order_in_the_contracts_shape(as_technician, approved, display, battery):
    response = as_technician.post(
        f"{BASE}/orders/", {"lines": lines(display, battery), "reference": "Ticket 7"}, format="json"
    )
    assert response.status_code == 201, response.json()
    order = response.json()
    assert set(order) >= ORDER_FIELDS
    assert order["status"] == "draft" and order["number"] == "" and order["reference"] == "Ticket 7"
    assert order["total"] == "480.00" and order["currency"] == "EUR" and order["invoice"] is None
    assert order["ship_date"] is None and order["submitted_at"] is None
    assert [set(line) >= LINE_FIELDS for line in order["lines"]] == [True, True]
    assert [
        (li["part_number"], li["quantity"], li["pricing"], li["unit_price"], li["net"]) for li in order["lines"]
    ] == [
        ("661-30001", 2, "exchange", "200.00", "400.00"),
        ("661-30002", 1, "stock", "80.00", "80.00"),
    ]
    assert as_technician.get(f"{BASE}/orders/{order['id']}/").json() == order


def test_a_form_posts_the_lines_json_encoded(as_admin, approved, display, battery):
    body = {"lines": json.dumps(lines(display, battery)), "reference": "Formular"}
    response = as_admin.post(f"{BASE}/orders/", body, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["total"] == "480.00" and response.json()["reference"] == "Formular"


def test_a_form_may_also_post_the_lines_field_by_field(as_admin, approved, display):
    body = {"lines[0]part_number": display.part_number, "lines[0]quantity": "3", "lines[0]pricing": "stock"}
    response = as_admin.post(f"{BASE}/orders/", body, format="multipart")
    assert response.status_code == 201, response.json()
    assert [(li["quantity"], li["net"]) for li in response.json()["lines"]] == [(3, "900.00")]


def test_the_order_list_filters_by_status_and_is_paginated(as_admin, approved, admin, draft, delivered):
    response = as_admin.get(f"{BASE}/orders/")
    assert set(response.json()) == {"count", "next", "previous", "results"}
    assert response.json()["count"] == 2
    assert [o["status"] for o in as_admin.get(f"{BASE}/orders/", {"status": "draft"}).json()["results"]] == ["draft"]
    delivered_body = as_admin.get(f"{BASE}/orders/", {"status": "delivered"}).json()["results"]
    assert [o["id"] for o in delivered_body] == [delivered.pk] and delivered_body[0]["invoice"] is not None
    page = as_admin.get(f"{BASE}/orders/", {"page_size": 1}).json()
    assert len(page["results"]) == 1 and page["next"] and page["previous"] is None
    assert as_admin.get(f"{BASE}/orders/", {"status": "lost"}).status_code == 400
    assert as_admin.get(f"{BASE}/orders/", {"page_size": "abc"}).status_code == 400


HOSTILE_LINES = {
    "nul in the part number": [{"part_number": "661-3\x000001", "quantity": 1}],
    "escape in the part number": [{"part_number": "661-\x1b[2J", "quantity": 1}],
    "unknown part number": [{"part_number": "999-99999", "quantity": 1}],
    "quantity 0": [{"part_number": "661-30001", "quantity": 0}],
    "quantity -1": [{"part_number": "661-30001", "quantity": -1}],
    "quantity abc": [{"part_number": "661-30001", "quantity": "abc"}],
    "quantity true": [{"part_number": "661-30001", "quantity": True}],
    "quantity 1.5": [{"part_number": "661-30001", "quantity": 1.5}],
    "quantity 1000": [{"part_number": "661-30001", "quantity": 1000}],
    "unknown pricing": [{"part_number": "661-30001", "quantity": 1, "pricing": "free"}],
    "exchange without an exchange price": [{"part_number": "661-30002", "quantity": 1, "pricing": "exchange"}],
    "a line that is not an object": ["661-30001"],
    "lines an object": {"part_number": "661-30001", "quantity": 1},
    "lines a number": 5,
    "lines a string that is not JSON": "661-30001 x 2",
    "lines null": None,
    "too many lines": [{"part_number": "661-30001", "quantity": 1}] * 101,
}


@pytest.mark.parametrize("bad", HOSTILE_LINES.values(), ids=HOSTILE_LINES.keys())
def test_hostile_lines_are_a_field_error_and_nothing_is_saved(bad, as_admin, approved, display, battery):
    response = as_admin.post(f"{BASE}/orders/", {"lines": bad}, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"lines"}, response.json()
    assert "\x00" not in response.content.decode() and "\\u0000" not in response.content.decode()
    assert orders_in_db(approved) == []


@pytest.mark.parametrize("fmt", ["json", "multipart"])
@pytest.mark.parametrize("bad", ["\x00", "\x1b[2J", "\x07"], ids=["nul", "escape", "bell"])
def test_control_characters_in_the_reference_are_a_field_error(bad, fmt, as_admin, approved, display, battery):
    body = {"lines": json.dumps(lines(display, battery)), "reference": f"Ticket{bad}7"}
    response = as_admin.post(f"{BASE}/orders/", body, format=fmt)
    assert response.status_code == 400 and set(response.json()) == {"reference"}, response.json()
    assert orders_in_db(approved) == []


def test_lines_are_required_to_make_a_draft(as_admin, approved):
    response = as_admin.post(f"{BASE}/orders/", {"reference": "leer"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"lines"}
    assert as_admin.post(f"{BASE}/orders/", {"reference": "leer"}, format="multipart").status_code == 400


def test_patch_replaces_a_drafts_lines_and_reference(as_technician, approved, draft, display):
    body = {"lines": [{"part_number": display.part_number, "quantity": 1, "pricing": "stock"}], "reference": "neu"}
    response = as_technician.patch(f"{BASE}/orders/{draft.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["reference"] == "neu" and response.json()["total"] == "300.00"
    assert [(li["part_number"], li["pricing"]) for li in response.json()["lines"]] == [("661-30001", "stock")]


def test_patch_of_the_reference_alone_keeps_the_lines(as_admin, approved, draft):
    response = as_admin.patch(f"{BASE}/orders/{draft.pk}/", {"reference": "Raum 12"}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["reference"] == "Raum 12" and response.json()["total"] == "480.00"
    assert len(response.json()["lines"]) == 2


def test_patch_needs_something_to_change_and_valid_lines(as_admin, approved, draft):
    before = orders_in_db(approved)
    assert as_admin.patch(f"{BASE}/orders/{draft.pk}/", {}, format="json").status_code == 400
    bad = as_admin.patch(f"{BASE}/orders/{draft.pk}/", {"lines": [{"part_number": "nope", "quantity": 1}]})
    assert bad.status_code == 400 and set(bad.json()) == {"lines"}
    assert orders_in_db(approved) == before


def test_patch_of_a_submitted_order_is_an_invalid_transition(as_admin, approved, admin, draft):
    with scope(organisation=approved):
        order_submit(order=draft, actor=admin)
    before = orders_in_db(approved)
    response = as_admin.patch(f"{BASE}/orders/{draft.pk}/", {"reference": "zu spät"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert orders_in_db(approved) == before


def test_submit_promises_a_ship_date_and_takes_up_credit(as_admin, approved, draft):
    response = as_admin.post(f"{BASE}/orders/{draft.pk}/submit/")
    assert response.status_code == 200, response.json()
    order = response.json()
    assert set(order) >= ORDER_FIELDS
    assert order["status"] == "submitted" and order["total"] == "480.00"
    assert order["number"].startswith("PO-") and order["submitted_at"]
    assert datetime.date.fromisoformat(order["ship_date"]) > datetime.date.today()
    assert order["ship_date_estimated"] is False and order["ship_note"] == ""
    credit = as_admin.get(f"{BASE}/credit/").json()
    assert (credit["exposure"], credit["available"], credit["open_orders"]) == ("480.00", "9520.00", "480.00")


def test_submit_beyond_the_credit_line_is_refused_with_the_figures(as_admin, approved, draft):
    with scope(organisation=approved):
        approve(approved, credit_limit="400.00")
    response = as_admin.post(f"{BASE}/orders/{draft.pk}/submit/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "credit_exceeded" and body["detail"]
    assert {k: body[k] for k in ("limit", "exposure", "available", "order_total", "currency")} == {
        "limit": "400.00",
        "exposure": "0.00",
        "available": "400.00",
        "order_total": "480.00",
        "currency": "EUR",
    }
    with scope(organisation=approved):
        assert PartsOrder.objects.get(pk=draft.pk).status == "draft"


def test_submit_on_hold_is_refused_naming_the_hold(as_admin, approved, reviewer, draft):
    with scope(organisation=approved):
        hold = hold_place(organisation=approved, reason="manual", actor=reviewer, note="Rückfrage zur Rechnung")
    response = as_admin.post(f"{BASE}/orders/{draft.pk}/submit/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "account_on_hold"
    assert [(h["id"], h["reason"], h["product_line"]) for h in body["holds"]] == [(hold.pk, "manual", None)]
    with scope(organisation=approved):
        assert PartsOrder.objects.get(pk=draft.pk).status == "draft"


def test_submit_of_an_empty_cart_or_before_approval_is_refused(as_admin, organisation, admin, display):
    with scope(organisation=organisation):
        empty = order_create(organisation=organisation, actor=admin, lines=[])
        full = cart_of(organisation, admin, (display, 1, "stock"))
    assert as_admin.post(f"{BASE}/orders/{full.pk}/submit/").json()["code"] == "account_not_active"
    with scope(organisation=organisation):
        approve(organisation)
    response = as_admin.post(f"{BASE}/orders/{empty.pk}/submit/")
    assert response.status_code == 409 and response.json()["code"] == "empty_order"


def test_cancel_a_draft_and_a_submitted_order_but_not_a_shipped_one(as_admin, approved, admin, reviewer, draft):
    response = as_admin.post(f"{BASE}/orders/{draft.pk}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    with scope(organisation=approved):
        order = order_submit(order=cart_of(approved, admin, (PartFactory(), 1, "stock")), actor=admin)
        shipped = order_ship(order=order, actor=reviewer, carrier="DHL", tracking_number="1")
    response = as_admin.post(f"{BASE}/orders/{shipped.pk}/cancel/")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


def test_technicians_fill_carts_but_admins_place_orders_and_see_billing(as_technician, approved, draft, delivered):
    assert as_technician.get(f"{BASE}/orders/").status_code == 200
    assert as_technician.patch(f"{BASE}/orders/{draft.pk}/", {"reference": "x"}, format="json").status_code == 200
    assert as_technician.post(f"{BASE}/orders/{draft.pk}/submit/").status_code == 403
    assert as_technician.post(f"{BASE}/orders/{draft.pk}/cancel/").status_code == 403
    with scope(organisation=approved):
        invoice = Invoice.objects.get()
    for path in ("credit/", "invoices/", f"invoices/{invoice.pk}/", f"invoices/{invoice.pk}/pdf/", "statements/"):
        assert as_technician.get(f"{BASE}/{path}").status_code == 403, path
    assert as_technician.get(f"{BASE}/core-returns/").status_code == 200
    assert as_technician.get(f"{BASE}/stock/").status_code == 200
    with scope(organisation=approved):
        assert PartsOrder.objects.get(pk=draft.pk).status == "draft"


def test_another_organisations_member_gets_404_everywhere(outsider, approved, draft, delivered):
    client = bearer(outsider)  # the admin of the other organisation
    with scope(organisation=approved):
        core = CoreReturn.objects.first()
        invoice = Invoice.objects.get()
    paths = [
        "orders/",
        f"orders/{draft.pk}/",
        f"orders/{delivered.pk}/confirmation.pdf",
        "credit/",
        "core-returns/",
        f"core-returns/{core.pk}/label.pdf",
        "invoices/",
        f"invoices/{invoice.pk}/",
        f"invoices/{invoice.pk}/pdf/",
        "statements/",
        f"statements/{datetime.date.today():%Y-%m}/pdf/",
        "stock/",
    ]
    for path in paths:
        assert client.get(f"{BASE}/{path}").status_code == 404, path
    for path in (f"orders/{draft.pk}/submit/", f"orders/{draft.pk}/cancel/", f"core-returns/{core.pk}/returned/"):
        assert client.post(f"{BASE}/{path}", {"tracking_number": "X"}).status_code == 404, path
    assert client.patch(f"{BASE}/orders/{draft.pk}/", {"reference": "x"}).status_code == 404
    # and in the outsider's own organisation, the ids of ours are not found either
    own = "/api/v1/orgs/klinikum-sued"
    assert client.get(f"{own}/orders/{draft.pk}/").status_code == 404
    assert client.post(f"{own}/orders/{draft.pk}/submit/").status_code == 404
    assert client.get(f"{own}/invoices/{invoice.pk}/").status_code == 404
    assert client.post(f"{own}/core-returns/{core.pk}/returned/", {"tracking_number": "X"}).status_code == 404
    with scope(organisation=approved):
        assert PartsOrder.objects.get(pk=draft.pk).status == "draft"
        assert CoreReturn.objects.get(pk=core.pk).status == "due"


@pytest.mark.parametrize("path", ["orders/999999/", "orders/abc/", "orders/99999999999999999999/", "orders/-1/"])
def test_bad_order_ids_are_404(as_admin, approved, path):
    response = as_admin.get(f"{BASE}/{path}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_order_confirmation_is_a_pdf_once_the_order_is_submitted(as_technician, approved, admin, draft):
    assert as_technician.get(f"{BASE}/orders/{draft.pk}/confirmation.pdf").status_code == 404  # nothing to confirm
    with scope(organisation=approved):
        order_submit(order=draft, actor=admin)
    response = as_technician.get(f"{BASE}/orders/{draft.pk}/confirmation.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


# --- credit ---------------------------------------------------------------------------------------------------


def test_the_credit_line_in_the_contracts_shape(as_admin, approved, delivered, draft):
    response = as_admin.get(f"{BASE}/credit/")
    assert response.status_code == 200
    credit = response.json()
    expected = {"limit", "exposure", "available", "currency", "on_hold", "unpaid_invoices", "open_orders"}
    assert expected | {"utilisation"} <= set(credit)
    assert credit == {
        **credit,
        "limit": "10000.00",
        "exposure": "480.00",  # the delivered order's invoice, net; the draft does not count
        "available": "9520.00",
        "currency": "EUR",
        "on_hold": False,
        "unpaid_invoices": "480.00",
        "open_orders": "0.00",
        "utilisation": 4,
    }


def test_the_credit_line_shows_a_credit_hold(as_admin, approved, reviewer):
    with scope(organisation=approved):
        hold_place(organisation=approved, reason="credit", actor=reviewer)
    credit = as_admin.get(f"{BASE}/credit/").json()
    assert credit["on_hold"] is True and [h["reason"] for h in credit["holds"]] == ["credit"]


# --- core returns ---------------------------------------------------------------------------------------------


def test_core_returns_are_listed_and_marked_returned(as_technician, approved, delivered):
    response = as_technician.get(f"{BASE}/core-returns/")
    assert response.status_code == 200 and response.json()["count"] == 2  # one per exchange-priced unit
    core = response.json()["results"][0]
    assert set(core) >= CORE_FIELDS
    assert core == {
        **core,
        "part_number": "661-30001",
        "order": delivered.pk,
        "order_number": delivered.number,
        "status": "due",
        "tracking_number": "",
        "returned_at": None,
        "charge": None,
    }
    assert datetime.date.fromisoformat(core["due_date"]) == datetime.date.today() + datetime.timedelta(days=15)
    returned = as_technician.post(f"{BASE}/core-returns/{core['id']}/returned/", {"tracking_number": "1Z999"})
    assert returned.status_code == 200, returned.json()
    assert returned.json()["status"] == "returned" and returned.json()["tracking_number"] == "1Z999"
    assert returned.json()["returned_at"]
    again = as_technician.post(f"{BASE}/core-returns/{core['id']}/returned/", {"tracking_number": "1Z999"})
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    statuses = as_technician.get(f"{BASE}/core-returns/", {"status": "due"}).json()["results"]
    assert [c["id"] for c in statuses] != [core["id"]] and len(statuses) == 1


@pytest.mark.parametrize("fmt", ["json", "multipart"])
@pytest.mark.parametrize(
    "body", [{}, {"tracking_number": ""}, {"tracking_number": "1Z\x00"}, {"tracking_number": "\x1b"}]
)
def test_marking_a_core_returned_needs_a_clean_tracking_number(fmt, body, as_admin, approved, delivered):
    with scope(organisation=approved):
        core = CoreReturn.objects.first()
    response = as_admin.post(f"{BASE}/core-returns/{core.pk}/returned/", body, format=fmt)
    assert response.status_code == 400 and set(response.json()) == {"tracking_number"}
    with scope(organisation=approved):
        assert CoreReturn.objects.get(pk=core.pk).status == "due"


def test_the_core_return_label_is_a_pdf(as_technician, approved, delivered):
    with scope(organisation=approved):
        core = CoreReturn.objects.first()
    response = as_technician.get(f"{BASE}/core-returns/{core.pk}/label.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert as_technician.get(f"{BASE}/core-returns/{core.pk + 1000}/label.pdf").status_code == 404


def test_a_core_return_filter_that_is_no_status_is_a_400(as_admin, approved):
    assert as_admin.get(f"{BASE}/core-returns/", {"status": "lost"}).status_code == 400


# --- invoices and statements ----------------------------------------------------------------------------------


def test_invoices_in_the_contracts_shape_with_their_lines(as_admin, approved, delivered):
    response = as_admin.get(f"{BASE}/invoices/")
    assert response.status_code == 200 and response.json()["count"] == 1
    invoice = response.json()["results"][0]
    assert set(invoice) >= INVOICE_FIELDS
    assert invoice == {
        **invoice,
        "kind": "order",
        "net": "480.00",
        "vat": "91.20",
        "gross": "571.20",
        "currency": "EUR",
        "status": "open",
        "paid_at": None,
        "order": delivered.pk,
    }
    assert invoice["number"].startswith(f"RE-{datetime.date.today().year}-")
    assert Decimal(invoice["vat_rate"]) == Decimal("0.19")
    assert [
        (li["kind"], li["part_number"], li["quantity"], li["unit_price"], li["net"]) for li in invoice["lines"]
    ] == [
        ("exchange", "661-30001", 2, "200.00", "400.00"),
        ("part", "661-30002", 1, "80.00", "80.00"),
    ]
    assert as_admin.get(f"{BASE}/invoices/{invoice['id']}/").json() == invoice
    assert as_admin.get(f"{BASE}/orders/{delivered.pk}/").json()["invoice"] == invoice["id"]


def test_invoices_filter_by_status(as_admin, approved, reviewer, delivered):
    with scope(organisation=approved):
        from parts.services import invoice_mark_paid

        invoice_mark_paid(invoice=Invoice.objects.get(), actor=reviewer)
    assert as_admin.get(f"{BASE}/invoices/", {"status": "open"}).json()["count"] == 0
    paid = as_admin.get(f"{BASE}/invoices/", {"status": "paid"}).json()["results"]
    assert len(paid) == 1 and paid[0]["status"] == "paid" and paid[0]["paid_at"]
    assert as_admin.get(f"{BASE}/invoices/", {"status": "due"}).status_code == 400
    assert as_admin.get(f"{BASE}/invoices/999999/").status_code == 404


def test_the_invoice_pdf(as_admin, approved, delivered):
    with scope(organisation=approved):
        invoice = Invoice.objects.get()
    response = as_admin.get(f"{BASE}/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_statements_are_listed_by_month_with_their_pdf(as_admin, approved, delivered):
    month = f"{datetime.date.today():%Y-%m}"
    response = as_admin.get(f"{BASE}/statements/")
    assert response.status_code == 200
    assert response.json()["results"] == [{"month": month, "pdf": f"{BASE}/statements/{month}/pdf/"}]
    pdf = as_admin.get(f"{BASE}/statements/{month}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("month", ["2026-13", "abc", "2000-01", "2999-01", "2026-1-1", "-"])
def test_a_month_without_a_statement_is_404(as_admin, approved, delivered, month):
    assert as_admin.get(f"{BASE}/statements/{month}/pdf/").status_code == 404


def test_no_statements_before_the_first_invoice(as_admin, approved):
    assert as_admin.get(f"{BASE}/statements/").json() == {"count": 0, "next": None, "previous": None, "results": []}


# --- stock ----------------------------------------------------------------------------------------------------


def test_stock_counts_delivered_parts_per_part_number(as_technician, approved, delivered):
    response = as_technician.get(f"{BASE}/stock/")
    assert response.status_code == 200
    assert response.json()["results"] == [
        {"part_number": "661-30001", "description": "Display, MacBook Pro 14-inch", "quantity": 2},
        {"part_number": "661-30002", "description": "Battery, iPhone 15", "quantity": 1},
    ]


# --- query counts ---------------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["orders/", "invoices/", "core-returns/", "stock/"])
def test_lists_take_the_same_queries_for_one_order_and_for_many(
    path, as_admin, approved, admin, reviewer, display, battery, django_assert_max_num_queries
):
    deliver(approved, admin, reviewer, (display, 1, "exchange"), (battery, 1, "stock"))
    one = _queries(as_admin, f"{BASE}/{path}")
    for _ in range(6):
        deliver(approved, admin, reviewer, (display, 2, "exchange"), (battery, 1, "stock"), (PartFactory(), 1, "stock"))
    with django_assert_max_num_queries(one):
        response = as_admin.get(f"{BASE}/{path}")
    assert response.json()["count"] >= 7


@pytest.mark.parametrize("fmt", ["json", "multipart"])
def test_lines_nested_a_thousand_deep_are_a_400_not_a_500(approved, as_admin, fmt):
    before = orders_in_db(approved)
    deep = "[" * 1000 + "]" * 1000

    response = as_admin.post(f"{BASE}/orders/", {"lines": deep}, format=fmt)

    assert response.status_code == 400 and "lines" in response.json()
    assert orders_in_db(approved) == before


@pytest.mark.parametrize("month", ["２０２６-03", "2026-3", "2026-13", "0000-01", "2026-03x"])
def test_a_statement_month_is_four_and_two_ascii_digits(delivered, as_admin, month):
    assert as_admin.get(f"{BASE}/statements/{month}/pdf/").status_code == 404
