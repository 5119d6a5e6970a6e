import pytest
from django.core import mail
from django_scopes import scope

from accounts.models import Membership, Organisation
from core.models import AuditEntry
from tests.accounts.factories import UserFactory, give_totp, totp_code


@pytest.mark.django_db
def test_landing_page_is_german_by_default_and_english_on_request(client):
    page = client.get("/")
    assert page["Content-Language"] == "de" and "Jetzt beantragen" in page.content.decode()
    client.post("/language/", {"language": "en", "next": "/"})
    assert "Apply now" in client.get("/").content.decode()


@pytest.mark.django_db
def test_switching_language_is_remembered_for_the_users_emails(client, technician):
    client.force_login(technician)
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    technician.refresh_from_db()
    assert technician.language == "en"


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy_and_no_cdn(client, technician):
    client.force_login(technician)
    page = client.get("/o/schulamt-nord/")
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors" in policy
    html = page.content.decode()
    assert "htmx" in html and "https://" not in html.split("<body")[0]


@pytest.mark.django_db
def test_creating_an_organisation_in_the_browser(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/organisations/new/",
        {"name": "Gymnasium Nord", "federal_state": "HH", "address": "Weg 1", "vat_id": "", "language": "de"},
    )
    organisation = Organisation.objects.get(name="Gymnasium Nord")
    assert response["Location"] == f"/o/{organisation.slug}/"
    assert Membership.objects.get(user=user).role == "admin"


@pytest.mark.django_db
def test_the_organisation_form_shows_inline_errors_and_keeps_the_input(client):
    client.force_login(UserFactory())
    page = client.post("/organisations/new/", {"name": "", "address": "Weg 1", "language": "de"})
    html = page.content.decode()
    assert page.status_code == 200 and 'class="error"' in html and "Weg 1" in html
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_admin_invites_from_the_team_page_and_the_invitee_accepts(client, admin, organisation, committed):
    client.force_login(admin)
    with committed():
        response = client.post("/o/schulamt-nord/members/", {"email": "neu@example.org", "role": "technician"})
    assert response.status_code == 302
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/invitations/" in line)
    path = link[link.index("/invitations/") :]
    client.logout()
    assert "Registrieren" in client.get(path).content.decode()
    newcomer = UserFactory(email="neu@example.org")
    client.force_login(newcomer)
    response = client.post(path)
    assert response["Location"] == "/o/schulamt-nord/"
    assert Membership.objects.get(user=newcomer).role == "technician"
    assert client.get(path).status_code == 404  # used up


@pytest.mark.django_db
def test_an_invitation_opened_while_signed_in_as_someone_else_is_refused_with_an_explanation(
    client, admin, organisation, committed
):
    client.force_login(admin)
    with committed():
        client.post("/o/schulamt-nord/members/", {"email": "a@example.org", "role": "admin"})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/invitations/" in line)
    path = link[link.index("/invitations/") :]
    intruder = UserFactory(email="b@example.org", language="en")
    client.force_login(intruder)
    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200 and "a@example.org" in html and "b@example.org" in html
    assert "Accept invitation" not in html  # no button to press
    response = client.post(path)
    assert response.status_code == 200
    assert not Membership.objects.filter(user=intruder).exists()


@pytest.mark.django_db
def test_the_team_page_says_the_same_for_a_registered_address(client, admin, organisation, outsider, committed):
    client.force_login(admin)
    with committed():
        known = client.post("/o/schulamt-nord/members/", {"email": outsider.email, "role": "admin"}, follow=True)
        unknown = client.post("/o/schulamt-nord/members/", {"email": "neu@example.org", "role": "admin"}, follow=True)
    known_message = [str(m) for m in known.context["messages"]]
    unknown_message = [str(m) for m in unknown.context["messages"]]
    assert known_message == [unknown_message[0].replace("neu@example.org", outsider.email)]
    assert not Membership.objects.filter(user=outsider, organisation=organisation).exists()


@pytest.mark.django_db
def test_a_technician_sees_the_team_but_not_the_invite_form(client, technician):
    client.force_login(technician)
    html = client.get("/o/schulamt-nord/members/").content.decode()
    assert technician.email in html and 'name="email"' not in html
    assert client.post("/o/schulamt-nord/members/", {"email": "x@example.org", "role": "admin"}).status_code == 403


@pytest.mark.django_db
def test_the_org_switcher_lists_every_membership(client, technician, other_organisation):
    Membership.objects.create(user=technician, organisation=other_organisation, role="technician")
    client.force_login(technician)
    html = client.get("/o/schulamt-nord/").content.decode()
    assert "/o/klinikum-sued/" in html and "/o/schulamt-nord/" in html
    assert client.get("/o/klinikum-sued/").status_code == 200
    assert client.get("/").status_code == 200  # two organisations: the chooser


@pytest.mark.django_db
def test_api_tokens_page_shows_a_new_token_once(client, technician):
    give_totp(technician)  # making a token needs a second factor, used just now (issue #9)
    client.force_login(technician)
    assert client.post("/accounts/2fa/reauthenticate/", {"code": totp_code()}).status_code == 302
    html = client.post("/profile/tokens/", {"name": "Diagnoseserver"}).content.decode()
    assert 'data-testid="new-token">ssa_' in html
    assert "ssa_" not in client.get("/profile/tokens/").content.decode().split('data-testid="new-token"')[-1][:0]
    assert 'data-testid="new-token"' not in client.get("/profile/tokens/").content.decode()


@pytest.mark.django_db
def test_removing_a_member_is_audited(client, admin, technician, organisation):
    membership = Membership.objects.get(user=technician)
    client.force_login(admin)
    client.post(f"/o/schulamt-nord/members/{membership.pk}/remove/")
    assert not Membership.objects.filter(pk=membership.pk).exists()
    with scope(organisation=organisation):
        entry = AuditEntry.objects.get(action="membership.removed")
    assert entry.before == {"user": technician.email, "role": "technician"}


@pytest.mark.django_db
def test_a_reviewer_lands_on_the_review_queue(client, reviewer):
    client.force_login(reviewer)
    response = client.get("/")
    assert response["Location"] == "/review/"
    assert client.get("/review/").status_code == 200


@pytest.mark.django_db
def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.django_db
def test_allauths_pages_speak_formal_german(client):
    html = client.get("/accounts/login/").content.decode()
    assert "Anmelden" in html and " du " not in html.lower() and " dein" not in html.lower()
