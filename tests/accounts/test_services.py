import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from accounts import services
from accounts.models import Invitation, Membership
from core.models import AuditEntry
from tests.accounts.factories import UserFactory


@pytest.mark.django_db
def test_organisation_create_makes_the_creator_admin_and_audits_it(committed):
    user = UserFactory()
    organisation = services.organisation_create(
        creator=user, name="Stadtwerke Köln", federal_state="NW", vat_id="de 123 456 789"
    )
    assert organisation.slug == "stadtwerke-koln"
    assert organisation.vat_id == "DE123456789"
    assert Membership.objects.get(organisation=organisation).user == user
    assert Membership.objects.get(organisation=organisation).role == "admin"
    with scope(organisation=organisation), committed():
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"organisation.created", "membership.created"} <= actions


@pytest.mark.django_db
def test_organisation_slugs_stay_unique():
    user = UserFactory()
    first = services.organisation_create(creator=user, name="Uni Bonn")
    second = services.organisation_create(creator=user, name="Uni Bonn")
    assert first.slug != second.slug


@pytest.mark.django_db
def test_reviewers_cannot_create_organisations(reviewer):
    with pytest.raises(ValidationError):
        services.organisation_create(creator=reviewer, name="Nope")


@pytest.mark.django_db
def test_inviting_an_existing_user_only_invites_them_in_their_language(organisation, admin, committed):
    existing = UserFactory(email="bekannt@example.org", language="en")
    with scope(organisation=organisation), committed():
        invitation = services.member_invite(
            organisation=organisation, inviter=admin, email="Bekannt@Example.org", role="admin"
        )
    assert invitation.is_pending and invitation.email == "bekannt@example.org"
    assert not Membership.objects.filter(user=existing).exists()  # nobody is added without saying yes
    assert mail.outbox[-1].to == ["bekannt@example.org"]
    assert "Invitation to Schulamt Nord" in mail.outbox[-1].subject  # the recipient's language
    assert "/invitations/" in mail.outbox[-1].body
    membership = services.invitation_accept(
        invitation=services.invitation_get_by_token(token=_token_from_outbox()), user=existing
    )
    assert membership.user == existing and membership.role == "admin"


@pytest.mark.django_db
def test_inviting_answers_alike_for_unknown_registered_and_reviewer_addresses(organisation, admin, reviewer, committed):
    UserFactory(email="bekannt@example.org")
    answers = []
    with scope(organisation=organisation), committed():
        for email in ["unbekannt@example.org", "bekannt@example.org", reviewer.email]:
            invitation = services.member_invite(organisation=organisation, inviter=admin, email=email, role="admin")
            answers.append((type(invitation), invitation.role, invitation.is_pending))
        assert Membership.objects.filter(organisation=organisation).count() == 1  # the admin alone
        actions = list(AuditEntry.objects.filter(action="invitation.created").values_list("action", flat=True))
    assert len(set(answers)) == 1 and answers[0][0] is Invitation
    assert len(actions) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["unbekannt@example.org", "bekannt@example.org", reviewer.email]
    )


@pytest.mark.django_db
def test_an_invitation_can_only_be_accepted_by_the_invited_address(organisation, admin, committed):
    with scope(organisation=organisation), committed():
        services.member_invite(organisation=organisation, inviter=admin, email="a@example.org", role="admin")
    invitation = services.invitation_get_by_token(token=_token_from_outbox())
    intruder = UserFactory(email="b@example.org")
    with pytest.raises(ValidationError) as excinfo:
        services.invitation_accept(invitation=invitation, user=intruder)
    assert "a@example.org" in str(excinfo.value) and "b@example.org" in str(excinfo.value)
    assert not Membership.objects.filter(user=intruder).exists()
    assert services.invitation_get_by_token(token=_token_from_outbox()).is_pending  # still there for a@


@pytest.mark.django_db
def test_inviting_a_new_address_sends_a_link_in_the_inviters_language(organisation, admin, committed):
    with scope(organisation=organisation), committed():
        invitation = services.member_invite(
            organisation=organisation, inviter=admin, email="neu@example.org", role="technician"
        )
    assert invitation.is_pending
    assert mail.outbox[-1].to == ["neu@example.org"]
    assert "Einladung" in mail.outbox[-1].subject
    assert "/invitations/" in mail.outbox[-1].body


@pytest.mark.django_db
def test_a_second_pending_invitation_to_the_same_address_is_refused(organisation, admin, committed):
    with scope(organisation=organisation), committed():
        services.member_invite(organisation=organisation, inviter=admin, email="neu@example.org", role="technician")
        with pytest.raises(ValidationError) as excinfo:
            services.member_invite(organisation=organisation, inviter=admin, email="neu@example.org", role="admin")
    assert "email" in excinfo.value.message_dict


@pytest.mark.django_db
def test_an_existing_member_cannot_be_added_twice(organisation, admin, technician, committed):
    with scope(organisation=organisation), committed(), pytest.raises(ValidationError):
        services.member_invite(organisation=organisation, inviter=admin, email=technician.email, role="admin")


def _token_from_outbox() -> str:
    body = mail.outbox[-1].body
    return body.split("/invitations/")[1].split("/")[0]


@pytest.mark.django_db
def test_accepting_an_invitation_creates_the_membership_once(organisation, admin, committed):
    with scope(organisation=organisation), committed():
        services.member_invite(organisation=organisation, inviter=admin, email="neu@example.org", role="technician")
    token = _token_from_outbox()
    invitation = services.invitation_get_by_token(token=token)
    newcomer = UserFactory(email="neu@example.org")
    membership = services.invitation_accept(invitation=invitation, user=newcomer)
    assert membership.role == "technician"
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=services.invitation_get_by_token(token=token), user=newcomer)


@pytest.mark.django_db
def test_a_withdrawn_invitation_cannot_be_accepted(organisation, admin, committed):
    with scope(organisation=organisation), committed():
        invitation = services.member_invite(
            organisation=organisation, inviter=admin, email="neu@example.org", role="technician"
        )
    with scope(organisation=organisation):
        services.invitation_revoke(invitation=invitation, actor=admin)
    invitation = services.invitation_get_by_token(token=_token_from_outbox())
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=UserFactory())


@pytest.mark.django_db
def test_the_last_admin_can_neither_leave_nor_be_demoted(organisation, admin, committed):
    membership = Membership.objects.get(user=admin)
    with scope(organisation=organisation), committed():
        with pytest.raises(ValidationError):
            services.membership_change_role(membership=membership, role="technician", actor=admin)
        with pytest.raises(ValidationError):
            services.membership_remove(membership=membership, actor=admin)


@pytest.mark.django_db
def test_role_changes_are_audited_with_before_and_after(organisation, admin, technician, committed):
    membership = Membership.objects.get(user=technician)
    with scope(organisation=organisation), committed():
        services.membership_change_role(membership=membership, role="admin", actor=admin)
        entry = AuditEntry.objects.get(action="membership.role_changed")
    assert entry.before == {"user": technician.email, "role": "technician"}
    assert entry.after == {"user": technician.email, "role": "admin"}
    assert entry.actor == admin


@pytest.mark.django_db
def test_api_tokens_are_hashed_shown_once_and_revocable(admin):
    token, raw = services.api_token_create(user=admin, name="Diagnoseserver")
    assert raw.startswith("ssa_") and raw not in token.key_hash
    assert services.api_token_authenticate(raw=raw) == admin
    assert services.api_token_authenticate(raw=raw + "x") is None
    services.api_token_revoke(user=admin, token_id=token.pk)
    assert services.api_token_authenticate(raw=raw) is None
    with scopes_disabled():
        assert AuditEntry.objects.filter(action__startswith="api_token.").count() == 2


@pytest.mark.django_db
def test_invitation_tokens_are_not_stored_in_clear(organisation, admin, committed):
    with scope(organisation=organisation), committed():
        services.member_invite(organisation=organisation, inviter=admin, email="neu@example.org", role="technician")
        stored = Invitation.objects.get().token_hash
    assert _token_from_outbox() not in stored
