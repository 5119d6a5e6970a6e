from django import template

register = template.Library()


@register.filter
def audit_diff(entry) -> list[dict]:
    """An audit entry's change as rows: field, before, after (only what differs, when both are known)."""
    before, after = entry.before or {}, entry.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [{"field": "", "before": before, "after": after}]
    keys = list(dict.fromkeys([*before, *after]))
    return [
        {"field": key, "before": before.get(key), "after": after.get(key)}
        for key in keys
        if before.get(key) != after.get(key) or key not in before or key not in after
    ]


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
