"""Fulfilment in the reviewer API: the reviewers stand in for Apple's back office. They confirm, ship and deliver
orders of every organisation, record payments and keep the catalogue; anyone else gets 404."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import Account, Hold
from parts.models import CoreReturn, Invoice, Part, PartsOrder, StockMovement
from parts.services import credit_hold_review, order_confirm, order_submit
from tests.parts.factories import PartFactory, approve, cart_of, charges_invoice
from tests.review.test_review import bearer

pytestmark = pytest.mark.django_db
REVIEW = "/api/v1/review"


@pytest.fixture
def as_reviewer(reviewer):
    return bearer(reviewer)


@pytest.fixture
def display(db):
    return PartFactory(part_number="661-30001", description="Display, MacBook Pro 14-inch", product_lines_key="|mac|")


@pytest.fixture
def battery(db):
    return PartFactory(
        part_number="661-30002", description="Battery, iPhone 15", product_lines_key="|iphone|",
        stock_price="80.00", exchange_price=None, core_return=False,
    )  # fmt: skip


@pytest.fixture
def approved(organisation):
    with scope(organisation=organisation):
        approve(organisation)
    return organisation


def approve_other(organisation):
    """The second organisation approved too, with its own account number."""
    with scope(organisation=organisation):
        Account.objects.update_or_create(
            organisation=organisation,
            defaults={
                "status": Account.Status.APPROVED,
                "setup_date": datetime.date.today(),
                "approved_at": timezone.now(),
                "certification_deadline": datetime.date.today() + datetime.timedelta(days=90),
                "credit_limit": Decimal("10000.00"),
                "account_number": "SSA-000002",
            },
        )


def submitted(organisation, actor, *lines) -> PartsOrder:
    with scope(organisation=organisation):
        return order_submit(order=cart_of(organisation, actor, *lines), actor=actor)


@pytest.fixture
def order(approved, admin, display, battery):
    return submitted(approved, admin, (display, 2, "exchange"), (battery, 1, "stock"))


def status_of(order) -> str:
    with scopes_disabled():  # the test reads the row whatever its organisation
        return PartsOrder.objects.get(pk=order.pk).status


def test_the_queue_lists_open_orders_of_every_organisation(
    as_reviewer, approved, admin, other_organisation, outsider, order, display
):
    approve_other(other_organisation)
    theirs = submitted(other_organisation, outsider, (display, 1, "stock"))
    with scope(organisation=approved):
        cart_of(approved, admin, (display, 1, "stock"))  # a cart is nobody's to fulfil yet
    response = as_reviewer.get(f"{REVIEW}/orders/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(o["id"], o["organisation"], o["organisation_name"]) for o in results] == [
        (order.pk, "schulamt-nord", "Schulamt Nord"),
        (theirs.pk, "klinikum-sued", "Klinikum Süd"),
    ]
    assert results[0]["status"] == "submitted" and results[0]["total"] == "480.00" and len(results[0]["lines"]) == 2
    with scope(organisation=approved):
        order_confirm(order=order, actor=admin)
    confirmed = as_reviewer.get(f"{REVIEW}/orders/", {"status": "confirmed"}).json()["results"]
    assert [o["id"] for o in confirmed] == [order.pk]
    assert as_reviewer.get(f"{REVIEW}/orders/", {"status": "draft"}).status_code == 400
    detail = as_reviewer.get(f"{REVIEW}/orders/{order.pk}/")
    assert detail.status_code == 200 and detail.json()["organisation"] == "schulamt-nord"


def test_confirm_ship_deliver(as_reviewer, approved, order):
    confirmed = as_reviewer.post(f"{REVIEW}/orders/{order.pk}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    shipped = as_reviewer.post(
        f"{REVIEW}/orders/{order.pk}/ship/", {"carrier": "DHL", "tracking_number": "JJD000390007"}, format="json"
    )
    assert shipped.status_code == 200, shipped.json()
    assert (shipped.json()["status"], shipped.json()["carrier"], shipped.json()["tracking_number"]) == (
        "shipped",
        "DHL",
        "JJD000390007",
    )
    assert shipped.json()["shipped_at"]
    delivered = as_reviewer.post(f"{REVIEW}/orders/{order.pk}/deliver/")
    assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"
    assert delivered.json()["delivered_at"] and delivered.json()["invoice"] is not None


def test_delivery_invoices_the_order_opens_core_returns_and_fills_the_stock(as_reviewer, approved, order):
    as_reviewer.post(f"{REVIEW}/orders/{order.pk}/ship/", {"carrier": "UPS", "tracking_number": "1Z"})
    response = as_reviewer.post(f"{REVIEW}/orders/{order.pk}/deliver/")
    assert response.status_code == 200
    with scope(organisation=approved):
        invoice = Invoice.objects.get(order=order)
        assert response.json()["invoice"] == invoice.pk
        assert (str(invoice.net), str(invoice.gross), invoice.status) == ("480.00", "571.20", "open")
        cores = list(CoreReturn.objects.values_list("part__part_number", "status"))
        assert cores == [("661-30001", "due"), ("661-30001", "due")]  # one per exchange-priced unit
        assert sorted(StockMovement.objects.values_list("part__part_number", "quantity")) == [
            ("661-30001", 2),
            ("661-30002", 1),
        ]


@pytest.mark.parametrize(
    ("steps", "step", "body"),
    [
        ([], "deliver", {}),  # submitted: not shipped yet
        (["confirm"], "confirm", {}),
        (["ship"], "confirm", {}),
        (["ship"], "ship", {"carrier": "DHL", "tracking_number": "2"}),
        (["ship", "deliver"], "deliver", {}),
        (["cancel"], "ship", {"carrier": "DHL", "tracking_number": "2"}),
    ],
    ids=["deliver-submitted", "confirm-twice", "confirm-shipped", "ship-twice", "deliver-twice", "ship-cancelled"],
)
def test_a_step_the_status_does_not_allow_is_an_invalid_transition(
    steps, step, body, as_reviewer, admin, approved, order
):
    for done in steps:
        if done == "cancel":
            assert bearer(admin).post(f"/api/v1/orgs/schulamt-nord/orders/{order.pk}/cancel/").status_code == 200
            continue
        extra = {"carrier": "DHL", "tracking_number": "1"} if done == "ship" else {}
        assert as_reviewer.post(f"{REVIEW}/orders/{order.pk}/{done}/", extra).status_code == 200
    before = status_of(order)
    response = as_reviewer.post(f"{REVIEW}/orders/{order.pk}/{step}/", body, format="json")
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "invalid_transition" and response.json()["status"] == before
    assert status_of(order) == before


def test_a_cart_is_not_found_by_fulfilment(as_reviewer, approved, admin, display):
    with scope(organisation=approved):
        cart = cart_of(approved, admin, (display, 1, "stock"))
    for step in ("confirm", "deliver"):
        assert as_reviewer.post(f"{REVIEW}/orders/{cart.pk}/{step}/").status_code == 404
    assert as_reviewer.get(f"{REVIEW}/orders/{cart.pk}/").status_code == 404
    assert as_reviewer.get(f"{REVIEW}/orders/abc/").status_code == 404
    assert as_reviewer.get(f"{REVIEW}/orders/99999999999999999999/").status_code == 404
    assert status_of(cart) == "draft"


@pytest.mark.parametrize("fmt", ["json", "multipart"])
@pytest.mark.parametrize(
    "body",
    [{}, {"carrier": "DHL"}, {"tracking_number": "1"}, {"carrier": "DH\x00L", "tracking_number": "1"},
     {"carrier": "DHL", "tracking_number": "1\x1b[2J"}, {"carrier": "  ", "tracking_number": "1"}],
)  # fmt: skip
def test_shipping_needs_a_carrier_and_a_clean_tracking_number(fmt, body, as_reviewer, approved, order):
    response = as_reviewer.post(f"{REVIEW}/orders/{order.pk}/ship/", body, format=fmt)
    assert response.status_code == 400
    assert set(response.json()) <= {"carrier", "tracking_number"} and response.json()
    assert status_of(order) == "submitted"


def test_fulfilment_is_hidden_from_everyone_but_reviewers(admin, technician, outsider, approved, order):
    with scope(organisation=approved):
        invoice = charges_invoice(approved, "50.00")
    paths = [
        ("get", "orders/"),
        ("get", f"orders/{order.pk}/"),
        ("post", f"orders/{order.pk}/confirm/"),
        ("post", f"orders/{order.pk}/ship/"),
        ("post", f"orders/{order.pk}/deliver/"),
        ("get", "invoices/"),
        ("get", f"invoices/{invoice.pk}/pdf/"),
        ("post", f"invoices/{invoice.pk}/paid/"),
        ("get", "parts/"),
        ("post", "parts/"),
        ("patch", "parts/661-30001/"),
    ]
    for user in (admin, technician, outsider):
        client = bearer(user)
        for method, path in paths:
            response = getattr(client, method)(f"{REVIEW}/{path}", {"carrier": "DHL", "tracking_number": "1"})
            assert response.status_code == 404, (user.email, method, path, response.status_code)
    assert status_of(order) == "submitted"
    with scope(organisation=approved):
        assert Invoice.objects.get(pk=invoice.pk).status == "open"


# --- invoices --------------------------------------------------------------------------------------------------


def test_invoices_of_every_organisation_and_marking_one_paid(as_reviewer, approved, other_organisation):
    with scope(organisation=approved):
        ours = charges_invoice(approved, "100.00")
    approve_other(other_organisation)
    with scope(organisation=other_organisation):
        theirs = charges_invoice(other_organisation, "50.00")
    response = as_reviewer.get(f"{REVIEW}/invoices/", {"status": "open"})
    assert response.status_code == 200
    assert {(i["id"], i["organisation"]) for i in response.json()["results"]} == {
        (ours.pk, "schulamt-nord"),
        (theirs.pk, "klinikum-sued"),
    }
    assert response.json()["results"][0]["pdf"].startswith(f"{REVIEW}/invoices/")
    paid = as_reviewer.post(f"{REVIEW}/invoices/{theirs.pk}/paid/")
    assert paid.status_code == 200 and paid.json()["status"] == "paid" and paid.json()["paid_at"]
    assert [i["id"] for i in as_reviewer.get(f"{REVIEW}/invoices/", {"status": "open"}).json()["results"]] == [ours.pk]
    assert [i["id"] for i in as_reviewer.get(f"{REVIEW}/invoices/", {"status": "paid"}).json()["results"]] == [
        theirs.pk
    ]
    again = as_reviewer.post(f"{REVIEW}/invoices/{theirs.pk}/paid/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert as_reviewer.post(f"{REVIEW}/invoices/999999/paid/").status_code == 404
    assert as_reviewer.get(f"{REVIEW}/invoices/", {"status": "late"}).status_code == 400


def test_payment_of_the_overdue_invoice_releases_the_credit_hold(as_reviewer, approved):
    long_ago = datetime.date.today() - datetime.timedelta(days=120)
    with scope(organisation=approved):
        invoice = charges_invoice(approved, "100.00", issued_on=long_ago)
        hold = credit_hold_review(organisation=approved)
        assert hold is not None and hold.reason == Hold.Reason.CREDIT
    response = as_reviewer.post(f"{REVIEW}/invoices/{invoice.pk}/paid/")
    assert response.status_code == 200
    with scope(organisation=approved):
        hold.refresh_from_db()
        assert hold.released_at is not None
        assert not Hold.objects.filter(reason=Hold.Reason.CREDIT, released_at__isnull=True).exists()


def test_the_reviewer_reads_the_invoice_pdf(as_reviewer, approved):
    with scope(organisation=approved):
        invoice = charges_invoice(approved, "100.00")
    response = as_reviewer.get(f"{REVIEW}/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


# --- the catalogue ---------------------------------------------------------------------------------------------

NEW_PART = {
    "part_number": "661-40001",
    "description": "Keyboard, MacBook Air 13-inch (German)",
    "product_lines": ["mac"],
    "fits_models": "MacBook Air 13-inch (M2)",
    "kind": "part",
    "stock_price": "189.00",
    "exchange_price": "129.00",
    "core_return": True,
    "available": True,
}


def test_a_reviewer_adds_a_part_in_json(as_reviewer, technician):
    response = as_reviewer.post(f"{REVIEW}/parts/", NEW_PART, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {**response.json(), **NEW_PART, "currency": "EUR", "active": True}
    assert bearer(technician).get("/api/v1/parts/661-40001/").json()["exchange_price"] == "129.00"
    again = as_reviewer.post(f"{REVIEW}/parts/", NEW_PART, format="json")
    assert again.status_code == 400 and set(again.json()) == {"part_number"}


def test_a_reviewer_adds_a_part_in_a_form_with_the_catalogues_product_lines(as_reviewer):
    form = {**NEW_PART, "product_lines": "Mac|iPad", "core_return": "yes", "part_number": "661-40002"}
    response = as_reviewer.post(f"{REVIEW}/parts/", form, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["product_lines"] == ["mac", "ipad"] and response.json()["available"] is True
    repeated = {**NEW_PART, "product_lines": ["iphone", "ipad"], "part_number": "661-40003"}
    assert as_reviewer.post(f"{REVIEW}/parts/", repeated, format="multipart").json()["product_lines"] == [
        "iphone",
        "ipad",
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"description": "Tasta\x00tur"},
        {"description": "Tasta\x1b[2Jtur"},
        {"part_number": "661\x0040001"},
        {"product_lines": ["toaster"]},
        {"product_lines": []},
        {"stock_price": "-1"},
        {"stock_price": "abc"},
        {"stock_price": "1000000.00"},
        {"kind": "gadget"},
        {"core_return": True, "exchange_price": None},
    ],
)
def test_a_bad_catalogue_entry_is_a_field_error_and_nothing_is_saved(change, as_reviewer):
    response = as_reviewer.post(f"{REVIEW}/parts/", {**NEW_PART, **change}, format="json")
    assert response.status_code == 400, response.json()
    assert set(response.json()) <= set(NEW_PART) and response.json()
    assert not Part.objects.exists()


def test_a_patch_changes_only_what_it_names(as_reviewer, display):
    response = as_reviewer.patch(f"{REVIEW}/parts/661-30001/", {"stock_price": "310.00"}, format="json")
    assert response.status_code == 200, response.json()
    display.refresh_from_db()
    assert (str(display.stock_price), str(display.exchange_price), display.description) == (
        "310.00",
        "200.00",
        "Display, MacBook Pro 14-inch",
    )
    form = as_reviewer.patch(f"{REVIEW}/parts/661-30001/", {"available": "false"}, format="multipart")
    assert form.status_code == 200 and form.json()["available"] is False
    display.refresh_from_db()
    assert (display.available, display.core_return, str(display.stock_price)) == (False, True, "310.00")


def test_a_withdrawn_part_leaves_the_catalogue_and_can_be_listed_again(as_reviewer, technician, display):
    assert as_reviewer.patch(f"{REVIEW}/parts/661-30001/", {"active": False}, format="json").status_code == 200
    assert bearer(technician).get("/api/v1/parts/661-30001/").status_code == 404
    listing = as_reviewer.get(f"{REVIEW}/parts/").json()["results"]
    assert [(p["part_number"], p["active"]) for p in listing] == [("661-30001", False)]
    assert as_reviewer.patch(f"{REVIEW}/parts/661-30001/", {"active": True}, format="json").json()["active"] is True


def test_a_patch_may_not_change_the_part_number_or_name_an_unknown_part(as_reviewer, display):
    response = as_reviewer.patch(f"{REVIEW}/parts/661-30001/", {"part_number": "661-30009"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"part_number"}
    assert as_reviewer.patch(f"{REVIEW}/parts/661-30001/", {"part_number": "661-30001"}).status_code == 200
    assert as_reviewer.patch(f"{REVIEW}/parts/661-99999/", {"stock_price": "1.00"}).status_code == 404
    bad = as_reviewer.patch(f"{REVIEW}/parts/661-30001/", {"fits_models": "Mac\x00"}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"fits_models"}
    display.refresh_from_db()
    assert display.part_number == "661-30001" and display.fits_models == "MacBook Pro 14-inch (M3)"


# --- query counts ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["orders/", "invoices/", "parts/"])
def test_the_reviewer_lists_take_the_same_queries_for_one_row_and_for_many(
    path, as_reviewer, approved, admin, display, battery, other_organisation, outsider, django_assert_max_num_queries
):
    submitted(approved, admin, (display, 1, "exchange"))
    with scope(organisation=approved):
        charges_invoice(approved, "10.00")
    with CaptureQueriesContext(connection) as one:
        assert as_reviewer.get(f"{REVIEW}/{path}").status_code == 200
    approve_other(other_organisation)
    for i in range(5):
        org, actor = (approved, admin) if i % 2 else (other_organisation, outsider)
        submitted(org, actor, (display, 1, "exchange"), (battery, 2, "stock"), (PartFactory(), 1, "stock"))
        with scope(organisation=org):
            charges_invoice(org, "10.00")
    with django_assert_max_num_queries(len(one)):
        response = as_reviewer.get(f"{REVIEW}/{path}")
    assert response.json()["count"] >= 6
