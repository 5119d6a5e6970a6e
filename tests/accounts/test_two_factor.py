import pytest

from tests.accounts.factories import MembershipFactory, UserFactory


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
