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
