from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import FederalState, Membership, Organisation
from core.api import TextField
from core.countries import is_country_code


class OrganisationCreateSerializer(serializers.Serializer):
    name = TextField(max_length=200)
    country = TextField(max_length=2, default="DE")
    federal_state = serializers.ChoiceField(choices=FederalState.choices, required=False, allow_blank=True, default="")
    address = TextField(required=False, allow_blank=True, default="", max_length=2000)
    vat_id = TextField(required=False, allow_blank=True, default="", max_length=20)

    def validate_country(self, value):
        value = value.upper()
        if not is_country_code(value):
            raise serializers.ValidationError(_("Use the two-letter ISO 3166 country code, such as DE."))
        return value


class OrganisationSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["slug", "name", "country", "federal_state", "address", "vat_id", "language", "created_at", "role"]

    def get_role(self, obj) -> str | None:
        roles = self.context.get("roles", {})
        return roles.get(obj.pk)


class MyOrganisationSerializer(serializers.Serializer):
    """One of the caller's organisations, with the caller's role in it (built from the membership)."""

    slug = serializers.CharField(source="organisation.slug")
    name = serializers.CharField(source="organisation.name")
    country = serializers.CharField(source="organisation.country")
    federal_state = serializers.CharField(source="organisation.federal_state")
    address = serializers.CharField(source="organisation.address")
    vat_id = serializers.CharField(source="organisation.vat_id")
    language = serializers.CharField(source="organisation.language")
    created_at = serializers.DateTimeField(source="organisation.created_at")
    role = serializers.CharField()


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.get_full_name")

    class Meta:
        model = Membership
        fields = ["id", "email", "name", "role", "created_at"]


class MemberInviteSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class MemberInviteResultSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    status = serializers.ChoiceField(
        choices=["invited"], help_text="Always `invited`: everyone, registered or not, joins by accepting the link."
    )


class HoldSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    product_line = serializers.SerializerMethodField()
    since = serializers.DateTimeField()
    note = serializers.CharField()

    def get_product_line(self, obj) -> str | None:
        return obj.product_line or None


class AccountSerializer(serializers.Serializer):
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    setup_date = serializers.DateField(allow_null=True)
    certification_deadline = serializers.DateField(allow_null=True)
    account_number = serializers.CharField(allow_blank=True)
    credit_limit = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    terms_accepted = serializers.BooleanField()
    contact_name = serializers.CharField(allow_blank=True)
    contact_email = serializers.CharField(allow_blank=True)
    contact_phone = serializers.CharField(allow_blank=True)
    apple_customer_number = serializers.CharField(allow_blank=True)
    holds = serializers.SerializerMethodField()

    @extend_schema_field(HoldSerializer(many=True))
    def get_holds(self, obj):
        return HoldSerializer(self.context.get("holds", []), many=True).data


class AccountUpdateSerializer(serializers.Serializer):
    terms_accepted = serializers.BooleanField(required=False)
    contact_name = TextField(max_length=200, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = TextField(max_length=40, required=False, allow_blank=True)
    apple_customer_number = serializers.RegexField(r"^[0-9A-Za-z-]{0,20}$", required=False, allow_blank=True)
