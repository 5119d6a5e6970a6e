import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django_scopes import scope, scopes_disabled

from core.audit import AuditAction, audit_record
from core.models import AuditEntry

TEST_THING = AuditAction("test.thing", "%(actor)s did a test thing")
OTHER_ORG_THING = AuditAction("secret.other_org", "%(actor)s did something elsewhere")
OWN_ORG_THING = AuditAction("visible.own_org", "%(actor)s did something here")
A_THING = AuditAction("a.thing", "%(actor)s did the A thing")
B_THING = AuditAction("b.thing", "%(actor)s did the B thing")


@pytest.mark.django_db
def test_audit_records_who_what_before_after_and_ip(client, admin, organisation):
    client.force_login(admin)
    response = client.post(
        "/o/schulamt-nord/settings/",
        {"name": "Schulamt Nord-Ost", "federal_state": "SH", "address": "x", "vat_id": "", "language": "de"},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302
    with scope(organisation=organisation):
        entry = AuditEntry.objects.get(action="organisation.updated")
    assert entry.actor == admin and entry.actor_label == admin.email
    assert entry.before["name"] == "Schulamt Nord" and entry.after["name"] == "Schulamt Nord-Ost"
    assert entry.before["federal_state"] == "HH" and entry.after["federal_state"] == "SH"
    assert entry.ip_address == "203.0.113.9"


@pytest.mark.django_db
def test_audit_entries_cannot_be_changed_through_the_orm(organisation, admin):
    with scope(organisation=organisation):
        entry = audit_record(actor=admin, organisation=organisation, action=TEST_THING)
        entry.action = "tampered"
        with pytest.raises(ValidationError):
            entry.save()
        with pytest.raises(ValidationError):
            entry.delete()


@pytest.mark.django_db
def test_an_audit_action_is_typed_never_a_free_string(organisation, admin):
    with scope(organisation=organisation), pytest.raises(TypeError):
        audit_record(actor=admin, organisation=organisation, action="organisation.updated")


def test_an_audit_action_key_is_declared_once():
    with pytest.raises(ValueError):
        AuditAction("test.thing", "a second sentence for the same key")


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_refuses_updates_and_deletes_of_audit_entries(organisation, admin):
    with scope(organisation=organisation):
        entry = audit_record(actor=admin, organisation=organisation, action=TEST_THING)
    for sql in [
        "UPDATE accounts_auditentry SET action = 'x' WHERE id = %s",
        "DELETE FROM accounts_auditentry WHERE id = %s",
    ]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    with scopes_disabled():
        assert AuditEntry.objects.get(pk=entry.pk).action == "test.thing"


@pytest.mark.django_db
def test_admins_see_their_trail_and_technicians_do_not(
    client, admin, technician, organisation, other_organisation, outsider
):
    with scope(organisation=other_organisation):
        audit_record(actor=outsider, organisation=other_organisation, action=OTHER_ORG_THING)
    with scope(organisation=organisation):
        audit_record(actor=admin, organisation=organisation, action=OWN_ORG_THING)
    client.force_login(admin)
    page = client.get("/o/schulamt-nord/audit/").content.decode()
    # the trail reads as sentences, with the actor by name
    assert f"{admin.display_name} did something here" in page and "did something elsewhere" not in page
    assert "visible.own_org" not in page.replace('data-action="visible.own_org"', "")
    client.force_login(technician)
    assert client.get("/o/schulamt-nord/audit/").status_code == 403


@pytest.mark.django_db
def test_reviewers_see_every_organisations_trail(client, reviewer, organisation, other_organisation, admin, outsider):
    with scope(organisation=other_organisation):
        audit_record(actor=outsider, organisation=other_organisation, action=B_THING)
    with scope(organisation=organisation):
        audit_record(actor=admin, organisation=organisation, action=A_THING)
    client.force_login(reviewer)
    page = client.get("/review/audit/").content.decode()
    assert "did the A thing" in page and "did the B thing" in page


@pytest.mark.django_db
def test_reviewers_filter_the_trail_by_organisation(
    client, reviewer, organisation, other_organisation, admin, outsider
):
    with scope(organisation=other_organisation):
        audit_record(actor=outsider, organisation=other_organisation, action=B_THING)
    with scope(organisation=organisation):
        audit_record(actor=admin, organisation=organisation, action=A_THING)
    client.force_login(reviewer)
    page = client.get("/review/audit/?organisation=klinikum-sued").content.decode()
    assert "did the B thing" in page and "did the A thing" not in page
