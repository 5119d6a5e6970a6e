"""Serial conflicts in the reviewer console: the list of both sides, and the resolution (API and evidence page)."""

import pytest
from django_scopes import scope, scopes_disabled

from accounts.services import api_token_create
from core.models import AuditEntry, Notification
from eligibility import services as eligibility_services
from eligibility.engine import eligibility_evaluate
from eligibility.models import Device
from tests.eligibility import files as f

pytestmark = pytest.mark.django_db
CONFLICTS = "/api/v1/review/conflicts"
SERIAL = f.serial(1)


def bearer(user):
    from rest_framework.test import APIClient

    client = APIClient()
    _t, raw = api_token_create(user=user, name="t")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _device(organisation, serial=SERIAL, actor=None):
    with scope(organisation=organisation):
        return eligibility_services.device_create(
            organisation=organisation,
            actor=actor,
            data={"serial_number": serial, "product_line": "mac", "purchase_source": "apple", "ownership": "owned"},
        )


@pytest.fixture
def conflict(organisation, other_organisation, admin, outsider):
    """A lists the serial first, B (the outsider's organisation) later."""
    _device(organisation, actor=admin)
    _device(other_organisation, actor=outsider)
    _device(organisation, serial=f.serial(2), actor=admin)  # not in conflict


def _claims():
    with scopes_disabled():  # the test looks at every side
        return dict(Device.objects.filter(serial_number=SERIAL).values_list("organisation__slug", "serial_conflict"))


def test_reviewers_list_both_sides_of_a_conflict_earliest_first(conflict, reviewer, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):  # auth, throttle, then two queries whatever the number
        response = bearer(reviewer).get(f"{CONFLICTS}/")
    assert response.status_code == 200
    [listed] = response.json()
    assert listed["serial_number"] == SERIAL
    claims = [{k: c[k] for k in ("organisation", "organisation_name", "counted")} for c in listed["claims"]]
    assert claims == [
        # neither has a proof: the earlier claim does not count for that reason, not because of the conflict
        {"organisation": "schulamt-nord", "organisation_name": "Schulamt Nord", "counted": False},
        {"organisation": "klinikum-sued", "organisation_name": "Klinikum Süd", "counted": False},
    ]
    assert listed["claims"][0]["since"] < listed["claims"][1]["since"]
    assert _claims() == {"schulamt-nord": False, "klinikum-sued": True}


@pytest.mark.parametrize("fmt", ["json", "multipart"])
def test_resolve_takes_json_and_multipart_bodies_and_refuses_control_characters(conflict, reviewer, fmt):
    api = bearer(reviewer)
    refused = api.post(
        f"{CONFLICTS}/{SERIAL}/resolve/", {"organisation": "schulamt-nord", "reason": "Nein\x00"}, format=fmt
    )
    assert refused.status_code == 400 and "reason" in refused.json()
    assert _claims() == {"schulamt-nord": False, "klinikum-sued": True}
    body = {"organisation": "schulamt-nord", "reason": "Rechnung geprüft."}
    assert api.post(f"{CONFLICTS}/{SERIAL}/resolve/", body, format=fmt).status_code == 200
    assert _claims() == {"schulamt-nord": False}


@pytest.mark.parametrize("owner", ["klinikum-sued", "schulamt-nord"])
def test_resolving_through_the_api_keeps_the_owners_device_removes_the_others_and_tells_both(
    conflict, organisation, other_organisation, admin, outsider, reviewer, owner, committed
):
    with committed():
        response = bearer(reviewer).post(
            f"{CONFLICTS}/{SERIAL}/resolve/", {"organisation": owner, "reason": "Invoice 4711 checked."}, format="json"
        )
    assert response.status_code == 200, response.content
    assert [c["organisation"] for c in response.json()["claims"]] == [owner]
    assert _claims() == {owner: False}  # the owner's device no longer disputed
    assert bearer(reviewer).get(f"{CONFLICTS}/").json() == []

    loser = organisation if owner == "klinikum-sued" else other_organisation
    winner = other_organisation if loser == organisation else organisation
    with scopes_disabled():  # the test looks at every side
        kept = AuditEntry.objects.get(organisation=winner, action="serial_conflict.assigned")
        removed = AuditEntry.objects.get(organisation=loser, action="serial_conflict.removed")
        assert kept.actor == reviewer and removed.actor == reviewer
        assert removed.before["serial_number"] == SERIAL and removed.after["reason"] == "Invoice 4711 checked."
        for entry in (kept, removed):
            other = loser if entry is kept else winner
            assert other.name not in str(entry.after) and other.slug not in str(entry.after)
        notes = {n.user.email: n for n in Notification.objects.select_related("user")}
    winner_admin, loser_admin = (outsider, admin) if owner == "klinikum-sued" else (admin, outsider)
    assert notes[winner_admin.email].template == "serial_conflict_assigned"
    assert notes[loser_admin.email].template == "serial_conflict_removed"
    assert SERIAL in notes[loser_admin.email].title
    for note, other in ((notes[winner_admin.email], loser), (notes[loser_admin.email], winner)):
        assert other.name not in note.title and other.name not in str(note.context)


def test_the_owner_counts_after_the_resolution(conflict, other_organisation, outsider, reviewer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with scope(organisation=other_organisation):
        eligibility_services.proof_upload(
            organisation=other_organisation,
            actor=outsider,
            upload=SimpleUploadedFile("r.pdf", f.PDF),
            invoice_number="RE-B",
        )
        device = Device.objects.get(serial_number=SERIAL)
        eligibility_services.device_update(device=device, actor=outsider, data={"invoice_number": "RE-B"})
        assert eligibility_evaluate(organisation=other_organisation).counts["counted"] == 0
    response = bearer(reviewer).post(
        f"{CONFLICTS}/{SERIAL}/resolve/", {"organisation": "klinikum-sued", "reason": "Invoice checked."}
    )
    assert response.status_code == 200
    with scope(organisation=other_organisation):
        assert eligibility_evaluate(organisation=other_organisation).counts["counted"] == 1


def test_resolving_refuses_an_organisation_that_does_not_list_the_serial_and_an_empty_reason(conflict, reviewer):
    from tests.accounts.factories import OrganisationFactory

    OrganisationFactory(name="Stadtwerke West", slug="stadtwerke-west")
    api = bearer(reviewer)
    refused = api.post(f"{CONFLICTS}/{SERIAL}/resolve/", {"organisation": "stadtwerke-west", "reason": "x"})
    assert refused.status_code == 400 and "organisation" in str(refused.json())
    empty = api.post(f"{CONFLICTS}/{SERIAL}/resolve/", {"organisation": "schulamt-nord", "reason": " "})
    assert empty.status_code == 400
    assert (
        api.post(f"{CONFLICTS}/{f.serial(2)}/resolve/", {"organisation": "schulamt-nord", "reason": "x"}).status_code
        == 404
    )
    assert _claims() == {"schulamt-nord": False, "klinikum-sued": True}


def test_outsiders_and_members_get_404_on_the_conflict_routes(conflict, admin, outsider, technician, client_for):
    for user in (admin, outsider, technician):
        api = bearer(user)
        assert api.get(f"{CONFLICTS}/").status_code == 404
        body = {"organisation": "klinikum-sued", "reason": "mine"}
        assert api.post(f"{CONFLICTS}/{SERIAL}/resolve/", body).status_code == 404
        page = client_for(user).post(f"/review/accounts/schulamt-nord/conflicts/{SERIAL}/resolve/", body)
        assert page.status_code == 404
    assert _claims() == {"schulamt-nord": False, "klinikum-sued": True}


def test_the_evidence_page_shows_both_sides_and_resolves(conflict, reviewer, client_for):
    client = client_for(reviewer)
    for slug in ("schulamt-nord", "klinikum-sued"):  # both applications show the conflict
        page = client.get(f"/review/accounts/{slug}/").content.decode()
        assert f'data-testid="conflict-{SERIAL}"' in page
        assert "Schulamt Nord" in page and "Klinikum Süd" in page
    response = client.post(
        f"/review/accounts/klinikum-sued/conflicts/{SERIAL}/resolve/",
        {"organisation": "schulamt-nord", "reason": "Apple's sales record."},
    )
    assert response.status_code == 302 and response.url == "/review/accounts/klinikum-sued/"
    assert _claims() == {"schulamt-nord": False}
    page = client.get("/review/accounts/schulamt-nord/").content.decode()
    assert f'data-testid="conflict-{SERIAL}"' not in page


def test_the_evidence_page_refuses_a_serial_the_application_does_not_list(conflict, reviewer, client_for):
    from tests.accounts.factories import OrganisationFactory

    OrganisationFactory(name="Stadtwerke West", slug="stadtwerke-west")
    response = client_for(reviewer).post(
        f"/review/accounts/stadtwerke-west/conflicts/{SERIAL}/resolve/",
        {"organisation": "schulamt-nord", "reason": "x"},
    )
    assert response.status_code == 404
    assert _claims() == {"schulamt-nord": False, "klinikum-sued": True}
