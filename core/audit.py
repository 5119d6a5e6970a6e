"""The audit trail: typed actions, one function that writes every entry, and the sentences an entry reads as.

Every app declares its actions in its ``audit_actions`` module::

    ACCOUNT_APPROVED = AuditAction(
        "account.approved",
        _("%(actor)s approved the application; credit line %(credit_limit)s"),
        formats={"credit_limit": MONEY},
    )

and passes the action, never a string, to ``audit_record``. The entry stores the key; the trail shows the sentence
in the reader's language with the values in the reader's format.
"""

import contextvars
import datetime
import decimal
import uuid
from dataclasses import dataclass, field

from django.db import models
from django.utils import formats as django_formats
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AuditEntry

_request_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_request_ip", default=None)

# How a value of the entry is shown in a sentence.
TEXT, MONEY, DATE, DATETIME, BOOL, LIST, CHOICE = "text", "money", "date", "datetime", "bool", "list", "choice"

ACTIONS: dict[str, "AuditAction"] = {}


@dataclass(frozen=True)
class AuditAction:
    """One kind of decision or change. ``sentence`` may name ``%(actor)s``, ``%(object)s`` and any key of the
    entry's ``after`` (else ``before``) values; ``formats`` says how those values read; ``labels`` names the fields
    that the change table lists."""

    key: str
    sentence: str
    formats: dict = field(default_factory=dict, hash=False, compare=False)
    labels: dict = field(default_factory=dict, hash=False, compare=False)
    choices: dict = field(default_factory=dict, hash=False, compare=False)
    timeline: bool = False  # shown on the organisation's account timeline

    def __post_init__(self):
        if self.key in ACTIONS and ACTIONS[self.key] is not self:
            raise ValueError(f"Audit action {self.key!r} is declared twice.")
        ACTIONS[self.key] = self

    def __str__(self):
        return self.key


def action_for(key: str) -> AuditAction | None:
    return ACTIONS.get(key)


def timeline_actions() -> list[str]:
    """The keys of the actions the account timeline shows: decisions, holds, verdicts, vouchers."""
    return sorted(key for key, action in ACTIONS.items() if action.timeline)


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


def _check_action(action) -> AuditAction:
    if not isinstance(action, AuditAction):
        raise TypeError(f"audit actions are AuditAction objects, not {type(action).__name__}: {action!r}")
    return action


def audit_record(
    *,
    actor,
    action: AuditAction,
    organisation=None,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Append one entry. ``actor`` may be None for jobs; the IP defaults to the current request's."""
    action = _check_action(action)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=actor_obj,
        actor_label=actor_obj.email if actor_obj else "system",
        action=action.key,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        ip_address=ip_address or _request_ip.get(),
    )


def audit_changes(*, actor, action: AuditAction, obj: models.Model, before: dict, after: dict, organisation=None):
    """Append an entry only when something changed: an edit that saves the same values is no decision."""
    if before == after:
        return None
    return audit_record(actor=actor, action=action, organisation=organisation, obj=obj, before=before, after=after)


def audit_record_bulk(entries: list[dict]) -> None:
    """Many entries in one insert (periodic jobs); each dict takes ``audit_record``'s keyword arguments."""
    rows = []
    for e in entries:
        action = _check_action(e["action"])
        actor = e.get("actor") if getattr(e.get("actor"), "is_authenticated", False) else None
        obj = e.get("obj")
        rows.append(
            AuditEntry(
                organisation_id=e.get("organisation_id") or (e["organisation"].pk if e.get("organisation") else None),
                actor=actor,
                actor_label=actor.email if actor else "system",
                action=action.key,
                object_type=obj._meta.label_lower if obj is not None else e.get("object_type", ""),
                object_id=str(obj.pk) if obj is not None else str(e.get("object_id", "")),
                object_repr=str(obj)[:200] if obj is not None else e.get("object_repr", ""),
                before=_jsonable(e.get("before")),
                after=_jsonable(e.get("after")),
                ip_address=_request_ip.get(),
            )
        )
    AuditEntry.objects.bulk_create(rows)


# --- reading an entry -----------------------------------------------------------------------------------------


def format_value(value, kind: str = TEXT, choices: dict | None = None) -> str:
    """A stored value in the active language's format: 50.000,00 € in German, €50,000.00 in English."""
    if value is None or value == "":
        return "–"
    if kind == MONEY:
        try:
            amount = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            return str(value)
        number = django_formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
        return _("%(amount)s €") % {"amount": number}
    if kind == DATE:
        day = parse_date(str(value)[:10]) if isinstance(value, str) else value
        return django_formats.date_format(day, "SHORT_DATE_FORMAT") if day else str(value)
    if kind == DATETIME:
        moment = parse_datetime(value) if isinstance(value, str) else value
        return django_formats.date_format(moment, "SHORT_DATETIME_FORMAT") if moment else str(value)
    if kind == BOOL or isinstance(value, bool):
        return _("yes") if value else _("no")
    if kind == CHOICE and choices:
        return str(choices.get(value, value))
    if isinstance(value, list):
        return ", ".join(format_value(v, TEXT if kind == LIST else kind, choices) for v in value) or "–"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {format_value(v)}" for k, v in value.items())
    if isinstance(value, float | decimal.Decimal | int):
        return django_formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


class _Values(dict):
    """Missing keys read as a dash, so a sentence never fails on an older entry."""

    def __missing__(self, key):
        return "–"


def _actor_name(entry: AuditEntry) -> str:
    if entry.actor_id and entry.actor is not None:
        return entry.actor.display_name
    return entry.actor_label if entry.actor_label != "system" else str(gettext_lazy("The portal"))


def audit_sentence(entry: AuditEntry) -> str:
    """The entry as one sentence in the active language: "Rita Reviewer approved the application; credit line
    €50,000.00"."""
    action = ACTIONS.get(entry.action)
    values = _Values({"actor": _actor_name(entry), "object": entry.object_repr or "–"})
    sources = [
        entry.before if isinstance(entry.before, dict) else {},
        entry.after if isinstance(entry.after, dict) else {},
    ]
    for source in sources:  # after wins over before
        for key, value in source.items():
            kind = action.formats.get(key, TEXT) if action else TEXT
            values[key] = format_value(value, kind, action.choices.get(key) if action else None)
    if action is None:
        return _("%(actor)s: %(action)s") % {"actor": values["actor"], "action": entry.action}
    return str(action.sentence) % values


def audit_change_rows(entry: AuditEntry) -> list[dict]:
    """The fields an edit changed, as rows of label, before and after, each in the reader's format."""
    action = ACTIONS.get(entry.action)
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    if not before or not after:
        return []
    rows = []
    for key in dict.fromkeys([*before, *after]):
        if before.get(key) == after.get(key):
            continue
        kind = action.formats.get(key, TEXT) if action else TEXT
        choices = action.choices.get(key) if action else None
        label = action.labels.get(key, key.replace("_", " ")) if action else key.replace("_", " ")
        rows.append(
            {
                "field": str(label),
                "before": format_value(before.get(key), kind, choices),
                "after": format_value(after.get(key), kind, choices),
            }
        )
    return rows
