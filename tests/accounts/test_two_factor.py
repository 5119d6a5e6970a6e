import datetime
import time
from io import StringIO

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.core.management import call_command
from django_scopes import scope, scopes_disabled
from rest_framework.test import APIClient

from accounts.models import Account, ApiToken, Hold, Membership
from accounts.services import api_token_create
from tests.accounts.factories import MembershipFactory, UserFactory, give_totp, totp_code


@pytest.mark.django_db
def test_an_admin_without_two_factor_is_sent_to_set_it_up_first(client, organisation):
    admin = UserFactory()
    MembershipFactory(user=admin, organisation=organisation, role="admin")
    client.force_login(admin)
    for url in ["/", "/o/schulamt-nord/", "/o/schulamt-nord/members/", "/profile/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/2fa/totp/activate/"), url


@pytest.mark.django_db
def test_a_reviewer_without_two_factor_is_sent_to_set_it_up_first(client):
    reviewer = UserFactory(is_reviewer=True)
    client.force_login(reviewer)
    response = client.get("/review/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/totp/activate/")


@pytest.mark.django_db
def test_the_setup_pages_themselves_stay_reachable(client, organisation):
    admin = UserFactory()
    MembershipFactory(user=admin, organisation=organisation, role="admin")
    client.force_login(admin)
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code in {200, 302}
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/reauthenticate/")


@pytest.mark.django_db
def test_technicians_are_not_forced(client, technician):
    client.force_login(technician)
    assert client.get("/o/schulamt-nord/").status_code == 200


@pytest.mark.django_db
def test_admins_with_two_factor_pass(client, admin):
    client.force_login(admin)
    assert client.get("/o/schulamt-nord/").status_code == 200


# --- API tokens follow the same wall (issue #9, finding 2) --------------------------------------------------------
def _bearer(raw: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


@pytest.mark.django_db
def test_a_reviewer_token_without_two_factor_cannot_place_a_hold(organisation):
    with scope(organisation=organisation):
        today = datetime.date.today()
        Account.objects.create(
            organisation=organisation,
            status="approved",
            setup_date=today,
            certification_deadline=today + datetime.timedelta(days=90),
            credit_limit=1000,
        )
    reviewer = UserFactory(email="neu.reviewer@apple.example", is_reviewer=True)
    out = StringIO()
    call_command("issue_token", reviewer.email, stdout=out)
    api = _bearer(out.getvalue().strip())
    response = api.post(
        "/api/v1/review/accounts/schulamt-nord/holds/", {"reason": "manual", "note": "Test"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required" and response.json()["detail"]
    with scopes_disabled():
        assert not Hold.objects.exists()
    give_totp(reviewer)
    response = api.post(
        "/api/v1/review/accounts/schulamt-nord/holds/", {"reason": "manual", "note": "Test"}, format="json"
    )
    assert response.status_code == 201


@pytest.mark.django_db
def test_a_token_stops_working_once_its_user_must_use_two_factor_and_has_none(organisation, technician):
    _token, raw = api_token_create(user=technician, name="Skript")
    api = _bearer(raw)
    assert api.get("/api/v1/orgs/schulamt-nord/members/").status_code == 200
    Membership.objects.filter(user=technician).update(role="admin")  # a later promotion counts
    response = api.get("/api/v1/orgs/schulamt-nord/members/")
    assert response.status_code == 403 and response.json()["code"] == "mfa_required"
    assert api.get("/api/v1/organisations/").status_code == 403  # not only tenant routes
    give_totp(technician)
    assert api.get("/api/v1/orgs/schulamt-nord/members/").status_code == 200


@pytest.mark.django_db
def test_a_token_of_a_user_without_two_factor_cannot_make_them_an_admin_and_act_as_one(technician):
    _token, raw = api_token_create(user=technician, name="Skript")
    api = _bearer(raw)
    created = api.post(
        "/api/v1/organisations/", {"name": "Neue GmbH", "country": "DE", "federal_state": "HH", "address": "Weg 1"}
    )
    assert created.status_code == 201  # they may found one; acting as its admin needs two-factor from now on
    response = api.get(f"/api/v1/orgs/{created.json()['slug']}/members/")
    assert response.status_code == 403 and response.json()["code"] == "mfa_required"


@pytest.mark.django_db
def test_creating_a_token_in_the_browser_needs_two_factor_set_up(client, technician):
    client.force_login(technician)
    response = client.post("/profile/tokens/", {"name": "Skript"})
    assert not ApiToken.objects.exists()
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/totp/activate/")


@pytest.mark.django_db
def test_creating_a_token_in_the_browser_needs_a_recent_two_factor_verified_login(client, technician):
    give_totp(technician)
    client.force_login(technician)  # a session without a second factor (force_login records none)
    response = client.post("/profile/tokens/", {"name": "Skript"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/reauthenticate/")
    assert not ApiToken.objects.exists()

    session = client.session  # a second factor long ago is not recent
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "type": "totp", "at": time.time() - 3600}]
    session["account_authentication_methods_user"] = str(technician.pk)
    session.save()
    assert client.post("/profile/tokens/", {"name": "Skript"}).status_code == 302
    assert not ApiToken.objects.exists()

    reauth = client.post("/accounts/2fa/reauthenticate/", {"code": totp_code()})
    assert reauth.status_code == 302
    response = client.post("/profile/tokens/", {"name": "Skript"})
    assert response.status_code == 200 and ApiToken.objects.filter(user=technician).count() == 1
    assert 'data-testid="new-token"' in response.content.decode()
