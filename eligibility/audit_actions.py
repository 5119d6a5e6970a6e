"""The changes to the installed base, the proofs and the equipment, each with the sentence the trail reads as."""

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import ProductLine
from core.audit import BOOL, CHOICE, DATE, AuditAction, format_value

from .models import EquipmentAttestation, Ownership, ProofOfPurchase, PurchaseSource

DEVICE_LABELS = {
    "serial_number": _("serial number"),
    "imei": _("IMEI"),
    "product_line": _("product line"),
    "model": _("model"),
    "purchase_date": _("purchase date"),
    "purchase_source": _("purchase source"),
    "ownership": _("ownership"),
    "third_party_warranty": _("another vendor's warranty"),
    "invoice_number": _("invoice number"),
}
_device = {
    "formats": {
        "purchase_date": DATE,
        "third_party_warranty": BOOL,
        "product_line": CHOICE,
        "purchase_source": CHOICE,
        "ownership": CHOICE,
    },
    "labels": DEVICE_LABELS,
    "choices": {
        "product_line": dict(ProductLine.choices),
        "purchase_source": dict(PurchaseSource.choices),
        "ownership": dict(Ownership.choices),
    },
}

DEVICE_CREATED = AuditAction(
    "device.created", _("%(actor)s added the device %(serial_number)s"), **{**_device, "labels": {}}
)
DEVICE_UPDATED = AuditAction("device.updated", _("%(actor)s changed the device %(serial_number)s"), **_device)
DEVICE_DELETED = AuditAction(
    "device.deleted", _("%(actor)s removed the device %(serial_number)s"), **{**_device, "labels": {}}
)
DEVICE_IMPORT_STARTED = AuditAction(
    "device_import.started", _("%(actor)s started importing the inventory file %(file)s")
)
# Counts as "label: number", which reads right for 1 and for 12,000 alike.
DEVICE_IMPORT_FINISHED = AuditAction(
    "device_import.finished",
    _(
        "Inventory import finished – rows read: %(rows)s, new: %(created)s, updated: %(updated)s, "
        "with errors: %(errors)s"
    ),
)
DEVICE_IMPORT_FAILED = AuditAction("device_import.failed", _("Inventory import failed: %(failure)s"))
PROOF_UPLOADED = AuditAction(
    "proof.uploaded",
    _("%(actor)s uploaded the proof of purchase for invoice %(invoice_number)s"),
    details={"devices": _("devices linked: %(devices)s")},
)
PROOF_DELETED = AuditAction(
    "proof.deleted", _("%(actor)s deleted the proof of purchase for invoice %(invoice_number)s")
)
PROOF_REVIEWED = AuditAction(
    "proof.reviewed",
    _("%(actor)s %(status)s the proof of purchase for invoice %(object)s"),
    formats={"status": CHOICE},
    choices={
        "status": {
            ProofOfPurchase.Status.ACCEPTED: pgettext_lazy("proof verdict", "accepted"),
            ProofOfPurchase.Status.REJECTED: pgettext_lazy("proof verdict", "rejected"),
            ProofOfPurchase.Status.PENDING: pgettext_lazy("proof verdict", "reset"),
        }
    },
    details={"rejection_reason": _("reason: %(rejection_reason)s")},
    timeline=True,
)


def _attestation(value) -> str:
    """One equipment item as it was attested: "in place (Dell R250)" or "missing"."""
    if not isinstance(value, dict):
        return format_value(value)
    state = gettext("in place") if value.get("present") else gettext("missing")
    detail = str(value.get("detail") or "").strip()
    return f"{state} ({detail})" if detail else state


EQUIPMENT_UPDATED = AuditAction(
    "equipment.updated",
    _("%(actor)s updated the equipment attestations"),
    labels=dict(EquipmentAttestation.Item.choices),
    formats=dict.fromkeys(EquipmentAttestation.Item.values, _attestation),
)
