"""The periodic jobs by name, for ``run_job`` and for Celery beat. Each app registers its own in its ``jobs``
module, which the kernel imports when the apps are ready.

A job is a function ``job(*, today: datetime.date) -> dict`` that is set-based and idempotent.
"""

from datetime import timedelta

from django.utils import timezone

from .models import Notification
from .notifications import EMAIL_BATCH, notification_send_emails

JOBS: dict = {}


def register_job(name: str):
    def decorator(func):
        JOBS[name] = func
        return func

    return decorator


@register_job("notification_emails")
def notification_emails(*, today) -> dict:
    """Requeue emails that were recorded but never sent (a lost task, a mail server that was down). An email that
    failed for good (``email_failed_at``) stays failed: it would fail again every ten minutes."""
    cutoff = timezone.now() - timedelta(minutes=10)
    ids = list(
        Notification.objects.filter(
            send_email=True, email_sent_at__isnull=True, email_failed_at__isnull=True, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:5000]
    )
    for i in range(0, len(ids), EMAIL_BATCH):
        notification_send_emails.delay(ids[i : i + EMAIL_BATCH])
    return {"requeued": len(ids)}
