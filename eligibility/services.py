"""Writes for the installed base: devices, proofs of purchase, equipment and inventory imports."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_changes, audit_record, snapshot
from core.errors import DomainError
from core.files import FileTooLarge, UnsupportedFileType, removed_unless_written, sniff_document
from eligibility.audit_actions import (
    DEVICE_CREATED,
    DEVICE_DELETED,
    DEVICE_IMPORT_STARTED,
    DEVICE_UPDATED,
    EQUIPMENT_UPDATED,
    PROOF_DELETED,
    PROOF_REVIEWED,
    PROOF_UPLOADED,
)

from . import validation as v
from .linking import devices_link_proofs, devices_refresh_conflicts
from .models import DEVICE_FIELDS, Device, DeviceImport, EquipmentAttestation, ProofOfPurchase
from .tasks import device_import_run

MAX_IMPORT_BYTES = 50 * 1024 * 1024


class ImportRefused(DomainError):
    status_code = 400
    code = "invalid_file"


# --- devices ------------------------------------------------------------------------------------------------


def _clean_device_values(data: dict, *, partial: bool) -> dict:
    parsers = v.device_parsers()
    required = {"serial_number", "product_line", "purchase_source", "ownership"}
    clean, errors = {}, {}
    for name, parse in parsers.items():
        if name not in data:
            if not partial and name in required:
                errors[name] = [_("This field is required.")]
            continue
        try:
            clean[name] = parse(data[name])
        except ValueError as exc:
            errors[name] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def device_create(*, organisation, actor, data: dict) -> Device:
    values = _clean_device_values(data, partial=False)
    try:
        with transaction.atomic():
            device = Device.objects.create(organisation=organisation, **values)
    except IntegrityError:
        raise ValidationError(
            {"serial_number": [_("%(serial)s is already in the installed base.") % {"serial": values["serial_number"]}]}
        ) from None
    devices_link_proofs(organisation=organisation, invoice_numbers=[device.invoice_number])
    devices_refresh_conflicts(serials=[device.serial_number])
    device.refresh_from_db()
    audit_record(
        actor=actor,
        organisation=organisation,
        action=DEVICE_CREATED,
        obj=device,
        after=snapshot(device, DEVICE_FIELDS),
    )
    return device


@transaction.atomic
def device_update(*, device: Device, actor, data: dict) -> Device:
    values = _clean_device_values(data, partial=True)
    before = snapshot(device, DEVICE_FIELDS)
    old_serial = device.serial_number
    for key, value in values.items():
        setattr(device, key, value)
    device.updated_at = timezone.now()
    if device.serial_number != old_serial:
        # another serial is another claim: it dates from now, so an old device cannot take over the place of a
        # serial's first claimant (linking.devices_refresh_conflicts)
        device.created_at = device.updated_at
    try:
        with transaction.atomic():
            device.save()
    except IntegrityError:
        raise ValidationError({"serial_number": [_("This serial number is already in the installed base.")]}) from None
    devices_link_proofs(organisation=device.organisation, invoice_numbers=[device.invoice_number])
    devices_refresh_conflicts(serials=[old_serial, device.serial_number])
    device.refresh_from_db()
    after = snapshot(device, DEVICE_FIELDS)
    audit_changes(
        actor=actor, organisation=device.organisation, action=DEVICE_UPDATED, obj=device, before=before, after=after
    )
    return device


@transaction.atomic
def device_delete(*, device: Device, actor) -> None:
    audit_record(
        actor=actor,
        organisation=device.organisation,
        action=DEVICE_DELETED,
        obj=device,
        before=snapshot(device, DEVICE_FIELDS),
    )
    serial = device.serial_number
    device.delete()
    devices_refresh_conflicts(serials=[serial])


# --- proofs of purchase -------------------------------------------------------------------------------------


@transaction.atomic
def proof_upload(
    *, organisation, actor, upload, invoice_number: str, invoice_date: datetime.date | None = None, supplier: str = ""
) -> ProofOfPurchase:
    """Store an invoice document privately and link the devices that carry its invoice number."""
    content_type, digest = sniff_document(upload)
    try:
        invoice_number = v.parse_text(invoice_number, max_length=64, label=_("The invoice number"))
    except ValueError as exc:
        raise ValidationError({"invoice_number": [str(exc)]}) from None
    if not invoice_number:
        raise ValidationError({"invoice_number": [_("Enter the invoice number printed on the document.")]})
    if ProofOfPurchase.objects.filter(organisation=organisation, invoice_number=invoice_number).exists():
        raise ValidationError(
            {"invoice_number": [_("A proof for invoice %(number)s is already uploaded.") % {"number": invoice_number}]}
        )
    proof = ProofOfPurchase(
        organisation=organisation,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        supplier=(supplier or "").strip()[:200],
        original_name=(getattr(upload, "name", "") or "document")[:255],
        content_type=content_type,
        size=upload.size,
        sha256=digest,
        uploaded_by=actor,
    )
    duplicate = _("A proof for invoice %(number)s is already uploaded.") % {"number": invoice_number}
    with removed_unless_written(proof.file):
        proof.file.save(proof.original_name, upload, save=False)
        try:
            with transaction.atomic():  # the same invoice uploaded at the same moment loses at the constraint
                proof.save()
        except IntegrityError:
            raise ValidationError({"invoice_number": [duplicate]}) from None
        linked = devices_link_proofs(organisation=organisation, invoice_numbers=[invoice_number])
        audit_record(
            actor=actor,
            organisation=organisation,
            action=PROOF_UPLOADED,
            obj=proof,
            after={"invoice_number": invoice_number, "sha256": digest, "devices": linked},
        )
    return proof


@transaction.atomic
def proof_delete(*, proof: ProofOfPurchase, actor) -> None:
    audit_record(
        actor=actor,
        organisation=proof.organisation,
        action=PROOF_DELETED,
        obj=proof,
        before={"invoice_number": proof.invoice_number, "sha256": proof.sha256},
    )
    storage, name = proof.file.storage, proof.file.name
    proof.delete()  # devices keep their invoice number; their proof link is set null
    transaction.on_commit(lambda: storage.delete(name))


# --- equipment ----------------------------------------------------------------------------------------------


@transaction.atomic
def equipment_save(*, organisation, actor, items: dict[str, dict], photos: dict | None = None) -> list:
    """``items`` maps an equipment item to ``{"present": bool, "detail": str}``; unknown items are refused."""
    unknown = set(items) - set(EquipmentAttestation.Item.values)
    if unknown:
        raise ValidationError({name: [_("Unknown equipment item.")] for name in unknown})
    existing = {e.item: e for e in EquipmentAttestation.objects.filter(organisation=organisation)}
    before = {item: {"present": e.present, "detail": e.detail} for item, e in existing.items()}
    photos = photos or {}
    for item, value in items.items():
        detail = str(value.get("detail", "") or "").strip()
        if len(detail) > 500:
            raise ValidationError({item: [_("The detail is too long (at most 500 characters).")]})
        attestation = existing.get(item) or EquipmentAttestation(organisation=organisation, item=item)
        attestation.present = bool(value.get("present"))
        attestation.detail = detail
        attestation.updated_by = actor
        attestation.updated_at = timezone.now()
        photo = photos.get(item)
        if photo is not None:
            content_type, _digest = sniff_document(photo, max_bytes=10 * 1024 * 1024)
            if content_type == "application/pdf":
                raise UnsupportedFileType(_("An evidence photo must be a JPEG or PNG image."))
            attestation.photo.save(photo.name or "photo", photo, save=False)
            attestation.photo_content_type = content_type
        attestation.save()
        existing[item] = attestation
    after = {item: {"present": e.present, "detail": e.detail} for item, e in existing.items()}
    if before != after or photos:
        audit_record(actor=actor, organisation=organisation, action=EQUIPMENT_UPDATED, before=before, after=after)
    return list(existing.values())


# --- inventory imports --------------------------------------------------------------------------------------


@transaction.atomic
def device_import_start(*, organisation, actor, upload) -> DeviceImport:
    """Keep the file privately and queue the job; the job reads it as a stream."""
    if upload.size > MAX_IMPORT_BYTES:
        raise FileTooLarge(
            _("The file is %(size)s MB; an inventory may have at most %(max)s MB. Split it or save it as CSV.")
            % {"size": round(upload.size / 1024 / 1024, 1), "max": MAX_IMPORT_BYTES // 1024 // 1024}
        )
    if upload.size == 0:
        raise ImportRefused(_("The file is empty."))
    device_import = DeviceImport(
        organisation=organisation,
        original_name=(upload.name or "inventory")[:255],
        size=upload.size,
        created_by=actor,
    )
    device_import.file.save(device_import.original_name, upload, save=False)
    device_import.save()
    audit_record(
        actor=actor,
        organisation=organisation,
        action=DEVICE_IMPORT_STARTED,
        obj=device_import,
        after={"file": device_import.original_name, "size": upload.size},
    )
    transaction.on_commit(lambda: device_import_run.delay(organisation_id=organisation.pk, import_id=device_import.pk))
    return device_import


@transaction.atomic
def proof_review(*, proof: ProofOfPurchase, reviewer, status: str, reason: str = "") -> ProofOfPurchase:
    """A reviewer's verdict on one document. A rejected proof stops its devices counting."""
    if status not in (ProofOfPurchase.Status.ACCEPTED, ProofOfPurchase.Status.REJECTED):
        raise ValidationError({"status": [_("Choose accepted or rejected.")]})
    reason = (reason or "").strip()
    if status == ProofOfPurchase.Status.REJECTED and not reason:
        raise ValidationError({"reason": [_("Say why the document is rejected.")]})
    before = {"status": proof.status, "rejection_reason": proof.rejection_reason}
    proof.status = status
    proof.rejection_reason = reason if status == ProofOfPurchase.Status.REJECTED else ""
    proof.reviewed_by = reviewer
    proof.reviewed_at = timezone.now()
    proof.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
    audit_record(
        actor=reviewer,
        organisation=proof.organisation,
        action=PROOF_REVIEWED,
        obj=proof,
        before=before,
        after={"status": status, "rejection_reason": proof.rejection_reason},
    )
    return proof
