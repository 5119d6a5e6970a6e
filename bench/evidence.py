"""The reviewer's evidence page for an organisation with many invoices (issue #9, finding 11)."""

import os
import time

from django.test import Client
from django_scopes import scopes_disabled

from bench.measure import BENCH_TOTP_SECRET, count_queries

PROOFS = int(os.environ.get("BENCH_PROOFS", "1000"))


def _proofs(organisation, reviewer, n: int, *, start: int = 0) -> None:
    from eligibility.models import Device, ProofOfPurchase

    proofs = ProofOfPurchase.objects.bulk_create(
        [
            ProofOfPurchase(
                organisation=organisation,
                invoice_number=f"RE-{i:06d}",
                file=f"private/proofs/bench-{i}.pdf",
                original_name=f"RE-{i:06d}.pdf",
                content_type="application/pdf" if i % 4 else "image/jpeg",
                size=250_000,
                sha256="0" * 64,
                status="rejected" if i % 10 == 0 else "pending",
                rejection_reason="unreadable" if i % 10 == 0 else "",
                reviewed_by=reviewer if i % 10 == 0 else None,
            )
            for i in range(start, start + n)
        ],
        batch_size=2000,
    )
    Device.objects.bulk_create(
        [
            Device(
                organisation=organisation,
                serial_number=f"C02{i * 3 + k:09d}",
                product_line="mac",
                purchase_source="apple",
                ownership="owned",
                invoice_number=proof.invoice_number,
                proof=proof,
            )
            for i, proof in enumerate(proofs, start=start)
            for k in range(3)
        ],
        batch_size=2000,
    )


def evidence_page():
    """The evidence page's HTML for an organisation with 1,000 proofs: under 1 s, and as many queries as for 10."""
    from accounts.models import User
    from accounts.services import organisation_create, user_totp_set

    with scopes_disabled():  # bench data across the tenant wall
        owner = User.objects.create_user(email="bench-evidence-owner@example.org", password="x")
        organisation = organisation_create(creator=owner, name="Bench Evidence")
        reviewer = User.objects.create_user(email="bench-reviewer@example.org", password="x", is_reviewer=True)
        user_totp_set(user=reviewer, secret=BENCH_TOTP_SECRET)
        _proofs(organisation, reviewer, 10)
    client = Client()
    client.force_login(reviewer)
    url = f"/review/accounts/{organisation.slug}/"
    assert client.get(url).status_code == 200  # warm up
    few = count_queries(lambda: client.get(url))
    with scopes_disabled():
        _proofs(organisation, reviewer, PROOFS - 10, start=10)
    assert client.get(url).status_code == 200
    many = count_queries(lambda: client.get(url))
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        response = client.get(url)
        best = min(best, time.perf_counter() - start)
        assert response.status_code == 200
    yield {
        "name": f"reviewer evidence page, queries for 10 vs {PROOFS:,} proofs",
        "figure": f"{few} vs {many}",
        "target": "equal",
        "ok": few == many,
    }
    yield {
        "name": f"reviewer evidence page HTML for an organisation with {PROOFS:,} proofs",
        "figure": f"{best * 1000:.0f} ms",
        "target": "< 1 s",
        "ok": best < 1.0,
    }
