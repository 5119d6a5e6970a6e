from rest_framework import serializers

from accounts.models import ProductLine
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


class DeviceInputSerializer(serializers.Serializer):
    """The shape for the schema; values are parsed by the service, which also accepts German words."""

    serial_number = serializers.CharField(max_length=40)
    product_line = serializers.ChoiceField(choices=ProductLine.choices)
    model = serializers.CharField(max_length=100, required=False, allow_blank=True)
    purchase_date = serializers.DateField(required=False, allow_null=True)
    purchase_source = serializers.ChoiceField(choices=PurchaseSource.choices)
    ownership = serializers.ChoiceField(choices=Ownership.choices)
    third_party_warranty = serializers.BooleanField(required=False, default=False)
    invoice_number = serializers.CharField(max_length=64, required=False, allow_blank=True)


class DeviceImportSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
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
    file = serializers.FileField()


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
    invoice_number = serializers.CharField(max_length=64)
    invoice_date = serializers.DateField(required=False, allow_null=True)
    supplier = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class EquipmentItemSerializer(serializers.Serializer):
    present = serializers.BooleanField()
    detail = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


EquipmentSerializer = type(
    "EquipmentSerializer",
    (serializers.Serializer,),
    {item: EquipmentItemSerializer(required=False) for item in EquipmentAttestation.Item.values},
)


class RuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    passed = serializers.BooleanField(allow_null=True)
    detail = serializers.CharField()
    figures = serializers.DictField(required=False)
    missing = serializers.ListField(child=serializers.CharField(), required=False)


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    shortfall = serializers.IntegerField()
    required = serializers.IntegerField()
    counts = serializers.DictField()
    rules = RuleSerializer(many=True)
    invoices_without_proof = serializers.ListField(child=serializers.DictField())
