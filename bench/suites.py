"""The benchmarks, one function per figure in DESIGN.md section 6. Each yields rows for the report."""

from django.test import Client
from django_scopes import scopes_disabled

from bench.measure import BENCH_TOTP_SECRET, count_queries, timed


def list_endpoints():
    """API list endpoints: a constant number of queries and at least 40 % of a bare Django JSON view's rate."""
    from accounts.models import Membership, Organisation, User
    from accounts.services import api_token_create, organisation_create, user_totp_set

    with scopes_disabled():
        owner = User.objects.create_user(email="bench-owner@example.org", password="x")
        organisation = organisation_create(creator=owner, name="Bench Org")
        users = User.objects.bulk_create([User(email=f"bench{i}@example.org", password="!") for i in range(2000)])
        Membership.objects.bulk_create(
            [Membership(user=u, organisation=organisation, role="technician") for u in users]
        )
        user_totp_set(user=owner, secret=BENCH_TOTP_SECRET)  # an admin's token works only with two-factor set up
        _token, raw = api_token_create(user=owner, name="bench")
    assert Organisation.objects.filter(slug=organisation.slug).exists()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = f"/api/v1/orgs/{organisation.slug}/members/?page_size=50"

    def api():
        assert client.get(url).status_code == 200

    def bare():
        assert client.get(f"/api/v1/bench/orgs/{organisation.slug}/members/?page_size=50").status_code == 200

    api(), bare()  # warm up
    small = count_queries(lambda: client.get(f"/api/v1/orgs/{organisation.slug}/members/?page_size=5"))
    large = count_queries(lambda: client.get(f"/api/v1/orgs/{organisation.slug}/members/?page_size=500"))
    base = timed(bare, number=50)
    measured = timed(api, number=50)
    ratio = base / measured
    yield {
        "name": "members API list, queries for 5 vs 500 rows",
        "figure": f"{small} vs {large}",
        "target": "equal",
        "ok": small == large,
    }
    yield {
        "name": "members API list (50 of 2000 rows) throughput vs a bare Django JSON view of the same query",
        "figure": f"{ratio:.0%} ({1 / measured:.0f}/s vs {1 / base:.0f}/s)",
        "target": ">= 40 %",
        "ok": ratio >= 0.40,
    }


def _inventory():
    from bench.inventory import eligibility_large, inventory_import

    yield from inventory_import()
    yield from eligibility_large()


def _deadlines():
    from bench.deadlines import certification_deadlines

    yield from certification_deadlines()


def _evidence_page():
    from bench.evidence import evidence_page

    yield from evidence_page()


def _parts():
    from bench.parts import parts_figures

    yield from parts_figures()


ALL = [_inventory, _deadlines, list_endpoints, _evidence_page, _parts]
