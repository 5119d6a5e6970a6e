"""Project-wide HTTP middleware: the content security policy, the reader's language, the audit context."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .audit import reset_request_ip, set_request_ip

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
