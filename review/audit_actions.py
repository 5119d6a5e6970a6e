"""The reviewer's decisions that are the review floor's own, each with the sentence the trail reads as."""

from django.utils.translation import gettext_lazy as _

from core.audit import AuditAction

# Each organisation's entry says what happened to its own device and never names the other party; the
# programme-wide trail shows reviewers both entries.
SERIAL_CONFLICT_ASSIGNED = AuditAction(
    "serial_conflict.assigned",
    _("%(actor)s checked the serial number %(serial_number)s and confirmed the device as this organisation's"),
    details={"reason": _("reason: %(reason)s")},
    timeline=True,
)
SERIAL_CONFLICT_REMOVED = AuditAction(
    "serial_conflict.removed",
    _(
        "%(actor)s checked the serial number %(serial_number)s, assigned it to another organisation and removed "
        "the device from the installed base"
    ),
    details={"reason": _("reason: %(reason)s")},
    timeline=True,
)
