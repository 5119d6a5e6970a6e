"""The OpenAPI schema's error answers: the contract's shapes (API.md "Errors"), added to every operation where the
exception handler in ``core.api`` can give them, so that the schema says what a client really gets.

Registered in ``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``.
"""

from drf_spectacular.types import OpenApiTypes

# A proof of purchase's document as stored: PDF, JPEG or PNG by content (core.files sniffs it on upload).
DOCUMENT_RESPONSES = {
    (200, content_type): OpenApiTypes.BINARY for content_type in ("application/pdf", "image/png", "image/jpeg")
}

ERROR = "Error"
FIELD_ERRORS = "FieldErrors"

COMPONENTS = {
    ERROR: {
        "type": "object",
        "description": "Every error but a field error: a sentence for a person and a stable code for a program. "
        "Some codes add fields (409 `not_eligible` the eligibility result).",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "required": ["detail", "code"],
    },
    FIELD_ERRORS: {
        "type": "object",
        "description": 'Field errors: `{"field": ["message"]}` (nested for nested fields, `non_field_errors` for the '
        'body as a whole); a body that cannot be parsed at all gives `{"detail", "code"}`.',
        "additionalProperties": {},
    },
}

WRITES = {"post", "put", "patch", "delete"}


def _response(description: str, component: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def _errors_for(method: str, operation: dict) -> dict[str, dict]:
    body = operation.get("requestBody", {}).get("content", {})
    errors = {
        "401": _response("Not authenticated: no or an invalid token or session.", ERROR),
        "403": _response(
            "Authenticated, but the role may not do this, or two-factor authentication is required (`mfa_required`).",
            ERROR,
        ),
        "404": _response(
            "Not found, or not visible to the caller: not a member of `{org}`, not a reviewer, another "
            "organisation's object.",
            ERROR,
        ),
        "429": _response("Too many requests (`throttled`); retry after the `Retry-After` header's seconds.", ERROR),
    }
    # Any request can be refused as a whole (control characters in its path or query: ``invalid_request``).
    errors["400"] = _response(
        "Invalid input: field errors, a body that cannot be parsed, or a path or query the portal refuses.",
        FIELD_ERRORS,
    )
    if method in WRITES:
        errors["409"] = _response(
            "Not possible in the current state (`invalid_transition`, `not_eligible`, `credit_exceeded`, …).", ERROR
        )
    if body:
        errors["415"] = _response(
            "A body in a media type the operation does not take, or an upload that is not PDF, JPEG or PNG "
            "(`unsupported_file_type`).",
            ERROR,
        )
    if "multipart/form-data" in body:
        errors["413"] = _response("The upload is too large (`file_too_large`).", ERROR)
    return errors


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error components and each operation's possible error answers
    (answers a view documents itself are kept)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, component in COMPONENTS.items():
        schemas.setdefault(name, component)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, response in _errors_for(method, operation).items():
                operation["responses"].setdefault(code, response)
    return result
