"""The reviewer API's writes take JSON and multipart bodies through the same input serializers as the console's
decision table, and the table of cases below covers every write route of ``review.api.urls``."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern
from django_scopes import scope

from accounts.models import Account, Hold
from eligibility.models import ProofOfPurchase
from eligibility.services import proof_upload
from review.api import urls as review_urls
from tests.eligibility import files as f
from tests.review.test_review import bearer

pytestmark = pytest.mark.django_db
BASE = "/api/v1/review/accounts/schulamt-nord"
FORMATS = ["json", "multipart"]

# route name, starting status, path under BASE, body, expected status, what the account or hold shows afterwards
CASES = [
    ("api_review_start", "submitted", "start/", {}, 200, ("status", "in_review")),
    (
        "api_review_request_info",
        "in_review",
        "request-info/",
        {"message": "Bitte RE-2 nachreichen."},
        200,
        ("status", "info_requested"),
    ),
    ("api_review_approve", "in_review", "approve/", {"credit_limit": "25000.00"}, 200, ("status", "approved")),
    ("api_review_reject", "in_review", "reject/", {"reason": "Zu wenige Geräte."}, 200, ("status", "rejected")),
    ("api_review_suspend", "approved", "suspend/", {"reason": "Offene Rechnungen."}, 200, ("status", "suspended")),
    ("api_review_reinstate", "suspended", "reinstate/", {}, 200, ("status", "approved")),
    ("api_review_holds", "approved", "holds/", {"reason": "manual", "note": "Rückfrage offen."}, 201, ("holds", 1)),
    ("api_review_hold_release", "approved", "holds/{hold}/release/", {}, 200, ("holds", 0)),
    (
        "api_review_proof_verdict",
        "in_review",
        "proofs/{proof}/verdict/",
        {"status": "rejected", "reason": "Unlesbar"},
        200,
        ("proof", "rejected"),
    ),
]
READ_ONLY = {"api_review_queue", "api_review_account", "api_review_proof_file", "api_review_conflicts"}
# not an account's route: tests/review/test_conflicts.py sends it JSON and multipart bodies the same way
COVERED_IN_TEST_CONFLICTS = {"api_review_conflict_resolve"}


def test_the_table_covers_every_write_route_of_the_reviewer_api():
    names = {p.name for p in review_urls.urlpatterns if isinstance(p, URLPattern)}
    assert names - READ_ONLY - COVERED_IN_TEST_CONFLICTS == {case[0] for case in CASES}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case[0])
def test_every_reviewer_write_takes_json_and_multipart_bodies(case, fmt, organisation, admin, reviewer):
    _name, status, path, body, expected, (what, value) = case
    with scope(organisation=organisation):
        Account.objects.create(organisation=organisation, status=status)
        hold = Hold.objects.create(organisation=organisation, reason="manual", note="x") if "{hold}" in path else None
        proof = proof_upload(
            organisation=organisation, actor=admin, upload=SimpleUploadedFile("r.pdf", f.PDF), invoice_number="RE-1"
        )
    url = f"{BASE}/{path}".format(hold=hold.pk if hold else 0, proof=proof.pk)
    response = bearer(reviewer).post(url, body, format=fmt)
    assert response.status_code == expected, response.content
    with scope(organisation=organisation):
        if what == "status":
            assert Account.objects.get().status == value
        elif what == "holds":
            assert Hold.objects.filter(released_at__isnull=True).count() == value
        else:
            assert ProofOfPurchase.objects.get().status == value


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_control_character_in_a_reviewer_text_is_a_field_error_and_nothing_changes(fmt, organisation, reviewer):
    with scope(organisation=organisation):
        Account.objects.create(organisation=organisation, status="in_review")
    response = bearer(reviewer).post(f"{BASE}/reject/", {"reason": "Nein\x00"}, format=fmt)
    assert response.status_code == 400 and "reason" in response.json()
    with scope(organisation=organisation):
        assert Account.objects.get().status == "in_review"
