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
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from .models import AuditEntry

_request_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_request_ip", default=None)

# How a value of the entry is shown in a sentence.
TEXT, MONEY, DATE, DATETIME, BOOL, LIST, CHOICE = "text", "money", "date", "datetime", "bool", "list", "choice"

ACTIONS: dict[str, "AuditAction"] = {}


@dataclass(frozen=True)
class AuditAction:
    """One kind of decision or change. ``sentence`` may name ``%(actor)s``, ``%(object)s`` and any key of the
    entry's ``after`` (else ``before``) values; ``formats`` says how those values read (a kind above, or a function
    of the value); ``details`` are clauses appended to the sentence, each only when the entry has its key (a hold
    with or without a product line); ``labels`` names the fields that the change rows of an edit list."""

    key: str
    sentence: str
    formats: dict = field(default_factory=dict, hash=False, compare=False)
    labels: dict = field(default_factory=dict, hash=False, compare=False)
    choices: dict = field(default_factory=dict, hash=False, compare=False)
    details: dict = field(default_factory=dict, hash=False, compare=False)
    timeline: bool = False  # shown on the organisation's account timeline

    def __post_init__(self):
        if self.key in ACTIONS and ACTIONS[self.key] is not self:
            raise ValueError(f"Audit action {self.key!r} is declared twice.")
        ACTIONS[self.key] = self

    def __str__(self):
        return self.key


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


def _entry(
    *,
    actor,
    action: AuditAction,
    obj: models.Model | None,
    before: dict | None,
    after: dict | None,
    ip_address: str | None,
    organisation=None,
    organisation_id=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> dict:
    """An entry's field values: a signed-out or missing actor is the system; ``obj``, when given, names the
    object (else ``object_type``, ``object_id`` and ``object_repr`` do)."""
    action = _check_action(action)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    # The organisation itself when given (the returned entry keeps it), else its id (a job knows only that).
    tenant = {"organisation": organisation} if organisation is not None else {"organisation_id": organisation_id}
    return {
        **tenant,
        "actor": actor,
        "actor_label": actor.email if actor else "system",
        "action": action.key,
        "object_type": obj._meta.label_lower if obj is not None else object_type,
        "object_id": str(obj.pk) if obj is not None else object_id,
        "object_repr": str(obj)[:200] if obj is not None else object_repr,
        "before": _jsonable(before),
        "after": _jsonable(after),
        "ip_address": ip_address,
    }


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
    return AuditEntry.objects.create(
        **_entry(
            actor=actor,
            action=action,
            organisation=organisation,
            obj=obj,
            before=before,
            after=after,
            ip_address=ip_address or _request_ip.get(),
        )
    )


def audit_changes(*, actor, action: AuditAction, obj: models.Model, before: dict, after: dict, organisation=None):
    """Append an entry only when something changed: an edit that saves the same values is no decision."""
    if before == after:
        return None
    return audit_record(actor=actor, action=action, organisation=organisation, obj=obj, before=before, after=after)


def audit_record_bulk(entries: list[dict]) -> None:
    """Many entries in one insert (periodic jobs); each dict takes ``audit_record``'s keyword arguments."""
    rows = [
        AuditEntry(
            **_entry(
                actor=e.get("actor"),
                action=e["action"],
                organisation_id=e.get("organisation_id") or (e["organisation"].pk if e.get("organisation") else None),
                obj=e.get("obj"),
                object_type=e.get("object_type", ""),
                object_id=str(e.get("object_id", "")),
                object_repr=e.get("object_repr", ""),
                before=e.get("before"),
                after=e.get("after"),
                ip_address=_request_ip.get(),  # the current request's: an entry's own ip_address is not read
            )
        )
        for e in entries
    ]
    AuditEntry.objects.bulk_create(rows)


# --- reading an entry -----------------------------------------------------------------------------------------


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def format_value(value, kind=TEXT, choices: dict | None = None) -> str:
    """A stored value in the active language's format: 50.000,00 € in German, €50,000.00 in English; dates as
    the locale writes them, yes/no, a choice by its label, a list item by item. ``kind`` may also be a function."""
    if _empty(value):
        return "–"
    if callable(kind):
        return str(kind(value))
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v, TEXT if kind == LIST else kind, choices) for v in value)
    if kind == MONEY:
        try:
            amount = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            return str(value)
        number = django_formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
        return _("%(amount)s €") % {"amount": number}
    if kind == DATE:
        try:
            day = parse_date(str(value)[:10]) if isinstance(value, str) else value
        except ValueError:  # well-formed but no such day: show what was stored
            day = None
        return django_formats.date_format(day, "SHORT_DATE_FORMAT") if day else str(value)
    if kind == DATETIME:
        try:
            moment = parse_datetime(value) if isinstance(value, str) else value
        except ValueError:
            moment = None
        if moment is None:
            return str(value)
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return django_formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if kind == BOOL or isinstance(value, bool):
        return _("yes") if value else _("no")
    if kind == CHOICE and choices:
        return str(choices.get(value, value))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {format_value(v)}" for k, v in value.items())
    if isinstance(value, float | decimal.Decimal | int):
        return django_formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


class _Values(dict):
    """Missing keys read as a dash, so a sentence never fails on an older entry."""

    def __missing__(self, key):
        return "–"


def audit_actor(entry: AuditEntry) -> str:
    """Who did it, by name: the person's display name, the stored email once the person is gone, or the portal
    itself for jobs."""
    if entry.actor_id and entry.actor is not None:
        return entry.actor.display_name
    return entry.actor_label if entry.actor_label not in ("", "system") else _("The portal")


def _raw_values(entry: AuditEntry) -> dict:
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    return {**before, **after}  # after wins over before


def audit_sentence(entry: AuditEntry) -> str:
    """The entry as one sentence in the active language: "Rita Reviewer approved the application; credit line
    €50,000.00, account number SSA-100001"."""
    action = ACTIONS.get(entry.action)
    if action is None:
        return _("%(actor)s: %(action)s") % {"actor": audit_actor(entry), "action": entry.action}
    raw = _raw_values(entry)
    values = _Values(
        {key: format_value(value, action.formats.get(key, TEXT), action.choices.get(key)) for key, value in raw.items()}
    )
    values.update(actor=audit_actor(entry), object=entry.object_repr or "–")  # never a stored value's
    parts = [str(action.sentence) % values]
    parts += [str(clause) % values for key, clause in action.details.items() if not _empty(raw.get(key))]
    return "; ".join(parts)


def audit_change_rows(entry: AuditEntry) -> list[dict]:
    """What an edit changed, as rows of label, before and after, each in the reader's format. Only the fields the
    action labels are listed (a decision reads as its sentence); an entry without both sides lists nothing."""
    if not isinstance(entry.before, dict) or not isinstance(entry.after, dict):
        return []
    action = ACTIONS.get(entry.action)
    before, after = entry.before, entry.after
    rows = []
    for key in dict.fromkeys([*before, *after]):
        if before.get(key) == after.get(key):
            continue
        if action is None:
            label, kind, choices = key.replace("_", " "), TEXT, None
        elif key in action.labels:
            label, kind, choices = action.labels[key], action.formats.get(key, TEXT), action.choices.get(key)
        else:
            continue
        rows.append(
            {
                "field": str(label),
                "before": format_value(before.get(key), kind, choices),
                "after": format_value(after.get(key), kind, choices),
            }
        )
    return rows
