"""Refuse an oversized upload before reading its body: the declared length is checked first."""

from functools import wraps

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .files import FileTooLarge

MULTIPART_OVERHEAD = 64 * 1024


def declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def check_declared_length(request, max_bytes: int) -> None:
    if declared_length(request) > max_bytes + MULTIPART_OVERHEAD:
        raise FileTooLarge(
            _("The upload is %(size)s MB; at most %(max)s MB are accepted.")
            % {"size": round(declared_length(request) / 1024 / 1024, 1), "max": max_bytes // 1024 // 1024}
        )


def upload_limit(max_bytes: int):
    """For browser views: a too-large upload gets a clear page (413) and nothing is read."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                try:
                    check_declared_length(request, max_bytes)
                except FileTooLarge as exc:
                    if request.htmx or request.headers.get("Accept", "").startswith("application/json"):
                        return JsonResponse({"detail": exc.detail, "code": exc.code}, status=413)
                    return render(request, "413.html", {"message": exc.detail}, status=413)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
