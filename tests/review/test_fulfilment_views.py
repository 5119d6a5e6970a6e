"""The reviewer console's parts pages: the fulfilment queue (confirm, ship, deliver), invoices (mark paid) and the
parts catalogue (edit, upload), where reviewers stand in for Apple's back office."""

import datetime
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.holds import hold_place, open_holds
from accounts.models import Account, Hold
from core.models import AuditEntry, Price
from parts.models import CoreReturn, Invoice, Part, PartsOrder, StockMovement
from parts.services import order_create, order_deliver, order_ship, order_submit
from review.fulfilment_forms import MAX_CATALOGUE_BYTES, CatalogueUploadForm
from tests.accounts.factories import OrganisationFactory
from tests.parts.factories import PartFactory, approve

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ORDERS = "/review/orders/"
INVOICES = "/review/invoices/"
PARTS = "/review/parts/"


# --- data -----------------------------------------------------------------------------------------------------


@pytest.fixture
def approved(organisation):
    with scope(organisation=organisation):
        approve(organisation)
    return organisation


@pytest.fixture
def display(db):
    return PartFactory(part_number="661-30001", description="Display, MacBook Pro 14-inch", product_lines_key="|mac|")


@pytest.fixture
def battery(db):
    return PartFactory(
        part_number="661-30002",
        description="Battery, iPhone 15",
        product_lines_key="|iphone|",
        stock_price=Decimal("80.00"),
        exchange_price=None,
        core_return=False,
    )


def approve_another(organisation):
    """``approve`` for a further organisation: it always numbers the account SSA-000001, which is unique."""
    with scopes_disabled():  # test data across organisations
        taken = Account.objects.filter(account_number="SSA-000001")
        taken.update(account_number=f"SSA-9{Account.objects.count():05d}")
    with scope(organisation=organisation):
        approve(organisation)


def submit(organisation, actor, lines, *, at=None):
    """A submitted order of ``lines`` ``(part, quantity, pricing)``."""
    with scope(organisation=organisation):
        order = order_create(
            organisation=organisation,
            actor=actor,
            lines=[{"part_number": p.part_number, "quantity": q, "pricing": pricing} for p, q, pricing in lines],
        )
        return order_submit(order=order, actor=actor, now=at)


@pytest.fixture
def order(approved, admin, display, battery):
    return submit(approved, admin, [(display, 2, "exchange"), (battery, 1, "stock")])


@pytest.fixture
def reviewer_client(client, reviewer):
    reviewer.language = "en"  # the assertions read the English source text, whatever the translations say
    reviewer.save(update_fields=["language"])
    client.force_login(reviewer)
    return client


def reload(obj):
    with scopes_disabled():  # test assertions across organisations
        return type(obj).objects.get(pk=obj.pk)


def delivered_invoice(organisation, order, reviewer) -> Invoice:
    with scope(organisation=organisation):
        order_ship(order=order, actor=reviewer, carrier="DHL", tracking_number="00340434161094042557")
        order_deliver(order=order, actor=reviewer)
        return Invoice.objects.get(order=order)


def page_text(response) -> str:
    return response.content.decode()


# --- the fulfilment queue -------------------------------------------------------------------------------------


def test_the_queue_lists_open_orders_of_every_organisation_oldest_first(
    reviewer_client, approved, other_organisation, admin, outsider, display, battery, reviewer
):
    approve_another(other_organisation)
    older = submit(
        other_organisation,
        outsider,
        [(battery, 3, "stock")],
        at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=3),
    )
    newer = submit(approved, admin, [(display, 1, "exchange")])
    shipped = submit(approved, admin, [(battery, 1, "stock")])
    with scope(organisation=approved):
        order_ship(order=shipped, actor=reviewer, carrier="DHL", tracking_number="1")
    done = submit(approved, admin, [(battery, 1, "stock")])
    with scope(organisation=approved):
        order_ship(order=done, actor=reviewer, carrier="DHL", tracking_number="2")
        order_deliver(order=done, actor=reviewer)

    response = reviewer_client.get(ORDERS)
    assert response.status_code == 200
    page = page_text(response)
    assert "<h1>" in page and 'scope="col"' in page
    assert page.index(older.number) < page.index(newer.number)  # oldest first
    assert "Klinikum Süd" in page and "Schulamt Nord" in page
    assert shipped.number in page and done.number not in page  # delivered orders are done
    assert "3 days" in page  # how long the oldest has waited
    assert "240.00 €" in page  # 3 × 80.00 net
    assert f'href="/review/orders/{older.pk}/"' in page

    shipped_only = page_text(reviewer_client.get(f"{ORDERS}?status=shipped"))
    assert shipped.number in shipped_only and newer.number not in shipped_only
    bogus = page_text(reviewer_client.get(f"{ORDERS}?status=delivered"))  # not a queue filter: every open order
    assert newer.number in bogus and done.number not in bogus


def test_the_queue_marks_an_estimated_ship_date(reviewer_client, approved, admin, display):
    with scopes_disabled():
        Part.objects.filter(pk=display.pk).update(available=False)
    display.refresh_from_db()
    late = submit(approved, admin, [(display, 1, "stock")])
    assert late.ship_date_estimated
    row = page_text(reviewer_client.get(ORDERS))
    assert "estimated" in row and str(late.get_ship_note_display()) in row


def test_the_queue_takes_a_constant_number_of_queries(reviewer_client, approved, admin, display, battery):
    submit(approved, admin, [(display, 1, "stock")])
    reviewer_client.get(ORDERS)  # warm caches (session, programme rules)
    with CaptureQueriesContext(connection) as few:
        assert reviewer_client.get(ORDERS).status_code == 200
    for other in OrganisationFactory.create_batch(4):
        approve_another(other)
        submit(other, admin, [(display, 1, "exchange"), (battery, 2, "stock")])
        submit(other, admin, [(battery, 1, "stock")])
    with CaptureQueriesContext(connection) as many:
        assert reviewer_client.get(ORDERS).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- one order: confirm, ship, deliver ------------------------------------------------------------------------


def test_the_order_page_shows_lines_account_and_only_the_allowed_actions(reviewer_client, order):
    page = page_text(reviewer_client.get(f"{ORDERS}{order.pk}/"))
    assert order.number in page and "661-30001" in page and "Battery, iPhone 15" in page
    assert 'href="/review/accounts/schulamt-nord/"' in page  # the organisation's evidence page
    assert "In good standing" in page
    assert 'data-testid="confirm-form"' in page and 'data-testid="ship-form"' in page
    assert 'data-testid="deliver-form"' not in page
    assert '<label for="id_tracking_number">' in page


def test_confirm_ship_and_deliver_end_to_end(reviewer_client, order, approved, reviewer):
    url = f"{ORDERS}{order.pk}/"
    response = reviewer_client.post(f"{url}confirm/", follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert f"Order {order.number} is confirmed." in page_text(response)
    assert reload(order).status == PartsOrder.Status.CONFIRMED
    assert 'data-testid="confirm-form"' not in page_text(response)

    response = reviewer_client.post(
        f"{url}ship/", {"carrier": "DHL", "tracking_number": "00340434161094042557"}, follow=True
    )
    page = page_text(response)
    assert "is shipped with DHL, tracking number 00340434161094042557" in page
    shipped = reload(order)
    assert shipped.status == PartsOrder.Status.SHIPPED
    assert (shipped.carrier, shipped.tracking_number) == ("DHL", "00340434161094042557")
    assert 'data-testid="deliver-form"' in page and 'data-testid="ship-form"' not in page

    response = reviewer_client.post(f"{url}deliver/", follow=True)
    page = page_text(response)
    assert "is delivered" in page
    delivered = reload(order)
    assert delivered.status == PartsOrder.Status.DELIVERED
    with scope(organisation=approved):
        invoice = Invoice.objects.get(order=order)
        assert invoice.net == Decimal("480.00") and invoice.status == Invoice.Status.OPEN
        assert CoreReturn.objects.filter(order_line__order=order, status=CoreReturn.Status.DUE).count() == 2
        assert StockMovement.objects.filter(order_line__order=order).count() == 2
    assert invoice.number in page and f"/review/invoices/{invoice.pk}/pdf/" in page
    assert 'data-testid="no-actions"' in page
    with scopes_disabled():
        actors = set(
            AuditEntry.objects.filter(action__in=["order.confirmed", "order.shipped", "order.delivered"]).values_list(
                "actor", flat=True
            )
        )
    assert actors == {reviewer.pk}


def test_ship_without_tracking_number_shows_the_error_and_changes_nothing(reviewer_client, order):
    response = reviewer_client.post(f"{ORDERS}{order.pk}/ship/", {"carrier": "DHL", "tracking_number": "  "})
    assert response.status_code == 400
    page = page_text(response)
    assert 'class="field has-error"' in page and 'role="alert"' in page
    assert 'value="DHL"' in page  # what was typed is kept
    unchanged = reload(order)
    assert unchanged.status == PartsOrder.Status.SUBMITTED and unchanged.tracking_number == ""
    with scopes_disabled():
        assert not AuditEntry.objects.filter(action="order.shipped").exists()


def test_a_step_the_status_does_not_allow_is_refused_with_a_message(reviewer_client, order, approved):
    url = f"{ORDERS}{order.pk}/"
    response = reviewer_client.post(f"{url}deliver/", follow=True)
    assert response.redirect_chain == [(url, 302)]
    page = page_text(response)
    assert "Not done:" in page and "Submitted" in page
    assert reload(order).status == PartsOrder.Status.SUBMITTED
    with scope(organisation=approved):
        assert not Invoice.objects.exists()
    reviewer_client.post(f"{url}confirm/")
    again = page_text(reviewer_client.post(f"{url}confirm/", follow=True))
    assert "Not done:" in again and "Confirmed" in again


def test_fulfilment_is_post_only_and_unknown_orders_are_404(reviewer_client, order, approved, admin):
    assert reviewer_client.get(f"{ORDERS}{order.pk}/confirm/").status_code == 405
    assert reload(order).status == PartsOrder.Status.SUBMITTED
    assert reviewer_client.get(f"{ORDERS}999999/").status_code == 404
    with scope(organisation=approved):
        cart = order_create(organisation=approved, actor=admin, lines=[])
    assert reviewer_client.get(f"{ORDERS}{cart.pk}/").status_code == 404  # a cart is not Apple's yet


def test_a_hold_placed_after_submission_is_a_warning_on_the_order(reviewer_client, order, approved, reviewer):
    url = f"{ORDERS}{order.pk}/"
    assert 'data-testid="hold-warning"' not in page_text(reviewer_client.get(url))
    with scope(organisation=approved):
        hold_place(organisation=approved, reason=Hold.Reason.MANUAL, actor=reviewer, note="Unpaid repair bill")
    page = page_text(reviewer_client.get(url))
    assert 'data-testid="hold-warning"' in page
    assert "Unpaid repair bill" in page and "On hold for orders" in page
    assert 'data-testid="ship-form"' in page  # the reviewer decides; the page does not refuse


# --- invoices -------------------------------------------------------------------------------------------------


def test_marking_an_invoice_paid_releases_the_credit_hold(reviewer_client, order, approved, reviewer):
    invoice = delivered_invoice(approved, order, reviewer)
    with scope(organisation=approved):
        hold_place(organisation=approved, reason=Hold.Reason.CREDIT, note="An invoice is overdue.")
        assert open_holds(organisation=approved).filter(reason=Hold.Reason.CREDIT).exists()

    page = page_text(reviewer_client.get(f"{INVOICES}?status=open"))
    assert invoice.number in page and "Schulamt Nord" in page
    assert f'data-testid="paid-{invoice.number}"' in page and "data-confirm=" in page

    response = reviewer_client.post(f"/review/invoices/{invoice.pk}/paid/", {"status": "open"}, follow=True)
    assert response.redirect_chain == [(f"{INVOICES}?status=open", 302)]
    assert f"Invoice {invoice.number} of Schulamt Nord is marked paid." in page_text(response)
    paid = reload(invoice)
    assert paid.status == Invoice.Status.PAID and paid.paid_by_id == reviewer.pk
    with scope(organisation=approved):
        assert not open_holds(organisation=approved).filter(reason=Hold.Reason.CREDIT).exists()

    assert invoice.number not in page_text(reviewer_client.get(f"{INVOICES}?status=open"))
    assert invoice.number in page_text(reviewer_client.get(f"{INVOICES}?status=paid"))
    again = page_text(reviewer_client.post(f"/review/invoices/{invoice.pk}/paid/", follow=True))
    assert "already paid" in again


def test_the_overdue_filter_shows_open_invoices_past_their_due_date(reviewer_client, order, approved, reviewer):
    invoice = delivered_invoice(approved, order, reviewer)
    assert invoice.number not in page_text(reviewer_client.get(f"{INVOICES}?status=overdue"))
    with scopes_disabled():
        Invoice.objects.filter(pk=invoice.pk).update(due_on=datetime.date.today() - datetime.timedelta(days=1))
    page = page_text(reviewer_client.get(f"{INVOICES}?status=overdue"))
    assert invoice.number in page and "Overdue" in page


def test_the_invoice_list_takes_a_constant_number_of_queries(reviewer_client, approved, admin, reviewer, battery):
    delivered_invoice(approved, submit(approved, admin, [(battery, 1, "stock")]), reviewer)
    reviewer_client.get(INVOICES)
    with CaptureQueriesContext(connection) as few:
        assert reviewer_client.get(INVOICES).status_code == 200
    for other in OrganisationFactory.create_batch(3):
        approve_another(other)
        for _n in range(2):
            delivered_invoice(other, submit(other, admin, [(battery, 1, "stock")]), reviewer)
    with CaptureQueriesContext(connection) as many:
        assert reviewer_client.get(INVOICES).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_invoice_pdf_is_served_to_reviewers(reviewer_client, order, approved, reviewer):
    invoice = delivered_invoice(approved, order, reviewer)
    response = reviewer_client.get(f"/review/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{invoice.number}.pdf"'
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):  # the invoice itself, not just any PDF
        text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True)
        assert invoice.number in text.stdout.decode()
    assert reviewer_client.get("/review/invoices/999999/pdf/").status_code == 404


# --- the catalogue --------------------------------------------------------------------------------------------


def part_data(**changes) -> dict:
    data = {
        "part_number": "661-40001",
        "description": "Keyboard, MacBook Air 13-inch (German)",
        "product_lines": ["mac"],
        "fits_models": "MacBook Air 13-inch (M2)",
        "kind": "part",
        "stock_price": "149,00",
        "exchange_price": "",
        "available": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_catalogue_lists_withdrawn_parts_and_searches(reviewer_client, display, battery):
    with scopes_disabled():
        Part.objects.filter(pk=battery.pk).update(active=False)
    page = page_text(reviewer_client.get(PARTS))
    assert "661-30001" in page and "661-30002" in page and "not listed" in page
    assert 'href="/review/parts/661-30001/edit/"' in page and 'href="/review/parts/new/"' in page
    assert '<label class="visually-hidden" for="parts-q">' in page
    found = page_text(reviewer_client.get(f"{PARTS}?q=battery"))
    assert "661-30002" in found and "661-30001" not in found
    by_line = page_text(reviewer_client.get(f"{PARTS}?product_line=mac"))
    assert "661-30001" in by_line and "661-30002" not in by_line


def test_a_new_part_is_validated_by_field(reviewer_client):
    negative = reviewer_client.post(f"{PARTS}new/", part_data(stock_price="-5"))
    assert negative.status_code == 400
    assert "A price between 0 and 999999.99." in page_text(negative)
    nul = reviewer_client.post(f"{PARTS}new/", part_data(description="Keyboard\x00 (German)"))
    assert nul.status_code == 400
    assert '<div id="id_description_error"><p class="error" role="alert">Null characters are not allowed.' in page_text(
        nul
    )
    core = reviewer_client.post(f"{PARTS}new/", part_data(core_return="on", exchange_price=""))
    assert core.status_code == 400
    assert "A part with a core return needs an exchange price." in page_text(core)
    no_lines = reviewer_client.post(f"{PARTS}new/", part_data(product_lines=[]))
    assert no_lines.status_code == 400 and 'aria-describedby="id_product_lines_error"' in page_text(no_lines)
    with scopes_disabled():
        assert not Part.objects.filter(part_number="661-40001").exists()
        assert not Price.objects.filter(item="part:661-40001").exists()


def test_a_reviewer_adds_and_edits_a_part_and_sees_its_price_history(reviewer_client, display):
    response = reviewer_client.post(f"{PARTS}new/", part_data(part_number="661-40001"), follow=True)
    assert response.redirect_chain == [("/review/parts/661-40001/edit/", 302)]
    assert "661-40001 is now in the catalogue." in page_text(response)
    part = Part.objects.get(part_number="661-40001")
    assert part.stock_price == Decimal("149.00") and part.product_lines == ["mac"] and part.active
    assert 'data-testid="price-history"' in page_text(response)

    duplicate = reviewer_client.post(f"{PARTS}new/", part_data(part_number="661-30001"))
    assert duplicate.status_code == 400 and "already in the catalogue" in page_text(duplicate)

    edit = f"{PARTS}661-30001/edit/"
    form_page = page_text(reviewer_client.get(edit))
    assert 'name="part_number"' not in form_page  # the part number is fixed
    assert 'value="Display, MacBook Pro 14-inch"' in form_page

    bad = reviewer_client.post(edit, part_data(part_number=None, stock_price="-1", exchange_price="200"))
    assert bad.status_code == 400 and "A price between 0 and 999999.99." in page_text(bad)
    display.refresh_from_db()
    assert display.stock_price == Decimal("300.00")

    changed = reviewer_client.post(
        edit,
        part_data(
            part_number=None,
            description="Display, MacBook Pro 14-inch (M3)",
            product_lines=["mac", "ipad"],
            stock_price="329.00",
            exchange_price="219.00",
            core_return="on",
            active="on",
        ),
        follow=True,
    )
    assert "661-30001 is saved." in page_text(changed)
    display.refresh_from_db()
    assert display.stock_price == Decimal("329.00") and display.exchange_price == Decimal("219.00")
    assert display.product_lines == ["mac", "ipad"]
    page = page_text(changed)
    assert "329.00 €" in page  # the price history shows today's entry

    withdrawn = reviewer_client.post(edit, part_data(part_number=None, exchange_price="219.00", active=None))
    assert withdrawn.status_code == 302
    display.refresh_from_db()
    assert display.active is False
    assert reviewer_client.get(f"{PARTS}NOPE-1/edit/").status_code == 404


CSV = (
    "part_number,description,product_lines,stock_price,exchange_price,core_return,available,kind\n"
    "661-50001,Logic board MacBook Air M2,mac,899.00,650.00,yes,yes,part\n"
    "661-50002,Top case iPad Pro,ipad,-10,,no,yes,part\n"
    "661-50003,Replacement unit iPhone 15,iphone,549.00,,no,no,unit\n"
)


def test_a_catalogue_upload_stores_good_rows_and_reports_each_rejected_row(reviewer_client, display):
    upload = SimpleUploadedFile("catalogue.csv", CSV.encode(), content_type="text/csv")
    response = reviewer_client.post(f"{PARTS}upload/", {"file": upload})
    assert response.status_code == 200
    page = page_text(response)
    assert '<dd data-testid="created">2</dd>' in page
    assert '<dd data-testid="rejected-count">1</dd>' in page
    assert 'data-testid="rejected-line-3"' in page and "stock_price" in page
    assert "A price between 0 and 999999.99." in page
    assert set(Part.objects.filter(part_number__startswith="661-5").values_list("part_number", flat=True)) == {
        "661-50001",
        "661-50003",
    }
    again = page_text(reviewer_client.post(f"{PARTS}upload/", {"file": SimpleUploadedFile("c.csv", CSV.encode())}))
    assert '<dd data-testid="unchanged">2</dd>' in again and '<dd data-testid="created">0</dd>' in again


def test_a_file_that_is_not_a_catalogue_or_too_large_is_refused_clearly(reviewer_client):
    wrong = reviewer_client.post(f"{PARTS}upload/", {"file": SimpleUploadedFile("x.csv", b"serial,model\nA,B\n")})
    assert wrong.status_code == 400 and "Columns missing" in page_text(wrong)
    nothing = reviewer_client.post(f"{PARTS}upload/", {})
    assert nothing.status_code == 400
    big = SimpleUploadedFile("big.csv", b"x" * (6 * 1024 * 1024), content_type="text/csv")
    too_large = reviewer_client.post(f"{PARTS}upload/", {"file": big})
    assert too_large.status_code == 413 and "at most 5 MB" in page_text(too_large)
    assert not Part.objects.exists()


def test_the_upload_form_refuses_a_file_over_the_limit_without_a_declared_length(db):
    form = CatalogueUploadForm(files={"file": SimpleUploadedFile("big.csv", b"x" * (MAX_CATALOGUE_BYTES + 1))})
    assert not form.is_valid() and "at most 5 MB" in form.errors["file"][0]


# --- who gets in ----------------------------------------------------------------------------------------------


def test_the_parts_pages_answer_404_to_anyone_but_reviewers(client, admin, order, approved, reviewer, display):
    invoice = delivered_invoice(approved, submit(approved, admin, [(display, 1, "stock")]), reviewer)
    gets = [
        reverse("review:orders"),
        reverse("review:order_detail", kwargs={"order_id": order.pk}),
        reverse("review:invoices"),
        reverse("review:invoice_pdf", kwargs={"invoice_id": invoice.pk}),
        reverse("review:parts"),
        reverse("review:part_create"),
        reverse("review:part_edit", kwargs={"part_number": display.part_number}),
        reverse("review:parts_upload"),
    ]
    posts = [
        reverse("review:order_confirm", kwargs={"order_id": order.pk}),
        reverse("review:order_ship", kwargs={"order_id": order.pk}),
        reverse("review:order_deliver", kwargs={"order_id": order.pk}),
        reverse("review:invoice_paid", kwargs={"invoice_id": invoice.pk}),
        reverse("review:part_create"),
        reverse("review:part_edit", kwargs={"part_number": display.part_number}),
        reverse("review:parts_upload"),
    ]
    for url in gets:
        assert client.get(url).status_code == 302, url  # anonymous: log in first
    client.force_login(admin)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"carrier": "DHL", "tracking_number": "1", **part_data()}).status_code == 404, url
    assert reload(order).status == PartsOrder.Status.SUBMITTED
    assert reload(invoice).status == Invoice.Status.OPEN
    assert not Part.objects.filter(part_number="661-40001").exists()
