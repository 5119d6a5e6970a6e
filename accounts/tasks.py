from celery import shared_task

from .notifications import notification_email_send


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_send_email(notification_id: int) -> bool:
    return notification_email_send(notification_id=notification_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_send_emails(notification_ids: list[int]) -> int:
    """A periodic job's emails, one task per batch; each email still goes out at most once."""
    return sum(notification_email_send(notification_id=pk) for pk in notification_ids)


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invitation_send_email(invitation_id: int, accept_path: str, inviter_name: str, language: str) -> bool:
    from .notifications import invitation_email_send

    return invitation_email_send(
        invitation_id=invitation_id, accept_path=accept_path, inviter_name=inviter_name, language=language
    )
