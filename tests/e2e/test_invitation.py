"""Journey 3: an admin invites a technician by email; the technician signs up from the link and joins. An address
that already has a login is invited the same way and joins only by accepting, signed in as that address."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from accounts.models import Invitation, Membership
from tests.accounts.factories import TEST_TOTP_SECRET, UserFactory
from tests.e2e.conftest import (
    PASSWORD,
    confirm_email,
    link_in_mail,
    log_in,
    sign_in_browser_as,
    sign_up,
    submit_in_main,
)

pytestmark = pytest.mark.browser

TECHNICIAN = "jonas.weber@schulamt-nord.example"


def test_admin_invites_technician_who_signs_up_and_joins(admin, organisation, new_context, screenshot):
    admin_page = new_context().new_page()
    log_in(admin_page, admin.email, "correct-horse-battery", totp_secret=TEST_TOTP_SECRET)
    expect(admin_page).to_have_url(re.compile(r"/o/schulamt-nord/$"))

    admin_page.locator("nav.sidenav a[href='/o/schulamt-nord/members/']").click()
    expect(admin_page).to_have_url(re.compile(r"/o/schulamt-nord/members/$"))
    admin_page.fill("input[name=email]", TECHNICIAN)
    admin_page.select_option("select[name=role]", "technician")
    admin_page.locator("main form:has(input[name=email]) button[type=submit]").click()  # posts to its own page
    expect(admin_page.locator(".messages")).to_contain_text(TECHNICIAN)
    expect(admin_page.locator("main table").nth(1)).to_contain_text(TECHNICIAN)  # pending invitations

    # The technician, in a browser of their own, follows the link from the mailbox.
    accept_url = link_in_mail(TECHNICIAN, r"https?://\S+/invitations/[\w-]+/")
    assert accept_url.startswith(admin_page.url.split("/o/")[0])  # SITE_URL is the live server
    accept_path = "/" + accept_url.split("/", 3)[3]
    tech_page = new_context().new_page()
    tech_page.goto(accept_url)
    expect(tech_page.get_by_role("heading", level=1)).to_contain_text("Schulamt Nord")
    expect(tech_page.locator("main")).to_contain_text(TECHNICIAN)
    tech_page.locator("main a[href^='/accounts/signup/']").click()
    expect(tech_page).to_have_url(re.compile(r"/accounts/signup/\?next=/invitations/"))
    sign_up(tech_page, TECHNICIAN, PASSWORD)
    confirm_email(tech_page, TECHNICIAN)

    # Confirming signs the technician in and returns to the invitation, which is accepted with one click.
    expect(tech_page).to_have_url(re.compile(re.escape(accept_path) + "$"))
    expect(tech_page.locator("main")).to_contain_text(TECHNICIAN)  # "logged in as …"
    tech_page.locator("main form[method=post] button[type=submit]").click()

    expect(tech_page).to_have_url(re.compile(r"/o/schulamt-nord/$"))  # technicians are not made to set up 2FA
    expect(tech_page.locator(".messages")).to_contain_text("Schulamt Nord")
    expect(tech_page.get_by_test_id("current-org")).to_have_text("Schulamt Nord")
    expect(tech_page.get_by_role("heading", level=1)).to_have_text("Schulamt Nord")
    with scopes_disabled():
        membership = Membership.objects.get(organisation=organisation, user__email=TECHNICIAN)
        assert membership.role == Membership.Role.TECHNICIAN
        assert Invitation.objects.get(email=TECHNICIAN).accepted_by == membership.user
    screenshot(tech_page, "technician_joined")

    # The admin's team page now lists the technician as a member, with no invitation pending.
    admin_page.reload()
    expect(admin_page.locator("main table").first).to_contain_text(TECHNICIAN)
    expect(admin_page.locator("main table")).to_have_count(1)
    screenshot(admin_page, "technician_joined_admin_view")


EXISTING = "lena.koch@schulamt-nord.example"


def test_an_existing_user_invited_joins_only_by_accepting_as_the_invited_address(
    admin, organisation, new_context, site, screenshot
):
    existing = UserFactory(email=EXISTING, password=PASSWORD)
    admin_page = new_context().new_page()
    log_in(admin_page, admin.email, "correct-horse-battery", totp_secret=TEST_TOTP_SECRET)
    admin_page.goto("/o/schulamt-nord/members/")
    admin_page.fill("input[name=email]", EXISTING)
    admin_page.select_option("select[name=role]", "technician")
    admin_page.locator("main form:has(input[name=email]) button[type=submit]").click()
    # The same answer as for an unknown address: an invitation, nobody added.
    expect(admin_page.locator(".messages")).to_contain_text(EXISTING)
    expect(admin_page.locator("main table").first).not_to_contain_text(EXISTING)
    expect(admin_page.locator("main table").nth(1)).to_contain_text(EXISTING)  # pending invitations
    with scopes_disabled():
        assert not Membership.objects.filter(organisation=organisation, user=existing).exists()

    accept_url = link_in_mail(EXISTING, r"https?://\S+/invitations/[\w-]+/")
    accept_path = "/" + accept_url.split("/", 3)[3]

    # Someone else signed in who opens the link is told why they cannot accept it.
    someone_else = new_context()
    sign_in_browser_as(someone_else, UserFactory(email="jemand@example.org"), site)
    other_page = someone_else.new_page()
    other_page.goto(accept_url)
    expect(other_page.get_by_test_id("invitation-other-account")).to_contain_text(EXISTING)
    expect(other_page.get_by_test_id("invitation-other-account")).to_contain_text("jemand@example.org")
    expect(other_page.locator("main form[method=post]:not([action]) button[type=submit]")).to_have_count(0)
    screenshot(other_page, "invitation_other_account")

    # The invited user logs in from the link, comes back to it and accepts.
    page = new_context().new_page()
    page.goto(accept_url)
    page.locator("main a[href^='/accounts/login/']").click()
    page.fill("input[name=login]", EXISTING)
    page.fill("input[name=password]", PASSWORD)
    submit_in_main(page, "/accounts/login/").click()
    expect(page).to_have_url(re.compile(re.escape(accept_path) + "$"))
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/o/schulamt-nord/$"))
    expect(page.get_by_test_id("current-org")).to_have_text("Schulamt Nord")
    with scopes_disabled():
        membership = Membership.objects.get(organisation=organisation, user=existing)
        assert membership.role == Membership.Role.TECHNICIAN
        assert Invitation.objects.get(email=EXISTING).accepted_by == existing

    admin_page.reload()
    expect(admin_page.locator("main table").first).to_contain_text(EXISTING)
    expect(admin_page.locator("main table")).to_have_count(1)
