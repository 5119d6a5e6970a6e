"""Writes for accounts: users, organisations, memberships, invitations and API tokens. Each write is atomic,
validates first and leaves an audit entry where it changes who may do what."""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from accounts.audit_actions import (
    API_TOKEN_CREATED,
    API_TOKEN_REVOKED,
    INVITATION_ACCEPTED,
    INVITATION_CREATED,
    INVITATION_REVOKED,
    MEMBERSHIP_CREATED,
    MEMBERSHIP_REMOVED,
    MEMBERSHIP_ROLE_CHANGED,
    ORGANISATION_CREATED,
    ORGANISATION_UPDATED,
    USER_REVIEWER_GRANTED,
)
from core.audit import audit_record, snapshot
from core.notifications import notify
from core.services import model_update

from .models import Account, ApiToken, Invitation, Membership, Organisation, User
from .tasks import invitation_send_email

INVITATION_DAYS = 14
ORGANISATION_FIELDS = ["name", "country", "federal_state", "address", "vat_id", "language"]


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None = None,
    verified: bool = True,
    language: str = "de",
    is_reviewer: bool = False,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user whose email address is (by default) already verified, as operators and seeds need."""
    email = email.strip().lower()
    user = User.objects.create_user(
        email=email,
        password=password,
        language=language,
        is_reviewer=is_reviewer,
        first_name=first_name,
        last_name=last_name,
    )
    if not password:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


@transaction.atomic
def reviewer_set(*, user: User, actor=None) -> User:
    """Make ``user`` a platform reviewer. Reviewers belong to no organisation."""
    if Membership.objects.filter(user=user).exists():
        raise ValidationError(_("A reviewer cannot be a member of an organisation."))
    if not user.is_reviewer:
        user.is_reviewer = True
        user.save(update_fields=["is_reviewer"])
        audit_record(actor=actor, action=USER_REVIEWER_GRANTED, obj=user, after={"is_reviewer": True})
    return user


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "org"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
def organisation_create(
    *,
    creator: User,
    name: str,
    country: str = "DE",
    federal_state: str = "",
    address: str = "",
    vat_id: str = "",
    language: str | None = None,
) -> Organisation:
    """Create an organisation; its creator becomes its first admin."""
    if creator.is_reviewer:
        raise ValidationError(_("Reviewers cannot belong to an organisation."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Please enter the organisation's name.")]})
    organisation = Organisation.objects.create(
        name=name,
        slug=_unique_slug(name),
        country=(country or "DE").upper(),
        federal_state=federal_state,
        address=address.strip(),
        vat_id=vat_id.strip().upper().replace(" ", ""),
        language=language or creator.language,
    )
    Membership.objects.create(user=creator, organisation=organisation, role=Membership.Role.ADMIN)
    Account(organisation=organisation).save()  # the application starts as a draft
    audit_record(
        actor=creator,
        organisation=organisation,
        action=ORGANISATION_CREATED,
        obj=organisation,
        after=snapshot(organisation, ["slug", *ORGANISATION_FIELDS]),
    )
    audit_record(
        actor=creator,
        organisation=organisation,
        action=MEMBERSHIP_CREATED,
        obj=organisation,
        after={"user": creator.email, "role": Membership.Role.ADMIN},
    )
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor: User, **fields) -> Organisation:
    organisation, _changed = model_update(
        instance=organisation,
        fields=ORGANISATION_FIELDS,
        data=fields,
        actor=actor,
        action=ORGANISATION_UPDATED,
        organisation=organisation,
    )
    return organisation


def _membership_add(*, organisation: Organisation, user: User, role: str, actor) -> Membership:
    if user.is_reviewer:
        raise ValidationError({"email": [_("Reviewers cannot belong to an organisation.")]})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    except IntegrityError:
        raise ValidationError({"email": [_("%(email)s is already a member.") % {"email": user.email}]}) from None
    audit_record(
        actor=actor,
        organisation=organisation,
        action=MEMBERSHIP_CREATED,
        obj=membership,
        after={"user": user.email, "role": role},
    )
    return membership


@transaction.atomic
def member_invite(
    *, organisation: Organisation, inviter: User, email: str, role: str
) -> tuple[Membership | None, Invitation | None]:
    """Invite ``email`` with ``role``. An existing user is added at once; anyone else receives an accept link.

    Returns ``(membership, None)`` or ``(None, invitation)``.
    """
    email = email.strip().lower()
    if role not in Membership.Role.values:
        raise ValidationError({"role": [_("Choose administrator or technician.")]})
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        membership = _membership_add(organisation=organisation, user=user, role=role, actor=inviter)
        notify(
            user=user,
            organisation=organisation,
            template="membership_added",
            context={"inviter": inviter.display_name, "role": role},
            url=reverse("accounts:dashboard", kwargs={"org": organisation.slug}),
        )
        return membership, None

    if Invitation.objects.filter(
        organisation=organisation,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists():
        raise ValidationError({"email": [_("An invitation to %(email)s is already pending.") % {"email": email}]})
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=Invitation.hash_token(raw),
        invited_by=inviter,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    audit_record(
        actor=inviter,
        organisation=organisation,
        action=INVITATION_CREATED,
        obj=invitation,
        after={"email": email, "role": role},
    )
    accept_path = reverse("accounts:invitation_accept", kwargs={"token": raw})
    invitation_send_email.delay(invitation.pk, accept_path, inviter.display_name, inviter.language)
    return None, invitation


def invitation_get_by_token(*, token: str) -> Invitation | None:
    with scopes_disabled():  # the token is the key: the invitee is not a member yet, so no scope can be open
        return (
            Invitation.objects.select_related("organisation", "invited_by")
            .filter(token_hash=Invitation.hash_token(token))
            .first()
        )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """The signed-in ``user`` takes up the invitation."""
    if not invitation.is_pending:
        raise ValidationError(_("This invitation has expired or was already used."))
    organisation = invitation.organisation
    with scope(organisation=organisation):  # the invitee joins: the secret token stood in for the membership check
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_pending:
            raise ValidationError(_("This invitation has expired or was already used."))
        existing = Membership.objects.filter(user=user, organisation=organisation).first()
        membership = existing or _membership_add(organisation=organisation, user=user, role=invitation.role, actor=user)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            actor=user,
            organisation=organisation,
            action=INVITATION_ACCEPTED,
            obj=invitation,
            after={"email": user.email, "role": membership.role},
        )
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            organisation=invitation.organisation,
            action=INVITATION_REVOKED,
            obj=invitation,
            before={"email": invitation.email},
        )
    return invitation


def _ensure_an_admin_remains(membership: Membership) -> None:
    if membership.role != Membership.Role.ADMIN:
        return
    others = Membership.objects.filter(organisation=membership.organisation, role=Membership.Role.ADMIN).exclude(
        pk=membership.pk
    )
    if not others.exists():
        raise ValidationError(_("An organisation needs at least one administrator."))


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor: User) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError({"role": [_("Choose administrator or technician.")]})
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    if role != Membership.Role.ADMIN:
        _ensure_an_admin_remains(membership)
    before = {"user": membership.user.email, "role": membership.role}
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        actor=actor,
        organisation=membership.organisation,
        action=MEMBERSHIP_ROLE_CHANGED,
        obj=membership,
        before=before,
        after={"user": membership.user.email, "role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    membership = Membership.objects.select_for_update().select_related("user", "organisation").get(pk=membership.pk)
    _ensure_an_admin_remains(membership)
    audit_record(
        actor=actor,
        organisation=membership.organisation,
        action=MEMBERSHIP_REMOVED,
        obj=membership,
        before={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    if language in dict(User._meta.get_field("language").choices) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token; the raw value is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name, such as the server that will use it.")]})
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name[:100], key_hash=ApiToken.hash_key(raw), hint=raw[:10])
    audit_record(actor=user, action=API_TOKEN_CREATED, obj=token, after={"name": token.name})
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=user, action=API_TOKEN_REVOKED, obj=token, before={"name": token.name})
    return token


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user behind a raw token, or None. Marks the token used (at most once a minute)."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
