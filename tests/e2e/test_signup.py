"""Journey 1: a visitor signs up, verifies the email address from the mailbox and logs in."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.conftest import PASSWORD, confirm_email, log_in, log_out, sign_up

pytestmark = pytest.mark.browser

EMAIL = "anna.schmidt@schulamt-nord.example"


def test_sign_up_verify_email_and_log_in(page, screenshot):
    page.goto("/")
    page.locator("header.topbar a[href='/accounts/signup/']").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))

    sign_up(page, EMAIL, PASSWORD)

    # Verification is mandatory: the account exists but is not signed in until the address is confirmed.
    expect(page.get_by_role("heading", level=1)).to_have_text("Bestätigen Sie Ihre E-Mail-Adresse")
    expect(page.locator("details.user-menu")).to_have_count(0)
    assert not EmailAddress.objects.get(email=EMAIL).verified
    assert [m.subject.startswith("[SSA Portal] ") for m in mail.outbox if EMAIL in m.to] == [True]

    confirm_email(page, EMAIL)

    # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION: confirming signs the new user in; with no organisation yet, the home page
    # offers to create one.
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".messages")).to_contain_text(f"Sie haben die Adresse {EMAIL} bestätigt.")
    expect(page.locator("details.user-menu > summary")).to_contain_text(EMAIL)
    expect(page.locator("main a[href='/organisations/new/']").first).to_be_visible()
    assert EmailAddress.objects.get(email=EMAIL).verified
    assert User.objects.get(email=EMAIL).language == "de"
    screenshot(page, "signup_verified")

    # The password chosen at sign-up works for a later login.
    log_out(page)
    log_in(page, EMAIL, PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("details.user-menu > summary")).to_contain_text(EMAIL)
    screenshot(page, "signup_logged_in")
