"""View guards. Membership and scope come from the tenant middleware; these add the role and reviewer checks."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .permissions import can


def org_permission_required(action: str):
    """The member's role must allow ``action`` (403 otherwise). Non-members never get here (404)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            membership = getattr(request, "membership", None)
            if membership is None:
                raise Http404
            if not can(membership, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_action = action
        return wrapped

    return decorator


def reviewer_required(view):
    """Platform reviewers only; anyone else signed in gets 404, as if the page did not exist."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_reviewer:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
