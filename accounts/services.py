"""Writes for accounts: users, organisations, memberships, invitations and API tokens. Each write is atomic,
validates first and leaves an audit entry where it changes who may do what."""

import base64
import binascii
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
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
    USER_DEACTIVATED,
    USER_REVIEWER_GRANTED,
    USER_TOTP_SET,
)
from core.audit import audit_record, snapshot
from core.countries import is_country_code
from core.notifications import notify
from core.services import model_update
from core.text import multi_line, single_line

from .models import Account, ApiToken, Invitation, Membership, Organisation, User
from .selectors import organisation_admins
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


@transaction.atomic
def user_totp_set(*, user: User, secret: str, actor=None) -> User:
    """Set up TOTP for ``user`` with a known base32 ``secret`` (operators' scripts and tests; people use the
    portal's setup page). Replaces a TOTP the user had."""
    secret = secret.replace(" ", "").upper()
    try:
        valid = len(base64.b32decode(secret, casefold=True)) >= 10  # RFC 4226: at least 80 bits
    except (binascii.Error, ValueError):
        valid = False
    if not valid:
        raise ValidationError(_("The TOTP secret must be base32 (A–Z, 2–7), at least 16 characters long."))
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    TOTP.activate(user, secret)
    audit_record(actor=actor, action=USER_TOTP_SET, obj=user, after={"totp": True})
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
    name = single_line(name)  # one line: it is in the subject of every email about the organisation
    if not name:
        raise ValidationError({"name": [_("Please enter the organisation's name.")]})
    organisation = Organisation.objects.create(
        name=name,
        slug=_unique_slug(name),
        country=_country(country or "DE"),
        federal_state=federal_state,
        address=multi_line(address).strip(),
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


def _country(value: str) -> str:
    code = (value or "").strip().upper()
    if not is_country_code(code):
        raise ValidationError({"country": [_("Use the two-letter ISO 3166 country code, such as DE.")]})
    return code


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor: User, **fields) -> Organisation:
    if "name" in fields:
        fields["name"] = single_line(fields["name"] or "")
        if not fields["name"]:
            raise ValidationError({"name": [_("Please enter the organisation's name.")]})
    if "country" in fields:
        fields["country"] = _country(fields["country"])
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
def member_invite(*, organisation: Organisation, inviter: User, email: str, role: str) -> Invitation:
    """Invite ``email`` with ``role``: the recipient receives an accept link and joins only by following it.

    Nobody is added without saying yes, and the answer is the same whether or not the address belongs to a
    portal user or a reviewer, so the form reveals nothing about who is registered.
    """
    email = email.strip().lower()
    if role not in Membership.Role.values:
        raise ValidationError({"role": [_("Choose administrator or technician.")]})
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        # the admin sees the team list anyway: this tells them nothing new
        raise ValidationError({"email": [_("%(email)s is already a member.") % {"email": email}]})
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
    recipient = User.objects.filter(email__iexact=email).only("language").first()
    language = recipient.language if recipient is not None else inviter.language  # the recipient's, when known
    accept_path = reverse("accounts:invitation_accept", kwargs={"token": raw})
    invitation_send_email.delay(invitation.pk, accept_path, inviter.display_name, language)
    return invitation


def invitation_is_for(*, invitation: Invitation, user: User) -> bool:
    """Whether ``user`` owns the invited address (their login or another verified address of theirs)."""
    if not user.is_authenticated:
        return False
    if user.email.lower() == invitation.email.lower():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()


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
    if not invitation_is_for(invitation=invitation, user=user):
        raise ValidationError(
            _(
                "This invitation was sent to %(invited)s, but you are logged in as %(email)s. Log out and log in "
                "with %(invited)s to accept it."
            )
            % {"invited": invitation.email, "email": user.email}
        )
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
def user_deactivate(*, user: User, actor) -> User:
    """Deactivate ``user``: they can no longer sign in. The account stays, since the audit trail names its actors."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor, action=USER_DEACTIVATED, obj=user, before={"is_active": True}, after={"is_active": False}
        )
    return user


def organisation_admins_notify(*, organisation: Organisation, template: str, context: dict, url: str | None = None):
    """Tell every active admin of the organisation, in their language; by default the notification links to the
    organisation's account page."""
    url = f"/o/{organisation.slug}/account/" if url is None else url
    for admin in organisation_admins(organisation):
        notify(user=admin, organisation=organisation, template=template, context=context, url=url)


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
