"""The API's permission classes. The role table is ``accounts.permissions``; these only apply it."""

from django.http import Http404
from rest_framework.permissions import BasePermission
from rest_framework.throttling import UserRateThrottle

from accounts.decorators import action_for
from accounts.permissions import can


class OrgPermission(BasePermission):
    """The caller is a member of ``{org}`` (the tenant middleware checked that and opened the scope) and the role
    may do the view's action: ``required_actions = {"GET": "members.view", "POST": "members.invite"}``."""

    def has_permission(self, request, view):
        membership = getattr(request._request, "membership", None)
        if membership is None:
            raise Http404
        action = action_for(getattr(view, "required_actions", {}), request.method)
        return can(membership, action) if action else False


class IsReviewer(BasePermission):
    """Platform reviewers; anyone else gets 404, as if the route did not exist."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if not request.user.is_reviewer:
            raise Http404
        return True


class ReviewerActionThrottle(UserRateThrottle):
    scope = "reviewer_action"


class OrgApiMixin:
    """For views under ``/api/v1/orgs/{org}/``: the organisation and the caller's membership."""

    permission_classes = [OrgPermission]

    @property
    def organisation(self):
        return self.request._request.organisation

    @property
    def membership(self):
        return self.request._request.membership
