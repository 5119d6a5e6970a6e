"""Technician certification: exam vouchers (two free on approval, more on request and billed)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from accounts.models import Organisation


class CertificationKind(models.TextChoices):
    ACMT = "acmt", _("ACMT (Mac)")
    IOS = "ios", _("iOS qualification (iPhone, iPad, iPod)")


class ExamVoucher(models.Model):
    """A voucher for one certification exam. Approval issues the free ones; extra ones are billed."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REDEEMED = "redeemed", _("Redeemed")
        EXPIRED = "expired", _("Expired")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="vouchers")
    code = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=10, choices=CertificationKind.choices)
    free = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUED)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    expires_on = models.DateField(null=True, blank=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    # What billing invoices for a voucher that is not free (net, EUR); billing reads it, nothing else writes it.
    price = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    billed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("exam voucher")
        verbose_name_plural = _("exam vouchers")
        ordering = ["issued_at", "id"]

    def __str__(self):
        return self.code

    @staticmethod
    def new_code() -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        return (
            "SSA-"
            + "".join(secrets.choice(alphabet) for _ in range(4))
            + "-"
            + "".join(secrets.choice(alphabet) for _ in range(4))
        )
