from datetime import timedelta

from django.utils import timezone

from ssa_portal.jobs import register_job

from .models import Notification


@register_job("notification_emails")
def notification_emails(*, today) -> dict:
    """Requeue emails that were recorded but never sent (a lost task, a mail server that was down)."""
    from .tasks import notification_send_email

    cutoff = timezone.now() - timedelta(minutes=10)
    ids = list(
        Notification.objects.filter(send_email=True, email_sent_at__isnull=True, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:5000]
    )
    for pk in ids:
        notification_send_email.delay(pk)
    return {"requeued": len(ids)}
