"""Reads for accounts: always given the user or the organisation, aggregated in the database."""

import time
from collections import defaultdict

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from core.models import AuditEntry, Notification

from .models import ApiToken, Invitation, Membership, Organisation, ProgrammeRules, User


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


def organisation_name_in_use(*, name: str, exclude: Organisation | None = None) -> bool:
    """Another organisation has this name (case aside). Allowed (two schools may share a name) but worth saying:
    the reviewers tell them apart by slug and address."""
    others = Organisation.objects.filter(name__iexact=name)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


def organisation_admins(organisation: Organisation) -> list[User]:
    """The organisation's active admins: who hears of its account's decisions and holds."""
    return [
        m.user
        for m in Membership.objects.select_related("user").filter(
            organisation=organisation, role=Membership.Role.ADMIN, user__is_active=True
        )
    ]


def reviewers() -> list[User]:
    return list(User.objects.filter(is_reviewer=True, is_active=True))


def requires_two_factor(user) -> bool:
    """Reviewers and organisation admins must use two-factor authentication."""
    if not user.is_authenticated:
        return False
    if user.is_reviewer:
        return True
    return Membership.objects.filter(user=user, role=Membership.Role.ADMIN).exists()


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


TWO_FACTOR_RECENT_SECONDS = 300


def two_factor_verified_recently(*, request, within: int = TWO_FACTOR_RECENT_SECONDS) -> bool:
    """Whether this session passed a second factor (TOTP or a recovery code, at login or on re-authenticating)
    within the last ``within`` seconds, by allauth's record of the session's authentications."""
    if not request.user.is_authenticated:
        return False
    records = get_authentication_records(request, request.user)
    now = time.time()
    return any(r.get("method") == "mfa" and now - r.get("at", 0) < within for r in records)


DEFAULT_COUNTRY = "DE"


def organisation_admins_by_id(organisation_ids) -> dict[int, list[Membership]]:
    """The active admins of many organisations at once, for the periodic jobs: one query, each membership with its
    user and organisation."""
    admins: dict[int, list[Membership]] = defaultdict(list)
    if not organisation_ids:
        return admins
    for m in Membership.objects.filter(
        organisation_id__in=list(organisation_ids), role=Membership.Role.ADMIN, user__is_active=True
    ).select_related("user", "organisation"):
        admins[m.organisation_id].append(m)
    return admins


def programme_rules_by_country(countries=None) -> dict[str, ProgrammeRules]:
    """The programme's rules per country, each country without its own record given Germany's (the default)."""
    records = ProgrammeRules.objects.all()
    if countries is not None:
        records = records.filter(country__in={*countries, DEFAULT_COUNTRY})
    found = {r.country: r for r in records}
    default = found.get(DEFAULT_COUNTRY) or ProgrammeRules(country=DEFAULT_COUNTRY)
    wanted = set(countries) if countries is not None else set(found)
    return {country: found.get(country, default) for country in wanted | {DEFAULT_COUNTRY}}


def programme_rules_for(organisation: Organisation) -> ProgrammeRules:
    """The organisation's country's rules; Germany's where its country has none."""
    return programme_rules_by_country([organisation.country])[organisation.country]
