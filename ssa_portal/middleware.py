"""Project-wide HTTP middleware."""

from django.conf import settings

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
