from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.utils import html

from accounts.models import ProductLine
from core.api import TextField, reject_control_characters
from eligibility import validation as v
from eligibility.models import Device, DeviceImport, EquipmentAttestation, Ownership, ProofOfPurchase, PurchaseSource
from eligibility.selectors import device_not_counted_reasons


class DeviceSerializer(serializers.ModelSerializer):
    proof = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    counted = serializers.BooleanField(read_only=True)
    not_counted_reasons = serializers.SerializerMethodField()
    needs_clarification = serializers.BooleanField(source="serial_conflict", read_only=True)

    class Meta:
        model = Device
        fields = [
            "serial_number",
            "product_line",
            "model",
            "purchase_date",
            "purchase_source",
            "ownership",
            "third_party_warranty",
            "invoice_number",
            "proof",
            "counted",
            "not_counted_reasons",
            "needs_clarification",
            "created_at",
            "updated_at",
        ]

    def get_not_counted_reasons(self, obj) -> list[str]:
        return device_not_counted_reasons(obj)


class DeviceValue:
    """A device value parsed by the device parser of the same name (``eligibility.validation``), the one the form
    and the import use, so the API understands what they understand (``Eigentum``, ``ja``, ``31.03.2024``). The
    DRF field it is mixed into gives the schema its type."""

    def to_internal_value(self, data):
        if not isinstance(data, str | int | float | bool):
            raise serializers.ValidationError(_("Send one value, not a list or an object."), code="invalid")
        if isinstance(data, str):
            reject_control_characters(data)
        try:
            return v.device_parsers()[self.field_name](data)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from None


class DeviceCharField(DeviceValue, serializers.CharField):
    pass


class DeviceChoiceField(DeviceValue, serializers.ChoiceField):
    pass


class DeviceDateField(DeviceValue, serializers.DateField):
    pass


class DeviceBooleanField(DeviceValue, serializers.BooleanField):
    pass


class DeviceInputSerializer(serializers.Serializer):
    """A device, as JSON or as form fields. Values are read as the inventory import reads them, so ``Eigentum``,
    ``Leasing``, ``ja``, ``nein`` and ``31.03.2024`` are understood too."""

    # validated_data holds the parsed scalars device_create/device_update take; PATCH uses partial=True.

    serial_number = DeviceCharField(max_length=40)
    product_line = DeviceChoiceField(choices=ProductLine.choices)
    model = DeviceCharField(max_length=100, required=False, allow_blank=True)
    purchase_date = DeviceDateField(required=False, allow_null=True)
    purchase_source = DeviceChoiceField(choices=PurchaseSource.choices)
    ownership = DeviceChoiceField(choices=Ownership.choices)
    third_party_warranty = DeviceBooleanField(required=False, default=False)
    invoice_number = DeviceCharField(max_length=64, required=False, allow_blank=True)


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class DeviceImportSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    errors = ImportRowErrorSerializer(many=True, read_only=True)
    error_report = serializers.SerializerMethodField()

    class Meta:
        model = DeviceImport
        fields = [
            "id",
            "status",
            "original_name",
            "total_rows",
            "processed_rows",
            "percent",
            "created",
            "updated",
            "error_count",
            "rejected_rows",
            "errors",
            "error_report",
            "failure",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_error_report(self, obj) -> str | None:
        if not obj.error_report:
            return None
        return f"/api/v1/orgs/{obj.organisation.slug}/device-imports/{obj.pk}/errors.csv"


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(error_messages={"required": _("Choose a CSV or XLSX file.")})


class ProofSerializer(serializers.ModelSerializer):
    device_count = serializers.IntegerField(read_only=True)
    file = serializers.SerializerMethodField()

    class Meta:
        model = ProofOfPurchase
        fields = [
            "id",
            "invoice_number",
            "invoice_date",
            "supplier",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "status",
            "rejection_reason",
            "uploaded_at",
            "device_count",
            "file",
        ]

    def get_file(self, obj) -> str:
        return f"/api/v1/orgs/{obj.organisation.slug}/proofs/{obj.pk}/file/"


class ProofUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    invoice_number = TextField(max_length=64)
    invoice_date = serializers.DateField(required=False, allow_null=True)
    supplier = TextField(max_length=200, required=False, allow_blank=True, default="")


class EquipmentItemInputSerializer(serializers.Serializer):
    present = serializers.BooleanField()
    detail = TextField(max_length=500, required=False, allow_blank=True, default="")


class EquipmentInputSerializer(serializers.Serializer):
    """Any of the equipment items, each ``{present, detail}``; a form sends ``workbench.present=true`` and
    ``workbench.detail=…``. An item the programme does not know is a field error."""

    def get_fields(self):
        return {item: EquipmentItemInputSerializer(required=False) for item in EquipmentAttestation.Item.values}

    def validate(self, attrs):
        data = self.initial_data
        sent = {key.split(".", 1)[0] for key in data} if html.is_html_input(data) else set(data)
        unknown = sorted(sent - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown equipment item.")] for name in unknown})
        return attrs


class EquipmentAttestationSerializer(serializers.Serializer):
    present = serializers.BooleanField()
    detail = serializers.CharField()


class EquipmentSerializer(serializers.Serializer):
    """Every equipment item the programme asks for, attested or not."""

    def get_fields(self):
        return {item: EquipmentAttestationSerializer() for item in EquipmentAttestation.Item.values}


class RuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    passed = serializers.BooleanField(allow_null=True)
    detail = serializers.CharField()
    figures = serializers.DictField(required=False)
    missing = serializers.ListField(child=serializers.CharField(), required=False)


class ProductLineCountsSerializer(serializers.Serializer):
    mac = serializers.IntegerField()
    iphone = serializers.IntegerField()
    ipad = serializers.IntegerField()
    ipod = serializers.IntegerField()


class EligibilityCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    counted = serializers.IntegerField()
    without_proof = serializers.IntegerField()
    proof_rejected = serializers.IntegerField()
    not_bought_from_apple = serializers.IntegerField()
    third_party_warranty = serializers.IntegerField()
    not_owned = serializers.IntegerField()
    needs_clarification = serializers.IntegerField()
    by_product_line = ProductLineCountsSerializer(help_text=_("Counted devices per product line."))
    total_by_product_line = ProductLineCountsSerializer(help_text=_("All devices per product line."))


class InvoiceWithoutProofSerializer(serializers.Serializer):
    invoice_number = serializers.CharField()
    devices = serializers.IntegerField()


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    shortfall = serializers.IntegerField()
    required = serializers.IntegerField()
    counts = EligibilityCountsSerializer()
    rules = RuleSerializer(many=True)
    invoices_without_proof = InvoiceWithoutProofSerializer(many=True)
