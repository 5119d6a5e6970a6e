"""The audit trail: one function writes every entry. Services call it inside their transaction."""

import contextvars
import datetime
import decimal
import uuid

from django.db import models

from .models import AuditEntry

_request_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_request_ip", default=None)


def set_request_ip(ip: str | None):
    """Called by the middleware; returns a token to reset it at the end of the request."""
    return _request_ip.set(ip)


def reset_request_ip(token) -> None:
    _request_ip.reset(token)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    """The named fields of ``obj`` as JSON-ready values, for ``before`` and ``after``."""
    return {name: _jsonable(getattr(obj, name)) for name in fields}


def audit_record(
    *,
    actor,
    action: str,
    organisation=None,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Append one entry. ``actor`` may be None for jobs; the IP defaults to the current request's."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=actor_obj,
        actor_label=actor_obj.email if actor_obj else "system",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        ip_address=ip_address or _request_ip.get(),
    )


def audit_changes(*, actor, action: str, obj: models.Model, before: dict, after: dict, organisation=None):
    """Append an entry only when something changed: an edit that saves the same values is no decision."""
    if before == after:
        return None
    return audit_record(actor=actor, action=action, organisation=organisation, obj=obj, before=before, after=after)


def audit_record_bulk(entries: list[dict]) -> None:
    """Many entries in one insert (periodic jobs); each dict takes ``audit_record``'s keyword arguments."""
    rows = []
    for e in entries:
        actor = e.get("actor") if getattr(e.get("actor"), "is_authenticated", False) else None
        obj = e.get("obj")
        rows.append(
            AuditEntry(
                organisation_id=e.get("organisation_id") or (e["organisation"].pk if e.get("organisation") else None),
                actor=actor,
                actor_label=actor.email if actor else "system",
                action=e["action"],
                object_type=obj._meta.label_lower if obj is not None else e.get("object_type", ""),
                object_id=str(obj.pk) if obj is not None else str(e.get("object_id", "")),
                object_repr=str(obj)[:200] if obj is not None else e.get("object_repr", ""),
                before=_jsonable(e.get("before")),
                after=_jsonable(e.get("after")),
                ip_address=_request_ip.get(),
            )
        )
    AuditEntry.objects.bulk_create(rows)
