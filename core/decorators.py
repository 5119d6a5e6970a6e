"""View guards. Membership and scope come from the tenant middleware; these add the role and reviewer checks."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .permissions import action_for, can


def org_permission_required(action: str, **per_method: str):
    """The member's role must allow ``action`` (or, for a method named in ``per_method``, that method's action);
    403 otherwise. Non-members never get here: the tenant middleware answers 404.

    ``@org_permission_required("members.view", POST="members.invite")``. Put it outermost, so that a role
    check answers before a method check does.
    """
    required_actions = {"*": action, **per_method}

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            membership = getattr(request, "membership", None)
            if membership is None:
                raise Http404
            if not can(membership, action_for(required_actions, request.method)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_actions = required_actions
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
