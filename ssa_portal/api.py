"""API plumbing shared by every app: pagination and the contract's error shape."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ssa_portal.errors import DomainError


class Pagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}`` with ``?page=N`` and ``?page_size=`` up to 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


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
    if isinstance(exc, Http404):
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
