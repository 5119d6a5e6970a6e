"""Tenancy in one place: which organisation a request works in, and the scope it runs under.

Scopes open in three places only: here (for organisation routes after the membership check, for reviewer routes
after the reviewer check), in ``core.taskbase.OrganisationTask``, and in test fixtures.

The kernel knows no domain models. ``settings.TENANT_MODEL`` names the tenant; ``settings.TENANCY`` names the two
lookups the accounts layer provides: ``MEMBERSHIP`` (``(user, organisation_slug) -> membership or None``, the
membership carrying ``.organisation`` and ``.role``) and ``TOKEN_USER`` (``raw token -> user or None``).
"""

from contextlib import contextmanager
from functools import cache

from django.apps import apps
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_scopes import ScopeError, get_scope, scope, scopes_disabled

ORG_PREFIXES = ("/o/", "/api/v1/orgs/")
REVIEWER_PREFIXES = ("/review/", "/api/v1/review/")


@cache
def _hook(name: str):
    return import_string(settings.TENANCY[name])


def tenant_model():
    return apps.get_model(settings.TENANT_MODEL)


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def bearer_user(request):
    """The user behind an ``Authorization: Bearer`` token on an API request, looked up once per request."""
    if not hasattr(request, "_bearer_user"):
        header = request.headers.get("Authorization", "")
        user = None
        if is_api(request) and header[:7].lower() == "bearer ":
            user = _hook("TOKEN_USER")(raw=header[7:].strip())
        request._bearer_user = user
    return request._bearer_user


def request_user(request):
    user = bearer_user(request)
    return user if user is not None else request.user


def _not_authenticated(request):
    if is_api(request):
        return JsonResponse(
            {"detail": _("Authentication credentials were not provided."), "code": "not_authenticated"}, status=401
        )
    return redirect_to_login(request.get_full_path())


def _not_found(request):
    if is_api(request):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    raise Http404


def scope_organisation_id(expected=None) -> int:
    """The id of the organisation whose scope is open. Raw SQL (COPY, merges, counts) takes its tenant from here,
    never from an argument alone, so a query outside a tenant scope fails as the scoped managers do; with
    ``expected``, a caller that names another organisation than the open scope's fails too."""
    current = get_scope()
    if current and not current.get("_enabled", True) and expected is not None:
        return expected.pk  # code that disabled scopes on purpose (jobs, commands, reviewers) names its tenant
    organisation = current.get("organisation") if current.get("_enabled", False) else None
    if organisation is None:
        raise ScopeError("raw SQL on tenant data needs an open organisation scope")
    organisation_id = organisation.pk if hasattr(organisation, "pk") else int(organisation)
    if expected is not None and expected.pk != organisation_id:
        raise ScopeError("raw SQL names another organisation than the open scope's")
    return organisation_id


@contextmanager
def reviewer_scope(organisation=None):
    """Reviewer code: one organisation's scope when it works on one, else every organisation's (the queue, the
    programme-wide trail), which only platform reviewers reach."""
    if organisation is not None:
        with scope(organisation=organisation):
            yield
    else:
        with scopes_disabled():
            yield


class TenantMiddleware:
    """Resolves ``/o/<org>/…`` and ``/api/v1/orgs/<org>/…``, checks the membership and opens the tenant scope;
    for ``/review/…`` and ``/api/v1/review/…`` checks the reviewer flag and opens the reviewer's scope.

    A non-member (or a non-reviewer on a reviewer route) gets 404, so an organisation's existence is not revealed;
    an anonymous caller is sent to log in (401 on the API). Role checks happen in the view through
    ``core.permissions``. Every other request runs without a scope, so a tenant-owned query there raises.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(REVIEWER_PREFIXES):
            return self._reviewer(request)
        if not path.startswith(ORG_PREFIXES):
            return self.get_response(request)
        try:
            match = resolve(path)
        except Resolver404:
            return self.get_response(request)
        slug = match.kwargs.get("org")
        if slug is None:
            return self.get_response(request)
        user = request_user(request)
        if not user.is_authenticated:
            return _not_authenticated(request)
        membership = _hook("MEMBERSHIP")(user=user, organisation_slug=slug)
        if membership is None:
            return _not_found(request)
        request.organisation = membership.organisation
        request.membership = membership
        with scope(organisation=membership.organisation):
            return self.get_response(request)

    def _reviewer(self, request):
        user = request_user(request)
        if not user.is_authenticated:
            return _not_authenticated(request)
        if not getattr(user, "is_reviewer", False):
            return _not_found(request)
        try:
            slug = resolve(request.path_info).kwargs.get("org")
        except Resolver404:
            slug = None
        organisation = None
        if slug is not None:
            organisation = tenant_model().objects.filter(slug=slug).first()
            if organisation is None:
                return _not_found(request)
            request.organisation = organisation
        with reviewer_scope(organisation):
            return self.get_response(request)
