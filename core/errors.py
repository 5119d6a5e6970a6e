"""Domain errors raised by services and mapped to the API's error shape by one exception handler."""


class DomainError(Exception):
    """A business rule refused the action. ``code`` is the API contract's error code."""

    status_code = 409
    code = "conflict"

    def __init__(self, detail: str = "", *, code: str | None = None, status_code: int | None = None, extra=None):
        super().__init__(detail)
        self.detail = detail or str(self.__class__.__doc__ or "").strip()
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code
        self.extra = extra or {}


class InvalidTransition(DomainError):
    code = "invalid_transition"


class PermissionDeniedError(DomainError):
    status_code = 403
    code = "permission_denied"
