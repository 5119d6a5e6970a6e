"""The parts API's input and output serializers. Inputs validate JSON and form bodies alike and hand plain values
to the services (which check the catalogue and the rules); outputs describe every response in the schema. Money
is a string with two places, with its ``currency``."""

import json

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html

from accounts.api.serializers import HoldSerializer
from accounts.models import ProductLine
from core.api import TextField
from core.money import CURRENCY
from parts.models import CoreReturn, Invoice, InvoiceLine, Part, PartsOrder, Pricing
from parts.services.orders import MAX_LINES, MAX_QUANTITY


class Money(serializers.DecimalField):
    """An amount as the contract writes it: a decimal string with two places."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)


class PartKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Part.Kind.choices, **kwargs)


class InvoiceKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Invoice.Kind.choices, **kwargs)


class InvoiceLineKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=InvoiceLine.Kind.choices, **kwargs)


def _org(serializer, obj) -> str:
    """The organisation's slug for links: the request's (no query per row), else the object's own."""
    return serializer.context.get("org") or obj.organisation.slug


# --- query parameters -----------------------------------------------------------------------------------------


class PartQuerySerializer(serializers.Serializer):
    product_line = serializers.ChoiceField(choices=ProductLine.choices, required=False)
    q = TextField(required=False, allow_blank=True, max_length=100, help_text="Part number, description or model.")
    kind = PartKindField(required=False)
    available = serializers.BooleanField(required=False, allow_null=True)


class OrderQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PartsOrder.Status.choices, required=False)


class CoreReturnQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CoreReturn.Status.choices, required=False)


class InvoiceQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Invoice.Status.choices, required=False)
    overdue = serializers.BooleanField(
        required=False, allow_null=True, help_text="Only open invoices past their due date."
    )


def query(serializer_class, request) -> dict:
    """The validated query parameters (400 with field errors otherwise), without the ones not given."""
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return {key: value for key, value in params.validated_data.items() if value not in (None, "")}


# --- the catalogue --------------------------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "array",
        "items": {"$ref": "#/components/schemas/ProductLineEnum"},
        "description": "mac, iphone, ipad, ipod",
    }
)
class ProductLinesField(serializers.ListField):
    """Product lines as a list (``["mac", "ipad"]``, or the field repeated in a form) or as Apple's catalogue writes
    them (``"mac|ipad"``). The schema names the product-line enumeration every other field uses."""

    child = serializers.ChoiceField(choices=ProductLine.choices)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = [data]
        if isinstance(data, list | tuple) and all(isinstance(item, str) for item in data):
            data = [piece.strip().lower() for item in data for piece in item.split("|") if piece.strip()]
        return super().to_internal_value(data)


class PartSerializer(serializers.ModelSerializer):
    product_lines = ProductLinesField()
    kind = PartKindField()
    stock_price = Money()
    exchange_price = Money(allow_null=True, help_text="null: the part is sold at the stock price only.")
    currency = serializers.SerializerMethodField()
    active = serializers.BooleanField(help_text="false: no longer listed (reviewers see those too).")

    class Meta:
        model = Part
        fields = [
            "part_number",
            "description",
            "product_lines",
            "fits_models",
            "kind",
            "stock_price",
            "exchange_price",
            "core_return",
            "available",
            "currency",
            "active",
            "updated_at",
        ]

    def get_currency(self, obj) -> str:
        return CURRENCY


class PartInputSerializer(serializers.Serializer):
    """A catalogue entry's values (a reviewer's); the catalogue service checks them once more, as for the CSV. A
    PATCH names only what changes, and the part number only as it is."""

    part_number = serializers.RegexField(r"^[A-Za-z0-9][A-Za-z0-9/.-]{0,19}$", max_length=20)
    description = TextField(max_length=300)
    product_lines = ProductLinesField(allow_empty=False, max_length=len(ProductLine.values))
    fits_models = TextField(max_length=2000, required=False, allow_blank=True)
    kind = PartKindField(required=False)
    stock_price = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0)
    exchange_price = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    core_return = serializers.BooleanField(required=False, default=False)
    available = serializers.BooleanField(required=False, default=True)
    active = serializers.BooleanField(required=False, default=True, help_text="false: no longer listed by Apple.")


# --- orders ---------------------------------------------------------------------------------------------------


class OrderLineInputSerializer(serializers.Serializer):
    part_number = TextField(max_length=20)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    pricing = serializers.ChoiceField(choices=Pricing.choices, required=False, default=Pricing.STOCK)


@extend_schema_field(OrderLineInputSerializer(many=True))
class OrderLinesField(serializers.ListField):
    """The order's lines: a JSON list, or in a form the same list JSON-encoded in one ``lines`` field (or as
    ``lines[0]part_number``, ``lines[0]quantity`` … fields)."""

    child = OrderLineInputSerializer()

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_LINES)
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        if not html.is_html_input(dictionary):
            return dictionary.get(self.field_name, empty)
        if self.field_name in dictionary:
            return dictionary.get(self.field_name)  # the list, JSON-encoded in one value
        return html.parse_html_list(dictionary, prefix=self.field_name, default=empty)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except (ValueError, RecursionError):  # RecursionError: a list nested a thousand deep
                raise serializers.ValidationError(_("Give the lines as a JSON list.")) from None
        return super().to_internal_value(data)


class OrderCreateSerializer(serializers.Serializer):
    lines = OrderLinesField()
    reference = TextField(max_length=80, required=False, allow_blank=True, default="")


class OrderUpdateSerializer(serializers.Serializer):
    """A cart's new lines (replacing all of them) and/or its reference."""

    lines = OrderLinesField(required=False)
    reference = TextField(max_length=80, required=False, allow_blank=True)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(_("Give the lines, the reference, or both."))
        return attrs


class OrderLineSerializer(serializers.Serializer):
    part_number = serializers.CharField(source="part.part_number")
    description = serializers.CharField(source="part.description")
    product_lines = serializers.ListField(source="part.product_lines", child=serializers.CharField())
    quantity = serializers.IntegerField()
    pricing = serializers.ChoiceField(choices=Pricing.choices)
    unit_price = Money(help_text="Net; today's price until the order is submitted, then fixed.")
    net = Money()


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.CharField(source="organisation.slug", help_text="The organisation's slug.")
    organisation_name = serializers.CharField(source="organisation.name")
    number = serializers.CharField(help_text="Empty until the order is submitted.")
    status = serializers.ChoiceField(choices=PartsOrder.Status.choices)
    reference = serializers.CharField()
    lines = OrderLineSerializer(many=True, source="lines.all")
    total = Money(help_text="Net.")
    currency = serializers.CharField()
    ship_date = serializers.DateField(allow_null=True)
    ship_date_estimated = serializers.BooleanField(help_text="true: an estimate, `ship_note` says why.")
    ship_note = serializers.ChoiceField(choices=PartsOrder.ShipNote.choices, allow_blank=True)
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    created_at = serializers.DateTimeField()
    created_by = serializers.EmailField(source="created_by.email")
    submitted_at = serializers.DateTimeField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    shipped_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    invoice = serializers.SerializerMethodField(help_text="The invoice's id once the order is delivered.")

    def get_invoice(self, obj) -> int | None:
        invoice = getattr(obj, "invoice", None)  # a reverse one-to-one: missing until delivery
        return invoice.pk if invoice is not None else None


# --- credit ---------------------------------------------------------------------------------------------------


class CreditDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    limit = Money()
    exposure = Money()


class CreditSerializer(serializers.Serializer):
    limit = Money(source="credit.limit")
    exposure = Money(source="credit.exposure", help_text="Unpaid invoices plus open orders, net.")
    available = Money(source="credit.available")
    currency = serializers.SerializerMethodField()
    on_hold = serializers.BooleanField(help_text="A credit hold is open: nothing can be ordered.")
    holds = HoldSerializer(many=True, help_text="The open credit holds.")
    unpaid_invoices = Money(source="credit.unpaid", help_text="Open invoices, net.")
    open_orders = Money(source="credit.open_orders", help_text="Submitted orders not yet delivered, net.")
    utilisation = serializers.IntegerField(source="credit.utilisation", help_text="Percent of the limit in use.")
    history = CreditDaySerializer(many=True, source="snapshots", help_text="The last 90 days, one entry a day.")

    def get_currency(self, obj) -> str:
        return CURRENCY


# --- core returns ---------------------------------------------------------------------------------------------


class CoreReturnSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    part_number = serializers.CharField(source="part.part_number")
    description = serializers.CharField(source="part.description")
    order = serializers.IntegerField(source="order_line.order_id")
    order_number = serializers.CharField(source="order_line.order.number")
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=CoreReturn.Status.choices)
    tracking_number = serializers.CharField()
    returned_at = serializers.DateTimeField(allow_null=True)
    charge = Money(allow_null=True, help_text="Net; charged when the core came back too late or never.")
    currency = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField(help_text="The return label and packing slip (PDF).")

    def get_currency(self, obj) -> str:
        return CURRENCY

    def get_label(self, obj) -> str:
        return reverse("api_core_return_label", kwargs={"org": _org(self, obj), "core_id": obj.pk})


class CoreReturnedSerializer(serializers.Serializer):
    tracking_number = TextField(max_length=60)


# --- invoices and statements ----------------------------------------------------------------------------------


class InvoiceLineSerializer(serializers.Serializer):
    kind = InvoiceLineKindField()
    description = serializers.CharField()
    part_number = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = Money()
    net = Money()


class InvoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.CharField(source="organisation.slug", help_text="The organisation's slug.")
    organisation_name = serializers.CharField(source="organisation.name")
    number = serializers.CharField()
    kind = InvoiceKindField()
    issued_on = serializers.DateField()
    due_on = serializers.DateField()
    net = Money()
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=4, help_text="A fraction: 0.1900 is 19 %.")
    vat = Money()
    gross = Money()
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=Invoice.Status.choices)
    paid_at = serializers.DateTimeField(allow_null=True)
    order = serializers.IntegerField(source="order_id", allow_null=True, help_text="The order's id, if any.")
    order_number = serializers.SerializerMethodField()
    lines = InvoiceLineSerializer(many=True, source="lines.all")
    pdf = serializers.SerializerMethodField()

    def get_order_number(self, obj) -> str | None:
        return obj.order.number if obj.order_id else None

    def get_pdf(self, obj) -> str:
        if self.context.get("reviewer"):
            return reverse("api_review_invoice_pdf", kwargs={"invoice_id": obj.pk})
        return reverse("api_invoice_pdf", kwargs={"org": _org(self, obj), "invoice_id": obj.pk})


class StatementSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")
    pdf = serializers.CharField()


class StockSerializer(serializers.Serializer):
    part_number = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.IntegerField(help_text="Delivered and not yet used in a repair.")
