"""Journey 8: the audit trail reads as sentences, in German and in English, for the organisation and the reviewer.

The organisation's history is made through the services, as the portal makes it: an application submitted, a review
started and approved with a credit line of 50,000 euros, a certification hold placed by the daily job (no actor) and
lifted by the reviewer, a device edited, a certification recorded. The admin reads the trail in German, switches to
English and reads it again; the reviewer's trail across organisations reads the same; a phone shows it without
sideways scrolling.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from accounts import holds, lifecycle
from accounts.models import ProgrammeRules
from certification import services as certification_services
from eligibility import application
from eligibility import services as eligibility_services
from eligibility.models import Device, EquipmentAttestation
from review import services as review_services
from tests.e2e.conftest import sign_in_browser_as
from tests.eligibility import files as f

pytestmark = pytest.mark.browser

AUDIT = "/o/schulamt-nord/audit/"
INVOICE = "RE-2025-017"
NUMBER = "SSA-100001"
RAW = ["account.approved", "hold.placed", "device.updated", "certification.recorded", "True", "False", "['", "{'"]

APPROVED_DE = f"Rita Reviewer hat den Antrag genehmigt; Kreditrahmen 50.000,00 €, Accountnummer {NUMBER}"
APPROVED_EN = f"Rita Reviewer approved the application; credit line €50,000.00, account number {NUMBER}"


def _history(organisation, admin, reviewer) -> str:
    """The organisation's decisions, through the services; returns the edited device's serial number."""
    ProgrammeRules.objects.update_or_create(country="DE", defaults={"min_installed_base": 1})
    organisation.vat_id = "DE123456789"
    organisation.save(update_fields=["vat_id"])
    serial = f.serial(1)
    with scope(organisation=organisation):
        eligibility_services.proof_upload(
            organisation=organisation,
            actor=admin,
            upload=SimpleUploadedFile(f"Rechnung {INVOICE}.pdf", f.PDF, "application/pdf"),
            invoice_number=INVOICE,
            invoice_date=datetime.date(2025, 1, 31),
        )
        device = eligibility_services.device_create(
            organisation=organisation,
            actor=admin,
            data={
                "serial_number": serial,
                "product_line": "mac",
                "purchase_source": "apple",
                "ownership": "owned",
                "invoice_number": INVOICE,
            },
        )
        eligibility_services.device_update(
            device=Device.objects.get(pk=device.pk), actor=admin, data={"model": "MacBook Pro 14"}
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
            contact_name="Anna Admin",
            contact_email="it@schulamt-nord.example",
            apple_customer_number="DE-4711",
        )
        account = application.account_submit(account=account, actor=admin)
        account = review_services.review_start(account=account, reviewer=reviewer)
        review_services.account_approve(account=account, reviewer=reviewer, credit_limit="50000", account_number=NUMBER)
        hold = holds.hold_place(organisation=organisation, reason="certification", product_line="iphone")
        holds.hold_release(hold=hold, actor=reviewer)
        certification_services.certification_record(
            organisation=organisation,
            actor=admin,
            technician_email=admin.email,
            kind="acmt",
            credential_id="ACMT-778899",
            passed_on=timezone.localdate() - datetime.timedelta(days=3),
        )
    return serial


def _named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def _expect_no_raw_values(table) -> None:
    text = table.inner_text()
    for raw in RAW:
        assert raw not in text, f"{raw!r} shows in the trail:\n{text}"


def _switch_to(page, language: str) -> None:
    page.locator(f"header.topbar form.lang-switch button[name=language][value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def _fits_the_width(page) -> bool:
    """Nothing scrolls sideways: not the page, not the table's card, not a cell of it."""
    return page.evaluate(
        """() => document.documentElement.scrollWidth <= window.innerWidth
            && [...document.querySelectorAll(".table-wrap, .table-audit td")]
                .every(el => el.scrollWidth <= el.clientWidth + 1)"""
    )


def test_the_admin_and_the_reviewer_read_the_trail_as_sentences_in_german_and_english(
    admin, reviewer, organisation, new_context, site, screenshot
):
    admin = _named(admin, "Anna", "Admin")
    reviewer = _named(reviewer, "Rita", "Reviewer")
    serial = _history(organisation, admin, reviewer)
    passed_on = (timezone.localdate() - datetime.timedelta(days=3)).strftime("%d.%m.%Y")

    # The admin's trail, in German: who did what, by name, with the values as a German reader writes them.
    context = new_context()
    sign_in_browser_as(context, admin, site)
    office = context.new_page()
    office.goto(AUDIT)
    expect(office.get_by_role("heading", level=1)).to_have_text("Protokoll")
    table = office.get_by_test_id("audit-table")
    expect(table.locator("thead th")).to_have_text(["Wann", "Vorgang", "IP-Adresse"])
    rows = table.locator("tbody tr")
    expect(table).to_contain_text(APPROVED_DE)
    expect(table).to_contain_text("Rita Reviewer hat die Prüfung begonnen")
    expect(table).to_contain_text("Anna Admin hat den Antrag eingereicht")
    expect(table).to_contain_text("Das Portal hat eine Sperre verhängt: Zertifizierung fehlt; Produktlinie iPhone")
    expect(table).to_contain_text("Rita Reviewer hat eine Sperre aufgehoben; Grund: Zertifizierung fehlt")
    expect(table).to_contain_text(
        f"Anna Admin hat die Zertifizierung ACMT (Mac) von {admin.email} erfasst, bestanden am {passed_on}"
    )
    expect(table).to_contain_text(f"Anna Admin hat den Kaufbeleg zur Rechnung {INVOICE} hochgeladen")
    # An edit lists what it changed, by label, under its sentence.
    edit = rows.filter(has_text=f"Anna Admin hat das Gerät {serial} geändert")
    expect(edit).to_have_count(1)
    expect(edit.locator(".audit-changes dt")).to_have_text(["Modell"])
    expect(edit.locator(".audit-changes dd .after")).to_have_text("MacBook Pro 14")
    terms = rows.filter(has_text="Anna Admin hat den Antrag geändert").locator(".audit-changes")
    accepted = terms.locator("div").filter(has=office.locator("dt", has_text="Programmbedingungen angenommen"))
    expect(accepted.locator(".before")).to_have_text("nein")
    expect(accepted.locator(".after")).to_have_text("ja")
    # A decision reads as its sentence alone.
    expect(rows.filter(has_text=APPROVED_DE).locator(".audit-changes")).to_have_count(0)
    _expect_no_raw_values(table)
    screenshot(office, "audit_trail_de")

    # The same trail in English, after the switch in the top bar.
    _switch_to(office, "en")
    expect(office.get_by_role("heading", level=1)).to_have_text("Audit trail")
    expect(table.locator("thead th")).to_have_text(["When", "What happened", "IP address"])
    expect(table).to_contain_text(APPROVED_EN)
    expect(table).to_contain_text("The portal placed a hold: Certification missing; product line iPhone")
    expect(table).to_contain_text("Rita Reviewer lifted a hold; reason: Certification missing")
    expect(table).to_contain_text(f"Anna Admin changed the device {serial}")
    expect(rows.filter(has_text="Anna Admin changed the application").locator(".audit-changes")).to_contain_text(
        "Programme terms accepted"
    )
    expect(table).not_to_contain_text("hat den Antrag genehmigt")
    _expect_no_raw_values(table)
    screenshot(office, "audit_trail_en")

    # The account timeline reads the same sentences.
    office.goto("/o/schulamt-nord/account/")
    expect(office.get_by_test_id("timeline")).to_contain_text(APPROVED_EN)
    expect(office.get_by_test_id("timeline")).to_contain_text("Anna Admin submitted the application")

    # The reviewer's trail across organisations, in the reviewer's German, names the organisation.
    desk = new_context().new_page()
    sign_in_browser_as(desk.context, reviewer, site)
    desk.goto("/review/audit/?organisation=schulamt-nord")
    trail = desk.get_by_test_id("audit-table")
    expect(trail.locator("thead th")).to_have_text(["Wann", "Organisation", "Vorgang", "IP-Adresse"])
    approved = trail.locator("tbody tr").filter(has_text=APPROVED_DE)
    expect(approved).to_have_count(1)
    expect(approved.locator(".audit-org")).to_have_text("Schulamt Nord")
    expect(trail).to_contain_text("Das Portal hat eine Sperre verhängt: Zertifizierung fehlt; Produktlinie iPhone")
    _expect_no_raw_values(trail)
    screenshot(desk, "audit_trail_review")

    # The evidence page's history reads the same; single device edits stay in the full trail.
    desk.goto("/review/accounts/schulamt-nord/")
    history = desk.get_by_test_id("audit-table")
    expect(history).to_contain_text(APPROVED_DE)
    expect(history).not_to_contain_text(f"hat das Gerät {serial} geändert")

    # On a phone the entries stack: nothing scrolls sideways, and the sentence is still whole.
    desk.set_viewport_size({"width": 390, "height": 844})
    desk.goto("/review/audit/?organisation=schulamt-nord")
    expect(trail).to_contain_text(APPROVED_DE)
    assert _fits_the_width(desk)
    box = approved.locator(".audit-what").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    screenshot(desk, "audit_trail_review_390")
