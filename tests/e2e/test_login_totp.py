"""Journey 5: an admin logs out and logs in again with password and authenticator code."""

import re

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import TEST_TOTP_SECRET
from tests.e2e.conftest import fresh_totp_code, log_out, sign_in_browser_as, submit_in_main

pytestmark = pytest.mark.browser


def test_admin_logs_out_and_in_again_with_totp(admin, new_context, site, screenshot):
    context = new_context()
    sign_in_browser_as(context, admin, site)  # the admin is already signed in when the journey starts
    page = context.new_page()
    page.goto("/o/schulamt-nord/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Schulamt Nord")

    log_out(page)
    page.goto("/o/schulamt-nord/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/o/schulamt-nord/$"))

    page.fill("input[name=login]", admin.email)
    page.fill("input[name=password]", "correct-horse-battery")
    submit_in_main(page, "/accounts/login/").click()

    # The password alone does not sign an admin in: allauth asks for the authenticator code.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zwei-Faktor-Authentifizierung")
    expect(page.locator("details.user-menu")).to_have_count(0)
    page.goto("/o/schulamt-nord/")  # not reachable half-way: the login sends the pending login back to the code
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(page.locator("details.user-menu")).to_have_count(0)

    code = fresh_totp_code(TEST_TOTP_SECRET)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    page.fill("input[name=code]", wrong)
    submit_in_main(page, "/accounts/2fa/authenticate/").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(page.locator("main form[action='/accounts/2fa/authenticate/']")).to_contain_text("Falscher Code")

    page.fill("input[name=code]", fresh_totp_code(TEST_TOTP_SECRET))
    submit_in_main(page, "/accounts/2fa/authenticate/").click()
    expect(page).to_have_url(re.compile(r"/o/schulamt-nord/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Schulamt Nord")
    expect(page.locator("details.user-menu > summary")).to_contain_text(admin.display_name)
    screenshot(page, "login_totp")
