"""The installed base and the evidence behind an application: devices, proofs of purchase, equipment attestations
and inventory imports."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from accounts.models import Organisation, ProductLine


class PurchaseSource(models.TextChoices):
    APPLE = "apple", _("Bought directly from Apple")
    RESELLER = "reseller", _("Reseller")
    OTHER = "other", _("Other")


class Ownership(models.TextChoices):
    OWNED = "owned", _("Owned")
    LEASED = "leased", _("Leased")


class NotCountedReason(models.TextChoices):
    """Why a device does not count toward the installed base (the API's ``not_counted_reasons``)."""

    NOT_BOUGHT_FROM_APPLE = "not_bought_from_apple", _("not bought directly from Apple")
    THIRD_PARTY_WARRANTY = "third_party_warranty", _("covered by another vendor's warranty")
    NOT_OWNED = "not_owned", _("neither owned nor leased")
    WITHOUT_PROOF = "without_proof", _("no proof of purchase")
    PROOF_REJECTED = "proof_rejected", _("proof of purchase rejected")
    # a later claim of a serial another organisation listed first, until a reviewer decides; it never says why
    NEEDS_CLARIFICATION = "needs_clarification", _("under review")


def private_upload_path(instance, filename: str) -> str:
    """Uploads live under the organisation's own folder with a random name; the original name is kept apart."""
    kind = instance._meta.model_name
    return f"org/{instance.organisation_id}/{kind}/{uuid.uuid4().hex}"


class ProofOfPurchase(models.Model):
    """An invoice document (PDF, JPEG or PNG) proving that devices were bought; devices link to it through the
    invoice number. A reviewer may reject it, and then its devices stop counting."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not yet checked")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="proofs")
    invoice_number = models.CharField(_("invoice number"), max_length=64)
    invoice_date = models.DateField(_("invoice date"), null=True, blank=True)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    file = models.FileField(upload_to=private_upload_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("proof of purchase")
        verbose_name_plural = _("proofs of purchase")
        ordering = ["-uploaded_at"]
        constraints = [models.UniqueConstraint(fields=["organisation", "invoice_number"], name="proof_invoice_unique")]

    def __str__(self):
        return self.invoice_number


# What a person states about a device (in a form, the API or an inventory file), in the import's column order.
DEVICE_FIELDS = [
    "serial_number",
    "product_line",
    "model",
    "purchase_date",
    "purchase_source",
    "ownership",
    "third_party_warranty",
    "invoice_number",
]


class Device(models.Model):
    """One Apple device of the organisation's installed base, identified by serial number or IMEI."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="devices")
    serial_number = models.CharField(_("serial number"), max_length=15)
    product_line = models.CharField(_("product line"), max_length=10, choices=ProductLine.choices)
    model = models.CharField(_("model"), max_length=100, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    purchase_source = models.CharField(_("purchase source"), max_length=10, choices=PurchaseSource.choices)
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices, blank=True)
    third_party_warranty = models.BooleanField(_("another vendor's warranty"), default=False)
    invoice_number = models.CharField(_("invoice number"), max_length=64, blank=True)
    # Kept in step with invoice_number by set-based updates whenever proofs or devices change.
    proof = models.ForeignKey(ProofOfPurchase, on_delete=models.SET_NULL, null=True, blank=True, related_name="devices")
    # True while another organisation listed the same serial earlier (the later claims are disputed, the first one
    # keeps counting) until a reviewer assigns the serial; kept in step by set-based updates (eligibility.linking).
    serial_conflict = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["serial_number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "serial_number"], name="device_serial_unique"),
        ]
        indexes = [
            models.Index(fields=["organisation", "product_line"]),
            models.Index(fields=["organisation", "invoice_number"]),
            models.Index(fields=["serial_number"]),
            # conflicts are rare: this keeps "which flags to clear" instant
            models.Index(
                fields=["serial_number"], condition=models.Q(serial_conflict=True), name="device_conflict_idx"
            ),
        ]

    def __str__(self):
        return self.serial_number


class EquipmentAttestation(models.Model):
    """The organisation's statement that one piece of required workshop equipment is in place."""

    class Item(models.TextChoices):
        DIAGNOSTIC_SERVER = "diagnostic_server", _("Dedicated diagnostic server")
        BARCODE_SCANNER_2D = "barcode_scanner_2d", _("2D barcode scanner")
        WORKBENCH = "workbench", _("Workbench")
        TOOLS = "tools", _("Standard and special tools")
        ESD_MATS = "esd_mats", _("Grounded ESD bench mats")
        ESD_WRIST_STRAPS = "esd_wrist_straps", _("ESD wrist straps for the technicians")
        ESD_TESTER = "esd_tester", _("ESD tester")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="equipment")
    item = models.CharField(max_length=30, choices=Item.choices)
    present = models.BooleanField(default=False)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    photo = models.FileField(upload_to=private_upload_path, max_length=255, blank=True)
    photo_content_type = models.CharField(max_length=50, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("equipment attestation")
        verbose_name_plural = _("equipment attestations")
        constraints = [models.UniqueConstraint(fields=["organisation", "item"], name="equipment_item_unique")]

    def __str__(self):
        return f"{self.get_item_display()}: {'yes' if self.present else 'no'}"


class DeviceImport(models.Model):
    """One upload of an inventory file (CSV or XLSX) and the job that stores its rows."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="device_imports")
    file = models.FileField(upload_to=private_upload_path, max_length=255)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    rejected_rows = models.PositiveIntegerField(default=0, help_text="Rows not stored; a row may have several errors.")
    errors = models.JSONField(default=list, blank=True, help_text="The first 1000 errors.")
    error_report = models.FileField(upload_to=private_upload_path, max_length=255, blank=True)
    failure = models.TextField(blank=True, help_text="Why the file failed as a whole.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("device import")
        verbose_name_plural = _("device imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.processed_rows / self.total_rows))


def import_progress_key(import_id: int) -> str:
    """Where a running import keeps its progress: the cache, since the database connection is busy streaming."""
    return f"device-import-progress:{import_id}"
