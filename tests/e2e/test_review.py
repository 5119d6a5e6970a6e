"""Journey 6: the reviewer console and the applicant's account page, from the queue to the approval letter.

The application is prepared and submitted through the services (the browser part of that is journey 5): five
devices on two invoices, each with its document, and a programme minimum of three, the number of devices on the
invoice the reviewer accepts. Rejecting the other invoice therefore lowers the count without making the
application ineligible, so the applicant can answer and resubmit without uploading anything new.
"""

import datetime
import re
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts import lifecycle
from accounts.models import Account, AccountMessage, ProgrammeRules
from core.models import AuditEntry, Notification
from eligibility import application
from eligibility import services as eligibility_services
from eligibility.models import EquipmentAttestation, ProofOfPurchase
from tests.accounts.factories import UserFactory, give_totp
from tests.e2e.conftest import sign_in_browser_as
from tests.eligibility import files as f

pytestmark = pytest.mark.browser

ORG = "/o/schulamt-nord"
EVIDENCE = "/review/accounts/schulamt-nord/"
GOOD, BAD = "RE-2024-101", "RE-2024-102"  # three devices on the first invoice, two on the second
MINIMUM = 3
QUESTION = "Die Rechnung RE-2024-102 ist unleserlich. Bitte bestätigen Sie, dass die Geräte Ihnen gehören."
ANSWER = "Die zwei iPhones auf RE-2024-102 waren eine Leihstellung; wir verzichten auf sie."
REJECTION = "Rechnung unleserlich, Betrag und Seriennummern nicht erkennbar"


# --- helpers --------------------------------------------------------------------------------------------------


def _programme_minimum(n: int) -> None:
    ProgrammeRules.objects.update_or_create(country="DE", defaults={"min_installed_base": n})


def _submitted_application(organisation, admin) -> None:
    """Two invoices with their documents, five devices, all equipment, the terms: submitted by the admin."""
    _programme_minimum(MINIMUM)
    organisation.vat_id = "DE123456789"
    organisation.save(update_fields=["vat_id"])
    with scope(organisation=organisation):
        for invoice in (GOOD, BAD):
            eligibility_services.proof_upload(
                organisation=organisation,
                actor=admin,
                upload=SimpleUploadedFile(f"Rechnung {invoice}.pdf", _invoice_pdf(invoice), "application/pdf"),
                invoice_number=invoice,
                invoice_date=datetime.date(2024, 3, 31),
                supplier="Apple Distribution International",
            )
        for i, invoice in enumerate([GOOD] * MINIMUM + [BAD] * 2):
            eligibility_services.device_create(
                organisation=organisation,
                actor=admin,
                data={
                    "serial_number": f.serial(i),
                    "product_line": "mac" if invoice == GOOD else "iphone",
                    "purchase_source": "apple",
                    "ownership": "owned",
                    "invoice_number": invoice,
                },
            )
        eligibility_services.equipment_save(
            organisation=organisation,
            actor=admin,
            items={item: {"present": True} for item in EquipmentAttestation.Item.values},
        )
        account = lifecycle.account_get(organisation=organisation)
        lifecycle.account_update(
            account=account,
            actor=admin,
            terms_accepted=True,
            contact_name="Petra Schulze",
            contact_email="it-leitung@schulamt-nord.example",
            apple_customer_number="DE-4711",
        )
        application.account_submit(account=account, actor=admin)


def _invoice_pdf(invoice: str) -> bytes:
    """A one-page PDF that names its invoice, so the reviewer's document frame shows something to read."""
    text = f"Apple Distribution International - Rechnung {invoice}".encode()
    content = b"BT /F1 18 Tf 40 760 Td (" + text + b") Tj ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n%s\nendstream" % (len(content), content),
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return pdf


def _signed_in_page(new_context, user, site):
    context = new_context()
    sign_in_browser_as(context, user, site)
    return context.new_page()


def _account(organisation) -> Account:
    with scope(organisation=organisation):
        return Account.objects.get(organisation=organisation)


def _audit_actions(organisation, action: str) -> int:
    with scopes_disabled():
        return AuditEntry.objects.filter(organisation=organisation, action=action).count()


def _proof(page, invoice: str):
    """The ``<details>`` of one proof on the evidence page, opened (only the newest one starts open)."""
    details = (
        page.get_by_test_id("proofs").locator("details.proof").filter(has=page.get_by_test_id(f"verdict-{invoice}"))
    )
    expect(details).to_have_count(1)
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    return details


def _pdf_text(data: bytes) -> str:
    assert shutil.which("pdftotext"), "poppler's pdftotext is needed to read the approval letter"
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


# --- journey 1: queue, evidence, rejected proof, question, answer, resubmission, approval, letter --------------


def test_reviewer_rejects_a_proof_asks_and_approves_and_the_applicant_gets_the_letter(
    admin, reviewer, organisation, new_context, site, screenshot
):
    _submitted_application(organisation, admin)
    rules = ProgrammeRules.objects.get(country="DE")

    # The reviewer's queue: the application waits under "Eingereicht".
    desk = _signed_in_page(new_context, reviewer, site)
    desk.goto("/review/")
    expect(desk.get_by_role("heading", name="Prüfeingang")).to_be_visible()
    expect(desk.get_by_test_id("tab-submitted").locator(".count")).to_have_text("1")
    desk.get_by_test_id("tab-submitted").click()
    expect(desk).to_have_url(re.compile(r"/review/\?(.*&)?status=submitted"))
    expect(desk.get_by_test_id("tab-submitted")).to_have_attribute("aria-current", "page")
    rows = desk.get_by_test_id("queue").locator("tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator("td").nth(0)).to_have_text("Schulamt Nord")
    expect(row.locator("td").nth(1)).to_have_text("Eingereicht")
    expect(row.locator("td").nth(4)).to_have_text("DE123456789")
    expect(row.locator("td").nth(5)).to_have_text("DE-4711")
    screenshot(desk, "review_queue")

    # The evidence: five devices on two invoices count; nothing is decided yet.
    row.get_by_role("link", name="Schulamt Nord").click()
    expect(desk).to_have_url(re.compile(rf"{EVIDENCE}$"))
    expect(desk.get_by_role("heading", name="Schulamt Nord", level=1)).to_be_visible()
    status = desk.get_by_test_id("account-status")
    expect(status).to_have_text("Eingereicht")
    counts_note = desk.locator("section.card").filter(has=desk.locator("figure.chart")).locator("p.small.muted")
    expect(counts_note).to_contain_text("5 von 5 gelisteten Geräten werden angerechnet.")
    expect(counts_note).to_contain_text("0 mit abgelehntem Beleg")
    summary = desk.get_by_test_id("checklist-summary")
    expect(summary).to_contain_text(f"5 Geräte angerechnet (mindestens {MINIMUM} erforderlich)")
    proofs = desk.get_by_test_id("proofs").locator("details.proof")
    expect(proofs).to_have_count(2)
    expect(proofs.locator("summary .badge")).to_have_text(["Noch nicht geprüft", "Noch nicht geprüft"])
    decisions = desk.get_by_test_id("decisions")
    expect(decisions.get_by_test_id("approve-form")).to_have_count(0)  # only once the review has started

    decisions.get_by_test_id("start-review").click()
    expect(desk).to_have_url(re.compile(rf"{EVIDENCE}$"))
    expect(desk.locator(".messages .alert-success")).to_have_text("Die Prüfung hat begonnen.")
    expect(status).to_have_text("In Prüfung")
    expect(decisions.get_by_test_id("start-review")).to_have_count(0)
    expect(decisions.get_by_test_id("approve-form")).to_be_visible()

    # The good invoice is accepted; the other one is rejected with a reason, and its devices stop counting.
    _proof(desk, GOOD).get_by_test_id(f"verdict-{GOOD}").get_by_role("button", name="Anerkennen").click()
    expect(desk.locator(".messages .alert-success")).to_have_text(f"Rechnung {GOOD}: Prüfergebnis gespeichert.")
    bad = _proof(desk, BAD)
    verdict = bad.get_by_test_id(f"verdict-{BAD}")
    verdict.locator("input[name=reason]").fill(REJECTION)
    verdict.get_by_role("button", name="Ablehnen").click()
    expect(desk.locator(".messages .alert-success")).to_have_text(f"Rechnung {BAD}: Prüfergebnis gespeichert.")
    bad = _proof(desk, BAD)
    expect(bad.locator("summary .badge")).to_have_text("Abgelehnt")
    expect(bad.locator("summary .badge")).to_have_class(re.compile(r"\bbadge-danger\b"))
    expect(bad.locator("summary")).to_contain_text("2 Geräte")
    expect(bad.locator("p.error")).to_have_text(
        re.compile(rf"^Abgelehnt von {re.escape(reviewer.email)} am .+: {re.escape(REJECTION)}$")
    )
    good = _proof(desk, GOOD)
    expect(good.locator("summary .badge")).to_have_text("Anerkannt")
    expect(good.locator("summary .badge")).to_have_class(re.compile(r"\bbadge-success\b"))
    expect(counts_note).to_contain_text("3 von 5 gelisteten Geräten werden angerechnet.")
    expect(counts_note).to_contain_text("2 mit abgelehntem Beleg")
    expect(summary).to_contain_text(f"3 Geräte angerechnet (mindestens {MINIMUM} erforderlich)")
    proof_rule = desk.locator("#checklist li[data-rule='proof_of_purchase']")
    expect(proof_rule).to_contain_text("Für 3 von 5 Geräten liegt ein Kaufbeleg vor.")
    expect(proof_rule).to_have_class(re.compile(r"\bpassed\b"))  # three backed devices still reach the minimum
    with scope(organisation=organisation):
        verdicts = dict(ProofOfPurchase.objects.values_list("invoice_number", "status"))
        assert verdicts == {GOOD: "accepted", BAD: "rejected"}
        assert ProofOfPurchase.objects.get(invoice_number=BAD).reviewed_by == reviewer

    # A question to the applicant; the account waits for the answer.
    ask = decisions.get_by_test_id("request-info-form")
    ask.locator("textarea[name=ask-message]").fill(QUESTION)
    ask.get_by_role("button", name="Angaben anfordern").click()
    expect(desk.locator(".messages .alert-success")).to_have_text("Die Rückfrage wurde an den Antragsteller gesendet.")
    expect(status).to_have_text("Rückfrage offen")
    expect(desk.locator("ol.thread li.from-reviewer .bubble")).to_have_text(QUESTION)
    expect(decisions.get_by_test_id("approve-form")).to_have_count(0)
    expect(decisions.get_by_test_id("request-info-form")).to_have_count(0)
    expect(decisions.get_by_test_id("start-review")).to_have_count(0)
    screenshot(desk, "review_evidence")
    assert _account(organisation).status == Account.Status.INFO_REQUESTED
    assert Notification.objects.filter(user=admin, template="account_info_requested").count() == 1

    # The applicant sees the question on the account page, answers it and resubmits.
    office = _signed_in_page(new_context, admin, site)
    office.goto(f"{ORG}/account/")
    expect(office.get_by_test_id("account-status")).to_have_text("Rückfrage offen")
    alert = office.get_by_test_id("info-requested")
    expect(alert).to_be_visible()
    thread = office.locator("ol.thread")
    expect(thread.locator("li.from-reviewer .bubble")).to_have_text(QUESTION)
    expect(thread.locator("li.from-reviewer .meta")).to_contain_text("Apple")
    expect(office.get_by_test_id("timeline")).to_contain_text(
        f"{reviewer.display_name} hat beim Antragsteller weitere Angaben angefordert"
    )
    expect(office.get_by_test_id("timeline")).to_contain_text(
        f"{reviewer.display_name} hat den Kaufbeleg zur Rechnung {BAD} abgelehnt; Begründung: {REJECTION}"
    )
    message_form = office.get_by_test_id("message-form")
    message_form.locator("textarea[name=message]").fill(ANSWER)
    message_form.locator("button[type=submit]").click()
    expect(office).to_have_url(re.compile(rf"{ORG}/account/$"))
    expect(office.locator(".messages .alert-success")).to_have_text("Ihre Nachricht wurde an die Prüfung gesendet.")
    expect(thread.locator("li .bubble")).to_have_text([QUESTION, ANSWER])
    expect(thread.locator("li").nth(1)).to_have_class(re.compile(r"\bfrom-applicant\b"))

    office.get_by_test_id("info-requested").get_by_role("link").click()
    expect(office).to_have_url(re.compile(rf"{ORG}/application/submit/$"))
    expect(office.get_by_test_id("account-status")).to_have_text("Rückfrage offen")
    expect(office.get_by_test_id("checklist-summary")).to_contain_text(
        f"3 Geräte angerechnet (mindestens {MINIMUM} erforderlich)"
    )
    office.get_by_test_id("submit-form").locator("button[type=submit]").click()
    expect(office).to_have_url(re.compile(rf"{ORG}/application/$"))
    expect(office.get_by_test_id("account-status")).to_have_text("Eingereicht")
    with scope(organisation=organisation):
        answer = AccountMessage.objects.get(organisation=organisation, from_reviewer=False)
        assert (answer.author, answer.body) == (admin, ANSWER)
    assert _account(organisation).status == Account.Status.SUBMITTED

    # The reviewer reloads, sees the answer, starts the review again and approves.
    desk.reload()
    expect(status).to_have_text("Eingereicht")
    expect(desk.locator("ol.thread li.from-applicant .bubble")).to_have_text(ANSWER)
    decisions.get_by_test_id("start-review").click()
    expect(status).to_have_text("In Prüfung")
    approve = decisions.get_by_test_id("approve-form")
    approve.locator("input[name=credit_limit]").fill("25000")
    approve.locator("input[name=account_number]").fill("SSA-424242")
    approve.locator("input[name=confirm]").check()
    approve.get_by_role("button", name="Account freigeben").click()
    expect(desk.locator(".messages .alert-success")).to_have_text("Freigegeben als SSA-424242.")
    expect(status).to_have_text("Freigegeben")
    expect(decisions.locator("dl.facts")).to_contain_text("SSA-424242")
    expect(decisions.locator("dl.facts")).to_contain_text("25.000,00 EUR")
    account = _account(organisation)
    assert account.status == Account.Status.APPROVED
    assert (account.account_number, str(account.credit_limit)) == ("SSA-424242", "25000.00")
    assert account.certification_deadline == account.setup_date + datetime.timedelta(days=rules.certification_days)
    assert _audit_actions(organisation, "account.review_started") == 2
    assert _audit_actions(organisation, "account.approved") == 1

    # The applicant reloads the account page: approved, with number, deadline, credit line and letter.
    office.goto(f"{ORG}/account/")
    expect(office.get_by_test_id("account-status")).to_have_text("Freigegeben")
    expect(office.get_by_test_id("info-requested")).to_have_count(0)
    expect(office.get_by_test_id("account-number")).to_have_text("SSA-424242")
    days_left = (account.certification_deadline - timezone.localdate()).days
    assert days_left == rules.certification_days
    deadline = office.locator(".card.stat").filter(has=office.get_by_test_id("days-left"))
    expect(deadline.locator(".stat-label")).to_have_text("Zertifizierungsfrist")
    expect(deadline.locator(".stat-value")).to_have_text(account.certification_deadline.strftime("%d.%m.%Y"))
    expect(office.get_by_test_id("days-left")).to_have_text(f"noch {days_left} Tage")
    credit = office.locator(".card.stat").filter(has=office.get_by_test_id("approval-letter"))
    expect(credit.locator(".stat-label")).to_have_text("Kreditrahmen")
    expect(credit.locator(".stat-value")).to_have_text("25.000,00 EUR")
    timeline = office.get_by_test_id("timeline")
    for entry in (
        f"{admin.display_name} hat den Antrag eingereicht",
        f"{reviewer.display_name} hat die Prüfung begonnen",
        f"{reviewer.display_name} hat beim Antragsteller weitere Angaben angefordert",
        f"{reviewer.display_name} hat den Antrag genehmigt; Kreditrahmen 25.000,00 €, Accountnummer SSA-424242",
    ):
        expect(timeline).to_contain_text(entry)
    screenshot(office, "review_account_approved")

    letter = office.get_by_test_id("approval-letter")
    expect(letter).to_have_text("Freigabeschreiben (PDF)")
    href = letter.get_attribute("href")
    assert href == f"{ORG}/account/approval-letter.pdf"
    response = office.context.request.get(href)  # the link opens inline; fetch it with the applicant's cookies
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    assert "SSA-approval-SSA-424242.pdf" in response.headers["content-disposition"]
    data = response.body()
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert "SSA-424242" in text
    assert "25.000,00" in text
    assert "Schulamt Nord" in text


# --- journey 2: two reviewers start the same review -------------------------------------------------------------


def test_a_second_reviewer_starting_a_review_already_started_gets_a_clear_refusal(
    admin, reviewer, organisation, new_context, site, screenshot
):
    _submitted_application(organisation, admin)
    colleague = UserFactory(email="reviewer2@apple.example", is_reviewer=True)
    give_totp(colleague)

    first = _signed_in_page(new_context, reviewer, site)
    second = _signed_in_page(new_context, colleague, site)
    for page in (first, second):
        page.goto(EVIDENCE)
        expect(page.get_by_test_id("account-status")).to_have_text("Eingereicht")
        expect(page.get_by_test_id("start-review")).to_be_visible()

    first.get_by_test_id("start-review").click()
    expect(first.locator(".messages .alert-success")).to_have_text("Die Prüfung hat begonnen.")
    expect(first.get_by_test_id("account-status")).to_have_text("In Prüfung")

    # The colleague's page is stale: the button is still there, and pressing it is refused, not repeated.
    second.get_by_test_id("start-review").click()
    expect(second).to_have_url(re.compile(rf"{EVIDENCE}$"))
    refusal = second.locator(".messages .alert-error")
    expect(refusal).to_have_count(1)
    expect(refusal).to_contain_text("Nicht ausgeführt:")
    expect(refusal).to_contain_text("In Prüfung")
    expect(refusal).to_contain_text("die Seite zeigt jetzt den aktuellen Stand")
    expect(second.locator(".messages .alert-success")).to_have_count(0)
    expect(second.get_by_test_id("account-status")).to_have_text("In Prüfung")
    expect(second.get_by_test_id("start-review")).to_have_count(0)
    screenshot(second, "review_refused_for_the_second_reviewer")

    assert _account(organisation).status == Account.Status.IN_REVIEW
    assert _audit_actions(organisation, "account.review_started") == 1
    with scopes_disabled():
        started = AuditEntry.objects.get(organisation=organisation, action="account.review_started")
    assert started.actor == reviewer
    assert Notification.objects.filter(user=admin, template="account_in_review").count() == 1
