"""The portal's error pages: JSON in the contract's shape under ``/api/`` (the API never answers HTML), the portal's
own templates everywhere else. Wired as ``handler400``/``handler403``/``handler404``/``handler500`` in the root URLconf.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from .tenancy import is_api


def bad_request(request, exception):
    if is_api(request):
        return JsonResponse({"detail": _("The request cannot be processed."), "code": "invalid_request"}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api(request):
        detail = _("You do not have permission to perform this action.")
        return JsonResponse({"detail": detail, "code": "permission_denied"}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if is_api(request):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api(request):
        detail = _("Something went wrong. The error has been recorded; please try again in a moment.")
        return JsonResponse({"detail": detail, "code": "server_error"}, status=500)
    return defaults.server_error(request)
