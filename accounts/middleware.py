"""Request middleware: language, audit context, the two-factor wall and the tenant scope."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_scopes import scope

from .audit import reset_request_ip, set_request_ip
from .permissions import requires_two_factor
from .selectors import membership_get

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def bearer_user(request):
    """The user behind an ``Authorization: Bearer`` token on an API request, looked up once per request."""
    if not hasattr(request, "_bearer_user"):
        from .services import api_token_authenticate

        header = request.headers.get("Authorization", "")
        user = None
        if is_api(request) and header[:7].lower() == "bearer ":
            user = api_token_authenticate(raw=header[7:].strip())
        request._bearer_user = user
    return request._bearer_user


def request_user(request):
    user = bearer_user(request)
    return user if user is not None else request.user


class UserLanguageMiddleware:
    """German unless the person chose otherwise: the signed-in user's language, else the language cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = user.language
        if language not in LANGUAGES:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in LANGUAGES:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class AuditContextMiddleware:
    """Makes the client's IP known to ``audit_record`` for the duration of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = request.META.get("REMOTE_ADDR")
        if getattr(settings, "USE_X_FORWARDED_FOR", False):
            forwarded = request.headers.get("X-Forwarded-For", "")
            ip = forwarded.split(",")[0].strip() or ip
        token = set_request_ip(ip)
        try:
            return self.get_response(request)
        finally:
            reset_request_ip(token)


AFTER_TWO_FACTOR = "after_two_factor"
TWO_FACTOR_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/language/", "/favicon.ico", "/healthz")


class TwoFactorRequiredMiddleware:
    """Reviewers and organisation admins set up two-factor authentication before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path_info.startswith(TWO_FACTOR_EXEMPT_PREFIXES)
            and bearer_user(request) is None
            and requires_two_factor(user)
            and not _has_totp(user)
        ):
            if is_api(request):
                return JsonResponse(
                    {"detail": _("Set up two-factor authentication first."), "code": "mfa_required"}, status=403
                )
            # allauth ends the setup on its recovery-codes page; the layout offers the way back from there.
            request.session[AFTER_TWO_FACTOR] = request.get_full_path()
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        if user.is_authenticated and not request.path_info.startswith(TWO_FACTOR_EXEMPT_PREFIXES):
            request.session.pop(AFTER_TWO_FACTOR, None)
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


REVIEWER_PREFIXES = ("/review/", "/api/v1/review/")


class TenantMiddleware:
    """Resolves ``/o/<org>/…`` and ``/api/v1/orgs/<org>/…``, checks the membership and opens the tenant scope.

    A non-member gets 404 (the organisation's existence is not revealed); an anonymous caller is sent to log in
    (401 on the API). Role checks happen in the view through ``accounts.permissions``. Every other request runs
    without a scope, so a tenant-owned query there raises.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        slug = match.kwargs.get("org")
        if slug is None or request.path_info.startswith(REVIEWER_PREFIXES):
            # Reviewer routes name an organisation too; they check the reviewer flag and open scopes themselves.
            return self.get_response(request)

        user = request_user(request)
        if not user.is_authenticated:
            if is_api(request):
                return JsonResponse(
                    {"detail": _("Authentication credentials were not provided."), "code": "not_authenticated"},
                    status=401,
                )
            return redirect_to_login(request.get_full_path())
        membership = membership_get(user=user, organisation_slug=slug)
        if membership is None:
            if is_api(request):
                return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
            raise Http404
        request.organisation = membership.organisation
        request.membership = membership
        with scope(organisation=membership.organisation):
            return self.get_response(request)
