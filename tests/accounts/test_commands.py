import io
import os
import secrets
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from accounts.models import Membership, Organisation, User
from accounts.services import api_token_authenticate


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_add_user_creates_a_verified_user():
    run("add_user", "neu@example.org", "--password", "ein-langes-passwort")
    user = User.objects.get(email="neu@example.org")
    assert user.check_password("ein-langes-passwort")
    assert EmailAddress.objects.get(user=user).verified
    with pytest.raises(CommandError):
        run("add_user", "neu@example.org")


@pytest.mark.django_db
def test_add_reviewer_creates_or_promotes():
    run("add_reviewer", "pruefer@apple.example", "--password", "pw-pw-pw-pw-pw")
    assert User.objects.get(email="pruefer@apple.example").is_reviewer
    User.objects.create_user(email="later@apple.example")
    assert "Promoted" in run("add_reviewer", "later@apple.example")
    assert User.objects.get(email="later@apple.example").is_reviewer


@pytest.mark.django_db
def test_add_user_and_add_reviewer_set_up_totp_with_the_given_secret(api_client):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.accounts.factories import TEST_TOTP_SECRET, totp_code

    run("add_user", "skript@example.org", "--password", "ein-langes-passwort", "--totp-secret", TEST_TOTP_SECRET)
    run("add_reviewer", "pruefer@apple.example", "--totp-secret", TEST_TOTP_SECRET.lower())
    for email in ["skript@example.org", "pruefer@apple.example"]:
        authenticator = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP)
        assert TOTP(authenticator).validate_code(totp_code())
    # The reviewer's token now works: two-factor is set up.
    raw = run("issue_token", "pruefer@apple.example").strip()
    assert api_client.get("/api/v1/review/accounts/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    run("add_reviewer", "pruefer@apple.example", "--totp-secret", TEST_TOTP_SECRET)  # again: replaced, not doubled
    assert Authenticator.objects.filter(user__email="pruefer@apple.example", type="totp").count() == 1
    with pytest.raises(CommandError):
        run("add_user", "kaputt@example.org", "--totp-secret", "not base32!")
    assert not User.objects.filter(email="kaputt@example.org").exists()


@pytest.mark.django_db
def test_add_reviewer_refuses_an_organisation_member(technician):
    with pytest.raises(CommandError):
        run("add_reviewer", technician.email)


@pytest.mark.django_db
def test_issue_token_prints_the_token_alone(technician):
    out = run("issue_token", technician.email)
    assert out.count("\n") == 1
    assert api_token_authenticate(raw=out.strip()) == technician


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    first = run("seed_demo")
    counts = (User.objects.count(), Organisation.objects.count(), Membership.objects.count())
    second = run("seed_demo")
    assert (User.objects.count(), Organisation.objects.count(), Membership.objects.count()) == counts
    assert "reviewer@apple.example" in first and first == second
    assert counts[1] >= 2
    with scopes_disabled():
        assert User.objects.get(email="reviewer@apple.example").is_reviewer


@pytest.mark.django_db
def test_run_job_lists_jobs_and_runs_one():
    with pytest.raises(CommandError, match="notification_emails"):
        run("run_job", "nope")
    assert "requeued" in run("run_job", "notification_emails", "--today", "2026-11-24")
    with pytest.raises(CommandError):
        run("run_job", "notification_emails", "--today", "24.11.2026")


def _manage(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )


def test_production_refuses_to_start_without_secret_key_or_hosts():
    base = {"DJANGO_SETTINGS_MODULE": "ssa_portal.settings.production"}
    no_key = _manage({**base, "ALLOWED_HOSTS": "portal.example.org"})
    assert no_key.returncode != 0 and "SECRET_KEY" in no_key.stderr
    key = secrets.token_urlsafe(50)  # not "k" * 50: a key of one repeated character is refused (issue #9)
    no_hosts = _manage({**base, "SECRET_KEY": key})
    assert no_hosts.returncode != 0 and "ALLOWED_HOSTS" in no_hosts.stderr
    ok = _manage({**base, "SECRET_KEY": key, "ALLOWED_HOSTS": "portal.example.org"})
    assert ok.returncode == 0, ok.stderr
