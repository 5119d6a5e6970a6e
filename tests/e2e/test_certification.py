"""Journey 7: certification in the browser — a voucher assigned, an ACMT recorded, the Mac hold lifted; training.

The account is approved directly through the models (the approval itself is journey 6) with a deadline that passed
yesterday, and the daily deadline job is run for today, so both product lines in the installed base start on hold.
The live server's database is flushed after every transactional test, which also removes the training catalogue
the data migration seeds (and the first such test still sees it), so the training journey makes its own modules.
"""

import datetime
import re

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Account, Hold
from certification.jobs import certification_deadlines
from certification.models import Certification, ExamVoucher, TrainingModule, TrainingProgress
from certification.services import vouchers_issue_free
from core.models import AuditEntry
from eligibility.models import Device
from tests.e2e.conftest import sign_in_browser_as
from tests.eligibility import files as f

pytestmark = pytest.mark.browser

ORG = "/o/schulamt-nord"
CREDENTIAL = "ACMT-2026-0042"


# --- helpers --------------------------------------------------------------------------------------------------


def _signed_in_page(new_context, user, site):
    context = new_context()
    sign_in_browser_as(context, user, site)
    return context.new_page()


def _approved_account_past_its_deadline(organisation, today: datetime.date) -> None:
    """Approved 90 days ago, the deadline yesterday; a Mac and an iPhone in the installed base; two free vouchers."""
    with scope(organisation=organisation):
        Account.objects.create(
            organisation=organisation,
            status=Account.Status.APPROVED,
            setup_date=today - datetime.timedelta(days=91),
            certification_deadline=today - datetime.timedelta(days=1),
            account_number="SSA-424242",
            credit_limit=25000,
        )
        for i, line in enumerate(("mac", "iphone")):
            Device.objects.create(
                organisation=organisation,
                serial_number=f.serial(i),
                product_line=line,
                purchase_source="apple",
                ownership="owned",
            )
        vouchers_issue_free(organisation=organisation, count=2)


def _open_holds(organisation) -> list[str]:
    with scope(organisation=organisation):
        return sorted(
            Hold.objects.filter(reason=Hold.Reason.CERTIFICATION, released_at__isnull=True).values_list(
                "product_line", flat=True
            )
        )


def _training_modules() -> list[TrainingModule]:
    """Exactly two modules, whatever the data migration left in the database before the first flush."""
    TrainingModule.objects.all().delete()
    return [
        TrainingModule.objects.create(
            title="ACMT: Grundlagen der Mac-Reparatur", product_line="mac", kind="acmt", language="de", position=1
        ),
        TrainingModule.objects.create(
            title="iOS: Diagnose mit dem Service Toolkit", product_line="iphone", kind="ios", language="de", position=2
        ),
    ]


# --- journey 1: a voucher assigned, an ACMT recorded, the Mac hold lifted -------------------------------------------


def test_admin_assigns_a_voucher_records_an_acmt_and_the_mac_hold_disappears(
    admin, technician, organisation, new_context, site, screenshot
):
    today = timezone.localdate()
    _approved_account_past_its_deadline(organisation, today)
    assert certification_deadlines(today=today)["holds_placed"] == 2
    assert _open_holds(organisation) == ["iphone", "mac"]
    with scope(organisation=organisation):
        acmt = ExamVoucher.objects.get(organisation=organisation, kind="acmt", free=True)
        ios = ExamVoucher.objects.get(organisation=organisation, kind="ios", free=True)
        mac_hold = Hold.objects.get(reason=Hold.Reason.CERTIFICATION, product_line="mac", released_at__isnull=True)

    # The dashboard: both lines required and on hold, and the holds listed.
    page = _signed_in_page(new_context, admin, site)
    page.goto(f"{ORG}/")
    countdown = page.get_by_test_id("certification-countdown")
    expect(countdown.locator("li.line")).to_have_count(2)
    mac, iphone = countdown.locator("li[data-line=mac]"), countdown.locator("li[data-line=iphone]")
    expect(mac).to_have_class(re.compile(r"\bheld\b"))
    expect(iphone).to_have_class(re.compile(r"\bheld\b"))
    expect(page.get_by_test_id("on-hold-mac")).to_be_visible()
    expect(page.get_by_test_id("on-hold-mac")).to_contain_text("gesperrt: noch kein ACMT")
    expect(page.get_by_test_id("on-hold-iphone")).to_be_visible()
    holds = page.get_by_test_id("dashboard-holds").locator("li.hold.open")
    expect(holds).to_have_count(2)
    expect(holds.filter(has_text="Mac")).to_have_count(1)
    expect(holds.filter(has_text="iPhone")).to_have_count(1)
    expect(holds.first).to_contain_text("Zertifizierung fehlt")

    # The team page: the ACMT voucher goes to the technician.
    countdown.get_by_role("link", name="Zertifizierung und Gutscheine").click()
    expect(page).to_have_url(re.compile(rf"{ORG}/certification/$"))
    expect(page.get_by_role("heading", name="Zertifizierung", level=1)).to_be_visible()
    vouchers = page.get_by_test_id("vouchers")
    acmt_item = vouchers.locator("li").filter(has=page.get_by_test_id(f"assign-{acmt.code}"))
    ios_item = vouchers.locator("li").filter(has=page.get_by_test_id(f"assign-{ios.code}"))
    expect(acmt_item).to_contain_text("ACMT (Mac)")
    expect(acmt_item).to_contain_text("kostenlos")
    expect(acmt_item).not_to_contain_text("zugewiesen an")
    assign = page.get_by_test_id(f"assign-{acmt.code}")
    assign.locator("select[name=technician]").select_option(technician.email)
    assign.get_by_role("button", name="Zuweisen").click()
    expect(page).to_have_url(re.compile(rf"{ORG}/certification/$"))
    expect(page.locator(".messages .alert-success")).to_have_text(f"Der Gutschein {acmt.code} wurde zugewiesen.")
    expect(acmt_item.locator("p.small")).to_have_text(f"zugewiesen an {technician.display_name}")
    expect(ios_item).not_to_contain_text("zugewiesen an")
    with scope(organisation=organisation):
        acmt.refresh_from_db()
        assert acmt.assigned_to == technician
        assert ExamVoucher.objects.get(pk=ios.pk).assigned_to is None

    # The technician passed: the admin records the ACMT for them.
    row = page.get_by_test_id("team-certifications").locator("tbody tr").filter(has_text=technician.email)
    expect(row.locator("td").nth(1)).to_have_text("—")
    passed_on = today - datetime.timedelta(days=3)
    expires_on = passed_on + datetime.timedelta(days=3 * 365)
    form = page.get_by_test_id("certification-form")
    form.locator("select[name=technician]").select_option(technician.email)
    form.locator("select[name=kind]").select_option("acmt")
    form.locator("input[name=credential_id]").fill(CREDENTIAL)
    form.locator("input[name=passed_on]").fill(passed_on.isoformat())
    form.locator("input[name=expires_on]").fill(expires_on.isoformat())
    form.get_by_role("button", name="Zertifizierung erfassen").click()
    expect(page).to_have_url(re.compile(rf"{ORG}/certification/$"))
    expect(page.locator(".messages .alert-success")).to_have_text("Die Zertifizierung wurde erfasst.")
    badge = row.locator("td").nth(1).locator(".badge")
    expect(badge).to_have_count(1)
    expect(badge).to_have_text(f"ACMT (Mac) · {CREDENTIAL} · bis {expires_on:%d.%m.%Y}")
    expect(badge).to_have_class(re.compile(r"\bbadge-success\b"))
    team_countdown = page.get_by_test_id("certification-countdown")
    expect(team_countdown.locator("li[data-line=mac]")).to_have_class(re.compile(r"\bok\b"))
    expect(team_countdown.locator("li[data-line=mac]")).to_contain_text(f"zertifiziert — {technician.display_name}")
    expect(team_countdown.locator("li[data-line=iphone]")).to_have_class(re.compile(r"\bheld\b"))
    screenshot(page, "certification_recorded")
    with scope(organisation=organisation):
        certification = Certification.objects.get(organisation=organisation, credential_id=CREDENTIAL)
        assert (certification.technician, certification.kind) == (technician, "acmt")
        assert (certification.passed_on, certification.expires_on) == (passed_on, expires_on)
        assert certification.recorded_by == admin

    # Back on the dashboard: Mac is certified, iPhone still on hold.
    page.goto(f"{ORG}/")
    expect(mac).to_have_class(re.compile(r"\bok\b"))
    expect(mac).to_contain_text("zertifiziert")
    expect(page.get_by_test_id("on-hold-mac")).to_have_count(0)
    expect(iphone).to_have_class(re.compile(r"\bheld\b"))
    expect(page.get_by_test_id("on-hold-iphone")).to_be_visible()
    expect(holds).to_have_count(1)
    expect(holds.first).to_contain_text("iPhone")
    expect(holds.first).not_to_contain_text("Mac")
    screenshot(page, "certification_dashboard")

    # The hold row is released, not deleted, by the admin who recorded the certification, with its audit entry.
    assert _open_holds(organisation) == ["iphone"]
    with scope(organisation=organisation):
        mac_hold.refresh_from_db()
    assert mac_hold.released_at is not None
    assert mac_hold.released_by == admin
    assert mac_hold.release_note == "certification recorded"
    with scopes_disabled():
        released = AuditEntry.objects.get(organisation=organisation, action="hold.released")
        assert AuditEntry.objects.filter(organisation=organisation, action="certification.recorded").count() == 1
        assert AuditEntry.objects.filter(organisation=organisation, action="voucher.assigned").count() == 1
    assert (released.object_type, released.object_id) == ("accounts.hold", str(mac_hold.pk))
    assert released.actor == admin
    assert released.before == {"reason": "certification", "product_line": "mac"}


# --- journey 2: a technician completes a training module --------------------------------------------------------


def test_a_technician_completes_a_training_module_and_the_admin_sees_it(
    admin, technician, organisation, new_context, site, screenshot
):
    first, second = _training_modules()

    page = _signed_in_page(new_context, technician, site)
    page.goto(f"{ORG}/training/")
    expect(page.get_by_role("heading", name="Schulungen", level=1)).to_be_visible()
    catalogue = page.get_by_test_id("training")
    expect(catalogue.locator("li[data-module]")).to_have_count(2)
    module = catalogue.locator(f"li[data-module='{first.pk}']")
    other = catalogue.locator(f"li[data-module='{second.pk}']")
    expect(module).to_contain_text(first.title)
    expect(module).to_contain_text("60 Min.")
    expect(module).to_contain_text("bereitet vor auf ACMT (Mac)")
    expect(module.locator(".badge")).to_have_count(0)

    module.get_by_role("button", name="Beginnen").click()
    expect(page).to_have_url(re.compile(rf"{ORG}/training/$"))
    expect(module.locator(".badge")).to_have_text("begonnen")
    expect(module.get_by_role("button", name="Beginnen")).to_have_count(0)
    expect(other.get_by_role("button", name="Beginnen")).to_be_visible()
    with scope(organisation=organisation):
        progress = TrainingProgress.objects.get(organisation=organisation, user=technician, module=first)
        assert progress.completed_at is None

    complete = page.get_by_test_id(f"complete-{first.pk}")
    expect(complete).to_have_text("Als abgeschlossen markieren")
    complete.click()
    expect(page).to_have_url(re.compile(rf"{ORG}/training/$"))
    expect(page.locator(".messages .alert-success")).to_have_text(f"„{first.title}“ ist als abgeschlossen markiert.")
    expect(page.get_by_test_id(f"completed-{first.pk}")).to_have_text("abgeschlossen")
    expect(page.get_by_test_id(f"complete-{first.pk}")).to_have_count(0)
    expect(page.get_by_test_id(f"completed-{second.pk}")).to_have_count(0)
    expect(page.get_by_test_id(f"complete-{second.pk}")).to_be_visible()
    screenshot(page, "training_completed")
    with scope(organisation=organisation):
        progress.refresh_from_db()
        assert progress.completed_at is not None
        assert TrainingProgress.objects.filter(organisation=organisation).count() == 1

    # The admin's team page counts the completed module for that technician.
    office = _signed_in_page(new_context, admin, site)
    office.goto(f"{ORG}/certification/")
    row = office.get_by_test_id("team-certifications").locator("tbody tr").filter(has_text=technician.email)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(2)).to_have_text("1 von 2 Modulen")
