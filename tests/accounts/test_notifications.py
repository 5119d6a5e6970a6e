import pytest
from django.core import mail

from core.models import Notification
from core.notifications import notification_email_send, notify
from tests.accounts.factories import UserFactory


@pytest.mark.django_db
def test_notify_records_in_app_and_emails_html_and_text_in_the_recipients_language(organisation, committed):
    english = UserFactory(language="en")
    german = UserFactory(language="de")
    with committed():
        for user in (english, german):
            notify(
                user=user,
                organisation=organisation,
                template="membership_added",
                context={"inviter": "Jana Krüger", "role": "technician"},
                url="/o/schulamt-nord/",
            )
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert "added to Schulamt Nord" in by_recipient[english.email].subject
    assert "hinzugefügt" in by_recipient[german.email].subject
    message = by_recipient[german.email]
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    assert "Jana Krüger" in message.body and "Jana Krüger" in message.alternatives[0][0]


@pytest.mark.django_db
def test_an_email_is_sent_once_even_when_the_job_runs_twice(organisation, committed):
    user = UserFactory()
    with committed():
        notification = notify(
            user=user, organisation=organisation, template="membership_added", context={"inviter": "X", "role": "admin"}
        )
    assert len(mail.outbox) == 1
    assert notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_bell_counts_unread_and_marking_read_clears_it(client, technician, organisation):
    for _ in range(3):
        notify(
            user=technician,
            organisation=organisation,
            template="membership_added",
            context={"inviter": "X", "role": "technician"},
            send_email=False,
        )
    client.force_login(technician)
    page = client.get("/o/schulamt-nord/").content.decode()
    assert 'data-testid="bell-count">3<' in page
    response = client.post("/notifications/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "bell-count" not in response.content.decode()
    assert not Notification.objects.filter(user=technician, read_at__isnull=True).exists()


@pytest.mark.django_db
def test_one_cannot_mark_someone_elses_notification(client, technician, admin, organisation):
    other = notify(
        user=admin,
        organisation=organisation,
        template="membership_added",
        context={"inviter": "X", "role": "admin"},
        send_email=False,
    )
    client.force_login(technician)
    client.post("/notifications/read/", {"notification": other.pk})
    other.refresh_from_db()
    assert other.read_at is None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_email_job_runs_on_a_real_worker_through_redis(organisation, settings):
    """Broker round trip: the task goes through Redis to a worker, which sends the mail and marks it sent."""
    from celery.contrib.testing.worker import start_worker

    from ssa_portal.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    user = UserFactory(language="de")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20, loglevel="WARNING"):
        notification = notify(
            user=user, organisation=organisation, template="membership_added", context={"inviter": "X", "role": "admin"}
        )  # autocommit: on_commit runs now
        import time

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            notification.refresh_from_db()
            if notification.email_sent_at:
                break
            time.sleep(0.1)
    assert notification.email_sent_at is not None
    assert [m.to for m in mail.outbox] == [[user.email]]
