"""Journey 4: the DE/EN switch in the top bar changes the interface language, and back."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in_browser_as

pytestmark = pytest.mark.browser


def _switch_to(page, language: str) -> None:
    page.locator(f"header.topbar form.lang-switch button[name=language][value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def _expect_language(page, language: str) -> None:
    switch = page.locator("header.topbar form.lang-switch")
    other = {"de": "en", "en": "de"}[language]
    expect(switch.locator(f"button[value={language}]")).to_have_attribute("aria-pressed", "true")
    expect(switch.locator(f"button[value={other}]")).not_to_have_attribute("aria-pressed", "true")


def test_switch_language_to_english_and_back(technician, new_context, site, screenshot):
    context = new_context()
    sign_in_browser_as(context, technician, site)
    page = context.new_page()

    page.goto("/o/schulamt-nord/")
    expect(page.locator("html")).to_have_attribute("lang", "de")  # German by default
    _expect_language(page, "de")
    nav = page.locator("nav.sidenav")
    expect(nav.locator("a[href='/o/schulamt-nord/']")).to_have_text("Übersicht")
    expect(page.locator("main")).to_contain_text("Ihre Rolle")

    _switch_to(page, "en")
    expect(page).to_have_url(re.compile(r"/o/schulamt-nord/$"))  # the switch returns to the same page
    _expect_language(page, "en")
    expect(nav.locator("a[href='/o/schulamt-nord/']")).to_have_text("Overview")
    expect(page.locator("main")).to_contain_text("Your role")
    expect(page.locator("main")).not_to_contain_text("Ihre Rolle")
    technician.refresh_from_db()
    assert technician.language == "en"  # remembered for the user's emails too

    # allauth's own pages follow, and the choice survives navigation.
    page.goto("/accounts/password/change/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change Password")
    page.goto("/o/schulamt-nord/")
    _expect_language(page, "en")
    screenshot(page, "language_en")

    _switch_to(page, "de")
    _expect_language(page, "de")
    expect(nav.locator("a[href='/o/schulamt-nord/']")).to_have_text("Übersicht")
    expect(page.locator("main")).to_contain_text("Ihre Rolle")
    technician.refresh_from_db()
    assert technician.language == "de"
    screenshot(page, "language_de")


def test_anonymous_visitor_switches_language_on_the_login_page(page, screenshot):
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")

    _switch_to(page, "en")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    _expect_language(page, "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")
    screenshot(page, "language_en_login")

    _switch_to(page, "de")
    _expect_language(page, "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
