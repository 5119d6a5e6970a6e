"""The organisation's parts pages in the browser: catalogue, cart, orders, stock, credit, billing, core returns.

Who sees what (admin, technician, outsider), the cart from adding to submitting (with the ship date), the refusals a
submission meets (credit, holds) shown with their figures and the cart kept, bad input answered in words, PDFs, and
a constant number of queries on the list pages.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django_scopes import scope, scopes_disabled

from accounts.holds import hold_place
from accounts.models import Hold
from parts.models import CoreReturn, CreditSnapshot, Invoice, PartsOrder
from parts.services import order_create, order_deliver, order_ship, order_submit

from .factories import PartFactory, approve

pytestmark = pytest.mark.django_db

ORG = "schulamt-nord"


def url(name, **kwargs):
    return reverse(f"parts:{name}", kwargs={"org": ORG, **kwargs})


def text(response) -> str:
    """The page's visible text, whitespace collapsed, so assertions read like the page."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#x27;", "'")


@pytest.fixture(autouse=True)
def _english(admin, technician):
    """The pages in English, so the assertions read the source text (German is the default)."""
    for user in (admin, technician):
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture(autouse=True)
def _scoped(organisation):
    """The test's own reads and writes in the organisation's scope; each request opens its own."""
    with scope(organisation=organisation):
        yield


@pytest.fixture
def as_admin(client, admin, approved):
    client.force_login(admin)
    return client


@pytest.fixture
def as_technician(client, technician, approved):
    client.force_login(technician)
    return client


def _cart(organisation, user):
    with scope(organisation=organisation):
        return PartsOrder.objects.filter(organisation=organisation, created_by=user, status="draft").first()


@pytest.fixture
def submitted(approved, admin, display, battery):
    with scope(organisation=approved):
        order = order_create(
            organisation=approved,
            actor=admin,
            lines=[
                {"part_number": display.part_number, "quantity": 1, "pricing": "exchange"},
                {"part_number": battery.part_number, "quantity": 2, "pricing": "stock"},
            ],
        )
        return order_submit(order=order, actor=admin)


@pytest.fixture
def delivered(submitted, reviewer):
    with scope(organisation=submitted.organisation):
        order = order_ship(order=submitted, actor=reviewer, carrier="DHL", tracking_number="JJD000111")
        return order_deliver(order=order, actor=reviewer)


def _core(order):
    with scope(organisation=order.organisation):
        return CoreReturn.objects.get(order_line__order=order)


def _invoice(order):
    with scope(organisation=order.organisation):
        return Invoice.objects.get(order=order)


# --- Who sees what --------------------------------------------------------------------------------------------

MEMBER_PAGES = ["catalogue", "cart", "orders", "stock", "core_returns"]
ADMIN_PAGES = ["credit", "billing"]


@pytest.mark.parametrize("name", MEMBER_PAGES + ADMIN_PAGES)
def test_every_page_renders_for_an_admin(as_admin, name):
    page = as_admin.get(url(name))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>" in html and "css/parts.css" in html


@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_a_technician_sees_the_member_pages(as_technician, name):
    assert as_technician.get(url(name)).status_code == 200


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_a_technician_is_refused_the_billing_pages(as_technician, name):
    assert as_technician.get(url(name)).status_code == 403


def test_a_technician_may_not_submit_cancel_or_open_invoices(as_technician, submitted, technician):
    assert as_technician.post(url("order_submit", order_id=submitted.pk)).status_code == 403
    assert as_technician.post(url("order_cancel", order_id=submitted.pk)).status_code == 403
    assert as_technician.get(url("statement_pdf", month="2026-01")).status_code == 403
    assert as_technician.get(url("invoice_pdf", invoice_id=1)).status_code == 403


@pytest.mark.parametrize("name", MEMBER_PAGES + ADMIN_PAGES)
def test_an_outsider_gets_404(client, outsider, approved, name):
    client.force_login(outsider)
    assert client.get(url(name)).status_code == 404


def test_another_organisations_order_core_and_invoice_are_404(client, outsider, delivered):
    client.force_login(outsider)
    other = "klinikum-sued"
    core, invoice = _core(delivered), _invoice(delivered)
    for path in (
        reverse("parts:order_detail", kwargs={"org": other, "order_id": delivered.pk}),
        reverse("parts:order_confirmation_pdf", kwargs={"org": other, "order_id": delivered.pk}),
        reverse("parts:invoice_pdf", kwargs={"org": other, "invoice_id": invoice.pk}),
        reverse("parts:core_return_label_pdf", kwargs={"org": other, "core_id": core.pk}),
    ):
        assert client.get(path).status_code == 404, path
    for path in (
        reverse("parts:order_submit", kwargs={"org": other, "order_id": delivered.pk}),
        reverse("parts:order_cancel", kwargs={"org": other, "order_id": delivered.pk}),
        reverse("parts:core_returned", kwargs={"org": other, "core_id": core.pk}),
    ):
        assert client.post(path, {"tracking_number": "X1"}).status_code == 404, path
    core.refresh_from_db()
    assert core.status == CoreReturn.Status.DUE


def test_the_dashboard_shows_the_credit_panel(as_admin, submitted):
    page = as_admin.get(reverse("accounts:dashboard", kwargs={"org": ORG}))
    body = text(page)
    assert page.status_code == 200 and 'data-testid="credit-panel"' in page.content.decode()
    # 10,000.00 limit; the submitted order (200.00 exchange + 2 × 80.00) is in use
    assert "9,640.00 €" in body and "Open orders 1" in body
    assert url("catalogue") in page.content.decode() and url("credit") in page.content.decode()


def test_the_technicians_dashboard_panel_has_no_credit_link(client, technician, approved):
    client.force_login(technician)
    html = client.get(reverse("accounts:dashboard", kwargs={"org": ORG})).content.decode()
    assert 'data-testid="credit-panel"' in html and url("credit") not in html


# --- Catalogue ------------------------------------------------------------------------------------------------


def test_the_catalogue_lists_prices_fits_and_availability(as_admin, display, battery):
    PartFactory(
        part_number="661-30003", description="Logic board, iPad Air", product_lines_key="|ipad|", available=False
    )
    body = text(as_admin.get(url("catalogue")))
    assert "661-30001" in body and "Display, MacBook Pro 14-inch" in body
    assert "Fits: Mac · MacBook Pro 14-inch (M3)" in body
    assert "Stock price 300.00 €" in body and "Exchange price 200.00 €" in body
    assert "Back-ordered: ships later" in body
    battery_card = as_admin.get(url("catalogue"), {"q": "battery"}).content.decode()
    assert "661-30002" in battery_card and "661-30001" not in battery_card
    assert 'value="exchange"' not in battery_card  # no exchange price, no exchange choice


def test_the_catalogue_filters_by_product_line_and_kind_and_ignores_nonsense(as_admin, display, battery):
    PartFactory(
        part_number="661-40000", description="iPhone 15 replacement unit", product_lines_key="|iphone|", kind="unit"
    )
    body = text(as_admin.get(url("catalogue"), {"product_line": "iphone"}))
    assert "661-30002" in body and "661-40000" in body and "661-30001" not in body
    body = text(as_admin.get(url("catalogue"), {"product_line": "iphone", "kind": "unit"}))
    assert "661-40000" in body and "661-30002" not in body
    page = as_admin.get(url("catalogue"), {"product_line": "toaster", "kind": "x", "page": "abc"})
    assert page.status_code == 200 and "3 parts" in text(page)


def test_withdrawn_parts_are_not_listed(as_admin, display):
    PartFactory(part_number="661-99999", description="Withdrawn", active=False)
    assert "661-99999" not in text(as_admin.get(url("catalogue")))


def test_a_technician_may_fill_a_cart_from_the_catalogue(as_technician, technician, display):
    html = as_technician.get(url("catalogue")).content.decode()
    assert url("cart_add") in html and 'name="quantity"' in html


def test_the_catalogue_takes_a_constant_number_of_queries(as_admin, django_assert_max_num_queries):
    first, *_more = PartFactory.create_batch(3)
    response = as_admin.post(url("cart_add"), {"part_number": first.part_number, "quantity": 1}, follow=True)
    assert "Added 1 ×" in text(response)  # with a cart, whose summary the page shows
    with django_assert_max_num_queries(12) as few:
        assert as_admin.get(url("catalogue")).status_code == 200
    PartFactory.create_batch(30)
    with django_assert_max_num_queries(len(few)):
        assert "33 parts" in text(as_admin.get(url("catalogue")))


# --- The cart -------------------------------------------------------------------------------------------------


def test_looking_at_the_cart_makes_no_cart(as_admin, admin, approved):
    page = as_admin.get(url("cart"))
    assert page.status_code == 200 and 'data-testid="cart-empty"' in page.content.decode()
    assert url("catalogue") in page.content.decode()
    assert _cart(approved, admin) is None
    as_admin.get(url("catalogue"))
    assert _cart(approved, admin) is None


def test_add_update_remove_and_submit_shows_the_ship_date(as_admin, admin, approved, display, battery):
    response = as_admin.post(
        url("cart_add"),
        {
            "part_number": display.part_number,
            "quantity": "2",
            "pricing": "exchange",
            "next": url("catalogue") + "?q=661",
        },
    )
    assert response.status_code == 302 and response["Location"] == url("catalogue") + "?q=661"
    page = as_admin.get(response["Location"])
    assert "Added 2 × 661-30001 Display, MacBook Pro 14-inch to your cart." in text(page)
    as_admin.post(url("cart_add"), {"part_number": "661-30002", "quantity": "1"})
    as_admin.post(url("cart_add"), {"part_number": "661-30002", "quantity": "2", "pricing": "stock"})
    cart = _cart(approved, admin)
    with scope(organisation=approved):
        assert {(line.part.part_number, line.pricing): line.quantity for line in cart.lines.all()} == {
            ("661-30001", "exchange"): 2,
            ("661-30002", "stock"): 3,  # added, not replaced
        }

    body = text(as_admin.get(url("cart")))
    assert "2 lines" in body and "640.00 €" in body  # 2 × 200.00 + 3 × 80.00
    assert "Available credit 10,000.00 €" in body and "Left after this order 9,360.00 €" in body
    assert re.search(r"(Ships on|Estimated ship date:) \w+day, \w+\.? \d{1,2}, 20\d\d", body)

    response = as_admin.post(url("cart_update"), {"part_number": "661-30002", "pricing": "stock", "quantity": "1"})
    assert response["Location"] == url("cart")
    assert "661-30002: the quantity is now 1." in text(as_admin.get(url("cart")))
    as_admin.post(url("cart_update"), {"part_number": "661-30001", "pricing": "exchange", "quantity": "0"})
    assert "661-30001 has been removed from your cart." in text(as_admin.get(url("cart")))
    as_admin.post(url("cart_add"), {"part_number": "661-30001", "quantity": "1", "pricing": "exchange"})

    response = as_admin.post(url("order_submit", order_id=cart.pk))
    assert response.status_code == 302 and response["Location"] == url("order_detail", order_id=cart.pk)
    cart.refresh_from_db()
    assert cart.status == "submitted" and cart.total == Decimal("280.00") and cart.ship_date
    detail = as_admin.get(response["Location"])
    body = text(detail)
    with translation.override("en"):
        long_date = f"{cart.ship_date:%A}, {formats.date_format(cart.ship_date, 'DATE_FORMAT')}"
    assert f"Order {cart.number} has been submitted." in body and long_date in body
    assert 'aria-current="step"' in detail.content.decode() and "Submitted" in body
    assert url("order_confirmation_pdf", order_id=cart.pk) in detail.content.decode()
    assert _cart(approved, admin) is None  # the next add starts a new cart


def test_adding_with_htmx_answers_the_cart_status_only(as_admin, display):
    response = as_admin.post(
        url("cart_add"), {"part_number": display.part_number, "quantity": "3"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Added 3 × 661-30001" in html and "Cart: 1 line · 900.00 €" in text(response)
    assert "Added 3" not in text(as_admin.get(url("cart")))  # not repeated as a message on the next page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"part_number": "661-30001", "quantity": "abc"}, "Quantity: Enter a whole number."),
        ({"part_number": "661-30001", "quantity": "0"}, "Quantity: Ensure this value is greater than or equal to 1."),
        ({"part_number": "661-30001", "quantity": "1000"}, "Quantity: Ensure this value is less than or equal to 999."),
        ({"part_number": "661-30001", "quantity": "1\x00"}, "Quantity: Enter a whole number."),
        ({"part_number": "661-30001", "quantity": "1", "pricing": "free"}, "Price: Select a valid choice."),
        ({"part_number": "661-30002", "quantity": "1", "pricing": "exchange"}, "661-30002 has no exchange price"),
        ({"part_number": "661-99999", "quantity": "1"}, "661-99999 is not in the parts catalogue"),
        (
            {"part_number": "661-\x0030001\x00", "quantity": "1", "pricing": "stock\x00"},
            "Price: Select a valid choice.",
        ),
        ({"quantity": "1"}, "Part number: This field is required."),
    ],
)
def test_bad_input_to_the_cart_is_answered_in_words(as_admin, admin, approved, display, battery, data, message):
    PartFactory(part_number="661-99999", active=False)
    response = as_admin.post(url("cart_add"), data, follow=True)
    assert response.status_code == 200
    assert message in text(response)
    cart = _cart(approved, admin)
    assert cart is None or not cart.lines.exists()


def test_a_nul_byte_in_the_part_number_is_dropped_not_stored(as_admin, admin, approved, display):
    response = as_admin.post(url("cart_add"), {"part_number": "661-\x0030001", "quantity": "1"}, follow=True)
    assert "Added 1 × 661-30001" in text(response)


def test_a_line_beyond_the_maximum_is_refused_and_the_cart_kept(as_admin, admin, approved, display):
    as_admin.post(url("cart_add"), {"part_number": "661-30001", "quantity": "990"})
    response = as_admin.post(url("cart_add"), {"part_number": "661-30001", "quantity": "10"}, follow=True)
    assert "Your cart holds 990 of 661-30001 already; one line takes at most 999." in text(response)
    with scope(organisation=approved):
        assert _cart(approved, admin).lines.get().quantity == 990


def test_a_bad_quantity_update_keeps_the_line(as_admin, admin, approved, display):
    as_admin.post(url("cart_add"), {"part_number": "661-30001", "quantity": "2"})
    response = as_admin.post(
        url("cart_update"), {"part_number": "661-30001", "pricing": "stock", "quantity": "-1"}, follow=True
    )
    assert "Quantity: Ensure this value is greater than or equal to 0." in text(response)
    with scope(organisation=approved):
        assert _cart(approved, admin).lines.get().quantity == 2


def test_updating_without_a_cart_says_so(as_admin):
    response = as_admin.post(url("cart_update"), {"part_number": "661-30001", "quantity": "1"}, follow=True)
    assert "Your cart is empty." in text(response)


def test_a_withdrawn_part_in_the_cart_is_flagged_and_refused_on_submit(as_admin, admin, approved, display, battery):
    as_admin.post(url("cart_add"), {"part_number": "661-30001", "quantity": "1"})
    as_admin.post(url("cart_add"), {"part_number": "661-30002", "quantity": "1"})
    type(display).objects.filter(pk=display.pk).update(active=False)
    body = text(as_admin.get(url("cart")))
    assert "no longer in the catalogue" in body and "remove them to submit: 661-30001" in body
    cart = _cart(approved, admin)
    response = as_admin.post(url("order_submit", order_id=cart.pk))
    assert response.status_code == 409 and "No longer in the catalogue: 661-30001." in text(response)
    cart.refresh_from_db()
    assert cart.status == "draft"


# --- Submission refused ---------------------------------------------------------------------------------------


def test_submit_refused_on_credit_shows_the_figures_and_keeps_the_cart(client, admin, organisation, display):
    with scope(organisation=organisation):
        approve(organisation, credit_limit="500.00")
    client.force_login(admin)
    client.post(url("cart_add"), {"part_number": "661-30001", "quantity": "2", "pricing": "stock"})
    body = text(client.get(url("cart")))
    assert "This order does not fit the available credit and would be refused." in body  # told before submitting
    assert "Short by 100.00 €" in body
    cart = _cart(organisation, admin)
    response = client.post(url("order_submit", order_id=cart.pk))
    assert response.status_code == 409
    html, body = response.content.decode(), text(response)
    assert 'data-code="credit_exceeded"' in html
    assert "Credit limit 500.00 €" in body and "In use (exposure) 0.00 €" in body
    assert "Available 500.00 €" in body and "This order 600.00 €" in body
    assert "This order of 600.00 € is 100.00 € more than the credit still available." in body
    assert "the cart is kept as it is" in body
    assert 'data-testid="line-661-30001"' in html  # the cart is still on the page
    cart.refresh_from_db()
    assert cart.status == "draft" and cart.lines.count() == 1


def test_a_hold_is_shown_before_submitting_and_named_when_refused(as_admin, admin, approved, display):
    with scope(organisation=approved):
        hold = hold_place(organisation=approved, reason=Hold.Reason.CREDIT, note="An invoice is overdue.")
    as_admin.post(url("cart_add"), {"part_number": "661-30001", "quantity": "1"})
    cart_page = as_admin.get(url("cart"))
    assert 'data-testid="holds-preview"' in cart_page.content.decode()
    assert "Credit" in text(cart_page) and "An invoice is overdue." in text(cart_page)
    cart = _cart(approved, admin)
    response = as_admin.post(url("order_submit", order_id=cart.pk))
    assert response.status_code == 409
    html, body = response.content.decode(), text(response)
    assert 'data-code="account_on_hold"' in html
    with translation.override("en"):
        since = formats.date_format(timezone.localtime(hold.since), "DATE_FORMAT")
    assert "The account is on hold: the order was refused" in body and f"Credit since {since}" in body
    assert "Lifts when the overdue invoices are paid" in body and url("billing") in html
    cart.refresh_from_db()
    assert cart.status == "draft" and cart.lines.count() == 1


def test_a_product_line_hold_names_its_line(as_admin, admin, approved, display):
    with scope(organisation=approved):
        hold_place(organisation=approved, reason=Hold.Reason.CERTIFICATION, product_line="mac")
    as_admin.post(url("cart_add"), {"part_number": "661-30001", "quantity": "1"})
    response = as_admin.post(url("order_submit", order_id=_cart(approved, admin).pk))
    body = text(response)
    assert response.status_code == 409 and "Certification missing · Mac" in body
    assert "Parts that fit only Mac cannot be ordered while this hold is open." in body
    assert reverse("certification:team", kwargs={"org": ORG}) in response.content.decode()


def test_an_account_not_yet_approved_is_told_before_and_on_submit(client, admin, organisation, display):
    client.force_login(admin)
    client.post(url("cart_add"), {"part_number": "661-30001", "quantity": "1"})
    body = text(client.get(url("cart")))
    assert "Parts can be ordered once the account is approved and active; its status is “Draft”." in body
    cart = _cart(organisation, admin)
    response = client.post(url("order_submit", order_id=cart.pk))
    assert response.status_code == 409 and 'data-code="account_not_active"' in response.content.decode()
    assert "The account cannot order parts yet" in text(response)
    cart.refresh_from_db()
    assert cart.status == "draft"


def test_submitting_twice_leads_to_the_order(as_admin, submitted):
    response = as_admin.post(url("order_submit", order_id=submitted.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("order_detail", order_id=submitted.pk)
    assert "This is not possible while the status is “Submitted”." in text(response)


def test_submitting_an_empty_cart_says_what_to_do(as_admin, admin, approved, display):
    as_admin.post(url("cart_add"), {"part_number": "661-30001", "quantity": "1"})
    cart = _cart(approved, admin)
    as_admin.post(url("cart_update"), {"part_number": "661-30001", "pricing": "stock", "quantity": "0"})
    response = as_admin.post(url("order_submit", order_id=cart.pk))
    assert response.status_code == 409 and "The cart is empty: add at least one part." in text(response)


def test_a_technician_fills_the_cart_and_an_admin_submits_it(client, technician, admin, approved, display):
    client.force_login(technician)
    client.post(url("cart_add"), {"part_number": "661-30001", "quantity": "1"})
    page = client.get(url("cart"))
    assert "An admin submits the order" in text(page) and 'data-testid="submit-order"' not in page.content.decode()
    cart = _cart(approved, technician)
    client.force_login(admin)
    listed = client.get(url("orders"), {"status": "draft"})
    assert f"Cart of {technician.display_name}" in text(listed)
    detail = client.get(url("order_detail", order_id=cart.pk))
    assert detail.status_code == 200 and 'data-testid="submit-order"' in detail.content.decode()
    response = client.post(url("order_submit", order_id=cart.pk))
    assert response["Location"] == url("order_detail", order_id=cart.pk)
    cart.refresh_from_db()
    assert cart.status == "submitted" and cart.submitted_by == admin


def test_ones_own_cart_opened_as_an_order_leads_to_the_cart(as_admin, admin, approved, display):
    as_admin.post(url("cart_add"), {"part_number": "661-30001", "quantity": "1"})
    response = as_admin.get(url("order_detail", order_id=_cart(approved, admin).pk))
    assert response.status_code == 302 and response["Location"] == url("cart")


# --- Orders ---------------------------------------------------------------------------------------------------


def test_the_orders_list_shows_status_ship_date_and_stock(as_admin, delivered, submitted):
    page = as_admin.get(url("orders"))
    body = text(page)
    assert delivered.number in body and "Delivered" in body and "360.00 €" in body
    assert "661-30002" in body and 'data-testid="stock-card"' in page.content.decode()
    assert delivered.number in text(as_admin.get(url("orders"), {"status": "delivered"}))
    assert delivered.number not in text(as_admin.get(url("orders"), {"status": "cancelled"}))
    assert "2" in text(as_admin.get(url("stock")))


def test_an_estimated_ship_date_is_marked_with_its_reason(as_admin, approved, admin):
    part = PartFactory(part_number="661-30009", available=False)
    with scope(organisation=approved):
        order = order_create(
            organisation=approved, actor=admin, lines=[{"part_number": part.part_number, "quantity": 1}]
        )
        order = order_submit(order=order, actor=admin)
    assert order.ship_note == "unavailable"
    assert "estimated" in text(as_admin.get(url("orders")))
    body = text(as_admin.get(url("order_detail", order_id=order.pk)))
    assert "Estimated ship date" in body and "Not every part is available at the moment" in body


def test_the_orders_list_takes_a_constant_number_of_queries(
    as_admin, admin, approved, display, battery, django_assert_max_num_queries
):
    def orders(n):
        with scope(organisation=approved):
            for _ in range(n):
                order_create(
                    organisation=approved,
                    actor=admin,
                    lines=[{"part_number": "661-30001", "quantity": 1}, {"part_number": "661-30002", "quantity": 2}],
                )

    orders(2)
    with django_assert_max_num_queries(12) as few:
        assert as_admin.get(url("orders")).status_code == 200
    orders(15)
    with django_assert_max_num_queries(len(few)):
        assert "17 orders" in text(as_admin.get(url("orders")))


def test_the_order_detail_shows_lines_tracking_and_invoice(as_admin, delivered):
    page = as_admin.get(url("order_detail", order_id=delivered.pk))
    html, body = page.content.decode(), text(page)
    assert "Display, MacBook Pro 14-inch" in body and "Exchange" in body and "200.00 €" in body
    assert "2 × 80.00" not in body and "160.00 €" in body and "Total (net) 360.00 €" in body
    assert "DHL" in body and "JJD000111" in body
    invoice = _invoice(delivered)
    assert url("invoice_pdf", invoice_id=invoice.pk) in html
    assert 'data-testid="cancel-order"' not in html  # delivered: too late to cancel


def test_a_technician_sees_no_invoice_link_and_no_cancel_button(as_technician, delivered, submitted):
    html = as_technician.get(url("order_detail", order_id=delivered.pk)).content.decode()
    assert "invoice_pdf" not in html and "/billing/invoices/" not in html
    assert (
        'data-testid="cancel-order"'
        not in as_technician.get(url("order_detail", order_id=submitted.pk)).content.decode()
    )


def test_an_admin_cancels_an_order_before_it_ships(as_admin, submitted):
    assert 'data-testid="cancel-order"' in as_admin.get(url("order_detail", order_id=submitted.pk)).content.decode()
    response = as_admin.post(url("order_cancel", order_id=submitted.pk), follow=True)
    assert f"Order {submitted.number} has been cancelled." in text(response)
    submitted.refresh_from_db()
    assert submitted.status == "cancelled"
    assert "It no longer counts toward the credit line." in text(response)
    again = as_admin.post(url("order_cancel", order_id=submitted.pk), follow=True)
    assert "This is not possible while the status is “Cancelled”." in text(again)


def test_a_shipped_order_cannot_be_cancelled(as_admin, submitted, reviewer):
    with scope(organisation=submitted.organisation):
        order_ship(order=submitted, actor=reviewer, carrier="UPS", tracking_number="1Z999")
    response = as_admin.post(url("order_cancel", order_id=submitted.pk), follow=True)
    assert "This is not possible while the status is “Shipped”." in text(response)
    submitted.refresh_from_db()
    assert submitted.status == "shipped"


@pytest.mark.parametrize(("language", "weekday"), [("de", "Dienstag"), ("en", "Tuesday")])
def test_dates_follow_the_readers_language(client, admin, submitted, language, weekday):
    admin.language = language
    admin.save(update_fields=["language"])
    PartsOrder.objects.filter(pk=submitted.pk).update(ship_date=datetime.date(2026, 4, 7))
    client.force_login(admin)
    body = text(client.get(url("order_detail", order_id=submitted.pk)))
    expected = "Dienstag, 7. April 2026" if language == "de" else "Tuesday, April 7, 2026"
    assert expected in body and weekday in body


# --- Credit and billing ---------------------------------------------------------------------------------------


def test_the_credit_page_without_history_says_the_chart_fills_in(as_admin, submitted):
    page = as_admin.get(url("credit"))
    body = text(page)
    assert "Credit limit 10,000.00 €" in body and "In use (exposure) 360.00 €" in body
    assert "0.00 € unpaid invoices" in body and "360.00 € open orders" in body
    assert "Available to order 9,640.00 €" in body and "3 %" in body
    assert "The chart fills in day by day." in body and "credit-chart" not in page.content.decode()


def test_the_credit_chart_is_an_svg_with_a_text_alternative(as_admin, approved):
    today = datetime.date.today()
    with scopes_disabled():  # fixture data of the organisation
        for days_ago, exposure in [(20, "1000.00"), (10, "2500.00"), (1, "4000.00")]:
            CreditSnapshot.objects.create(
                organisation=approved,
                day=today - datetime.timedelta(days=days_ago),
                limit="10000.00",
                exposure=exposure,
            )
    page = as_admin.get(url("credit"))
    html, body = page.content.decode(), text(page)
    assert re.search(r'<svg viewBox="0 0 600 230" role="img" aria-labelledby="chart-title chart-desc"', html)
    assert '<title id="chart-title">' in html and '<desc id="chart-desc">' in html
    assert "went from 10 % to 40 % of the limit" in body
    assert re.search(r'points="70\.0,\d+\.\d [\d.]+,\d+\.\d 584\.0,\d+\.\d"', html)  # decimal points, not commas
    assert 'data-testid="chart-table"' in html and "4,000.00 €" in body


def test_the_chart_coordinates_keep_a_decimal_point_in_german(client, admin, approved):
    admin.language = "de"
    admin.save(update_fields=["language"])
    today = datetime.date.today()
    with scopes_disabled():
        for days_ago in (3, 2, 1):
            CreditSnapshot.objects.create(
                organisation=approved,
                day=today - datetime.timedelta(days=days_ago),
                limit="3000.00",
                exposure="1000.00",
            )
    client.force_login(admin)
    html = client.get(url("credit")).content.decode()
    points = re.search(r'<polyline class="line"[^>]* points="([^"]+)"', html).group(1)
    assert re.fullmatch(r"(\d+\.\d,\d+\.\d ?)+", points), points


def test_the_credit_page_shows_a_credit_hold_with_its_reason(as_admin, approved):
    with scope(organisation=approved):
        hold_place(organisation=approved, reason=Hold.Reason.CREDIT, note="An invoice is overdue.")
    page = as_admin.get(url("credit"))
    assert 'data-testid="credit-hold"' in page.content.decode()
    assert "An invoice is overdue." in text(page) and "new orders are refused" in text(page)


def test_the_credit_page_lists_open_invoices_and_upcoming_cores(as_admin, delivered):
    invoice = _invoice(delivered)
    Invoice.objects.filter(pk=invoice.pk).update(due_on=datetime.date.today() - datetime.timedelta(days=3))
    body = text(as_admin.get(url("credit")))
    assert invoice.number in body and "overdue by 3 days" in body
    assert "661-30001" in body and "All core returns" in body


def test_the_billing_page_shows_open_items_invoices_statements_and_how_to_pay(as_admin, delivered, settings):
    invoice = _invoice(delivered)
    Invoice.objects.filter(pk=invoice.pk).update(due_on=datetime.date.today() - datetime.timedelta(days=2))
    page = as_admin.get(url("billing"))
    html, body = page.content.decode(), text(page)
    assert "1 open invoice, 428.40 € to pay" in body and "1 overdue" in body and "2 days overdue" in body
    assert "360.00 €" in body and "68.40 €" in body and "428.40 €" in body  # net, 19 % VAT, gross
    assert url("invoice_pdf", invoice_id=invoice.pk) in html
    month = f"{invoice.issued_on:%Y-%m}"
    assert url("statement_pdf", month=month) in html
    assert settings.INVOICE_SELLER["iban"] in body and "due 30 days after the invoice date" in body


def test_pdfs_are_pdfs(as_admin, delivered):
    invoice, core = _invoice(delivered), _core(delivered)
    for path in (
        url("order_confirmation_pdf", order_id=delivered.pk),
        url("invoice_pdf", invoice_id=invoice.pk),
        url("statement_pdf", month=f"{invoice.issued_on:%Y-%m}"),
        url("core_return_label_pdf", core_id=core.pk),
    ):
        response = as_admin.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF"), path


def test_a_technician_prints_a_core_return_label(as_technician, delivered):
    response = as_technician.get(url("core_return_label_pdf", core_id=_core(delivered).pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("month", ["2026-13", "1999-01", "abc", "2999-01"])
def test_a_statement_of_a_month_without_one_is_404(as_admin, delivered, month):
    assert as_admin.get(url("statement_pdf", month=month)).status_code == 404


def test_a_cart_has_no_confirmation(as_admin, admin, approved, display):
    as_admin.post(url("cart_add"), {"part_number": "661-30001", "quantity": "1"})
    assert as_admin.get(url("order_confirmation_pdf", order_id=_cart(approved, admin).pk)).status_code == 404


# --- Core returns ---------------------------------------------------------------------------------------------


def test_core_returns_explain_and_a_technician_marks_one_returned(as_technician, technician, delivered):
    core = _core(delivered)
    page = as_technician.get(url("core_returns"))
    html, body = page.content.decode(), text(page)
    assert f'data-testid="core-{core.pk}"' in html and delivered.number in body and "15 days left" in body
    assert "the difference between the stock price and the exchange price" in body
    assert "More than 5 overdue cores put the account on hold" in body
    assert url("core_return_label_pdf", core_id=core.pk) in html

    response = as_technician.post(
        url("core_returned", core_id=core.pk), {"tracking_number": " 1Z-RETURN-1\x00 ", "next": url("core_returns")}
    )
    assert response["Location"] == url("core_returns")
    core.refresh_from_db()
    assert core.status == CoreReturn.Status.RETURNED and core.tracking_number == "1Z-RETURN-1"
    assert core.returned_by == technician
    page = as_technician.get(url("core_returns"))
    assert "The core of 661-30001 is marked returned (tracking number 1Z-RETURN-1)." in text(page)
    assert f'data-testid="core-{core.pk}"' not in page.content.decode()  # no longer to return
    returned = as_technician.get(url("core_returns"), {"status": "returned"})
    assert f'data-testid="core-{core.pk}"' in returned.content.decode() and "1Z-RETURN-1" in text(returned)


def test_marking_returned_needs_a_tracking_number_and_happens_once(as_admin, delivered):
    core = _core(delivered)
    response = as_admin.post(url("core_returned", core_id=core.pk), {"tracking_number": " \x00 "}, follow=True)
    assert "Give the tracking number of the return shipment." in text(response)
    core.refresh_from_db()
    assert core.status == CoreReturn.Status.DUE
    as_admin.post(url("core_returned", core_id=core.pk), {"tracking_number": "A1"})
    again = as_admin.post(url("core_returned", core_id=core.pk), {"tracking_number": "B2"}, follow=True)
    assert "This core is already returned." in text(again)
    core.refresh_from_db()
    assert core.tracking_number == "A1"


def test_overdue_cores_and_their_hold_are_explained(as_admin, delivered):
    core = _core(delivered)
    CoreReturn.objects.filter(pk=core.pk).update(
        status=CoreReturn.Status.OVERDUE, due_date=datetime.date.today() - datetime.timedelta(days=4)
    )
    with scope(organisation=delivered.organisation):
        hold_place(organisation=delivered.organisation, reason=Hold.Reason.CORE_RETURNS)
    page = as_admin.get(url("core_returns"), {"status": "overdue"})
    html, body = page.content.decode(), text(page)
    assert f'data-testid="core-{core.pk}"' in html and "4 days overdue" in body
    assert 'data-testid="cores-hold"' in html and "Lifts when the overdue cores are returned." in body


def test_a_bad_status_filter_shows_the_cores_to_return(as_admin, delivered):
    page = as_admin.get(url("core_returns"), {"status": "nonsense"})
    assert page.status_code == 200 and f'data-testid="core-{_core(delivered).pk}"' in page.content.decode()


def test_the_next_parameter_never_leaves_the_site(as_admin, delivered):
    response = as_admin.post(
        url("core_returned", core_id=_core(delivered).pk), {"tracking_number": "A1", "next": "https://evil.example/"}
    )
    assert response["Location"] == url("core_returns")
    response = as_admin.post(url("cart_add"), {"part_number": "661-30001", "quantity": "1", "next": "//evil.example"})
    assert response["Location"] == url("catalogue")
