import pytest
from django_scopes import scopes_disabled

from accounts.models import Membership, Organisation
from accounts.services import api_token_create


def bearer(user):
    _token, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.django_db
def test_organisations_list_shows_only_mine_with_my_role(api_client, organisation, other_organisation, technician):
    response = api_client.get("/api/v1/organisations/", **bearer(technician))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and set(body) == {"count", "next", "previous", "results"}
    assert body["results"][0]["slug"] == "schulamt-nord"
    assert body["results"][0]["role"] == "technician"


@pytest.mark.django_db
def test_organisation_create_makes_the_caller_admin(api_client, technician):
    payload = {"name": "Landkreis Nord", "country": "de", "federal_state": "SH", "address": "Am Markt 1"}
    response = api_client.post("/api/v1/organisations/", payload, format="json", **bearer(technician))
    assert response.status_code == 201, response.content
    assert response.json()["role"] == "admin" and response.json()["country"] == "DE"
    organisation = Organisation.objects.get(slug=response.json()["slug"])
    assert Membership.objects.get(organisation=organisation, user=technician).role == "admin"


@pytest.mark.django_db
def test_organisation_create_reports_field_errors(api_client, technician):
    response = api_client.post("/api/v1/organisations/", {"federal_state": "XX"}, format="json", **bearer(technician))
    assert response.status_code == 400
    assert set(response.json()) == {"name", "federal_state"}


@pytest.mark.django_db
def test_anonymous_gets_401_with_the_contracts_error_shape(api_client, organisation):
    response = api_client.get("/api/v1/orgs/schulamt-nord/members/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    response = api_client.get("/api/v1/organisations/", HTTP_AUTHORIZATION="Bearer ssa_wrong")
    assert response.status_code == 401 and "code" in response.json()


@pytest.mark.django_db
def test_members_list_for_any_member(api_client, organisation, admin, technician):
    response = api_client.get("/api/v1/orgs/schulamt-nord/members/", **bearer(technician))
    assert response.status_code == 200
    assert {m["email"]: m["role"] for m in response.json()["results"]} == {
        admin.email: "admin",
        technician.email: "technician",
    }


@pytest.mark.django_db
def test_members_invite_is_for_admins(api_client, organisation, admin, technician):
    payload = {"email": "neu@example.org", "role": "technician"}
    response = api_client.post("/api/v1/orgs/schulamt-nord/members/", payload, format="json", **bearer(technician))
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    response = api_client.post("/api/v1/orgs/schulamt-nord/members/", payload, format="json", **bearer(admin))
    assert response.status_code == 201
    assert response.json() == {"email": "neu@example.org", "role": "technician", "status": "invited"}


@pytest.mark.django_db
def test_members_invite_answers_the_same_for_every_email_and_adds_nobody(
    api_client, organisation, admin, outsider, reviewer
):
    answers = {}
    for email in ["neu@example.org", outsider.email, reviewer.email]:
        payload = {"email": email, "role": "admin"}
        response = api_client.post("/api/v1/orgs/schulamt-nord/members/", payload, format="json", **bearer(admin))
        assert response.status_code == 201, email
        answers[email] = response.json()
    assert all(answer == {"email": email, "role": "admin", "status": "invited"} for email, answer in answers.items())
    assert not Membership.objects.filter(user__in=[outsider, reviewer], organisation=organisation).exists()


@pytest.mark.django_db
def test_members_invite_validates(api_client, organisation, admin, technician):
    url = "/api/v1/orgs/schulamt-nord/members/"
    response = api_client.post(url, {"email": "kein-mail", "role": "boss"}, format="json", **bearer(admin))
    assert response.status_code == 400 and set(response.json()) == {"email", "role"}
    response = api_client.post(url, {"email": technician.email, "role": "admin"}, format="json", **bearer(admin))
    assert response.status_code == 400 and "email" in response.json()


@pytest.mark.django_db
def test_outsider_gets_404_not_403(api_client, organisation, outsider):
    response = api_client.get("/api/v1/orgs/schulamt-nord/members/", **bearer(outsider))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = api_client.get("/api/v1/orgs/does-not-exist/members/", **bearer(outsider))
    assert response.status_code == 404


@pytest.mark.django_db
def test_pagination_honours_page_size_up_to_500(api_client, organisation, admin):
    from tests.accounts.factories import MembershipFactory

    MembershipFactory.create_batch(5, organisation=organisation)
    response = api_client.get("/api/v1/orgs/schulamt-nord/members/?page_size=2", **bearer(admin))
    body = response.json()
    assert body["count"] == 6 and len(body["results"]) == 2 and body["next"]
    response = api_client.get("/api/v1/orgs/schulamt-nord/members/?page_size=100000", **bearer(admin))
    assert len(response.json()["results"]) == 6
    response = api_client.get("/api/v1/orgs/schulamt-nord/members/?page=99", **bearer(admin))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_members_list_takes_a_constant_number_of_queries(
    api_client, organisation, admin, django_assert_max_num_queries
):
    from tests.accounts.factories import MembershipFactory

    headers = bearer(admin)
    MembershipFactory.create_batch(30, organisation=organisation)
    with django_assert_max_num_queries(8) as captured:
        assert api_client.get("/api/v1/orgs/schulamt-nord/members/", **headers).status_code == 200
    assert len(captured) >= 3  # token, membership, count, page: the capture saw the request


@pytest.mark.django_db
def test_throttling_answers_429_with_code(api_client, organisation, admin, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import UserRateThrottle

    headers = bearer(admin)
    original = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "3/minute"}
    try:
        codes = [api_client.get("/api/v1/organisations/", **headers).status_code for _ in range(5)]
        response = api_client.get("/api/v1/organisations/", **headers)
    finally:
        UserRateThrottle.THROTTLE_RATES = original
    assert codes[:3] == [200, 200, 200] and 429 in codes
    assert response.status_code == 429 and response.json()["code"] == "throttled"


@pytest.mark.django_db
def test_session_admin_without_two_factor_is_stopped_on_the_api(client, organisation):
    from tests.accounts.factories import MembershipFactory, UserFactory

    admin = UserFactory()
    MembershipFactory(user=admin, organisation=organisation, role="admin")
    client.force_login(admin)
    response = client.get("/api/v1/organisations/")
    assert response.status_code == 403 and response.json()["code"] == "mfa_required"


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_a_cdn(client, technician):
    client.force_login(technician)  # for signed-in users only (issue #9)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ["/api/v1/organisations/", "/api/v1/orgs/{org}/members/"]:
        assert path in text
    docs = client.get("/api/docs/").content.decode()
    assert "swagger" in docs.lower() and "cdn" not in docs and "//unpkg" not in docs


@pytest.mark.django_db
def test_members_api_never_lists_another_organisations_people(
    api_client, organisation, other_organisation, admin, outsider
):
    with scopes_disabled():
        response = api_client.get("/api/v1/orgs/schulamt-nord/members/", **bearer(admin))
    emails = {m["email"] for m in response.json()["results"]}
    assert outsider.email not in emails


@pytest.mark.django_db
def test_members_list_filters_by_role(api_client, organisation, admin, technician):
    url = "/api/v1/orgs/schulamt-nord/members/"
    response = api_client.get(f"{url}?role=technician", **bearer(admin))
    assert [m["email"] for m in response.json()["results"]] == [technician.email]
    assert api_client.get(f"{url}?role=owner", **bearer(admin)).status_code == 400


@pytest.mark.django_db
def test_members_invite_and_account_patch_take_form_bodies(api_client, organisation, admin):
    url = "/api/v1/orgs/schulamt-nord/members/"
    body = {"email": "neu@schulamt.example", "role": "technician"}
    response = api_client.post(url, body, format="multipart", **bearer(admin))
    assert response.status_code == 201 and response.json()["status"] == "invited"
    body = {"terms_accepted": "true", "contact_email": "it@schulamt.example"}
    response = api_client.patch("/api/v1/orgs/schulamt-nord/account/", body, format="multipart", **bearer(admin))
    assert response.status_code == 200 and response.json()["terms_accepted"] is True
