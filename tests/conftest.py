"""Shared fixtures, and the rule for tests that need services.

Tests marked ``postgres``, ``redis`` or ``browser`` are skipped when the service is missing, except with
``REQUIRE_SERVICES=1``, where a missing service or browser fails them.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _browser_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return os.path.exists(CHROMIUM) or shutil.which(CHROMIUM) is not None


def _postgres_configured() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://"))


SERVICES = {
    "postgres": (_postgres_configured, "PostgreSQL (DATABASE_URL)"),
    "redis": (_redis_reachable, "Redis (REDIS_URL)"),
    "browser": (_browser_available, f"Chromium at {CHROMIUM} and playwright"),
}
_checked: dict[str, bool] = {}


def pytest_configure(config):
    if REQUIRE_SERVICES:
        missing = [label for name, (check, label) in SERVICES.items() if not check()]
        if missing:
            raise pytest.UsageError(f"REQUIRE_SERVICES=1 but missing: {', '.join(missing)}")


def pytest_runtest_setup(item):
    for name, (check, label) in SERVICES.items():
        if item.get_closest_marker(name) is None:
            continue
        if name not in _checked:
            _checked[name] = check()
        if not _checked[name]:
            if REQUIRE_SERVICES:
                pytest.fail(f"{label} is required (REQUIRE_SERVICES=1) but not available")
            pytest.skip(f"needs {label}")


@pytest.fixture(autouse=True)
def _eager_celery_and_fast_hashing(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from ssa_portal.celery import app

    app.conf.task_always_eager = True
    yield


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


# --- people and organisations -----------------------------------------------------------------------------------
from tests.accounts.factories import (  # noqa: E402
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    give_totp,
)


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Schulamt Nord", slug="schulamt-nord")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Klinikum Süd", slug="klinikum-sued")


@pytest.fixture
def admin(organisation):
    user = UserFactory(email="admin@schulamt.example")
    MembershipFactory(user=user, organisation=organisation, role="admin")
    give_totp(user)
    return user


@pytest.fixture
def technician(organisation):
    user = UserFactory(email="tech@schulamt.example")
    MembershipFactory(user=user, organisation=organisation, role="technician")
    return user


@pytest.fixture
def outsider(other_organisation):
    """Admin of the other organisation, with two-factor set up: every wall they hit is the tenant wall."""
    user = UserFactory(email="admin@klinikum.example")
    MembershipFactory(user=user, organisation=other_organisation, role="admin")
    give_totp(user)
    return user


@pytest.fixture
def reviewer(db):
    user = UserFactory(email="reviewer@apple.example", is_reviewer=True)
    give_totp(user)
    return user


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def client_for(client):
    """``client_for(user)``: a Django test client logged in as ``user``."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs what a service queued with ``transaction.on_commit`` (emails, jobs)."""

    def factory():
        return django_capture_on_commit_callbacks(execute=True)

    return factory
