"""Journey 1: a visitor signs up, verifies the email address from the mailbox and logs in."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.conftest import PASSWORD, link_in_mail, log_in, log_out, submit_in_main

pytestmark = pytest.mark.browser

EMAIL = "anna.schmidt@schulamt-nord.example"


def test_sign_up_verify_email_and_log_in(page, screenshot):
    page.goto("/")
    page.locator("header.topbar a[href='/accounts/signup/']").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))

    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    submit_in_main(page, "/accounts/signup/").click()

    # Verification is mandatory: the account exists but is not signed in until the address is confirmed.
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bestätige deine E-Mail-Adresse")
    expect(page.locator("details.user-menu")).to_have_count(0)
    assert not EmailAddress.objects.get(email=EMAIL).verified
    assert [m.subject.startswith("[SSA Portal] ") for m in mail.outbox if EMAIL in m.to] == [True]

    page.goto(link_in_mail(EMAIL, r"https?://\S+/accounts/confirm-email/[^/\s]+/"))
    expect(page.get_by_role("heading", name="E-Mail-Adresse bestätigen")).to_be_visible()
    page.locator("main form[action*='/accounts/confirm-email/'] button[type=submit]").click()

    # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION: confirming signs the new user in; with no organisation yet, the home page
    # offers to create one.
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".messages")).to_contain_text(f"Du hast die Adresse {EMAIL} bestätigt.")
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
