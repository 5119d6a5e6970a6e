"""Issue #9: control characters in names and emails, the audit trail's IP behind proxies, the embedded default's
DEBUG, production's SECRET_KEY, and healthy database connections."""

import datetime
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import BadHeaderError
from django.test import RequestFactory
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.forms import MessageForm, OrganisationForm
from accounts.models import Organisation
from core.jobs import notification_emails
from core.middleware import client_ip
from core.models import Notification
from core.notifications import notification_email_send, notify
from core.text import header_safe, multi_line, single_line

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
INJECTED = "CR\rInjected Org"


# --- finding 3: a carriage return in a name ---------------------------------------------------------------------
def test_text_helpers_keep_one_line_or_the_lines():
    assert single_line("CR\rInjected\x07 Org\n") == "CR Injected Org"
    assert single_line("a\u2028b\x85c\x00") == "a b c"
    assert multi_line("Zeile 1\r\nZeile 2\rZeile 3\x1b[31m\x00\tTab") == "Zeile 1\nZeile 2\nZeile 3[31m\tTab"
    assert header_safe("Neu:\r\n  CR\rInjected\x0bOrg") == "Neu: CR Injected Org"


@pytest.mark.django_db
def test_browser_forms_strip_control_characters():
    form = OrganisationForm(
        data={
            "name": INJECTED + "\x07",
            "federal_state": "BE",
            "address": "Hauptstr. 1\r\n10115 Berlin\x00",
            "vat_id": "",
            "language": "de",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "CR Injected Org"
    assert form.cleaned_data["address"] == "Hauptstr. 1\n10115 Berlin"
    message = MessageForm(data={"message": "Guten Tag\r\n\x1b[2JBitte prüfen"})
    assert message.is_valid()
    assert message.cleaned_data["message"] == "Guten Tag\n[2JBitte prüfen"
    only_control = MessageForm(data={"message": "\x07\x00"})
    assert not only_control.is_valid()


@pytest.mark.django_db
def test_inviting_in_an_organisation_named_with_a_carriage_return_sends_the_email(
    client, admin, organisation, committed
):
    Organisation.objects.filter(pk=organisation.pk).update(name=INJECTED)  # as stored before the fix
    client.force_login(admin)
    with committed():
        response = client.post("/o/schulamt-nord/members/", {"email": "neu@example.org", "role": "technician"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    subject = mail.outbox[0].subject
    assert "\r" not in subject and "\n" not in subject and "CR Injected Org" in subject


@pytest.mark.django_db
def test_a_notification_naming_a_carriage_return_is_sent_on_one_line(admin, organisation, committed):
    Organisation.objects.filter(pk=organisation.pk).update(name=INJECTED)
    organisation.refresh_from_db()
    with committed():
        notification = notify(user=admin, template="account_submitted", organisation=organisation)
    assert "\r" not in notification.title
    assert len(mail.outbox) == 1 and "\r" not in mail.outbox[0].subject
    notification.refresh_from_db()
    assert notification.email_sent_at is not None and notification.email_failed_at is None


@pytest.mark.django_db
def test_an_email_that_cannot_be_sent_fails_once_visibly_and_is_not_requeued(admin, organisation, caplog):
    with scopes_disabled():
        notification = Notification.objects.create(
            user=admin,
            organisation=organisation,
            template="account_submitted",
            context={"organisation_name": "Schulamt Nord", "url": ""},
            title="t",
        )
    with mock.patch("core.notifications.EmailMultiAlternatives.send", side_effect=BadHeaderError("bad header")):
        assert notification_email_send(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.email_failed_at is not None and notification.email_sent_at is None
    assert "BadHeaderError" in notification.email_error
    assert "cannot be sent" in caplog.text
    # Neither a second delivery of the task nor the ten-minute job tries again.
    with mock.patch("core.notifications.EmailMultiAlternatives.send") as send:
        assert notification_email_send(notification_id=notification.pk) is False
        Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
        assert notification_emails(today=timezone.localdate()) == {"requeued": 0}
    send.assert_not_called()


@pytest.mark.django_db
def test_a_mail_server_that_is_away_is_still_retried(admin, organisation):
    with scopes_disabled():
        notification = Notification.objects.create(user=admin, template="account_submitted", context={}, title="t")
    with (
        mock.patch("core.notifications.EmailMultiAlternatives.send", side_effect=ConnectionRefusedError()),
        pytest.raises(OSError),
    ):
        notification_email_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.email_failed_at is None
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    assert notification_emails(today=timezone.localdate()) == {"requeued": 1}


# --- finding 4: the audit trail's IP --------------------------------------------------------------------------
def _request(forwarded=None, remote="172.18.0.2"):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_audit_ip_trusts_only_the_configured_proxies_counted_from_the_right(settings):
    settings.USE_X_FORWARDED_FOR = True
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request("6.6.6.6, 10.0.0.1")) == "10.0.0.1"  # the proxy saw 10.0.0.1; 6.6.6.6 is made up
    assert client_ip(_request("203.0.113.7")) == "203.0.113.7"
    assert client_ip(_request()) == "172.18.0.2"
    assert client_ip(_request("not-an-address")) == "172.18.0.2"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request("6.6.6.6, 203.0.113.7, 10.0.0.1")) == "203.0.113.7"
    assert client_ip(_request("10.0.0.1")) == "172.18.0.2"  # shorter than the chain: not from our proxies
    settings.USE_X_FORWARDED_FOR = False
    assert client_ip(_request("6.6.6.6")) == "172.18.0.2"


@pytest.mark.django_db
def test_audit_entry_records_the_proxied_client_not_the_forged_one(client, settings, admin, organisation):
    from core.models import AuditEntry

    settings.USE_X_FORWARDED_FOR = True
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(admin)
    client.post(
        "/o/schulamt-nord/members/",
        {"email": "neu@example.org", "role": "technician"},
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4",
    )
    with scopes_disabled():
        entry = AuditEntry.objects.filter(action="invitation.created").get()
    assert entry.ip_address == "198.51.100.4"


def test_docker_compose_publishes_gunicorn_to_the_loopback_only():
    import yaml

    with open(os.path.join(ROOT, "docker-compose.yml")) as f:
        spec = yaml.safe_load(f)
    assert {"web", "worker", "beat", "db", "redis"} <= set(spec["services"])
    assert all(str(p).startswith("127.0.0.1:") for p in spec["services"]["web"]["ports"])
    assert spec["x-portal"]["environment"]["TRUSTED_PROXY_COUNT"]
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    assert "`TRUSTED_PROXY_COUNT`" in readme and "`DEBUG`" in readme


# --- finding 6 and 10: settings ------------------------------------------------------------------------------
def _settings_value(expression: str, env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    env["DJANGO_SETTINGS_MODULE"] = "ssa_portal.settings"
    env.update(env_overrides)
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)


def test_the_embedded_default_runs_without_debug():
    result = _settings_value("settings.DEBUG", {"DJANGO_SETTINGS_MODULE": "ssa_portal.settings"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_make_run_turns_debug_on_only_for_a_local_database():
    def run_line(url):
        env = {**os.environ, "DATABASE_URL": url}
        out = subprocess.run(["make", "-n", "run"], capture_output=True, text=True, env=env, cwd=ROOT).stdout
        line = next(line for line in out.splitlines() if "runserver" in line)
        line = line.split(" manage.py runserver")[0].rsplit(" ", 1)[0] + " printenv DEBUG"
        return subprocess.run(["bash", "-c", line], capture_output=True, text=True, env=env, cwd=ROOT).stdout.strip()

    assert run_line("") == "true"
    assert run_line("postgres://postgres@127.0.0.1:5432/ssa_dev") == "true"
    assert run_line("postgres://ssa:secret@db.example.org:5432/ssa") == "false"
    assert run_line("postgres://ssa:secret@localhost.example.org/ssa") == "false"


@pytest.mark.django_db
def test_a_mistyped_address_shows_the_portals_404_page(client):
    response = client.get("/o/does-not-exist/nothing/")
    assert response.status_code == 404
    assert b"Traceback" not in response.content and b"DATABASES" not in response.content


PRODUCTION = {"DJANGO_SETTINGS_MODULE": "ssa_portal.settings.production", "ALLOWED_HOSTS": "portal.example.org"}


@pytest.mark.parametrize("key", ["a" * 40, "a" * 60, " " * 60, "abcde" * 9, "ab cdefghij" * 6, "django-insecure-" * 4])
def test_production_refuses_a_weak_secret_key(key):
    result = _settings_value("settings.DEBUG", {**PRODUCTION, "SECRET_KEY": key})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_accepts_a_random_secret_key_and_is_strict():
    import secrets

    result = _settings_value(
        "settings.DEBUG, settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES']",
        {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['rest_framework.renderers.JSONRenderer']"


def test_database_connections_are_checked_before_use():
    result = _settings_value(
        "settings.DATABASES['default']['CONN_HEALTH_CHECKS'], 'pool' in settings.DATABASES['default']['OPTIONS']",
        {"DATABASE_URL": "postgres://ssa:ssa@127.0.0.1:5432/ssa"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True True"  # Django gives the pool psycopg's check_connection then
