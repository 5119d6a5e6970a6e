"""Notifications: one service records the in-app notification and sends the email, in the recipient's language."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification
from .taskbase import TransactionAwareTask
from .text import header_safe

logger = logging.getLogger(__name__)


def _template_context(context: dict, language: str) -> dict:
    return {**context, "site_url": settings.SITE_URL, "LANGUAGE_CODE": language}


def _render_subject(template: str, context: dict, language: str) -> str:
    with translation.override(language):
        return header_safe(render_to_string(f"emails/{template}_subject.txt", _template_context(context, language)))


def _render(template: str, context: dict, language: str) -> tuple[str, str, str]:
    subject = _render_subject(template, context, language)
    with translation.override(language):
        ctx = _template_context(context, language)
        text = render_to_string(f"emails/{template}.txt", ctx)
        html = render_to_string(f"emails/{template}.html", ctx)
    return subject, text, html


def _email_message(*, to: str, template: str, context: dict, language: str, attachments=()) -> EmailMultiAlternatives:
    """The templated email in ``language``: the portal's subject prefix, a text body and its HTML alternative."""
    subject, text, html = _render(template, context, language)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(*attachment)
    return message


def _notification_context(context: dict | None, organisation, url: str) -> dict:
    """The notification's stored context: the caller's, with the organisation's name and the link by default."""
    context = dict(context or {})
    if organisation is not None:
        context.setdefault("organisation_name", organisation.name)
    context.setdefault("url", url)
    return context


def notify(
    *,
    user,
    template: str,
    context: dict | None = None,
    organisation=None,
    url: str = "",
    send_email: bool = True,
) -> Notification:
    """Record an in-app notification for ``user`` and queue its email.

    ``template`` names ``templates/emails/<template>{_subject.txt,.txt,.html}``; ``context`` must be JSON-ready,
    since the email is rendered again by the job that sends it. The in-app title is the email's subject.
    """
    context = _notification_context(context, organisation, url)
    subject = _render_subject(template, context, user.language)
    notification = Notification.objects.create(
        user=user,
        organisation=organisation,
        template=template,
        context=context,
        title=subject,
        url=url,
        send_email=send_email,
    )
    if send_email:
        notification_send_email.delay(notification.pk)  # after the commit: a TransactionAwareTask
    return notification


def notification_email_send(*, notification_id: int) -> bool:
    """Send the notification's email once. Safe to run twice: the row lock and ``email_sent_at`` see to that."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().select_related("user").filter(pk=notification_id).first()
        )
        if (
            notification is None
            or notification.email_sent_at
            or notification.email_failed_at
            or not notification.send_email
        ):
            return False
        try:
            _send(notification)
        except OSError:
            raise  # the mail server is away: the task retries, the ``notification_emails`` job requeues
        except Exception as exc:
            # Sending again would fail the same way: record it once, visibly (log and admin), and stop.
            logger.exception("Notification %s: email cannot be sent", notification.pk)
            notification.email_failed_at = timezone.now()
            notification.email_error = f"{type(exc).__name__}: {exc}"[:500]
            notification.save(update_fields=["email_failed_at", "email_error"])
            return False
        notification.email_sent_at = timezone.now()
        notification.save(update_fields=["email_sent_at"])
    return True


def _send(notification: Notification) -> None:
    user = notification.user
    _email_message(
        to=user.email,
        template=notification.template,
        context=notification.context,
        language=user.language,
        attachments=_attachments(notification),
    ).send()


# Other apps register attachment builders by name: a notification's context lists ``attachments`` as
# ``[{"builder": name, ...args}]`` and the builder returns ``(filename, bytes, mimetype)``.
ATTACHMENT_BUILDERS: dict = {}


def register_attachment(name: str):
    def decorator(func):
        ATTACHMENT_BUILDERS[name] = func
        return func

    return decorator


def _attachments(notification: Notification):
    for spec in notification.context.get("attachments", []):
        builder = ATTACHMENT_BUILDERS[spec["builder"]]
        with translation.override(notification.user.language):
            yield builder(notification=notification, **{k: v for k, v in spec.items() if k != "builder"})


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of ``user`` read; returns how many changed."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def email_send(*, to: str, template: str, context: dict, language: str) -> None:
    """Send a templated email to an address that has no user yet (an invitation)."""
    _email_message(to=to, template=template, context=context, language=language).send()


def notify_bulk(items: list[dict]) -> list[Notification]:
    """Many notifications in one insert, for periodic jobs: each item as ``notify``'s keyword arguments. The
    emails are queued after the commit, one job each."""
    rows = []
    for item in items:
        organisation = item.get("organisation")
        context = _notification_context(item.get("context"), organisation, item.get("url", ""))
        subject = _render_subject(item["template"], context, item["user"].language)
        rows.append(
            Notification(
                user=item["user"],
                organisation=organisation,
                template=item["template"],
                context=context,
                title=subject,
                url=item.get("url", ""),
            )
        )
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created]
    for i in range(0, len(ids), EMAIL_BATCH):
        notification_send_emails.delay(ids[i : i + EMAIL_BATCH])  # after the commit: a TransactionAwareTask
    return created


EMAIL_BATCH = 500
EMAIL_TASK = {
    "base": TransactionAwareTask,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(**EMAIL_TASK)
def notification_send_email(notification_id: int) -> bool:
    return notification_email_send(notification_id=notification_id)


@shared_task(**EMAIL_TASK)
def notification_send_emails(notification_ids: list[int]) -> int:
    """A periodic job's emails, one task per batch; each email still goes out at most once."""
    return sum(notification_email_send(notification_id=pk) for pk in notification_ids)
