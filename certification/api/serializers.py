from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from certification.models import Certification, CertificationKind, ExamVoucher
from core.api import TextField


class CertificationSerializer(serializers.ModelSerializer):
    technician = serializers.EmailField(source="technician.email")
    valid = serializers.SerializerMethodField()

    class Meta:
        model = Certification
        fields = ["id", "technician", "kind", "credential_id", "passed_on", "expires_on", "valid", "recorded_at"]

    def get_valid(self, obj) -> bool:
        return obj.valid


class CertificationInputSerializer(serializers.Serializer):
    technician = serializers.EmailField()
    kind = serializers.ChoiceField(choices=CertificationKind.choices)
    credential_id = TextField(max_length=64)
    passed_on = serializers.DateField()
    expires_on = serializers.DateField(required=False, allow_null=True)
    evidence = serializers.FileField(required=False)


class TechnicianSerializer(serializers.Serializer):
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.get_full_name")
    certifications = serializers.SerializerMethodField()

    @extend_schema_field(CertificationSerializer(many=True))
    def get_certifications(self, obj):
        return CertificationSerializer(self.context["by_technician"].get(obj.user_id, []), many=True).data


class VoucherSerializer(serializers.ModelSerializer):
    assigned_to = serializers.SerializerMethodField()

    class Meta:
        model = ExamVoucher
        fields = ["code", "kind", "free", "status", "assigned_to", "expires_on", "price"]

    def get_assigned_to(self, obj) -> str | None:
        return obj.assigned_to.email if obj.assigned_to else None


class VoucherRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CertificationKind.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=20)


class VoucherAssignSerializer(serializers.Serializer):
    technician = serializers.EmailField()


class LineStatusSerializer(serializers.Serializer):
    required = serializers.BooleanField()
    certified = serializers.BooleanField()
    on_hold = serializers.BooleanField()


class CertificationStatusSerializer(serializers.Serializer):
    deadline = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    product_lines = serializers.DictField(child=LineStatusSerializer())
