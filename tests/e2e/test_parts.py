"""Journey 8: parts on the credit line — ordered, fulfilled, invoiced, a core returned, an order refused on a hold.

The account is approved directly through the models (the approval itself is journey 6) and every order that is not
the subject of a journey is made through the parts services. The portal answers in German, its default: the
expected dates, amounts and labels are computed in German from the same source the pages use (``date_format``,
the ``euro`` filter, the models' labels), so the journeys keep passing when the German translations are added.
"""

import datetime
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Hold, Organisation, ProgrammeRules
from accounts.selectors import programme_rules_for
from core.models import AuditEntry, VatRate
from core.templatetags.portal import euro
from parts.jobs import credit_lines
from parts.models import CoreReturn, Invoice, PartsOrder
from parts.services import order_confirm, order_deliver, order_ship, order_submit
from parts.shipping import ship_date
from tests.accounts.factories import TEST_TOTP_SECRET
from tests.e2e.conftest import log_in, sign_in_browser_as
from tests.parts.factories import PartFactory, approve, cart_of, charges_invoice

pytestmark = pytest.mark.browser

SLUG = "schulamt-nord"
ORG = f"/o/{SLUG}"
FACTORY_PASSWORD = "correct-horse-battery"
DISPLAY, BATTERY, KEYBOARD = "661-30001", "661-30002", "661-30003"
CARRIER, TRACKING = "DHL", "00340434161234567890"
CORE_TRACKING = "1Z999AA10123456784"


# --- helpers --------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """What the data migrations seed and the live server's flush after each test removes: Germany's programme
    rules and its standard VAT rate (19 % since 2007), which every invoice needs."""
    ProgrammeRules.objects.get_or_create(country="DE")
    VatRate.objects.get_or_create(
        country="DE", kind=VatRate.Kind.STANDARD, valid_from=datetime.date(2007, 1, 1), defaults={"rate": "0.1900"}
    )


def _de(value) -> str:
    """A lazy label or a callable, rendered in German, the portal's default language."""
    with translation.override("de"):
        return str(value() if callable(value) else value)


def _euro(amount) -> str:
    return _de(lambda: euro(Decimal(amount)))


def _long_date(day: datetime.date) -> str:
    """A date as the order pages write it: ``Donnerstag, 5. März 2026``."""
    return _de(lambda: f"{date_format(day, 'l')}, {date_format(day, 'DATE_FORMAT')}")


def _signed_in_page(new_context, user, site):
    context = new_context()
    sign_in_browser_as(context, user, site)
    return context.new_page()


def _nav(page, href: str):
    return page.locator(f"nav.sidenav a[href='{href}']")


def _catalogue() -> dict:
    """A Mac display (stock or exchange), an iPhone battery (stock only) and a keyboard the search leaves out."""
    return {
        "display": PartFactory(
            part_number=DISPLAY,
            description="Display, MacBook Pro 14-inch",
            product_lines_key="|mac|",
            stock_price=Decimal("560.00"),
            exchange_price=Decimal("400.00"),
            core_return=True,
        ),
        "battery": PartFactory(
            part_number=BATTERY,
            description="Battery, iPhone 15",
            product_lines_key="|iphone|",
            fits_models="iPhone 15",
            stock_price=Decimal("80.00"),
            exchange_price=None,
            core_return=False,
        ),
        "keyboard": PartFactory(
            part_number=KEYBOARD,
            description="Keyboard, MacBook Air 13-inch",
            product_lines_key="|mac|",
            fits_models="MacBook Air 13-inch (M2)",
            stock_price=Decimal("150.00"),
            exchange_price=None,
            core_return=False,
        ),
    }


def _approved(organisation, *, credit_limit: str = "5000.00", federal_state: str = "BY") -> Organisation:
    """Approved with a credit line, in a federal state with its own public holidays, with a VAT id."""
    Organisation.objects.filter(pk=organisation.pk).update(
        federal_state=federal_state, vat_id="DE811907980", address="Schulstraße 4\n80331 München"
    )
    organisation.refresh_from_db()
    with scope(organisation=organisation):
        approve(organisation, credit_limit=credit_limit)
    return organisation


def _promise(organisation, submitted_at: datetime.datetime, parts):
    """The ship date the portal promises for ``parts`` submitted at ``submitted_at``, from the programme rules."""
    rules = programme_rules_for(organisation)
    return ship_date(
        submitted_at=submitted_at,
        country=organisation.country,
        subdivision=organisation.federal_state,
        cutoff=rules.order_cutoff,
        timezone=rules.order_timezone,
        all_available=all(part.available for part in parts),
        backorder_days=rules.backorder_days,
    )


def _submitted_order(organisation, admin, parts: dict) -> PartsOrder:
    """One display in exchange and two batteries at the stock price, submitted: 400 + 2 × 80 = 560.00 net."""
    with scope(organisation=organisation):
        order = cart_of(
            organisation, admin, (parts["display"], 1, "exchange"), (parts["battery"], 2, "stock"), reference="Raum 3"
        )
        return order_submit(order=order, actor=admin)


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-"), data[:200]
    assert shutil.which("pdftotext"), "poppler's pdftotext is needed to read the invoice"
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def _pdf(page, href: str) -> bytes:
    """The PDF behind a link, fetched with the page's session (the portal sends PDFs inline, for the viewer)."""
    response = page.context.request.get(href)
    assert response.ok, f"{href}: {response.status}"
    assert response.headers["content-type"] == "application/pdf"
    return response.body()


# --- journey 1: the admin orders, sees the ship date, and the available credit drops ----------------------------


def test_admin_orders_parts_and_sees_ship_date_and_credit_drop(admin, organisation, new_context, screenshot):
    organisation = _approved(organisation, credit_limit="5000.00")
    parts = _catalogue()
    page = new_context().new_page()
    log_in(page, admin.email, FACTORY_PASSWORD, totp_secret=TEST_TOTP_SECRET)  # admins sign in with two factors

    # The catalogue, from the side navigation: every part, then the search narrows it to the display.
    page.goto(f"{ORG}/")
    _nav(page, f"{ORG}/parts/").click()
    expect(page).to_have_url(re.compile(rf"{ORG}/parts/$"))
    listed = page.get_by_test_id("parts").locator("li.part")
    expect(listed).to_have_count(3)
    expect(page.get_by_test_id("cart-link")).to_be_visible()
    search = page.locator("main form.filters")
    search.locator("input[name=q]").fill("Display")
    search.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"[?&]q=Display\b"))
    expect(listed).to_have_count(1)
    display = page.get_by_test_id(f"part-{DISPLAY}")
    expect(display).to_contain_text("Display, MacBook Pro 14-inch")
    expect(display.locator("dl.prices")).to_contain_text(_euro("560.00"))
    expect(display.locator("dl.prices")).to_contain_text(_euro("400.00"))

    # The display at the exchange price (the core goes back), into the cart without leaving the page.
    add_display = page.get_by_test_id(f"add-{DISPLAY}")
    add_display.locator("input[name=pricing][value=exchange]").check()
    add_display.locator("button[type=submit]").click()
    expect(page.get_by_test_id("cart-message")).to_contain_text(DISPLAY)
    expect(page.get_by_test_id("cart-link")).to_contain_text(_euro("400.00"))
    expect(page).to_have_url(re.compile(r"[?&]q=Display\b"))  # the search is still there

    # Two batteries at the stock price (they have no exchange price), found by part number.
    search.locator("input[name=q]").fill(BATTERY)
    search.locator("button[type=submit]").click()
    expect(listed).to_have_count(1)
    add_battery = page.get_by_test_id(f"add-{BATTERY}")
    expect(add_battery.locator("input[name=pricing][value=exchange]")).to_have_count(0)
    add_battery.locator("input[name=quantity]").fill("2")
    add_battery.locator("button[type=submit]").click()
    expect(page.get_by_test_id("cart-message")).to_contain_text(BATTERY)
    expect(page.get_by_test_id("cart-link")).to_contain_text(_euro("560.00"))
    screenshot(page, "parts_catalogue")

    # The cart: the lines at today's prices, the credit it leaves, and the ship date if submitted now.
    before = timezone.now()
    page.get_by_test_id("cart-link").click()
    expect(page).to_have_url(re.compile(rf"{ORG}/orders/cart/$"))
    after = timezone.now()
    lines = page.get_by_test_id("lines")
    expect(lines.locator("tbody tr")).to_have_count(2)
    expect(lines.get_by_test_id(f"line-{DISPLAY}")).to_contain_text(_euro("400.00"))
    expect(lines.get_by_test_id(f"line-{BATTERY}").locator("input[type=number]")).to_have_value("2")
    expect(lines.get_by_test_id(f"line-{BATTERY}")).to_contain_text(_euro("160.00"))
    expect(page.get_by_test_id("order-total")).to_have_text(_euro("560.00"))
    panel = page.get_by_test_id("submit-panel")
    expect(panel.get_by_test_id("cart-total")).to_have_text(_euro("560.00"))
    expect(panel.get_by_test_id("available-credit")).to_have_text(_euro("5000.00"))
    expect(panel.get_by_test_id("credit-left")).to_have_text(_euro("4440.00"))
    expect(panel.get_by_test_id("credit-short")).to_have_count(0)
    expect(panel.get_by_test_id("holds-preview")).to_have_count(0)
    cart_parts = [parts["display"], parts["battery"]]
    # The preview is computed when the page is rendered; the cut-off could fall between the two instants.
    previewed = {_promise(organisation, moment, cart_parts) for moment in (before, after)}
    assert all(not p.estimated for p in previewed)  # everything available, in good standing: a promise
    preview = panel.get_by_test_id("ship-preview")
    expect(preview).not_to_have_class(re.compile(r"\bestimated\b"))
    expect(preview.locator("strong")).to_contain_text(
        re.compile("|".join(re.escape(_long_date(p.date)) for p in previewed))
    )
    screenshot(page, "parts_cart")

    # Submitted: the order page says so, with the ship date the portal promised at that instant.
    panel.get_by_test_id("submit-order").click()
    expect(page).to_have_url(re.compile(rf"{ORG}/orders/\d+/$"))
    with scope(organisation=organisation):
        order = PartsOrder.objects.get(organisation=organisation, number__startswith="PO-")
        assert order.lines.count() == 2
    promise = _promise(organisation, order.submitted_at, cart_parts)
    assert (order.status, order.submitted_by, order.total) == ("submitted", admin, Decimal("560.00"))
    assert (order.ship_date, order.ship_note) == (promise.date, "")
    assert order.ship_date > timezone.localdate()
    expect(page.get_by_test_id("order-status")).to_have_text(_de(PartsOrder.Status.SUBMITTED.label))
    expect(page.get_by_role("heading", level=1)).to_contain_text(order.number)
    expect(page.get_by_test_id("ship-date")).to_have_text(_long_date(promise.date))
    expect(page.locator(".messages .alert-success")).to_contain_text(order.number)
    expect(page.locator(".messages .alert-success")).to_contain_text(_long_date(promise.date))
    expect(page.get_by_test_id("progress").locator("li[aria-current=step]")).to_contain_text(
        _de(PartsOrder.Status.SUBMITTED.label)
    )
    expect(page.get_by_test_id("order-total")).to_have_text(_euro("560.00"))
    screenshot(page, "parts_order_submitted")

    # The cart is empty again, and the credit line shows the order drawing on it.
    page.goto(f"{ORG}/orders/cart/")
    expect(page.get_by_test_id("cart-empty")).to_be_visible()
    _nav(page, f"{ORG}/credit/").click()
    expect(page).to_have_url(re.compile(rf"{ORG}/credit/$"))
    expect(page.get_by_test_id("credit-limit")).to_have_text(_euro("5000.00"))
    expect(page.get_by_test_id("credit-exposure")).to_have_text(_euro("560.00"))
    expect(page.get_by_test_id("credit-available")).to_have_text(_euro("4440.00"))
    expect(page.get_by_test_id("credit-hold")).to_have_count(0)
    screenshot(page, "parts_credit_after_order")
    with scopes_disabled():
        assert AuditEntry.objects.filter(organisation=organisation, action="order.submitted").count() == 1


# --- journey 2: the reviewer confirms, ships and delivers -------------------------------------------------------


def test_reviewer_confirms_ships_and_delivers(admin, reviewer, organisation, new_context, site, screenshot):
    organisation = _approved(organisation)
    order = _submitted_order(organisation, admin, _catalogue())
    page = _signed_in_page(new_context, reviewer, site)

    # The fulfilment queue, from the reviewer's navigation.
    page.goto("/review/")
    _nav(page, "/review/orders/").click()
    expect(page).to_have_url(re.compile(r"/review/orders/$"))
    row = page.get_by_test_id(f"order-{order.pk}")
    expect(row).to_contain_text(order.number)
    expect(row).to_contain_text("Schulamt Nord")
    expect(row).to_contain_text(_de(PartsOrder.Status.SUBMITTED.label))
    expect(row).to_contain_text(_euro("560.00"))
    screenshot(page, "parts_fulfilment_queue")

    # The order: its lines, the promised date, the account in good standing.
    row.get_by_role("link", name=order.number).click()
    expect(page).to_have_url(re.compile(rf"/review/orders/{order.pk}/$"))
    status = page.get_by_test_id("order-status")
    expect(status).to_have_text(_de(PartsOrder.Status.SUBMITTED.label))
    expect(page.get_by_test_id("lines").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("order-total")).to_have_text(_euro("560.00"))
    expect(page.get_by_test_id("ship-date")).to_contain_text(_de(lambda: date_format(order.ship_date, "DATE_FORMAT")))
    expect(page.get_by_test_id("hold-warning")).to_have_count(0)
    fulfilment = page.get_by_test_id("fulfilment")
    expect(fulfilment.get_by_test_id("deliver-form")).to_have_count(0)  # not before it has shipped

    # Confirm.
    fulfilment.get_by_test_id("confirm-form").locator("button[type=submit]").click()
    expect(status).to_have_text(_de(PartsOrder.Status.CONFIRMED.label))
    expect(page.locator(".messages .alert-success")).to_contain_text(order.number)
    expect(fulfilment.get_by_test_id("confirm-form")).to_have_count(0)

    # Ship with the carrier and the tracking number.
    ship = fulfilment.get_by_test_id("ship-form")
    ship.locator("input[name=carrier]").fill(CARRIER)
    ship.locator("input[name=tracking_number]").fill(TRACKING)
    ship.locator("button[type=submit]").click()
    expect(status).to_have_text(_de(PartsOrder.Status.SHIPPED.label))
    expect(page.locator(".messages .alert-success")).to_contain_text(TRACKING)
    expect(page.get_by_test_id("tracking-number")).to_have_text(TRACKING)
    expect(fulfilment.get_by_test_id("ship-form")).to_have_count(0)
    screenshot(page, "parts_order_shipped")

    # Deliver: the page asks first, since delivery invoices the order.
    page.once("dialog", lambda dialog: dialog.accept())
    fulfilment.get_by_test_id("deliver-form").locator("button[type=submit]").click()
    expect(status).to_have_text(_de(PartsOrder.Status.DELIVERED.label))
    expect(fulfilment.get_by_test_id("no-actions")).to_be_visible()
    with scopes_disabled():
        order.refresh_from_db()
        invoice = Invoice.objects.get(order=order)
        cores = list(CoreReturn.objects.filter(order_line__order=order))
    expect(page.get_by_test_id("order-invoice")).to_contain_text(invoice.number)
    screenshot(page, "parts_order_delivered")

    assert (order.status, order.carrier, order.tracking_number) == ("delivered", CARRIER, TRACKING)
    assert order.confirmed_at and order.shipped_at and order.delivered_at
    assert re.fullmatch(rf"RE-{timezone.localdate().year}-\d{{6}}", invoice.number)
    assert (invoice.organisation_id, invoice.status) == (organisation.pk, Invoice.Status.OPEN)
    assert (invoice.net, invoice.vat, invoice.gross) == (Decimal("560.00"), Decimal("106.40"), Decimal("666.40"))
    # One core for the one display bought in exchange; the batteries owe nothing back.
    rules = programme_rules_for(organisation)
    assert [(c.part.part_number, c.status) for c in cores] == [(DISPLAY, CoreReturn.Status.DUE)]
    assert cores[0].due_date == timezone.localdate() + datetime.timedelta(days=rules.core_return_days)
    shipped = [m for m in mail.outbox if admin.email in m.to and TRACKING in m.body]
    assert shipped, f"no email with the tracking number to the admin: {[m.subject for m in mail.outbox]}"


# --- journey 3: the admin downloads the invoice and returns a core ---------------------------------------------


def test_admin_downloads_invoice_and_returns_a_core(admin, reviewer, organisation, new_context, site, screenshot):
    organisation = _approved(organisation)
    order = _submitted_order(organisation, admin, _catalogue())
    with scope(organisation=organisation):
        order = order_confirm(order=order, actor=reviewer)
        order = order_ship(order=order, actor=reviewer, carrier=CARRIER, tracking_number=TRACKING)
        order = order_deliver(order=order, actor=reviewer)
        invoice = Invoice.objects.get(order=order)
        core = CoreReturn.objects.get(order_line__order=order)
    assert invoice.gross == Decimal("666.40")
    page = _signed_in_page(new_context, admin, site)

    # Billing: the invoice is an open item, due in 30 days.
    page.goto(f"{ORG}/")
    _nav(page, f"{ORG}/billing/").click()
    expect(page).to_have_url(re.compile(rf"{ORG}/billing/$"))
    open_item = page.get_by_test_id("open-items").get_by_test_id(f"open-{invoice.number}")
    expect(open_item).to_contain_text(_euro("666.40"))
    expect(open_item).to_contain_text(_de(lambda: date_format(invoice.due_on, "SHORT_DATE_FORMAT")))
    expect(open_item).not_to_have_class(re.compile(r"\boverdue\b"))
    listed = page.get_by_test_id("invoices").get_by_test_id(f"invoice-{invoice.number}")
    expect(listed).to_contain_text(order.number)
    expect(listed).to_contain_text(_euro("560.00"))
    expect(listed).to_contain_text(_euro("106.40"))
    screenshot(page, "parts_billing")

    # The invoice PDF behind the link, read back as text: number, buyer, German amounts, the VAT rate.
    pdf_link = page.get_by_test_id(f"pdf-{invoice.number}")
    href = pdf_link.get_attribute("href")
    assert href == f"{ORG}/billing/invoices/{invoice.pk}/pdf/"
    content = _pdf_text(_pdf(page, href))
    assert invoice.number in content
    assert "Schulamt Nord" in content
    assert "DE811907980" in content  # the buyer's VAT id
    assert order.number in content
    for amount in ("560,00 €", "106,40 €", "666,40 €", "400,00 €", "160,00 €"):
        assert amount in content, f"{amount} not on the invoice:\n{content}"
    assert re.search(r"\b19\s?%", content), content

    # Core returns: the display's core is due; the admin sends it and enters the tracking number.
    _nav(page, f"{ORG}/core-returns/").click()
    expect(page).to_have_url(re.compile(rf"{ORG}/core-returns/$"))
    row = page.get_by_test_id(f"core-{core.pk}")
    expect(row).to_have_attribute("data-status", "due")
    expect(row).to_contain_text(DISPLAY)
    expect(row).to_contain_text(order.number)
    expect(row).to_contain_text(_de(lambda: date_format(core.due_date, "SHORT_DATE_FORMAT")))
    label = _pdf(page, row.get_by_test_id(f"label-{core.pk}").get_attribute("href"))
    assert DISPLAY in _pdf_text(label)
    screenshot(page, "parts_core_returns_due")
    form = row.get_by_test_id(f"return-{core.pk}")
    form.locator("input[name=tracking_number]").fill(CORE_TRACKING)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"{ORG}/core-returns/"))
    expect(page.locator(".messages .alert-success")).to_contain_text(CORE_TRACKING)
    expect(page.get_by_test_id(f"core-{core.pk}")).to_have_count(0)  # nothing left to return
    expect(page.get_by_test_id("no-cores")).to_be_visible()

    # Under "Returned" it shows with its tracking number.
    page.get_by_test_id("tab-returned").click()
    expect(page).to_have_url(re.compile(r"[?&]status=returned\b"))
    row = page.get_by_test_id(f"core-{core.pk}")
    expect(row).to_have_attribute("data-status", "returned")
    expect(row.locator(".badge")).to_have_text(_de(CoreReturn.Status.RETURNED.label))
    expect(row).to_contain_text(CORE_TRACKING)
    expect(row.get_by_test_id(f"return-{core.pk}")).to_have_count(0)
    screenshot(page, "parts_core_returned")
    with scope(organisation=organisation):
        core.refresh_from_db()
    assert (core.status, core.tracking_number) == (CoreReturn.Status.RETURNED, CORE_TRACKING)
    assert core.returned_at is not None


# --- journey 4: an admin on a credit hold sees why ordering is refused ------------------------------------------


def test_admin_on_credit_hold_sees_why_ordering_is_refused(admin, organisation, new_context, site, screenshot):
    organisation = _approved(organisation)
    parts = _catalogue()
    today = timezone.localdate()
    with scope(organisation=organisation):
        # Issued 70 days ago, due after 30: overdue by 40 days, more than the 30 the programme allows.
        overdue = charges_invoice(organisation, "100.00", issued_on=today - datetime.timedelta(days=70))
    rules = programme_rules_for(organisation)
    assert (today - overdue.due_on).days > rules.credit_hold_overdue_days
    assert credit_lines(today=today)["holds_placed"] == 1
    with scope(organisation=organisation):
        hold = Hold.objects.get(organisation=organisation, reason=Hold.Reason.CREDIT, released_at__isnull=True)
        cart = cart_of(organisation, admin, (parts["keyboard"], 1, "stock"))
    credit_label = _de(Hold.Reason.CREDIT.label)
    page = _signed_in_page(new_context, admin, site)

    # The cart shows the hold before anything is submitted, and how it lifts.
    page.goto(f"{ORG}/")
    _nav(page, f"{ORG}/orders/cart/").click()
    expect(page).to_have_url(re.compile(rf"{ORG}/orders/cart/$"))
    expect(page.get_by_test_id("lines").get_by_test_id(f"line-{KEYBOARD}")).to_be_visible()
    preview = page.get_by_test_id("holds-preview")
    expect(preview.get_by_test_id("hold-credit")).to_contain_text(credit_label)
    expect(preview.locator(f"a[href='{ORG}/billing/']")).to_be_visible()
    screenshot(page, "parts_cart_on_hold")

    # Submitting anyway: refused, the hold named, the way to billing shown, the cart kept.
    page.get_by_test_id("submit-order").click()
    refusal = page.get_by_test_id("submit-error")
    expect(refusal).to_be_visible()
    expect(refusal).to_have_attribute("data-code", "account_on_hold")
    expect(refusal).to_have_attribute("role", "alert")
    expect(refusal.locator("p").first).to_contain_text(credit_label)
    expect(refusal.get_by_test_id("hold-credit")).to_contain_text(credit_label)
    to_billing = refusal.locator(f"a[href='{ORG}/billing/']")
    expect(to_billing).to_be_visible()
    expect(page.get_by_test_id("lines").get_by_test_id(f"line-{KEYBOARD}")).to_be_visible()
    expect(page.get_by_test_id("submit-order")).to_be_visible()
    screenshot(page, "parts_order_refused_credit_hold")
    with scope(organisation=organisation):
        cart.refresh_from_db()
        assert (cart.status, cart.number, cart.submitted_at) == ("draft", "", None)
        assert [(line.part.part_number, line.quantity) for line in cart.lines.all()] == [(KEYBOARD, 1)]
    with scopes_disabled():
        assert not AuditEntry.objects.filter(organisation=organisation, action="order.submitted").exists()

    # Billing shows the overdue invoice that keeps the hold in place.
    to_billing.click()
    expect(page).to_have_url(re.compile(rf"{ORG}/billing/$"))
    item = page.get_by_test_id(f"open-{overdue.number}")
    expect(item).to_have_class(re.compile(r"\boverdue\b"))
    expect(item).to_contain_text(_euro(overdue.gross))
    screenshot(page, "parts_billing_overdue")

    # Nothing lost: the cart still holds the keyboard.
    _nav(page, f"{ORG}/orders/cart/").click()
    kept = page.get_by_test_id("lines").get_by_test_id(f"line-{KEYBOARD}")
    expect(kept.locator("input[type=number]")).to_have_value("1")
    with scope(organisation=organisation):
        assert Hold.objects.filter(pk=hold.pk, released_at__isnull=True).exists()
