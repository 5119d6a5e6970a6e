"""Issue #9 (finding 10): deactivate instead of delete, docs and admin behind sign-in, the credit limit's real
bound, certification dates, ISO country codes and duplicate organisation names."""

import datetime
import time

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.test import RequestFactory
from django_scopes import scope, scopes_disabled

from accounts.admin import UserAdmin
from accounts.audit_actions import ORGANISATION_UPDATED
from accounts.models import Account, Membership, Organisation, User
from accounts.services import api_token_create, organisation_create, organisation_update
from certification.services import certification_record
from core.audit import audit_record
from review.services import account_approve
from tests.accounts.factories import UserFactory, give_totp


def bearer(user):
    _token, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- a user who has acted is deactivated, not deleted -----------------------------------------------------------
@pytest.mark.django_db
def test_a_user_with_audit_entries_is_deactivated_not_deleted(admin, organisation, rf):
    audit_record(actor=admin, organisation=organisation, action=ORGANISATION_UPDATED, obj=organisation)
    with pytest.raises(ProtectedError):
        admin.delete()  # refused by Django, before the append-only trigger would fail the UPDATE
    user_admin = UserAdmin(User, site)
    request = rf.post("/admin/accounts/user/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    assert not user_admin.has_delete_permission(request, admin)
    assert user_admin.has_delete_permission(request, UserFactory())  # no entries: may still go
    user_admin.deactivate(request, User.objects.filter(pk=admin.pk))
    admin.refresh_from_db()
    assert admin.is_active is False


# --- the schema, the docs and the admin -------------------------------------------------------------------------
@pytest.mark.django_db
def test_schema_and_docs_need_a_signed_in_user(client, api_client, technician):
    assert client.get("/api/schema/").status_code in {401, 403}
    assert client.get("/api/docs/").status_code in {401, 403}
    assert api_client.get("/api/schema/", **bearer(technician)).status_code == 200
    client.force_login(technician)
    assert client.get("/api/docs/").status_code == 200


def _mfa_session(client, user):
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "type": "totp", "at": time.time()}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


@pytest.mark.django_db
def test_admin_is_for_staff_with_two_factor_through_the_portals_login(client):
    anonymous = client.get("/admin/", follow=True)
    assert anonymous.redirect_chain[-1][0].startswith("/accounts/login/")
    login = client.get("/admin/login/?next=/admin/")
    assert login.status_code == 302 and login["Location"].startswith("/accounts/login/")

    staff = UserFactory(email="ops@apple.example", is_staff=True, is_superuser=True)
    client.force_login(staff)  # a password alone: no second factor
    assert client.get("/admin/").status_code in {302, 403}
    assert client.get("/admin/login/").status_code == 302  # to the TOTP setup
    give_totp(staff)
    assert client.get("/admin/login/").status_code == 403  # has TOTP, but this session never used it
    _mfa_session(client, staff)
    assert client.get("/admin/").status_code == 200

    member = UserFactory(email="member@example.org")
    give_totp(member)
    client.force_login(member)
    _mfa_session(client, member)
    assert client.get("/admin/login/").status_code == 403  # signed in, not staff: no login loop


# --- the credit limit's real bound ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_credit_limit_over_the_maximum_names_the_maximum(organisation, reviewer):
    with scope(organisation=organisation):
        account = Account.objects.create(organisation=organisation, status="in_review")
    with pytest.raises(ValidationError) as exc:
        account_approve(account=account, reviewer=reviewer, credit_limit="200000000")
    message = exc.value.message_dict["credit_limit"][0]
    assert "positive" not in message and ("100.000.000" in message or "100,000,000" in message)
    with pytest.raises(ValidationError) as exc:
        account_approve(account=account, reviewer=reviewer, credit_limit="0")
    assert "positive" in exc.value.message_dict["credit_limit"][0]


# --- certification dates ----------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("passed_on", "expires_on", "field"),
    [
        (datetime.date(1, 1, 1), None, "passed_on"),
        (datetime.date(1989, 12, 31), None, "passed_on"),
        (datetime.date(2024, 5, 1), datetime.date(9999, 12, 31), "expires_on"),
        (datetime.date(2024, 2, 29), datetime.date(2034, 3, 1), "expires_on"),
    ],
)
def test_certification_dates_are_bounded(organisation, admin, technician, passed_on, expires_on, field):
    with scope(organisation=organisation), pytest.raises(ValidationError) as exc:
        certification_record(
            organisation=organisation,
            actor=admin,
            technician_email=technician.email,
            kind="acmt",
            credential_id="E-1",
            passed_on=passed_on,
            expires_on=expires_on,
        )
    assert field in exc.value.message_dict


@pytest.mark.django_db
def test_certification_dates_within_bounds_are_recorded(organisation, admin, technician):
    with scope(organisation=organisation):
        certification = certification_record(
            organisation=organisation,
            actor=admin,
            technician_email=technician.email,
            kind="acmt",
            credential_id="E-2",
            passed_on=datetime.date(2024, 2, 29),
            expires_on=datetime.date(2034, 2, 28),
        )
    assert certification.pk


@pytest.mark.django_db
def test_certification_api_refuses_year_one(api_client, organisation, admin, technician):
    response = api_client.post(
        "/api/v1/orgs/schulamt-nord/certifications/",
        {"technician": technician.email, "kind": "acmt", "credential_id": "E-3", "passed_on": "0001-01-01"},
        format="json",
        **bearer(admin),
    )
    assert response.status_code == 400 and "passed_on" in response.json()


# --- country codes and names ------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("country", ["ÄÖ", "XX", "D1", "EU"])
def test_organisation_api_refuses_what_is_not_an_iso_country_code(api_client, technician, country):
    payload = {"name": "Schule", "country": country, "federal_state": "BE"}
    response = api_client.post("/api/v1/organisations/", payload, format="json", **bearer(technician))
    assert response.status_code == 400 and "country" in response.json()


@pytest.mark.django_db
def test_organisation_services_refuse_a_made_up_country_and_keep_names_on_one_line(technician, admin, organisation):
    with pytest.raises(ValidationError) as exc:
        organisation_create(creator=technician, name="Schule", country="ÄÖ")
    assert "country" in exc.value.message_dict
    created = organisation_create(creator=technician, name="CR\rInjected\x07 Org", country="at")
    assert created.name == "CR Injected Org" and created.country == "AT"
    with pytest.raises(ValidationError):
        organisation_update(organisation=organisation, actor=admin, country="ÄÖ")
    organisation_update(organisation=organisation, actor=admin, name="Schulamt\r\nNord")
    organisation.refresh_from_db()
    assert organisation.name == "Schulamt Nord"


@pytest.mark.django_db
def test_organisation_api_stores_a_name_on_one_line(api_client, technician):
    payload = {"name": "CR\rInjected Org", "country": "DE", "federal_state": "BE"}
    response = api_client.post("/api/v1/organisations/", payload, format="json", **bearer(technician))
    assert response.status_code in {201, 400}
    if response.status_code == 201:
        assert response.json()["name"] == "CR Injected Org"
    assert not Organisation.objects.filter(name__contains="\r").exists()


@pytest.mark.django_db
def test_a_duplicate_organisation_name_is_allowed_with_a_warning(client, organisation):
    creator = UserFactory(email="zweite@example.org")
    client.force_login(creator)
    response = client.post(
        "/organisations/new/",
        {"name": "schulamt nord", "federal_state": "BE", "address": "", "vat_id": "", "language": "de"},
        follow=True,
    )
    assert response.status_code == 200
    with scopes_disabled():
        assert Organisation.objects.filter(name__iexact="schulamt nord").count() == 2
        assert Membership.objects.filter(user=creator).exists()
    texts = [str(m) for m in response.context["messages"]]
    assert any("schulamt nord" in t and "Another organisation" in t or "bereits" in t for t in texts), texts


@pytest.fixture
def rf():
    return RequestFactory()
