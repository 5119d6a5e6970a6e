"""The parts PDFs in German and English, read back as text with poppler's pdftotext: the invoice, the statement,
the core-return label and the order confirmation, with amounts and dates formatted for the language."""

import datetime
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.conf import settings
from django_scopes import scope, scopes_disabled

from accounts.models import Account, Organisation
from parts.models import CoreReturn, Invoice, InvoiceLine
from parts.pdf import core_code, core_return_label_pdf, invoice_pdf, order_confirmation_pdf, statement_pdf
from parts.selectors import statement
from parts.services import Charge, invoice_issue, order_create, order_deliver, order_ship, order_submit

from .factories import PartFactory

pytestmark = pytest.mark.django_db
SUBMITTED = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)  # a Monday, before the cut-off
DELIVERED = datetime.date(2026, 3, 10)
IBAN = settings.INVOICE_SELLER["iban"]


def text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    assert shutil.which("pdftotext"), "poppler's pdftotext is needed to read the PDFs"
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def account_number(organisation) -> str:
    with scopes_disabled():
        number = Account.objects.get(organisation=organisation).account_number
    assert number.startswith("SSA-")
    return number


def speaking(organisation: Organisation, language: str) -> Organisation:
    Organisation.objects.filter(pk=organisation.pk).update(language=language)
    organisation.language = language
    return organisation


# The PDFs' own words in each language, as the reader sees them.
WORDS = {
    "de": {
        "exchange": "Austauschpreis",  # in a narrow column beside a wrapped description
        "stock": "Teil zum Lagerpreis",
        "terms": "innerhalb von 30 Tagen nach Rechnungsdatum, spätestens bis zum {due}, ohne Abzug",
        "overdue": "überfällig",
        "tracking": "sendungsnummer der rücksendung",
        "ships": "Versand am {ships}",
        "window": "15 Tagen nach der Lieferung",
        "delivered": "Lieferdatum",
    },
    "en": {
        "exchange": "Part at exchange",
        "stock": "Part at stock price",
        "terms": "within 30 days of the invoice date, by {due} at the latest, without deduction",
        "overdue": "overdue",
        "tracking": "tracking number of the return shipment",
        "ships": "Ships on {ships}",
        "window": "15 days of delivery",
        "delivered": "Delivery date",
    },
}


@pytest.fixture
def buyer(approved):
    Organisation.objects.filter(pk=approved.pk).update(
        vat_id="DE811907980", address="Schulstraße 4\n20095 Hamburg", language="de"
    )
    approved.refresh_from_db()
    return approved


@pytest.fixture
def logic_board(db):
    return PartFactory(
        part_number="661-29362",
        description="Logic board, MacBook Pro 14-inch (M3 Pro)",
        stock_price=Decimal("1250.00"),
        exchange_price=Decimal("700.00"),
    )


@pytest.fixture
def delivered(buyer, admin, reviewer, logic_board, battery):
    """An order of a logic board at the exchange price and two batteries at the stock price, delivered and
    invoiced: 700 + 2 × 80 = 860 net, 163.40 VAT, 1,023.40 gross."""
    with scope(organisation=buyer):
        order = order_create(
            organisation=buyer,
            actor=admin,
            reference="Lab 3 refresh",
            lines=[
                {"part_number": logic_board.part_number, "quantity": 1, "pricing": "exchange"},
                {"part_number": battery.part_number, "quantity": 2, "pricing": "stock"},
            ],
        )
        order = order_submit(order=order, actor=admin, now=SUBMITTED)
        order = order_ship(order=order, actor=reviewer, carrier="DHL", tracking_number="00340434161094042557")
        return order_deliver(order=order, actor=reviewer, today=DELIVERED)


@pytest.mark.parametrize(
    ("language", "gross", "net_line", "issued", "due"),
    [
        ("de", "1.023,40 €", "700,00 €", "10.03.2026", "09.04.2026"),
        ("en", "1,023.40 €", "700.00 €", "03/10/2026", "04/09/2026"),
    ],
)
def test_the_invoice_names_seller_buyer_lines_totals_terms_and_bank(delivered, language, gross, net_line, issued, due):
    with scope(organisation=delivered.organisation):
        invoice = Invoice.objects.get(order=delivered)
        Invoice.objects.filter(pk=invoice.pk).update(language=language)  # an invoice speaks the language it was
    invoice.language = language  # issued in
    speaking(invoice.organisation, language)

    content = text(invoice_pdf(invoice))

    assert invoice.number in content and invoice.number.startswith("RE-2026-")
    assert settings.INVOICE_SELLER["name"] in content and settings.INVOICE_SELLER["vat_id"] in content
    assert "80335 München" in content
    assert "Schulamt Nord" in content and "Schulstraße 4" in content and "DE811907980" in content
    assert account_number(invoice.organisation) in content
    assert delivered.number in content
    assert "661-29362" in content and "Logic board, MacBook Pro 14-inch" in content  # a long one wraps
    assert "661-30002" in content and "Battery, iPhone 15" in content
    exchange, stock = WORDS[language]["exchange"], WORDS[language]["stock"]
    words = " ".join(content.split())  # a label in a narrow column may wrap
    assert exchange in words and stock in words
    assert net_line in content
    assert "19 %" in content
    assert ("163,40 €" if language == "de" else "163.40 €") in content
    assert gross in content
    assert issued in content and due in content
    assert WORDS[language]["delivered"] in content  # the delivery date a German invoice must state
    flowing = " ".join(content.split())
    assert WORDS[language]["terms"].format(due=due) in flowing
    assert IBAN in content and settings.INVOICE_SELLER["bic"] in content and settings.INVOICE_SELLER["bank"] in content


def test_a_charges_invoice_has_no_order_and_reads_the_snapshot_of_the_buyer(buyer):
    with scope(organisation=buyer):
        invoice = invoice_issue(
            organisation=buyer,
            kind="charges",
            issued_on=datetime.date(2026, 5, 4),
            charges=[
                Charge(
                    kind=InvoiceLine.Kind.VOUCHER,
                    description="Exam voucher ACMT",
                    quantity=3,
                    unit_price=Decimal("150"),
                )
            ],
        )
    Organisation.objects.filter(pk=buyer.pk).update(name="Renamed later", vat_id="DE000000000")
    buyer.refresh_from_db()
    invoice.organisation = buyer

    content = text(invoice_pdf(invoice))

    assert "Schulamt Nord" in content and "DE811907980" in content, "the buyer as on the invoice date"
    assert "Renamed later" not in content
    assert "Exam voucher ACMT" in content and "450,00 €" in content and "535,50 €" in content
    assert "Order number" not in content


@pytest.mark.parametrize(
    ("language", "month", "opening", "closing", "overdue_due"),
    [
        ("de", "März 2026", "119,00 €", "1.142,40 €", "14.02.2026"),
        ("en", "March 2026", "119.00 €", "1,142.40 €", "02/14/2026"),
    ],
)
def test_the_statement_shows_balances_invoices_payments_and_open_items(
    delivered, language, month, opening, closing, overdue_due
):
    organisation = delivered.organisation
    with scope(organisation=organisation):
        january = invoice_issue(
            organisation=organisation,
            kind="charges",
            issued_on=datetime.date(2026, 1, 15),
            charges=[
                Charge(kind=InvoiceLine.Kind.VOUCHER, description="Exam voucher", quantity=1, unit_price=Decimal("100"))
            ],
        )
        february = invoice_issue(
            organisation=organisation,
            kind="charges",
            issued_on=datetime.date(2026, 2, 20),
            charges=[
                Charge(kind=InvoiceLine.Kind.VOUCHER, description="Exam voucher", quantity=1, unit_price=Decimal("100"))
            ],
        )
    with scopes_disabled():
        Invoice.objects.filter(pk=february.pk).update(
            status="paid", paid_at=datetime.datetime(2026, 3, 5, 9, tzinfo=datetime.UTC)
        )
    speaking(organisation, language)
    with scope(organisation=organisation):
        march = statement(organisation=organisation, key="2026-03", today=datetime.date(2026, 5, 20))
        order_invoice = Invoice.objects.get(order=delivered)
    # Opening: January and February unpaid (238.00); in March: +1,023.40 invoiced, -119.00 paid.
    assert march.opening == Decimal("238.00") and march.closing == Decimal("1142.40")

    content = text(statement_pdf(march))

    assert month in content
    assert "238,00 €" in content if language == "de" else "238.00 €" in content
    assert opening in content and closing in content
    assert order_invoice.number in content and february.number in content and january.number in content
    assert overdue_due in content, "the open January invoice with its due date"
    assert WORDS[language]["overdue"] in content  # January's, due 14 February, was overdue at the end of March
    assert account_number(organisation) in content and IBAN in " ".join(content.split())  # may wrap in a sentence


@pytest.mark.parametrize(("language", "due"), [("de", "25.03.2026"), ("en", "03/25/2026")])
def test_the_core_return_label_has_both_addresses_the_part_the_code_and_a_tracking_field(delivered, language, due):
    organisation = delivered.organisation
    with scope(organisation=organisation):
        (core,) = CoreReturn.objects.filter(organisation=organisation)
    speaking(organisation, language)

    content = text(core_return_label_pdf(core))

    assert core_code(core) in content and core_code(core) == f"CR-{core.pk:08d}"
    assert settings.INVOICE_SELLER["name"] in content and "80335 München" in content
    assert "Schulamt Nord" in content and "Schulstraße 4" in content
    assert "661-29362" in content and "Logic board, MacBook Pro 14-inch (M3 Pro)" in content
    assert delivered.number in content
    assert due in content  # 15 days after delivery
    assert WORDS[language]["tracking"] in content.lower()


def test_a_returned_core_label_shows_its_tracking_number(delivered):
    with scope(organisation=delivered.organisation):
        core = CoreReturn.objects.get(organisation=delivered.organisation)
        CoreReturn.objects.filter(pk=core.pk).update(tracking_number="1Z999AA10123456784")
    assert "1Z999AA10123456784" in text(core_return_label_pdf(core))


@pytest.mark.parametrize(
    ("language", "total", "ships"), [("de", "860,00 €", "03.03.2026"), ("en", "860.00 €", "03/03/2026")]
)
def test_the_order_confirmation_lists_the_lines_the_total_and_the_ship_date(delivered, language, total, ships):
    speaking(delivered.organisation, language)

    content = text(order_confirmation_pdf(delivered))

    assert delivered.number in content and delivered.number.startswith("PO-2026-")
    assert "661-29362" in content and "661-30002" in content
    assert total in content
    assert WORDS[language]["ships"].format(ships=ships) in content
    assert "Lab 3 refresh" in content
    assert WORDS[language]["window"] in content, "an exchange line needs its core back"


def test_an_estimated_ship_date_says_why(buyer, admin, logic_board):
    logic_board.available = False
    logic_board.save(update_fields=["available"])
    with scope(organisation=buyer):
        order = order_create(
            organisation=buyer,
            actor=admin,
            lines=[{"part_number": logic_board.part_number, "quantity": 1, "pricing": "stock"}],
        )
        order = order_submit(order=order, actor=admin, now=SUBMITTED)
    assert order.ship_note == "unavailable"
    speaking(order.organisation, "en")

    content = " ".join(text(order_confirmation_pdf(order)).split())

    assert f"Estimated ship date: {order.ship_date:%m/%d/%Y}" in content
    assert "Not every part is available at the moment" in content
    assert "1,250.00 €" in content
    assert "15 days of delivery" not in content
