"""A state machine as a table of allowed transitions, applied in the one order every status change follows:
row lock, check, save with ``update_fields``, typed audit entry, notifications.

The SSA account uses it now; parts orders and repair tickets next::

    ORDER = StateMachine(model=PartsOrder, transitions={"submit": ({"cart"}, "submitted"), ...},
                         audit_fields=["status", "submitted_at"])
    order = ORDER.apply(order, "submit", actor=user, action=ORDER_SUBMITTED, fields={"submitted_at": now})
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils.translation import gettext as _

from .audit import AuditAction, audit_record, snapshot
from .errors import InvalidTransition


@dataclass(frozen=True)
class StateMachine:
    model: type[models.Model]
    transitions: dict[str, tuple[Iterable[str], str]]  # name -> (allowed sources, target)
    status_field: str = "status"
    audit_fields: list[str] = field(default_factory=list)  # snapshotted before and after every transition
    select_related: tuple[str, ...] = ()

    def allowed(self, obj) -> set[str]:
        """The transitions the object's current status allows."""
        current = getattr(obj, self.status_field)
        return {name for name, (sources, _target) in self.transitions.items() if current in sources}

    def lock(self, obj):
        """The object again, row-locked until the transaction ends: a concurrent decision waits, then sees ours."""
        # ``of=("self",)``: only this row; the rows it joins for display (its organisation) stay unlocked.
        rows = self.model._default_manager.select_for_update(of=("self",))
        if self.select_related:
            rows = rows.select_related(*self.select_related)
        return rows.get(pk=obj.pk)

    def check(self, obj, name: str) -> str:
        """The target status of ``name`` from the object's status; 409 ``invalid_transition`` if not allowed."""
        sources, target = self.transitions[name]
        current = getattr(obj, self.status_field)
        if current not in sources:
            label = getattr(obj, f"get_{self.status_field}_display", lambda: current)()
            raise InvalidTransition(
                _("This is not possible while the status is “%(status)s”.") % {"status": label},
                extra={"status": current},
            )
        return target

    @transaction.atomic
    def apply(
        self,
        obj,
        name: str,
        *,
        actor,
        action: AuditAction,
        organisation=None,
        fields: dict | None = None,
        validate: Callable | None = None,
        notify: Callable | None = None,
    ):
        """Lock, check, ``validate(locked)`` (which may refuse, or return further fields that are only known once the
        transition is allowed), save, audit, ``notify(saved)``; returns the saved object."""
        fields = dict(fields or {})
        obj = self.lock(obj)
        target = self.check(obj, name)
        if validate is not None:
            fields.update(validate(obj) or {})
        before = snapshot(obj, self.audit_fields)
        setattr(obj, self.status_field, target)
        for key, value in fields.items():
            setattr(obj, key, value)
        obj.save(update_fields=[self.status_field, *fields])
        audit_record(
            actor=actor,
            organisation=organisation if organisation is not None else getattr(obj, "organisation", None),
            action=action,
            obj=obj,
            before=before,
            after={
                **snapshot(obj, self.audit_fields),
                **snapshot(obj, [k for k in fields if k not in self.audit_fields]),
            },
        )
        if notify is not None:
            notify(obj)
        return obj
