"""Writes every app shares."""

from django.db import models, transaction

from .audit import AuditAction, audit_changes, snapshot


@transaction.atomic
def model_update(
    *,
    instance: models.Model,
    fields: list[str],
    data: dict,
    actor,
    action: AuditAction,
    organisation=None,
    clean: bool = True,
) -> tuple[models.Model, bool]:
    """Set those of ``fields`` that ``data`` names, validate, save only what changed and audit the change.
    Returns the instance and whether anything changed; an edit that saves the same values leaves no entry."""
    unknown = set(data) - set(fields)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    names = [name for name in fields if name in data]
    before = snapshot(instance, names)
    for name in names:
        value = data[name]
        setattr(instance, name, value.strip() if isinstance(value, str) else value)
    if clean:
        instance.full_clean(exclude=[f.name for f in instance._meta.fields if f.name not in names])
    after = snapshot(instance, names)
    changed = [name for name in names if before[name] != after[name]]
    if changed:
        instance.save(update_fields=changed)
        audit_changes(
            actor=actor,
            action=action,
            organisation=organisation,
            obj=instance,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return instance, bool(changed)
