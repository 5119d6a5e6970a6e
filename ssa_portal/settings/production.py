"""Production settings: the same as the default, but strict. Everything still comes from the environment."""

from django.core.exceptions import ImproperlyConfigured

from ssa_portal.settings import *  # noqa: F403
from ssa_portal.settings import env

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
# Django's own bar (check --deploy, security.W009): 50 characters, at least 5 different ones, and no whitespace
# or known default, so 40 × "a" or a row of spaces is refused.
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or any(c.isspace() for c in SECRET_KEY)
    or SECRET_KEY.startswith(("embedded-default", "django-insecure"))
):
    raise ImproperlyConfigured(
        "Production needs SECRET_KEY: a random value of at least 50 characters, 5 of them different, no spaces "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production needs ALLOWED_HOSTS: the portal's host names, comma-separated.")

STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = False  # collectstatic ran in the image
# The browsable API is a page for developers; production answers JSON only.
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = ["rest_framework.renderers.JSONRenderer"]  # noqa: F405

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
