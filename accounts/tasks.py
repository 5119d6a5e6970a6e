from celery import shared_task

from core.taskbase import TransactionAwareTask

from .emails import invitation_email_send


@shared_task(
    base=TransactionAwareTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def invitation_send_email(invitation_id: int, accept_path: str, inviter_name: str, language: str) -> bool:
    return invitation_email_send(
        invitation_id=invitation_id, accept_path=accept_path, inviter_name=inviter_name, language=language
    )
