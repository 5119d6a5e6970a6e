"""The two-factor wall: reviewers and organisation admins set up TOTP before anything else."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.tenancy import is_api, request_user

from .selectors import has_totp, requires_two_factor

AFTER_TWO_FACTOR = "after_two_factor"
TWO_FACTOR_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/language/", "/favicon.ico", "/healthz")


class TwoFactorRequiredMiddleware:
    """Reviewers and organisation admins set up two-factor authentication before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A bearer token acts as its user, so it meets the same wall; checked on every request, so a token made
        # before its user became an admin (or a reviewer) stops working until that user sets up TOTP.
        user = request_user(request)
        if (
            user.is_authenticated
            and not request.path_info.startswith(TWO_FACTOR_EXEMPT_PREFIXES)
            and requires_two_factor(user)
            and not has_totp(user)
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
