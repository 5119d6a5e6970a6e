"""Form helpers shared by every app's HTML views."""

from django import forms
from django.core.exceptions import ValidationError

from .text import multi_line, single_line


def form_errors_from(exc: ValidationError, form) -> None:
    """A service's ValidationError shown on the form: on the field it names, else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class CleanTextMixin:
    """Every text field of the form keeps only what a person can have meant to type: a one-line field loses line
    breaks and control characters (a carriage return in a name would break each email that names it), a text area
    keeps its lines. Passwords are left as typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                clean = multi_line if isinstance(field.widget, forms.Textarea) else single_line
                field.to_python = _cleaning(field.to_python, clean)


def _cleaning(to_python, clean):
    def wrapped(value):
        value = to_python(value)
        return clean(value) if isinstance(value, str) else value

    return wrapped


class PortalForm(CleanTextMixin, forms.Form):
    """The portal's plain form: ``forms.Form`` with ``CleanTextMixin``."""


class PortalModelForm(CleanTextMixin, forms.ModelForm):
    """The portal's model form: ``forms.ModelForm`` with ``CleanTextMixin``."""
