"""The kernel's own records: the audit trail, notifications, numbering sequences and VAT rates.

The kernel knows no domain. The tenant is whatever model ``settings.TENANT_MODEL`` names (the portal's
``accounts.Organisation``), referenced by name like ``settings.AUTH_USER_MODEL``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class AuditEntry(models.Model):
    """One decision or change, append-only: who, what, which object, before and after, when, from which IP.
    ``action`` is the key of a registered ``core.audit.AuditAction``; entries of platform-level actions carry no
    organisation."""

    organisation = models.ForeignKey(
        settings.TENANT_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_entries"
    )
    # PROTECT, not SET_NULL: the trail is append-only (a trigger refuses the UPDATE that SET_NULL would make), so
    # a person who has acted is deactivated, never deleted (README, "Users leave").
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True, help_text="The actor's email when it happened.")
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        db_table = "accounts_auditentry"  # the table (and its append-only trigger) predates the kernel
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="accounts_au_organis_1a75f3_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit entries are append-only.")


class Notification(models.Model):
    """An in-app notification, and the email that goes with it (sent once, in the recipient's language)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    organisation = models.ForeignKey(
        settings.TENANT_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    template = models.CharField(max_length=80)
    context = models.JSONField(default=dict, blank=True)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)
    send_email = models.BooleanField(default=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    # An email that cannot be sent as it is (a bad header, a template error) fails once, here, and is not retried.
    email_failed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=500, blank=True)

    class Meta:
        db_table = "accounts_notification"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="accounts_no_user_id_780bd6_idx")]

    def __str__(self):
        return self.title


class NumberSequence(models.Model):
    """A gapless counter: one row per sequence and year (year 0 for sequences that never restart). The row is
    locked while a number is drawn, so two transactions never get the same number and a rolled-back one leaves
    no gap (account numbers now, invoice numbers next)."""

    name = models.CharField(max_length=40)
    year = models.PositiveIntegerField(default=0)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [models.UniqueConstraint(fields=["name", "year"], name="number_sequence_unique")]

    def __str__(self):
        return f"{self.name} {self.year or ''}: {self.last_value}".strip()


class VatRate(models.Model):
    """A VAT rate as dated data: the rate of ``country`` and ``kind`` that applies from ``valid_from`` on."""

    class Kind(models.TextChoices):
        STANDARD = "standard", _("Standard rate")
        REDUCED = "reduced", _("Reduced rate")

    country = models.CharField(_("country"), max_length=2)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STANDARD)
    rate = models.DecimalField(_("rate"), max_digits=5, decimal_places=4, help_text="0.1900 for 19 %")
    valid_from = models.DateField(_("valid from"))

    class Meta:
        verbose_name = _("VAT rate")
        verbose_name_plural = _("VAT rates")
        ordering = ["country", "kind", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["country", "kind", "valid_from"], name="vat_rate_unique")]

    def __str__(self):
        return f"{self.country} {self.kind} {self.rate} ({self.valid_from})"


class Price(models.Model):
    """One entry of the price list as dated data: what ``item`` costs (net, EUR) at ``kind`` from ``valid_from``
    on. A price change adds an entry; what was ordered or invoiced before keeps the price it had."""

    item = models.CharField(_("item"), max_length=60, help_text="part:661-12345, voucher:exam")
    kind = models.CharField(_("kind"), max_length=10, default="stock", help_text="stock, exchange or standard")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    valid_from = models.DateField(_("valid from"))

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["item", "kind", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["item", "kind", "valid_from"], name="price_unique")]

    def __str__(self):
        return f"{self.item} {self.kind} {self.amount} ({self.valid_from})"
