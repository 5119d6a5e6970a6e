"""Users, organisations (the tenants), memberships, invitations, API tokens, the SSA account, holds and the
programme rules."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from core.permissions import ADMIN, TECHNICIAN


class ProductLine(models.TextChoices):
    """The Apple product lines the programme covers."""

    MAC = "mac", "Mac"
    IPHONE = "iphone", "iPhone"
    IPAD = "ipad", "iPad"
    IPOD = "ipod", "iPod"


class FederalState(models.TextChoices):
    """German federal states, coded as the ``holidays`` package names its subdivisions."""

    BW = "BW", "Baden-Württemberg"
    BY = "BY", "Bayern"
    BE = "BE", "Berlin"
    BB = "BB", "Brandenburg"
    HB = "HB", "Bremen"
    HH = "HH", "Hamburg"
    HE = "HE", "Hessen"
    MV = "MV", "Mecklenburg-Vorpommern"
    NI = "NI", "Niedersachsen"
    NW = "NW", "Nordrhein-Westfalen"
    RP = "RP", "Rheinland-Pfalz"
    SL = "SL", "Saarland"
    SN = "SN", "Sachsen"
    ST = "ST", "Sachsen-Anhalt"
    SH = "SH", "Schleswig-Holstein"
    TH = "TH", "Thüringen"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with an email address: an organisation member, a reviewer, or both never at once."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="de")
    is_reviewer = models.BooleanField(
        _("platform reviewer"),
        default=False,
        help_text=_("Apple staff who review accounts. Reviewers belong to no organisation."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


class Organisation(models.Model):
    """A tenant: a school district, university, hospital or company that runs a self-servicing account."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    country = models.CharField(_("country"), max_length=2, default="DE")
    federal_state = models.CharField(_("federal state"), max_length=2, choices=FederalState.choices, blank=True)
    address = models.TextField(_("address"), blank=True)
    vat_id = models.CharField(_("VAT id"), max_length=20, blank=True)
    language = models.CharField(_("correspondence language"), max_length=8, choices=settings.LANGUAGES, default="de")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's role in one organisation. This is the table consulted before any tenant scope is opened, so it is
    not scoped itself; every query on it names the user or the organisation."""

    class Role(models.TextChoices):
        ADMIN = ADMIN, _("Administrator")
        TECHNICIAN = TECHNICIAN, _("Technician")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class Invitation(models.Model):
    """An invitation by email to join an organisation with a role; accepted through a secret link."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @staticmethod
    def hash_token(raw: str) -> str:
        return _hash(raw)

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once when it is made."""

    PREFIX = "ssa_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False, help_text="The first characters, to recognise it.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def hash_key(raw: str) -> str:
        return _hash(raw)


class ProgrammeRules(models.Model):
    """The programme's figures for one country. Rules are data: another country's variant is a new row."""

    country = models.CharField(_("country"), max_length=2, unique=True)
    min_installed_base = models.PositiveIntegerField(_("minimum installed base"), default=1000)
    min_repairs_per_year = models.PositiveIntegerField(_("minimum repairs per year"), default=0)
    certification_days = models.PositiveIntegerField(_("days to certify after setup"), default=90)
    free_vouchers = models.PositiveIntegerField(_("free exam vouchers on approval"), default=2)
    reminder_days = models.JSONField(_("reminder days before the deadline"), default=list)
    expiry_notice_days = models.PositiveIntegerField(_("days to announce an expiring certification"), default=30)
    core_return_days = models.PositiveIntegerField(_("core return window in days"), default=15)
    # Orders submitted after the cut-off (in ``order_timezone``) are handled the next business day.
    order_cutoff = models.TimeField(_("order cut-off time"), default=datetime.time(16, 0))
    order_timezone = models.CharField(_("time zone of the cut-off"), max_length=40, default="Europe/Berlin")
    # When a part is not available, the estimate is this many business days after the usual ship date.
    backorder_days = models.PositiveIntegerField(_("business days added for parts not in stock"), default=5)
    overdue_cores_hold = models.PositiveIntegerField(
        _("overdue cores that put the account on hold (more than this)"), default=5
    )
    # An overdue core is charged after these further days, so a core already on its way is not charged.
    core_charge_days = models.PositiveIntegerField(_("days after the due date before a core is charged"), default=5)
    invoice_payment_days = models.PositiveIntegerField(_("payment term in days"), default=30)
    credit_hold_overdue_days = models.PositiveIntegerField(
        _("days an invoice may be overdue before a credit hold"), default=30
    )
    repeat_repair_days = models.PositiveIntegerField(_("repeat repair window in days"), default=90)

    class Meta:
        verbose_name = _("programme rules")
        verbose_name_plural = _("programme rules")

    def __str__(self):
        return f"{self.country}: {self.min_installed_base} devices, {self.certification_days} days"


class Account(models.Model):
    """The organisation's self-servicing account in the programme: the application while in draft, then the
    approved account with its number, setup date, certification deadline and credit line. One per organisation.
    Its status changes only through the transitions in ``accounts.lifecycle``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        IN_REVIEW = "in_review", _("In review")
        INFO_REQUESTED = "info_requested", _("Information requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="account")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    apple_customer_number = models.CharField(_("Apple customer number"), max_length=20, blank=True)
    terms_accepted = models.BooleanField(_("programme terms accepted"), default=False)
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    terms_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    review_started_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    setup_date = models.DateField(_("account setup date"), null=True, blank=True)
    certification_deadline = models.DateField(_("certification deadline"), null=True, blank=True)
    account_number = models.CharField(_("account number"), max_length=20, blank=True)
    credit_limit = models.DecimalField(_("credit limit"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    # The reviewer decides these two rules on approval; None means not decided yet.
    service_history_ok = models.BooleanField(null=True, blank=True)
    credit_line_ok = models.BooleanField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    suspension_reason = models.TextField(blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("SSA account")
        verbose_name_plural = _("SSA accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["account_number"], condition=~models.Q(account_number=""), name="account_number_unique"
            )
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self):
        return f"{self.organisation} ({self.status})"


class Hold(models.Model):
    """A restriction on an approved account: for certification (per product line), credit, core returns, or
    placed by a reviewer. A row per hold, released rather than deleted, so the history stays."""

    class Reason(models.TextChoices):
        CERTIFICATION = "certification", _("Certification missing")
        CREDIT = "credit", _("Credit")
        CORE_RETURNS = "core_returns", _("Overdue core returns")
        MANUAL = "manual", _("Placed by a reviewer")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="holds")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    product_line = models.CharField(_("product line"), max_length=10, choices=ProductLine.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    since = models.DateTimeField(_("since"), default=timezone.now)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    release_note = models.TextField(blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["-since"]
        constraints = [
            # one open hold per reason and product line; jobs rely on it to stay idempotent
            models.UniqueConstraint(
                fields=["organisation", "reason", "product_line"],
                condition=models.Q(released_at__isnull=True) & ~models.Q(reason="manual"),
                name="hold_open_unique",
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()} {self.product_line}".strip()

    @property
    def is_open(self) -> bool:
        return self.released_at is None


class AccountMessage(models.Model):
    """One message in the conversation between the applicant and the reviewers about the application."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="account_messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    from_reviewer = models.BooleanField(default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("account message")
        verbose_name_plural = _("account messages")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.body[:60]
