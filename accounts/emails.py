"""Emails of the accounts layer that go to an address without a user yet."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from core.notifications import email_send

from .models import Invitation


def invitation_email_send(*, invitation_id: int, accept_path: str, inviter_name: str, language: str) -> bool:
    """Send the invitation's accept link once (the row lock and ``email_sent_at`` make a redelivery harmless)."""
    with transaction.atomic(), scopes_disabled():  # a job, not a request: it loads one invitation by id
        invitation = (
            Invitation.objects.select_for_update().select_related("organisation").filter(pk=invitation_id).first()
        )
        if invitation is None or invitation.email_sent_at or not invitation.is_pending:
            return False
        email_send(
            to=invitation.email,
            template="invitation",
            context={
                "organisation_name": invitation.organisation.name,
                "inviter": inviter_name,
                "role": invitation.role,
                "url": settings.SITE_URL + accept_path,
                "expires_at": invitation.expires_at.date().isoformat(),
            },
            language=language or invitation.organisation.language,
        )
        invitation.email_sent_at = timezone.now()
        invitation.save(update_fields=["email_sent_at"])
    return True
