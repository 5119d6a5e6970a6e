"""Project-wide HTTP middleware: the content security policy, the reader's language, the audit context."""

import ipaddress
import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .audit import reset_request_ip, set_request_ip
from .tenancy import is_api

# Every asset is the portal's own: no CDN, no inline script. Images may be data: URIs (the TOTP QR code).
# Swagger UI (served from drf-spectacular-sidecar) sets inline styles, so style-src allows them; scripts stay strict.
DEFAULT_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-src": "'self'",
    "object-src": "'self'",
    "frame-ancestors": "'self'",
    "form-action": "'self'",
    "base-uri": "'self'",
}


class ContentSecurityPolicyMiddleware:
    """Adds the Content Security Policy header to every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        policy = {**DEFAULT_POLICY, **getattr(settings, "CONTENT_SECURITY_POLICY", {})}
        self.header = "; ".join(f"{k} {v}" for k, v in policy.items())

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        return response


LANGUAGES = {code for code, _name in settings.LANGUAGES}

# A path segment never holds a control character; a query string may carry tab, CR and LF (a pasted note), but
# never a NUL byte (PostgreSQL cannot store it) or another C0 control character.
PATH_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
QUERY_CONTROL_CHARACTERS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ControlCharacterMiddleware:
    """Refuses a NUL byte or another control character in the path or the query string with 400 before any view,
    lookup or redirect sees it: ``{"detail", "code": "invalid_request"}`` under ``/api/``, the 400 page otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = unquote_to_bytes(request.META.get("QUERY_STRING", ""))
        if PATH_CONTROL_CHARACTERS.search(request.path_info) or QUERY_CONTROL_CHARACTERS.search(query):
            return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request):
        # Runs before the session and the user are known: the reader's language comes from the cookie.
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        with translation.override(language if language in LANGUAGES else settings.LANGUAGE_CODE):
            message = translation.gettext("The address contains characters that are not allowed.")
            if is_api(request):
                return JsonResponse({"detail": message, "code": "invalid_request"}, status=400)
            return render(request, "400.html", {"message": message}, status=400)


class UserLanguageMiddleware:
    """German unless the person chose otherwise: the signed-in user's language, else the language cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = getattr(user, "language", None)
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


def _ip_or_none(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address. Behind ``TRUSTED_PROXY_COUNT`` proxies (with ``USE_X_FORWARDED_FOR``) it is the
    address the outermost of them saw, counted from the right of ``X-Forwarded-For``: everything left of that the
    client wrote itself. A header shorter than the chain or not an address means it did not come through the
    proxies, so the connection's own address counts."""
    remote = _ip_or_none(request.META.get("REMOTE_ADDR"))
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 1)
    if not getattr(settings, "USE_X_FORWARDED_FOR", False) or proxies < 1:
        return remote
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    return _ip_or_none(hops[-proxies]) or remote


class AuditContextMiddleware:
    """Makes the client's IP known to ``audit_record`` for the duration of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_ip(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            reset_request_ip(token)
