"""Tenant isolation and role checks, probed on every route the portal has.

The routes are read from the URL resolver, so a route added later is covered the moment it exists. Each is
called with every method as (a) anonymous, (b) a member of another organisation, (c) a technician where the
route's declared action needs an admin, and (d) a reviewer on tenant routes. Anything but the expected refusal
fails, and so does a tenant route that declares no action.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import scopes_disabled

from accounts.models import ApiToken, Invitation, Membership
from core.decorators import action_for
from core.permissions import can

METHODS = ["get", "post", "put", "patch", "delete"]
REFUSED = {302, 401, 403, 404}
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")

# Routes that anyone may open without logging in. Everything else must refuse an anonymous caller.
PUBLIC = {
    "home",
    "healthz",
    "api_schema",
    "api_docs",
    "accounts:invitation_accept",
    "accounts:language_switch",
}
# allauth's own routes (login, signup, password reset …) and Django's admin guard themselves.
THIRD_PARTY_PREFIXES = ("accounts/", "admin/")
REVIEWER_PREFIXES = ("review/", "api/v1/review/")


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}" if entry.name else None, entry.callback


def routes():
    found = []
    for route, name, callback in walk(get_resolver().url_patterns):
        if route.startswith(THIRD_PARTY_PREFIXES) or "^" in route or "(?P" in route:
            continue
        found.append(pytest.param(route, name, callback, id=route or "/"))
    return found


ROUTES = routes()


def required_actions(callback) -> dict | None:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        return getattr(view_class, "required_actions", None)
    return getattr(callback, "required_actions", None)


@pytest.fixture
def values(organisation, admin, technician):
    """Path values that point at real objects of ``organisation``; unknown names get a placeholder."""
    with scopes_disabled():
        invitation = Invitation.objects.create(
            organisation=organisation,
            email="new@schulamt.example",
            role="technician",
            token_hash="x" * 64,
            invited_by=admin,
            expires_at="2999-01-01T00:00:00Z",
        )
    token = ApiToken.objects.create(user=admin, name="t", key_hash="y" * 64, hint="ssa_")
    return {
        "org": organisation.slug,
        "membership_id": Membership.objects.get(user=technician).pk,
        "invitation_id": invitation.pk,
        "token_id": token.pk,
    }


def build(route: str, values: dict) -> str:
    def fill(match):
        name, converter = match["name"], match["converter"] or "str"
        if name in values:
            return str(values[name])
        return "1" if converter == "int" else "zz-probe"

    return "/" + PARAM.sub(fill, route)


def is_tenant(route):
    return "<slug:org>" in route and not route.startswith(REVIEWER_PREFIXES)


def call(client, method, url):
    return (
        getattr(client, method)(url, data={} if method == "get" else None, content_type="application/json")
        if method != "get"
        else client.get(url)
    )


def test_the_walk_finds_the_portal_routes():
    names = {p.values[1] for p in ROUTES}
    assert {"accounts:members", "api_members", "api_organisations", "review:home"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name", "callback"), ROUTES)
def test_anonymous_is_refused(client, values, route, name, callback):
    if name in PUBLIC:
        return
    url = build(route, values)
    for method in METHODS:
        response = call(client, method, url)
        assert response.status_code in REFUSED | {405}, f"{method.upper()} {url} → {response.status_code}"
        if response.status_code == 405:
            continue
        if route.startswith("api/"):
            assert response.status_code in {401, 403, 404}, f"{method.upper()} {url} → {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name", "callback"), [r for r in ROUTES if is_tenant(r.values[0])])
def test_member_of_another_organisation_gets_404(client, api_client, values, outsider, route, name, callback):
    url = build(route, values)
    client.force_login(outsider)
    api_client.force_authenticate(outsider)
    for method in METHODS:
        assert call(client, method, url).status_code == 404, f"session {method.upper()} {url}"
    raw = ApiToken.generate()
    ApiToken.objects.create(user=outsider, name="probe", key_hash=ApiToken.hash_key(raw), hint=raw[:10])
    expected = {404} if route.startswith("api/") else REFUSED  # tokens count on the API only
    for method in METHODS:
        response = getattr(api_client.__class__(), method)(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code in expected, f"token {method.upper()} {url} → {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name", "callback"), [r for r in ROUTES if is_tenant(r.values[0])])
def test_technician_is_refused_where_an_admin_is_required(client, values, technician, route, name, callback):
    actions = required_actions(callback)
    assert actions, f"{route} declares no action: every tenant route must say what it does"
    membership = Membership.objects.get(user=technician)
    url = build(route, values)
    client.force_login(technician)
    for method in METHODS:
        action = action_for(actions, method.upper())
        if action is not None and can(membership, action):
            continue
        response = call(client, method, url)
        assert response.status_code == 403, f"{method.upper()} {url} ({action}) → {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name", "callback"), [r for r in ROUTES if is_tenant(r.values[0])])
def test_reviewer_reaches_tenants_only_through_review(client, values, reviewer, route, name, callback):
    url = build(route, values)
    client.force_login(reviewer)
    for method in METHODS:
        assert call(client, method, url).status_code == 404, f"{method.upper()} {url}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "name", "callback"), [r for r in ROUTES if r.values[0].startswith(REVIEWER_PREFIXES)]
)
def test_review_routes_are_hidden_from_members(client, values, admin, technician, route, name, callback):
    url = build(route, values)
    for user in (admin, technician):
        client.force_login(user)
        for method in METHODS:
            assert call(client, method, url).status_code == 404, f"{user} {method.upper()} {url}"
