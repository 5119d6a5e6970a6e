import pytest
from django_scopes import ScopeError, scope

from accounts.models import Invitation
from core.models import AuditEntry


@pytest.mark.django_db
def test_an_unscoped_tenant_query_raises(organisation):
    with pytest.raises(ScopeError):
        list(Invitation.objects.all())
    with pytest.raises(ScopeError):
        AuditEntry.objects.count()


@pytest.mark.django_db
def test_a_scope_shows_only_its_own_organisation(organisation, other_organisation, admin, outsider):
    from accounts.services import member_invite

    with scope(organisation=organisation):
        member_invite(organisation=organisation, inviter=admin, email="a@x.example", role="technician")
    with scope(organisation=other_organisation):
        member_invite(organisation=other_organisation, inviter=outsider, email="b@x.example", role="technician")
        assert [i.email for i in Invitation.objects.all()] == ["b@x.example"]
