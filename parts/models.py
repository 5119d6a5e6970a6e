"""Parts: the catalogue of genuine parts and replacement units, orders on the credit line, core returns, invoices.

The catalogue is the programme's, shared by every organisation; everything an organisation orders, owes or returns
carries its ``organisation`` and a scoped manager.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from accounts.models import Organisation, ProductLine


class Part(models.Model):
    """A genuine Apple service part or whole replacement unit, as Apple's catalogue lists it. Nothing that is not
    here can be ordered or used in a repair. ``stock_price`` and ``exchange_price`` are today's prices; their
    history is the price list (``core.Price``)."""

    class Kind(models.TextChoices):
        PART = "part", _("Service part")
        UNIT = "unit", _("Replacement unit")

    part_number = models.CharField(_("part number"), max_length=20, unique=True)
    description = models.CharField(_("description"), max_length=300)
    # The product lines it fits, stored as "|mac|ipad|" so one ``contains`` finds a line on every database.
    product_lines_key = models.CharField(max_length=40, db_index=True)
    fits_models = models.TextField(_("models it fits"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PART)
    stock_price = models.DecimalField(_("stock price"), max_digits=12, decimal_places=2)
    exchange_price = models.DecimalField(_("exchange price"), max_digits=12, decimal_places=2, null=True, blank=True)
    core_return = models.BooleanField(_("core return"), default=False)
    available = models.BooleanField(_("available"), default=True)
    # A part Apple no longer lists stays for the orders and invoices that name it, but can no longer be ordered.
    active = models.BooleanField(_("listed"), default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ["part_number"]
        constraints = [
            models.CheckConstraint(condition=Q(stock_price__gte=0), name="part_stock_price_not_negative"),
            models.CheckConstraint(
                condition=Q(exchange_price__isnull=True) | Q(exchange_price__gte=0),
                name="part_exchange_price_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.part_number} {self.description}"

    @property
    def product_lines(self) -> list[str]:
        return [line for line in self.product_lines_key.split("|") if line]

    @product_lines.setter
    def product_lines(self, lines) -> None:
        ordered = [line for line in ProductLine.values if line in set(lines)]
        self.product_lines_key = "|" + "|".join(ordered) + "|" if ordered else ""

    def get_product_lines_display(self) -> str:
        labels = dict(ProductLine.choices)
        return ", ".join(str(labels[line]) for line in self.product_lines)

    def unit_price(self, pricing: str):
        return self.exchange_price if pricing == Pricing.EXCHANGE else self.stock_price


class Pricing(models.TextChoices):
    STOCK = "stock", _("Stock price")
    EXCHANGE = "exchange", _("Exchange price (core return)")


class CreditLine(models.Model):
    """The organisation's credit line with Apple: the limit is the account's (set on approval); this row is what
    every order submission locks, so concurrent orders are checked one after the other, and it keeps the exposure
    last computed (unpaid invoices plus open orders, net)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="credit_line")
    exposure = models.DecimalField(_("exposure"), max_digits=14, decimal_places=2, default=0)
    computed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("credit line")
        verbose_name_plural = _("credit lines")

    def __str__(self):
        return f"{self.organisation_id}: {self.exposure}"


class CreditSnapshot(models.Model):
    """The credit line as it stood at the end of a day, written by the daily credit job: the utilisation chart."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="credit_snapshots")
    day = models.DateField()
    limit = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    exposure = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("credit snapshot")
        verbose_name_plural = _("credit snapshots")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["organisation", "day"], name="credit_snapshot_unique")]

    def __str__(self):
        return f"{self.day}: {self.exposure} of {self.limit}"


class PartsOrder(models.Model):
    """An order of parts and replacement units on the credit line: a cart until it is submitted, then Apple's
    (here: the reviewers') to confirm, ship and deliver. Delivery invoices it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Cart")
        SUBMITTED = "submitted", _("Submitted")
        CONFIRMED = "confirmed", _("Confirmed")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    # Orders that count toward the exposure: submitted and not yet invoiced (delivery invoices them).
    OPEN = (Status.SUBMITTED, Status.CONFIRMED, Status.SHIPPED)

    class ShipNote(models.TextChoices):
        NONE = "", ""
        UNAVAILABLE = "unavailable", _("Not every part is available at the moment")
        ON_HOLD = "on_hold", _("The account is not in good standing")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="parts_orders")
    number = models.CharField(_("order number"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    reference = models.CharField(_("your reference"), max_length=80, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The promised ship date; when it is only an estimate, ``ship_note`` says why.
    ship_date = models.DateField(_("ship date"), null=True, blank=True)
    ship_note = models.CharField(max_length=20, choices=ShipNote.choices, blank=True, default="")
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    total = models.DecimalField(_("total (net)"), max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="EUR")

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("parts order")
        verbose_name_plural = _("parts orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status"], name="parts_order_org_status_idx"),
            models.Index(fields=["organisation", "-created_at", "-id"], name="parts_order_org_created_idx"),
        ]

    def __str__(self):
        return self.number or f"#{self.pk}"

    @property
    def ship_date_estimated(self) -> bool:
        return bool(self.ship_note)


class OrderLine(models.Model):
    """One part on an order, at stock or exchange price. The unit price is fixed when the order is submitted."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(PartsOrder, on_delete=models.CASCADE, related_name="lines")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    pricing = models.CharField(_("pricing"), max_length=10, choices=Pricing.choices, default=Pricing.STOCK)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "part", "pricing"], name="order_line_unique_part"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.part_id}"

    @property
    def net(self):
        return self.unit_price * self.quantity


class CoreReturn(models.Model):
    """A defective part (the core) owed back to Apple for a part bought at the exchange price, one per unit,
    due within the programme's return window after delivery. Unreturned, it is charged the difference to the
    stock price."""

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        RETURNED = "returned", _("Returned")
        OVERDUE = "overdue", _("Overdue")
        CHARGED = "charged", _("Charged")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="core_returns")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="core_returns")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DUE)
    due_date = models.DateField(_("due date"))
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    overdue_since = models.DateField(null=True, blank=True)
    charged_at = models.DateTimeField(null=True, blank=True)
    charge = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("core return")
        verbose_name_plural = _("core returns")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="parts_core_status_due_idx")]

    def __str__(self):
        return f"{self.part_id} due {self.due_date}"


class Invoice(models.Model):
    """An invoice: for a delivered order, or for other charges (extra exam vouchers, unreturned cores). Numbered
    without gaps per year; net lines, VAT, gross; the seller's and buyer's details as they were on the day."""

    class Kind(models.TextChoices):
        ORDER = "order", _("Parts order")
        CHARGES = "charges", _("Other charges")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("invoice number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    order = models.OneToOneField(PartsOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    issued_on = models.DateField(_("invoice date"))
    # The date of delivery or service (a German invoice must state it): the delivery for an order, the charge's or
    # request's day for other charges.
    service_date = models.DateField(_("delivery date"), null=True, blank=True)
    due_on = models.DateField(_("due date"))
    net = models.DecimalField(_("net"), max_digits=14, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4)
    vat = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2)
    gross = models.DecimalField(_("gross"), max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    language = models.CharField(max_length=8, default="de")
    buyer = models.JSONField(default=dict)  # name, address, VAT id, account number on the day it was issued
    seller = models.JSONField(default=dict)  # the seller's name, address, VAT id and bank on that day
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["organisation", "status", "due_on"], name="parts_invoice_org_open_idx")]

    def __str__(self):
        return self.number


class InvoiceLine(models.Model):
    """One line of an invoice, net."""

    class Kind(models.TextChoices):
        PART = "part", _("Part at stock price")
        EXCHANGE = "exchange", _("Part at exchange price")
        CORE_CHARGE = "core_charge", _("Unreturned core: difference to the stock price")
        VOUCHER = "voucher", _("Exam voucher")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PART)
    description = models.CharField(max_length=300)
    part_number = models.CharField(max_length=20, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    net = models.DecimalField(max_digits=14, decimal_places=2)
    core_return = models.OneToOneField(
        CoreReturn, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_line"
    )

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} × {self.description}"


class StockMovement(models.Model):
    """Delivered parts coming into the organisation's stock (delivery) and going out of it (a repair uses them).
    Stock per part number is the sum."""

    class Kind(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        USED = "used", _("Used in a repair")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    quantity = models.IntegerField()  # positive in, negative out
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reference = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organisation", "part"], name="parts_stock_org_part_idx")]

    def __str__(self):
        return f"{self.quantity:+d} {self.part_id}"
