"""A small fixed-window rate limit for browser actions (the API uses DRF's throttles)."""

import time
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def rate_limited(*, key: str, limit: int, window: int = 60):
    """At most ``limit`` POSTs per ``window`` seconds per user; beyond that a clear message and no action."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST" and request.user.is_authenticated:
                bucket = f"ratelimit:{key}:{request.user.pk}:{int(time.time() // window)}"
                cache.add(bucket, 0, window)
                try:
                    count = cache.incr(bucket)
                except ValueError:  # the window's key expired (or the cache was cleared) in between
                    cache.set(bucket, 1, window)
                    count = 1
                if count > limit:
                    messages.error(request, _("Too many actions in a short time. Please wait a minute."))
                    back = request.headers.get("Referer", "")
                    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                        back = "/"
                    return redirect(back)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
