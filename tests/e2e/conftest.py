"""Fixtures and helpers for the browser journeys: one Chromium per session, one context per person and test.

The portal runs in pytest-django's ``live_server`` (a thread of this process, so the test database, the locmem
mailbox and the eager Celery tasks are shared with the test). Screenshots of each journey's end state go to
``tests/e2e/screenshots/`` (git-ignored).
"""

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client

from tests.accounts.factories import totp_code
from tests.conftest import CHROMIUM

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the root conftest refuses to run without it under REQUIRE_SERVICES=1; otherwise leave these out
    collect_ignore_glob = ["test_*.py"]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
PASSWORD = "Werkbank-Schraube-42"
TIMEOUT_MS = 10_000
PHONE = {"width": 390, "height": 844}
# axe-core's rules for WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@pytest.fixture(scope="session")
def browser() -> Iterator:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, settings) -> str:
    """The live server's base URL; links in emails point at it."""
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def new_context(browser, site) -> Iterator[Callable]:
    """``new_context()``: a fresh browser context (one per person), closed after the test."""
    expect.set_options(timeout=TIMEOUT_MS)
    contexts = []

    def make():
        # An English-speaking browser: the portal must still answer in German, its default, until told otherwise.
        context = browser.new_context(base_url=site, viewport={"width": 1280, "height": 800}, locale="en-US")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh context, for journeys with one person."""
    return new_context().new_page()


@pytest.fixture
def screenshot() -> Callable:
    """``screenshot(page, "name")`` saves the full page as ``tests/e2e/screenshots/name.png``.

    Every screenshotted state is also checked: axe-core finds no WCAG 2 A/AA violation, and at 390 px nothing
    scrolls sideways (``assert_accessible`` and ``assert_fits_phone``).
    """
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert_accessible(page, name)
        assert_fits_phone(page, name)
        return path

    return take


# --- helpers --------------------------------------------------------------------------------------------------


def assert_accessible(page, name: str) -> None:
    """axe-core (bundled by axe-playwright-python, no network) finds no WCAG 2 A/AA violation on the page.

    The script goes in through ``page.evaluate`` (DevTools protocol), which the portal's CSP does not block, so the
    contexts need no ``bypass_csp``.
    """
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    violations = results.response["violations"]
    lines = [
        f"- {v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(f"    {' '.join(n['target'])}" for n in v["nodes"])
        for v in violations
    ]
    assert not violations, f"axe: {len(violations)} WCAG violation(s) on {name} ({page.url}):\n" + "\n".join(lines)


def assert_fits_phone(page, name: str) -> None:
    """At 390 px wide the page does not scroll sideways; the viewport is put back afterwards."""
    viewport = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        width = page.evaluate("() => document.documentElement.scrollWidth")
    finally:
        page.set_viewport_size(viewport)
    assert width <= PHONE["width"], f"{name} ({page.url}) scrolls sideways at 390 px: {width} px wide"


def link_in_mail(to: str, pattern: str) -> str:
    """The first URL matching ``pattern`` in the newest email sent to ``to``."""
    messages = [m for m in mail.outbox if to in m.to]
    assert messages, f"no email to {to}; outbox: {[(m.to, m.subject) for m in mail.outbox]}"
    match = re.search(pattern, messages[-1].body)
    assert match, f"no link matching {pattern!r} in:\n{messages[-1].body}"
    return match.group(0)


def submit_in_main(page, action: str):
    """The submit button of the form posting to ``action`` in the page's main area (not the top bar's forms)."""
    return page.locator(f"main form[action='{action}'] button[type=submit]").first


def sign_up(page, email: str, password: str = PASSWORD) -> None:
    """Fill in and send the sign-up form the page shows; allauth then asks to confirm the address."""
    assert_accessible(page, "signup_form")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    submit_in_main(page, "/accounts/signup/").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))


def confirm_email(page, email: str) -> None:
    """Open the confirmation link from the newest email to ``email`` and press the confirm button (POST)."""
    page.goto(link_in_mail(email, r"https?://\S+/accounts/confirm-email/[^/\s]+/"))
    expect(page.get_by_role("heading", name="E-Mail-Adresse bestätigen")).to_be_visible()
    assert_accessible(page, "confirm_email")
    page.locator("main form[action*='/accounts/confirm-email/'] button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/confirm-email/"))


def fresh_totp_code(secret: str) -> str:
    """The current TOTP code, taken early enough in its 30 s window that the server still accepts it.

    allauth accepts only the current window (``MFA_TOTP_TOLERANCE`` 0); a code computed in a window's last seconds
    may arrive in the next one. The only sleep in these tests, and at most three seconds.
    """
    remaining = 30 - time.time() % 30
    if remaining < 3:
        time.sleep(remaining + 0.1)
    return totp_code(secret)


def log_in(page, email: str, password: str = PASSWORD, totp_secret: str | None = None) -> None:
    """Log in on /accounts/login/ with password and, when the account has two-factor, the current TOTP code."""
    page.goto("/accounts/login/")
    assert_accessible(page, "login_form")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    submit_in_main(page, "/accounts/login/").click()
    if totp_secret is not None:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
        assert_accessible(page, "two_factor_code_form")
        page.fill("input[name=code]", fresh_totp_code(totp_secret))
        submit_in_main(page, "/accounts/2fa/authenticate/").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def log_out(page) -> None:
    """Log out through the user menu in the top bar."""
    page.locator("details.user-menu > summary").click()
    page.locator("details.user-menu form[action='/accounts/logout/'] button[type=submit]").click()
    expect(page.locator("header.topbar a[href='/accounts/login/']")).to_be_visible()


def sign_in_browser_as(context, user, site: str) -> None:
    """Start ``context`` signed in as ``user`` (a session made by the test client), skipping the login form.

    For journeys whose subject is what happens *after* a login; the login form itself is covered by its own tests.
    """
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site}])
