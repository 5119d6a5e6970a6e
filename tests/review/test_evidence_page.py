"""The reviewer's evidence page with many invoices: documents a page at a time, each opened only when asked."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from accounts.models import Account
from eligibility.models import Device, ProofOfPurchase
from review.selectors import PROOFS_PER_PAGE

pytestmark = pytest.mark.django_db
EVIDENCE = "/review/accounts/schulamt-nord/"


def add_proofs(organisation, reviewer, n, *, start=0):
    with scopes_disabled():  # test data for one organisation
        proofs = ProofOfPurchase.objects.bulk_create(
            [
                ProofOfPurchase(
                    organisation=organisation,
                    invoice_number=f"RE-{i:05d}",
                    file=f"private/proofs/{i}.pdf",
                    original_name=f"{i}.pdf",
                    content_type="application/pdf" if i % 2 else "image/png",
                    size=100,
                    sha256="0" * 64,
                    status="rejected" if i % 3 == 0 else "pending",
                    rejection_reason="unreadable" if i % 3 == 0 else "",
                    reviewed_by=reviewer if i % 3 == 0 else None,
                )
                for i in range(start, start + n)
            ]
        )
        Device.objects.bulk_create(
            [
                Device(
                    organisation=organisation,
                    serial_number=f"C02{i:09d}",
                    product_line="mac",
                    purchase_source="apple",
                    ownership="owned",
                    invoice_number=p.invoice_number,
                    proof=p,
                )
                for i, p in enumerate(proofs, start=start)
            ]
        )
    return proofs


def test_evidence_page_embeds_no_document_and_pages_the_proofs(organisation, reviewer, client):
    add_proofs(organisation, reviewer, PROOFS_PER_PAGE + 5)
    client.force_login(reviewer)
    first = client.get(EVIDENCE).content.decode()
    assert "<iframe" not in first and "<embed" not in first and '/file/" alt' not in first
    assert '<img src="/review/accounts/schulamt-nord/proofs/' not in first
    assert first.count('class="proof"') == PROOFS_PER_PAGE
    assert first.count('data-testid="show-RE-') == PROOFS_PER_PAGE
    assert "?page=2" in first
    second = client.get(f"{EVIDENCE}?page=2").content.decode()
    assert second.count('class="proof"') == 5


def test_the_document_opens_on_demand_in_its_viewer(organisation, reviewer, client):
    (proof,) = add_proofs(organisation, reviewer, 1, start=1)  # a PDF
    client.force_login(reviewer)
    page = client.get(EVIDENCE).content.decode()
    viewer_url = f"/review/accounts/schulamt-nord/proofs/{proof.pk}/viewer/"
    assert f'hx-get="{viewer_url}"' in page
    frame = client.get(viewer_url, HTTP_HX_REQUEST="true").content.decode()
    assert f'<iframe src="/review/accounts/schulamt-nord/proofs/{proof.pk}/file/"' in frame


def test_the_viewer_is_for_reviewers_of_that_organisation_only(
    organisation, other_organisation, reviewer, admin, client
):
    (proof,) = add_proofs(organisation, reviewer, 1)
    client.force_login(admin)
    assert client.get(f"/review/accounts/schulamt-nord/proofs/{proof.pk}/viewer/").status_code in (403, 404)
    client.force_login(reviewer)
    assert client.get(f"/review/accounts/klinikum-sued/proofs/{proof.pk}/viewer/").status_code == 404


def test_evidence_page_queries_do_not_grow_with_the_proofs(organisation, reviewer, client):
    client.force_login(reviewer)
    add_proofs(organisation, reviewer, 10)
    client.get(EVIDENCE)  # warm caches (sessions, programme rules)
    with CaptureQueriesContext(connection) as few:
        assert client.get(EVIDENCE).status_code == 200
    add_proofs(organisation, reviewer, 990, start=10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(EVIDENCE).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_a_verdict_on_a_later_page_of_documents_returns_to_that_page(client, reviewer, organisation, admin):
    with scope(organisation=organisation):
        Account.objects.create(organisation=organisation, status="in_review")
        proof = ProofOfPurchase.objects.create(
            organisation=organisation,
            invoice_number="RE-PAGE-2",
            content_type="application/pdf",
            sha256="0" * 64,
            size=1,
        )
    client.force_login(reviewer)
    response = client.post(
        f"/review/accounts/{organisation.slug}/proofs/{proof.pk}/verdict/", {"status": "accepted", "page": "2"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?page=2#documents")
    bad = client.post(
        f"/review/accounts/{organisation.slug}/proofs/{proof.pk}/verdict/", {"status": "accepted", "page": "2x"}
    )
    assert bad["Location"].endswith(f"/review/accounts/{organisation.slug}/")
