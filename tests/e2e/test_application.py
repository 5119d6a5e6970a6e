"""Journey 5: the SSA application in the browser — inventory import, proofs, equipment, terms, checklist, submission.

The programme minimum is data (``ProgrammeRules`` per country), so the happy path lowers Germany's to a small
number to stay fast. The live server runs in a transactional test database that is flushed after every test,
which also removes the row the data migration seeds; ``_programme_minimum`` therefore creates it when missing.
"""

import csv
import io
import re
import time

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from accounts.models import Account, ProgrammeRules
from core.models import Notification
from eligibility import tasks
from eligibility.models import Device, DeviceImport, ProofOfPurchase
from tests.e2e.conftest import sign_in_browser_as
from tests.eligibility import files as f

pytestmark = pytest.mark.browser

ORG = "/o/schulamt-nord"
IMPORT_URL = re.compile(r"/o/schulamt-nord/inventory/imports/(\d+)/$")
EQUIPMENT_ITEMS = [
    "diagnostic_server",
    "barcode_scanner_2d",
    "workbench",
    "tools",
    "esd_mats",
    "esd_wrist_straps",
    "esd_tester",
]


# --- helpers --------------------------------------------------------------------------------------------------


def _programme_minimum(n: int) -> None:
    ProgrammeRules.objects.update_or_create(country="DE", defaults={"min_installed_base": n})


def _signed_in_page(new_context, user, site):
    context = new_context()
    sign_in_browser_as(context, user, site)
    return context.new_page()


def _write_inventory(tmp_path, rows: list[list[str]], name: str = "Inventar Schulamt Nord.csv"):
    path = tmp_path / name
    path.write_bytes(f.german_excel_csv(rows, encoding="cp1252"))
    return path


def _upload_inventory(page, path) -> int:
    """Send ``path`` through the import form on the inventory page; returns the import's id from the URL."""
    page.goto(f"{ORG}/inventory/")
    form = page.get_by_test_id("import-form")
    form.locator("input[name=file]").set_input_files(str(path))
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(IMPORT_URL)
    return int(IMPORT_URL.search(page.url).group(1))


def _fill_proof_form(page, *, invoice: str | None, date: str = "2024-03-31", supplier: str = "Apple Distribution"):
    form = page.get_by_test_id("proof-form")
    if invoice is not None:
        form.locator("input[name=invoice_number]").fill(invoice)
    form.locator("input[name=invoice_date]").fill(date)
    form.locator("input[name=supplier]").fill(supplier)
    return form


def _upload_proof(page, invoice: str) -> None:
    """Upload a PDF for ``invoice`` through the proof form of the current page and wait for the confirmation."""
    form = _fill_proof_form(page, invoice=invoice)
    form.locator("input[name=file]").set_input_files(
        {"name": f"Rechnung {invoice}.pdf", "mimeType": "application/pdf", "buffer": f.PDF}
    )
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/o/schulamt-nord/proofs/(#upload)?$"))  # a redirect keeps the fragment
    expect(page.locator(".messages")).to_contain_text(f"Die Rechnung {invoice} wurde hochgeladen.")


def _device_count(organisation) -> int:
    with scope(organisation=organisation):
        return Device.objects.filter(organisation=organisation).count()


class HeldPolls:
    """Holds htmx's polling requests for an import page in the browser until released.

    The test stands in for the Celery worker: it runs the queued job itself while no poll can reach the live
    server (so the job never shares the SQLite test connection with a request), then releases the polls and
    watches htmx swap the finished result in. Route handlers run on the test's thread, and only while it waits
    inside a Playwright call, so a held request stays in the browser for as long as the test does other work.
    """

    def __init__(self, page):
        self.page = page
        self.routes = []
        self.released = False
        page.route(IMPORT_URL, self._handle)

    def _handle(self, route):
        if self.released or route.request.headers.get("hx-request") != "true":
            route.continue_()
        else:
            self.routes.append(route)

    def wait_for_first(self, timeout_s: float = 5.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not self.routes:
            assert time.monotonic() < deadline, "htmx did not poll the import page"
            self.page.wait_for_timeout(50)  # lets Playwright dispatch the route events

    def release(self) -> None:
        self.released = True
        for route in self.routes:
            route.continue_()
        self.routes.clear()


# --- journey 1: the whole application, from the inventory to the submission ------------------------------------


def test_import_proofs_equipment_terms_checklist_and_submit(
    admin, reviewer, organisation, new_context, site, tmp_path, monkeypatch, screenshot
):
    _programme_minimum(20)
    first = [f.german_row(i, invoice="RE-2024-001") for i in range(13)]
    second = [f.german_row(i, invoice="RE-2024-002") for i in range(13, 25)]
    bad_serial = ["=HYPERLINK(“x”)", "Mac", "MacBook Air", "01.02.2024", "Apple", "Eigentum", "nein", "RE-2024-001"]
    bad_line = [f.serial(900), "Toaster", "Brotröster", "01.02.2024", "Apple", "Eigentum", "nein", "RE-2024-002"]
    rows = first[:10] + [bad_serial] + first[10:] + second + [bad_line]
    bad_rows = [rows.index(bad_serial) + 2, rows.index(bad_line) + 2]  # the header is row 1
    path = _write_inventory(tmp_path, rows)

    # The test is the worker: the job stays queued until the page has shown it waiting.
    queued = []
    monkeypatch.setattr(tasks.device_import_run, "delay", lambda **kwargs: queued.append(kwargs))
    page = _signed_in_page(new_context, admin, site)
    polls = HeldPolls(page)
    import_id = _upload_inventory(page, path)

    progress = page.locator("#import-progress")
    bar = progress.get_by_role("progressbar")
    expect(progress).to_have_attribute("data-status", "queued")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    expect(page.get_by_test_id("import-status")).to_have_text("Der Import startet gleich …")
    expect(page.get_by_test_id("import-result")).to_have_count(0)

    polls.wait_for_first()
    assert queued == [{"organisation_id": organisation.pk, "import_id": import_id}]
    tasks.device_import_run.apply(kwargs=queued[0]).get()
    polls.release()

    # htmx's next poll swaps in the finished import and stops polling.
    expect(progress).to_have_attribute("data-status", "succeeded")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(progress).not_to_have_attribute("hx-get", re.compile(".*"))
    expect(page.get_by_test_id("import-status")).to_have_text("Abgeschlossen.")
    result = page.get_by_test_id("import-result")
    expect(result.locator(".stat-value")).to_have_text(["25", "0", "2"])
    expect(result).to_contain_text("Neue Geräte")
    error_rows = progress.locator("table tbody tr")
    expect(error_rows).to_have_count(2)
    expect(error_rows.nth(0).locator("td").nth(0)).to_have_text(str(bad_rows[0]))
    expect(error_rows.nth(0).locator("td").nth(1)).to_have_text("Seriennummer")
    expect(error_rows.nth(1).locator("td").nth(0)).to_have_text(str(bad_rows[1]))
    expect(error_rows.nth(1).locator("td").nth(1)).to_have_text("Produktlinie")
    screenshot(page, "application_import_result")
    assert _device_count(organisation) == 25
    with scope(organisation=organisation):  # read as Windows-1252: the umlaut survives
        assert Device.objects.get(serial_number=f.serial(0)).model.endswith(" Büro")

    # The error report: every rejected row with its number, the German columns, and nothing a spreadsheet runs.
    with page.expect_download() as download_info:
        page.get_by_test_id("error-report").click()
    download = download_info.value
    assert download.suggested_filename == f"import-{import_id}-errors.csv"
    text = download.path().read_bytes().decode("utf-8-sig")
    report = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert report[0][:3] == ["Zeile", "Spalte", "Meldung"]
    assert report[0][3:] == f.HEADER_DE
    assert [int(r[0]) for r in report[1:]] == bad_rows
    assert [r[1] for r in report[1:]] == ["Seriennummer", "Produktlinie"]
    assert "Toaster" in report[2][2]
    cells = [cell for row in report for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))], report
    assert report[1][3].startswith("'=")  # the formula is kept, but as text

    # Proofs: both invoice numbers are listed as missing; upload one document for each.
    page.goto(f"{ORG}/proofs/")
    missing = page.get_by_test_id("missing-invoices")
    expect(missing.locator("tbody tr td:first-child")).to_have_text(["RE-2024-001", "RE-2024-002"])
    expect(missing.locator("tbody tr").nth(0)).to_contain_text("13")
    expect(missing.locator("tbody tr").nth(1)).to_contain_text("12")
    missing.locator("tbody tr").nth(0).get_by_role("link").click()  # "Hochladen" presets the invoice number
    expect(page).to_have_url(re.compile(r"/proofs/\?invoice=RE-2024-001#upload$"))
    expect(page.get_by_test_id("proof-form").locator("input[name=invoice_number]")).to_have_value("RE-2024-001")
    _upload_proof(page, "RE-2024-001")
    expect(page.get_by_test_id("missing-invoices").locator("tbody tr td:first-child")).to_have_text(["RE-2024-002"])
    _upload_proof(page, "RE-2024-002")
    expect(page.get_by_test_id("missing-invoices")).to_have_count(0)
    with scope(organisation=organisation):
        assert ProofOfPurchase.objects.count() == 2
        assert Device.objects.filter(proof__isnull=True).count() == 0

    # Equipment: all seven items confirmed, one with a detail for the reviewer.
    page.goto(f"{ORG}/equipment/")
    form = page.get_by_test_id("equipment-form")
    checkboxes = form.locator("input[type=checkbox][name$='-present']")
    expect(checkboxes).to_have_count(len(EQUIPMENT_ITEMS))
    for item in EQUIPMENT_ITEMS:
        form.locator(f"input[name='{item}-present']").check()
    form.locator("input[name='diagnostic_server-detail']").fill("Mac mini M2, Host diag-01.schulamt-nord.local")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/o/schulamt-nord/equipment/$"))
    expect(page.locator(".messages")).to_contain_text("Die Ausstattung wurde gespeichert.")
    for item in EQUIPMENT_ITEMS:
        expect(page.locator(f"input[name='{item}-present']")).to_be_checked()
    expect(page.locator("input[name='diagnostic_server-detail']")).to_have_value(
        "Mac mini M2, Host diag-01.schulamt-nord.local"
    )

    # Contact and terms; saving leads on to the submission page.
    page.goto(f"{ORG}/application/terms/")
    terms = page.get_by_test_id("terms-form")
    terms.locator("input[name=contact_name]").fill("Petra Schulze")
    terms.locator("input[name=contact_email]").fill("it-leitung@schulamt-nord.example")
    terms.locator("input[name=contact_phone]").fill("+49 40 123456-0")
    terms.locator("input[name=apple_customer_number]").fill("DE-4711")
    terms.locator("input[name=terms_accepted]").check()
    terms.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/o/schulamt-nord/application/submit/$"))
    expect(page.locator(".messages")).to_contain_text("Kontaktdaten und Bedingungen wurden gespeichert.")

    # The checklist is green for everything the applicant can do; the reviewers' two rules are open.
    checklist = page.locator("#checklist")
    for rule in ("installed_base", "proof_of_purchase", "equipment", "terms"):
        expect(checklist.locator(f"li[data-rule='{rule}']")).to_have_class(re.compile(r"\bpassed\b"))
    for rule in ("service_history", "credit_line"):
        expect(checklist.locator(f"li[data-rule='{rule}']")).to_have_class(re.compile(r"\bopen\b"))
    expect(checklist.locator("li.failed")).to_have_count(0)
    expect(page.get_by_test_id("checklist-summary")).to_contain_text(
        "25 Geräte angerechnet (mindestens 20 erforderlich)"
    )
    expect(page.get_by_test_id("not-ready")).to_have_count(0)
    expect(page.get_by_test_id("account-status")).to_have_text("Entwurf")
    screenshot(page, "application_checklist_green")

    page.get_by_test_id("submit-form").locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/o/schulamt-nord/application/$"))
    expect(page.get_by_test_id("account-status")).to_have_text("Eingereicht")
    expect(page.locator(".messages .alert-success")).to_contain_text("eingereicht")
    screenshot(page, "application_submitted")

    with scope(organisation=organisation):
        account = Account.objects.get(organisation=organisation)
    assert account.status == Account.Status.SUBMITTED
    assert account.submitted_at is not None
    assert (account.contact_name, account.apple_customer_number, account.terms_accepted) == (
        "Petra Schulze",
        "DE-4711",
        True,
    )
    notification = Notification.objects.get(user=reviewer, template="account_submitted")
    assert notification.organisation == organisation
    assert notification.url == "/review/accounts/schulamt-nord/"


# --- journey 2: an organisation below the minimum ---------------------------------------------------------------


def test_ineligible_organisation_sees_shortfall_and_alternatives(
    admin, organisation, new_context, site, tmp_path, screenshot
):
    _programme_minimum(1000)  # the programme's real figure
    rows = [f.german_row(i, invoice="RE-2024-010") for i in range(6)]
    rows += [f.german_row(i, invoice="RE-2024-011") for i in range(6, 10)]
    page = _signed_in_page(new_context, admin, site)

    # With Celery eager the import is finished by the time its page loads.
    _upload_inventory(page, _write_inventory(tmp_path, rows))
    expect(page.locator("#import-progress")).to_have_attribute("data-status", "succeeded")
    expect(page.get_by_test_id("import-result").locator(".stat-value")).to_have_text(["10", "0", "0"])
    expect(page.get_by_test_id("error-report")).to_have_count(0)

    page.goto(f"{ORG}/proofs/")
    _upload_proof(page, "RE-2024-010")  # RE-2024-011 stays without a document: 4 devices don't count

    page.goto(f"{ORG}/application/submit/")
    not_ready = page.get_by_test_id("not-ready")
    expect(not_ready).to_be_visible()
    expect(not_ready).to_contain_text("Noch nicht bereit")
    shortfall = page.get_by_test_id("shortfall")
    expect(shortfall).to_contain_text(re.compile(r"Es müssen 994 weitere Geräte angerechnet werden, um 1\.?000 zu"))
    expect(shortfall).to_contain_text("4 Geräten fehlt nur der Kaufbeleg.")
    expect(page.get_by_test_id("checklist-summary")).to_contain_text(
        re.compile(r"6 von 1\.?000 Geräten angerechnet\s*·\s*994 fehlen")
    )
    alternatives = page.get_by_test_id("alternatives")
    expect(alternatives).to_contain_text("Autorisierte Apple Service Provider")
    expect(alternatives).to_contain_text("Apple Support")
    expect(page.get_by_test_id("submit-form")).to_have_count(0)
    expect(page.locator("main").get_by_role("button", name="Antrag einreichen")).to_have_count(0)
    checklist = page.locator("#checklist")
    expect(checklist.locator("li[data-rule='installed_base']")).to_have_class(re.compile(r"\bfailed\b"))
    expect(checklist.locator("li[data-rule='proof_of_purchase']")).to_have_class(re.compile(r"\bfailed\b"))
    expect(checklist.locator("li[data-rule='equipment']")).to_have_class(re.compile(r"\bfailed\b"))
    expect(checklist.locator("li[data-rule='terms']")).to_have_class(re.compile(r"\bfailed\b"))
    screenshot(page, "application_shortfall")

    with scope(organisation=organisation):  # nothing was submitted (and looking wrote no account row)
        assert not Account.objects.filter(organisation=organisation).exclude(status=Account.Status.DRAFT).exists()


def test_shortfall_does_not_promise_devices_that_a_proof_would_not_make_count(
    admin, organisation, new_context, site, tmp_path, screenshot
):
    _programme_minimum(1000)
    rows = [f.german_row(i, invoice="RE-2024-010") for i in range(6)]
    rows += [f.german_row(i, invoice="RE-2024-011", source="Händler") for i in range(6, 10)]
    page = _signed_in_page(new_context, admin, site)
    _upload_inventory(page, _write_inventory(tmp_path, rows))
    expect(page.get_by_test_id("import-result").locator(".stat-value").first).to_have_text("10")
    page.goto(f"{ORG}/proofs/")
    _upload_proof(page, "RE-2024-010")

    page.goto(f"{ORG}/application/submit/")
    shortfall = page.get_by_test_id("shortfall")
    expect(shortfall).to_contain_text("Es müssen 994 weitere Geräte angerechnet werden")
    # The four reseller devices lack a proof, but a proof would not make them count.
    expect(shortfall).not_to_contain_text("fehlt nur der Kaufbeleg", timeout=1_000)
    screenshot(page, "application_shortfall_reseller")


# --- journey 3: bad files are refused clearly, and nothing typed is lost ----------------------------------------


def test_bad_files_are_refused_clearly_and_keep_the_input(admin, organisation, new_context, site, tmp_path, screenshot):
    page = _signed_in_page(new_context, admin, site)
    _upload_inventory(page, _write_inventory(tmp_path, [f.german_row(i) for i in range(3)], name="bestand.csv"))
    expect(page.get_by_test_id("import-result").locator(".stat-value").first).to_have_text("3")
    assert _device_count(organisation) == 3

    # A PNG renamed to .csv: the import fails as a whole, with a message saying what the file really is.
    png = tmp_path / "inventar.csv"
    png.write_bytes(f.PNG)
    import_id = _upload_inventory(page, png)
    expect(page.locator("#import-progress")).to_have_attribute("data-status", "failed")
    expect(page.get_by_role("alert")).to_contain_text("Die Datei konnte nicht importiert werden.")
    expect(page.get_by_test_id("import-failure")).to_have_text(
        "Das ist eine PNG-Datei, keine Tabelle: Laden Sie CSV oder XLSX hoch."
    )
    expect(page.get_by_test_id("import-result")).to_have_count(0)
    screenshot(page, "application_import_failed")
    with scope(organisation=organisation):
        assert DeviceImport.objects.get(pk=import_id).status == DeviceImport.Status.FAILED
    assert _device_count(organisation) == 3
    page.goto(f"{ORG}/inventory/")
    expect(page.locator(".table-note")).to_have_text("3 Geräte")

    # A text file as a proof: an inline error at the file field; the invoice number, date and supplier stay.
    page.goto(f"{ORG}/proofs/")
    form = _fill_proof_form(page, invoice="RE-2024-077", date="2024-05-02", supplier="Apple Retail Germany")
    form.locator("input[name=file]").set_input_files(
        {"name": "rechnung.txt", "mimeType": "text/plain", "buffer": b"Rechnung RE-2024-077\n"}
    )
    form.locator("button[type=submit]").click()
    form = page.get_by_test_id("proof-form")
    file_field = form.locator(".field.has-error").filter(has=page.locator("input[name=file]"))
    expect(file_field.locator(".error")).to_have_text(
        "Nur PDF-, JPEG- und PNG-Dateien sind erlaubt; diese Datei ist nichts davon."
    )
    expect(form.locator(".field.has-error")).to_have_count(1)
    expect(form.locator("input[name=invoice_number]")).to_have_value("RE-2024-077")
    expect(form.locator("input[name=invoice_date]")).to_have_value("2024-05-02")
    expect(form.locator("input[name=supplier]")).to_have_value("Apple Retail Germany")
    expect(page.locator(".messages")).to_have_count(0)
    screenshot(page, "application_bad_file")
    with scope(organisation=organisation):
        assert ProofOfPurchase.objects.count() == 0
