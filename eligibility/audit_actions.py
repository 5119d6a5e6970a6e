"""The changes to the installed base, the proofs and the equipment, each with the sentence the trail reads as."""

from django.utils.translation import gettext_lazy as _

from accounts.models import ProductLine
from core.audit import BOOL, CHOICE, DATE, AuditAction

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

DEVICE_CREATED = AuditAction("device.created", _("%(actor)s added the device %(serial_number)s"), **_device)
DEVICE_UPDATED = AuditAction("device.updated", _("%(actor)s changed the device %(serial_number)s"), **_device)
DEVICE_DELETED = AuditAction("device.deleted", _("%(actor)s removed the device %(serial_number)s"), **_device)
DEVICE_IMPORT_STARTED = AuditAction("device_import.started", _("%(actor)s started importing the inventory %(file)s"))
DEVICE_IMPORT_FINISHED = AuditAction(
    "device_import.finished",
    _("Inventory import finished: %(rows)s rows, %(created)s new, %(updated)s updated, %(errors)s errors"),
)
DEVICE_IMPORT_FAILED = AuditAction("device_import.failed", _("Inventory import failed: %(failure)s"))
PROOF_UPLOADED = AuditAction(
    "proof.uploaded", _("%(actor)s uploaded the proof of purchase for invoice %(invoice_number)s")
)
PROOF_DELETED = AuditAction(
    "proof.deleted", _("%(actor)s deleted the proof of purchase for invoice %(invoice_number)s")
)
PROOF_REVIEWED = AuditAction(
    "proof.reviewed",
    _("%(actor)s marked the proof of purchase %(object)s as %(status)s"),
    formats={"status": CHOICE},
    choices={"status": dict(ProofOfPurchase.Status.choices)},
    labels={"status": _("status"), "rejection_reason": _("reason")},
    timeline=True,
)

EQUIPMENT_UPDATED = AuditAction(
    "equipment.updated",
    _("%(actor)s updated the equipment attestations"),
    labels=dict(EquipmentAttestation.Item.choices),
)
