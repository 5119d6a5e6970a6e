"""Reads for accounts: always given the user or the organisation, aggregated in the database."""

from django.db.models import QuerySet
from django.http import Http404

from .models import ApiToken, AuditEntry, Invitation, Membership, Notification, Organisation


def membership_get(*, user, organisation_slug: str) -> Membership | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("organisation", "user")
        .filter(user=user, organisation__slug=organisation_slug)
        .first()
    )


def memberships_for_user(*, user) -> QuerySet[Membership]:
    return Membership.objects.select_related("organisation").filter(user=user).order_by("organisation__name")


def member_list(*, organisation: Organisation) -> QuerySet[Membership]:
    return Membership.objects.select_related("user").filter(organisation=organisation).order_by("role", "user__email")


def membership_get_by_id(*, organisation: Organisation, membership_id: int) -> Membership:
    membership = Membership.objects.select_related("user").filter(organisation=organisation, pk=membership_id)
    found = membership.first()
    if found is None:
        raise Http404
    return found


def invitation_pending_list(*, organisation: Organisation) -> QuerySet[Invitation]:
    from django.utils import timezone

    return Invitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def audit_list(*, organisation: Organisation | None = None) -> QuerySet[AuditEntry]:
    """Entries of one organisation (inside its scope), or, for reviewers in an unscoped block, every entry."""
    qs = AuditEntry.objects.select_related("organisation", "actor")
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs


def api_token_list(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def notification_list(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("organisation")


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
