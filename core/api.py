"""The API boundary: one exception handler for the contract's error shape, pagination, and the permission
classes that apply ``core.permissions`` to ``/api/v1/orgs/{org}/`` and ``/api/v1/review/``.

Views contain no ``try/except`` to translate errors: a service's Django ``ValidationError`` becomes the contract's
400 (``{"field": ["message"]}``), a ``DomainError`` its status with ``{"detail", "code", …}``.

Input serializers take free text through ``TextField``, which refuses what a person cannot have meant to type.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError
from .permissions import action_for, can
from .text import CONTROL_CHARACTERS


class Pagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}`` with ``?page=N`` and ``?page_size=`` up to 500.

    A ``page_size`` that is not a whole number of at least 1 (``-1``, ``abc``, ``null``) is a field error, never
    silently the default; one above 500 is clamped to 500. The schema says both."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    page_size_query_description = _("Results per page, 1 to 500 (default 50); a larger number gives 500.")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return self.page_size
        digits = raw.lstrip("0")
        if not (raw.isascii() and raw.isdigit() and digits):
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("Enter a whole number from 1 to 500.")]}, code="invalid"
            )
        return self.max_page_size if len(digits) > 4 else min(int(digits), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


def _code_for(exc) -> str:
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    if isinstance(codes, str):
        return codes
    return getattr(exc, "default_code", "error")


def exception_handler(exc, context):
    """Field errors stay ``{"field": ["message"]}``; everything else is ``{"detail", "code"}``."""
    if isinstance(exc, DomainError):
        body = {"detail": exc.detail, "code": exc.code, **exc.extra}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        if not isinstance(response.data, dict):
            response.data = {"non_field_errors": response.data}
        return response
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
    code = _code_for(exc)
    if isinstance(exc, exceptions.Throttled):
        code = "throttled"
    elif response.status_code == status.HTTP_413_REQUEST_ENTITY_TOO_LARGE:
        code = "file_too_large"
    response.data = {"detail": str(detail), "code": code}
    return response


def reject_control_characters(value: str) -> None:
    """A NUL byte (PostgreSQL cannot store it) or another control character (terminal escapes, a bell) is a
    field error, never stored."""
    if "\x00" in value:
        raise serializers.ValidationError(_("Null characters are not allowed."), code="null_characters_not_allowed")
    if CONTROL_CHARACTERS.search(value):
        raise serializers.ValidationError(_("Control characters are not allowed."), code="control_characters")


class TextField(serializers.CharField):
    """Free text in an input serializer: a ``CharField`` that also refuses control characters (one message for a
    NUL byte, not DRF's and ours)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        reject_control_characters(value)
        return value


def _parse_body(request) -> None:
    """Parse a JSON body even where the view does not read it (a DELETE, a step without fields), so a broken or
    non-object body is a 400 there too, after the permission checks (an outsider still sees 404). Uploads are left
    to the view, which checks their declared length before reading them."""
    if request.content_type.startswith("application/json"):
        request.data  # noqa: B018 -- the property parses and caches the body


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
    """Platform reviewers; anyone else gets 404, as if the route did not exist (the middleware said so first)."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if not request.user.is_reviewer:
            raise Http404
        return True


class ReviewerActionThrottle(UserRateThrottle):
    scope = "reviewer_action"


class UploadThrottle(UserRateThrottle):
    scope = "upload"


class OrgApiMixin:
    """For views under ``/api/v1/orgs/{org}/``: the organisation and the caller's membership."""

    permission_classes = [OrgPermission]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _parse_body(request)

    @property
    def organisation(self):
        return self.request._request.organisation

    @property
    def membership(self):
        return self.request._request.membership


class ReviewerApiMixin:
    """For views under ``/api/v1/review/``: reviewers only, the organisation of ``{org}`` when the path names one
    (the middleware resolved it and opened its scope)."""

    permission_classes = [IsReviewer]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _parse_body(request)

    @property
    def organisation(self):
        organisation = getattr(self.request._request, "organisation", None)
        if organisation is None:
            raise Http404
        return organisation
