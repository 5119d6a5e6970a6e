from django import template

from core import audit

register = template.Library()


@register.filter
def audit_sentence(entry) -> str:
    """The audit entry as one sentence in the active language, its values in the reader's format."""
    return audit.audit_sentence(entry)


@register.filter
def audit_changes(entry) -> list[dict]:
    """The fields an edit changed: rows of label, before and after, formatted; none for a decision."""
    return audit.audit_change_rows(entry)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with ``changes`` applied: ``?{% query_with page=3 %}`` keeps the filters."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def isodate(value, fmt: str = "DATE_FORMAT"):
    """An ISO date kept in a notification's context, formatted for the reader's language."""
    import datetime

    from django.utils.formats import date_format

    try:
        return date_format(datetime.date.fromisoformat(str(value)), fmt)
    except ValueError:
        return value


@register.filter
def euro(value):
    """An amount kept as a decimal string, formatted for the reader's language: ``1.234,50 €`` / ``1,234.50 €``."""
    from core.money import NotAnAmount, money_text

    try:
        return money_text(value)
    except NotAnAmount:
        return value
