"""Reads for the installed base: always given the organisation, aggregated in the database."""

from django.core.cache import cache
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.http import Http404

from .engine import (
    BOUGHT_FROM_APPLE,
    COUNTED,
    HAS_PROOF,
    NO_CONFLICT,
    NO_OTHER_WARRANTY,
    OWNED_OR_LEASED,
    PROOF_NOT_REJECTED,
)
from .models import Device, DeviceImport, EquipmentAttestation, NotCountedReason, ProofOfPurchase, import_progress_key
from .validation import serial_candidates


def device_list(*, organisation, filters: dict | None = None) -> QuerySet[Device]:
    """Devices with ``counted`` and ``proof_status`` annotated; filters: product_line, counted, q, invoice."""
    filters = filters or {}
    qs = Device.objects.filter(organisation=organisation).annotate(
        counted=Case(When(COUNTED, then=Value(True)), default=Value(False)),
        proof_status=F("proof__status"),
    )
    if filters.get("product_line"):
        qs = qs.filter(product_line=filters["product_line"])
    counted = filters.get("counted")
    if counted in (True, "true", "1"):
        qs = qs.filter(COUNTED)
    elif counted in (False, "false", "0"):
        qs = qs.exclude(COUNTED)
    if filters.get("reason"):
        qs = qs.filter(REASON_FILTERS.get(filters["reason"], Q(pk__in=[])))
    if filters.get("q"):
        qs = qs.filter(device_search(filters["q"]))
    if filters.get("invoice"):
        qs = qs.filter(invoice_number=filters["invoice"])
    return qs.order_by("serial_number")


def device_search(term) -> Q:
    """What a search for ``term`` finds: the serial (also without a barcode's ``S``), the model, the invoice."""
    term = str(term).strip()
    return Q(serial_number__in=serial_candidates(term)) | Q(model__icontains=term) | Q(invoice_number__iexact=term)


REASON_FILTERS = {
    NotCountedReason.NOT_BOUGHT_FROM_APPLE: ~BOUGHT_FROM_APPLE,
    NotCountedReason.THIRD_PARTY_WARRANTY: ~NO_OTHER_WARRANTY,
    NotCountedReason.NOT_OWNED: ~OWNED_OR_LEASED,
    NotCountedReason.WITHOUT_PROOF: ~HAS_PROOF,
    NotCountedReason.PROOF_REJECTED: HAS_PROOF & ~PROOF_NOT_REJECTED,
    NotCountedReason.NEEDS_CLARIFICATION: ~NO_CONFLICT,
}


def device_not_counted_reasons(device: Device) -> list[str]:
    """The reasons a device (from ``device_list``, so ``proof_status`` is annotated) does not count."""
    reasons = []
    if device.purchase_source != "apple":
        reasons.append(NotCountedReason.NOT_BOUGHT_FROM_APPLE.value)
    if device.third_party_warranty:
        reasons.append(NotCountedReason.THIRD_PARTY_WARRANTY.value)
    if device.ownership not in ("owned", "leased"):
        reasons.append(NotCountedReason.NOT_OWNED.value)
    if device.proof_id is None:
        reasons.append(NotCountedReason.WITHOUT_PROOF.value)
    elif getattr(device, "proof_status", None) == ProofOfPurchase.Status.REJECTED:
        reasons.append(NotCountedReason.PROOF_REJECTED.value)
    if device.serial_conflict:
        reasons.append(NotCountedReason.NEEDS_CLARIFICATION.value)
    return reasons


def device_get_by_serial(*, organisation, serial: str) -> Device:
    """The value as given, then without a leading S (Apple's serial barcodes carry one). 404 if neither."""
    candidates = serial_candidates(serial)
    found = {d.serial_number: d for d in device_list(organisation=organisation).filter(serial_number__in=candidates)}
    for candidate in candidates:
        if candidate in found:
            return found[candidate]
    raise Http404


def proof_list(*, organisation) -> QuerySet[ProofOfPurchase]:
    return (
        ProofOfPurchase.objects.filter(organisation=organisation)
        .annotate(device_count=Count("devices"))
        .select_related("uploaded_by")
        .order_by("-uploaded_at")
    )


def proof_get(*, organisation, proof_id) -> ProofOfPurchase:
    proof = proof_list(organisation=organisation).filter(pk=proof_id).first()
    if proof is None:
        raise Http404
    return proof


def equipment_list(*, organisation) -> list[dict]:
    """Every required item, attested or not, in the programme's order."""
    existing = {e.item: e for e in EquipmentAttestation.objects.filter(organisation=organisation)}
    rows = []
    for item, label in EquipmentAttestation.Item.choices:
        attestation = existing.get(item)
        rows.append(
            {
                "item": item,
                "label": label,
                "present": bool(attestation and attestation.present),
                "detail": attestation.detail if attestation else "",
                "photo": attestation.photo if attestation and attestation.photo else None,
                "attestation": attestation,
            }
        )
    return rows


def device_import_list(*, organisation) -> QuerySet[DeviceImport]:
    return DeviceImport.objects.filter(organisation=organisation).select_related("created_by")


def device_import_get(*, organisation, import_id) -> DeviceImport:
    """The import, with the running job's progress (kept in the cache while it streams) filled in."""

    found = device_import_list(organisation=organisation).filter(pk=import_id).first()
    if found is None:
        raise Http404
    if found.status == DeviceImport.Status.RUNNING:
        progress = cache.get(import_progress_key(found.pk))
        if progress:
            found.processed_rows, found.total_rows = progress
    return found
