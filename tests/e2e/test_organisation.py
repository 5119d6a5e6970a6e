"""Journey 2: a signed-up user creates an organisation, becomes its admin and is made to set up two-factor."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from accounts.models import Membership, Organisation
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import assert_accessible, fresh_totp_code, log_in, submit_in_main

pytestmark = pytest.mark.browser

FACTORY_PASSWORD = "correct-horse-battery"


def test_create_organisation_then_forced_two_factor_setup(page, screenshot):
    user = UserFactory(email="it-leitung@schulamt-nord.example")
    log_in(page, user.email, FACTORY_PASSWORD)

    page.locator("main a[href='/organisations/new/']").first.click()
    expect(page).to_have_url(re.compile(r"/organisations/new/$"))
    page.fill("input[name=name]", "Schulamt Nord")
    page.select_option("select[name=federal_state]", "HH")
    page.fill("textarea[name=address]", "Musterweg 1\n20095 Hamburg")
    page.fill("input[name=vat_id]", "de 123 456 789")
    expect(page.locator("select[name=language]")).to_have_value("de")  # preset from the current language
    page.locator("main form button[type=submit]").click()

    # The new admin is sent to set up two-factor; allauth first asks for the password again.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next=.*2fa.*totp.*activate"))
    expect(page.locator(".messages")).to_contain_text("Schulamt Nord")
    organisation = Organisation.objects.get(slug="schulamt-nord")
    assert (organisation.federal_state, organisation.vat_id, organisation.language) == ("HH", "DE123456789", "de")
    with scopes_disabled():
        assert Membership.objects.get(organisation=organisation, user=user).role == Membership.Role.ADMIN

    page.fill("input[name=password]", FACTORY_PASSWORD)
    submit_in_main(page, "/accounts/reauthenticate/").click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    assert_accessible(page, "two_factor_setup")
    expect(page.get_by_role("heading", level=1)).to_have_text("Authenticator-App aktivieren")
    secret = page.locator("input#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    page.fill("input[name=code]", fresh_totp_code(secret))
    submit_in_main(page, "/accounts/2fa/totp/activate/").click()

    # allauth shows the recovery codes it generated alongside the authenticator.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    screenshot(page, "two_factor_enabled")

    # With two-factor in place the wall is gone: the organisation's dashboard opens.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/o/schulamt-nord/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Schulamt Nord")
    expect(page.get_by_test_id("current-org")).to_have_text("Schulamt Nord")
    expect(page.locator(".stat-value").first).to_have_text("Administrator")
    screenshot(page, "organisation_created")
