"""The kernel's tasks: Celery beat's entry point for the periodic jobs, and the notification emails."""

import datetime

from celery import shared_task
from django.utils import timezone

from .jobs import JOBS
from .notifications import notification_send_email, notification_send_emails  # noqa: F401  (registered here)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_periodic_job(name: str, today: str | None = None) -> dict:
    """Celery beat's entry point: runs one registered job (see ``core.jobs``) as of ``today``."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return JOBS[name](today=day)
