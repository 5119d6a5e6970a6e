"""Serial conflicts as the applicants live them: the earlier claim keeps counting, the later one is "under review",
and neither side learns anything about the other (issue #9, finding 1)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.services import api_token_create
from eligibility import services
from eligibility.engine import eligibility_evaluate
from eligibility.models import Device
from tests.eligibility import files as f

pytestmark = pytest.mark.django_db
A = "/api/v1/orgs/schulamt-nord"
B = "/api/v1/orgs/klinikum-sued"
A_SERIALS = 8


def bearer(user):
    from rest_framework.test import APIClient

    client = APIClient()
    _t, raw = api_token_create(user=user, name="t")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _proof(organisation, actor, invoice):
    with scope(organisation=organisation):
        services.proof_upload(
            organisation=organisation, actor=actor, upload=SimpleUploadedFile("r.pdf", f.PDF), invoice_number=invoice
        )


def _snapshot(organisation):
    """Everything of A that B must not be able to change: every row as stored, and the engine's figures."""
    with scope(organisation=organisation):
        rows = sorted(Device.objects.values_list("serial_number", "serial_conflict", "proof_id", "updated_at"))
        return rows, eligibility_evaluate(organisation=organisation).counts


@pytest.fixture
def a_counts(run_import, organisation, admin):
    """Organisation A (the earlier claimant): eight devices, all counted."""
    _proof(organisation, admin, "RE-A")
    run_import(f.german_excel_csv([f.german_row(i, invoice="RE-A") for i in range(A_SERIALS)]))
    before = _snapshot(organisation)
    assert before[1]["counted"] == A_SERIALS and before[1]["needs_clarification"] == 0
    return before


def _b_imports(outsider, committed, rows):
    with committed():
        response = bearer(outsider).post(
            f"{B}/device-imports/",
            {"file": SimpleUploadedFile("b.csv", f.german_excel_csv(rows))},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    return response


def test_a_later_claim_changes_nothing_of_the_earlier_claimant_and_is_under_review(
    a_counts, organisation, other_organisation, outsider, committed, client_for
):
    _proof(other_organisation, outsider, "RE-B")
    stolen = [f.german_row(i, invoice="RE-B") for i in range(5)]  # five of A's serials
    own = [f.german_row(100 + i, invoice="RE-B") for i in range(2)]
    _b_imports(outsider, committed, stolen + own)

    assert _snapshot(organisation) == a_counts  # A's rows, flags and figures untouched

    with scope(organisation=other_organisation):
        counts = eligibility_evaluate(organisation=other_organisation).counts
    assert counts["total"] == 7 and counts["counted"] == 2 and counts["needs_clarification"] == 5

    api = bearer(outsider)
    listed = api.get(f"{B}/devices/?page_size=100").json()["results"]
    disputed = {d["serial_number"]: d for d in listed if not d["counted"]}
    assert set(disputed) == {f.serial(i) for i in range(5)}
    for device in disputed.values():
        assert device["not_counted_reasons"] == ["needs_clarification"]  # the one generic reason, nothing else
    detail = api.get(f"{B}/devices/{f.serial(0)}/")
    eligibility = api.get(f"{B}/eligibility/")
    html = client_for(outsider).get("/o/klinikum-sued/inventory/")
    assert html.status_code == 200
    page = html.content.decode()
    assert "under review" in page or "in Prüfung" in page
    for body in (detail.content.decode(), eligibility.content.decode(), page, str(listed)):
        assert "Schulamt" not in body and "schulamt" not in body and "admin@schulamt" not in body


def test_the_later_claim_counts_again_once_the_earlier_claimant_removes_its_device(
    a_counts, organisation, other_organisation, outsider, admin, committed
):
    _proof(other_organisation, outsider, "RE-B")
    _b_imports(outsider, committed, [f.german_row(0, invoice="RE-B")])
    with scope(organisation=organisation):
        services.device_delete(device=Device.objects.get(serial_number=f.serial(0)), actor=admin)
    with scope(organisation=other_organisation):
        assert not Device.objects.get().serial_conflict
        assert eligibility_evaluate(organisation=other_organisation).counts["counted"] == 1


def test_renaming_an_old_device_to_a_claimed_serial_is_a_new_later_claim(
    a_counts, organisation, other_organisation, outsider
):
    """An old device of B cannot jump the queue of a serial's claimants by taking over A's serial."""
    _proof(other_organisation, outsider, "RE-B")
    long_ago = timezone.now() - datetime.timedelta(days=3650)
    with scope(organisation=other_organisation):
        Device.objects.create(
            organisation=other_organisation,
            serial_number=f.serial(500),
            product_line="mac",
            purchase_source="apple",
            ownership="owned",
            invoice_number="RE-B",
            created_at=long_ago,
        )
    response = bearer(outsider).patch(f"{B}/devices/{f.serial(500)}/", {"serial_number": f.serial(3)}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["counted"] is False
    assert response.json()["not_counted_reasons"] == ["needs_clarification"]
    assert _snapshot(organisation) == a_counts


def test_three_claims_only_the_earliest_counts(a_counts, organisation, other_organisation, outsider, committed):
    from tests.accounts.factories import OrganisationFactory

    third = OrganisationFactory(name="Stadtwerke West", slug="stadtwerke-west")
    _b_imports(outsider, committed, [f.german_row(1)])
    with scope(organisation=third):
        services.device_create(
            organisation=third,
            actor=None,
            data={
                "serial_number": f.serial(1),
                "product_line": "mac",
                "purchase_source": "apple",
                "ownership": "owned",
            },
        )
    with scopes_disabled():  # the test looks at every side
        flags = dict(
            Device.objects.filter(serial_number=f.serial(1)).values_list("organisation__slug", "serial_conflict")
        )
    assert flags == {"schulamt-nord": False, "klinikum-sued": True, "stadtwerke-west": True}
    assert _snapshot(organisation) == a_counts
