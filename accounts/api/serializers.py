from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import FederalState, Membership, Organisation


class OrganisationCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    country = serializers.CharField(max_length=2, default="DE")
    federal_state = serializers.ChoiceField(choices=FederalState.choices, required=False, allow_blank=True, default="")
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    vat_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)

    def validate_country(self, value):
        value = value.upper()
        if not value.isalpha() or len(value) != 2:
            raise serializers.ValidationError(_("Use the two-letter country code, such as DE."))
        return value


class OrganisationSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["slug", "name", "country", "federal_state", "address", "vat_id", "language", "created_at", "role"]

    def get_role(self, obj) -> str | None:
        roles = self.context.get("roles", {})
        return roles.get(obj.pk)


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
    status = serializers.ChoiceField(choices=["added", "invited"])
