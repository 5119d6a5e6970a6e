"""Technician certification: exam vouchers (two free on approval, more on request and billed)."""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from accounts.models import Organisation, ProductLine
from eligibility.models import private_upload_path


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


# Which certification qualifies a technician for which product line.
QUALIFIES = {"mac": "acmt", "iphone": "ios", "ipad": "ios", "ipod": "ios"}


def valid_certification_filter(today: datetime.date) -> Q:
    """A certification counts until its expiry date (inclusive); one without expiry always counts. The database
    form of ``Certification.valid_on``: the two say the same and change together."""
    return Q(expires_on__isnull=True) | Q(expires_on__gte=today)


class Certification(models.Model):
    """A technician's passed exam: ACMT for Mac, the iOS qualification for iPhone, iPad and iPod. An expired one
    does not count."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="certifications")
    technician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certifications")
    kind = models.CharField(_("kind"), max_length=10, choices=CertificationKind.choices)
    credential_id = models.CharField(_("credential id"), max_length=64)
    passed_on = models.DateField(_("passed on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    evidence = models.FileField(upload_to=private_upload_path, max_length=255, blank=True)
    evidence_content_type = models.CharField(max_length=50, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["-passed_on"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "credential_id"], name="certification_unique")
        ]
        indexes = [models.Index(fields=["organisation", "kind", "expires_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.credential_id}"

    def valid_on(self, day: datetime.date) -> bool:
        """Whether it counts on ``day``: until its expiry date (inclusive), always without one (see
        ``valid_certification_filter``, the database form)."""
        return self.expires_on is None or self.expires_on >= day

    @property
    def valid(self) -> bool:
        return self.valid_on(timezone.localdate())


class ReminderSent(models.Model):
    """That the deadline reminder for one day before one deadline went out: the unique constraint is what keeps
    the daily job from sending it twice, even when it runs twice or is redelivered."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # "deadline" or "expiry"
    key = models.CharField(max_length=64)  # the deadline and day, or the certification
    sent_on = models.DateField()

    objects = ScopedManager(organisation="organisation")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "kind", "key"], name="reminder_once")]

    def __str__(self):
        return f"{self.kind} {self.key}"


class TrainingModule(models.Model):
    """A free self-paced course in the catalogue (the programme's own, the same for every organisation)."""

    title = models.CharField(_("title"), max_length=200)
    product_line = models.CharField(
        _("product line"), max_length=10, blank=True, choices=[("", _("All product lines"))] + list(ProductLine.choices)
    )
    kind = models.CharField(_("prepares for"), max_length=10, choices=CertificationKind.choices, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration in minutes"), default=60)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="de")
    link = models.URLField(_("link"), blank=True)
    content = models.TextField(_("content"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")
        ordering = ["position", "title"]

    def __str__(self):
        return self.title


class TrainingProgress(models.Model):
    """One technician's progress through one training module."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_progress")
    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="progress")
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("training progress")
        verbose_name_plural = _("training progress")
        constraints = [models.UniqueConstraint(fields=["organisation", "user", "module"], name="progress_once")]

    def __str__(self):
        return f"{self.user} · {self.module}"
