"""Form helpers shared by every app's HTML views."""

from django.core.exceptions import ValidationError


def form_errors_from(exc: ValidationError, form) -> None:
    """A service's ValidationError shown on the form: on the field it names, else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
