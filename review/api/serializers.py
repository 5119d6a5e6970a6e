"""The reviewer API's input and output serializers. Inputs validate JSON and form bodies alike; outputs describe
every response in the schema."""

from rest_framework import serializers

from accounts.api.serializers import AccountSerializer, HoldSerializer
from accounts.models import Hold, ProductLine
from core.api import TextField
from core.audit import audit_sentence
from eligibility.api.serializers import EligibilitySerializer

# --- inputs ----------------------------------------------------------------------------------------------------


class ReasonInputSerializer(serializers.Serializer):
    reason = TextField(max_length=5000)


class MessageInputSerializer(serializers.Serializer):
    message = TextField(max_length=10000)


class ApproveInputSerializer(serializers.Serializer):
    credit_limit = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    account_number = serializers.RegexField(r"^[A-Za-z0-9-]{0,20}$", required=False, allow_blank=True, default="")


class HoldInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=[Hold.Reason.MANUAL])
    product_line = serializers.ChoiceField(choices=ProductLine.choices, required=False, allow_blank=True, default="")
    note = TextField(max_length=5000)


class ConflictResolveInputSerializer(serializers.Serializer):
    organisation = serializers.SlugField(help_text="The slug of the organisation the serial belongs to.")
    reason = TextField(max_length=2000)


class ProofVerdictInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["accepted", "rejected"])
    reason = TextField(max_length=2000, required=False, allow_blank=True, default="")


# --- outputs ---------------------------------------------------------------------------------------------------


class QueueEntrySerializer(serializers.Serializer):
    organisation = serializers.CharField(source="organisation.slug")
    name = serializers.CharField(source="organisation.name")
    vat_id = serializers.CharField(source="organisation.vat_id")
    apple_customer_number = serializers.CharField()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    waiting_days = serializers.IntegerField(allow_null=True)


class ReviewOrganisationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    vat_id = serializers.CharField()
    country = serializers.CharField()
    federal_state = serializers.CharField()
    address = serializers.CharField()


class SerialConflictSerializer(serializers.Serializer):
    """Another organisation's claim of a serial the application lists."""

    serial_number = serializers.CharField()
    organisation = serializers.CharField()
    organisation_name = serializers.CharField()


class ConflictClaimSerializer(serializers.Serializer):
    organisation = serializers.CharField(help_text="The claimant's slug.")
    organisation_name = serializers.CharField()
    since = serializers.DateTimeField(help_text="When the organisation listed the serial: the earliest claim counts.")
    counted = serializers.BooleanField()


class ConflictSerializer(serializers.Serializer):
    """A serial listed by more than one organisation, its claims earliest first."""

    serial_number = serializers.CharField()
    claims = ConflictClaimSerializer(many=True)


class ReviewProofSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    invoice_number = serializers.CharField()
    status = serializers.CharField()
    rejection_reason = serializers.CharField()
    device_count = serializers.IntegerField()
    file = serializers.SerializerMethodField()

    def get_file(self, obj) -> str:
        return f"/api/v1/review/accounts/{obj.organisation.slug}/proofs/{obj.pk}/file/"


class EquipmentItemSerializer(serializers.Serializer):
    present = serializers.BooleanField()
    detail = serializers.CharField()


class MessageSerializer(serializers.Serializer):
    from_reviewer = serializers.BooleanField()
    author = serializers.EmailField(source="author.email", allow_null=True, default=None)
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    actor = serializers.CharField(source="actor_label")
    action = serializers.CharField()
    summary = serializers.SerializerMethodField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)

    def get_summary(self, obj) -> str:
        return audit_sentence(obj)


class ReviewAccountSerializer(serializers.Serializer):
    """One application as the reviewer sees it."""

    organisation = ReviewOrganisationSerializer()
    account = AccountSerializer()
    eligibility = EligibilitySerializer()
    serial_conflicts = SerialConflictSerializer(many=True)
    proofs = ReviewProofSerializer(many=True)
    equipment = serializers.DictField(child=EquipmentItemSerializer())
    messages = MessageSerializer(many=True)
    history = HistoryEntrySerializer(many=True)


class ProofVerdictSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    rejection_reason = serializers.CharField()


class ReviewHoldSerializer(HoldSerializer):
    released_at = serializers.DateTimeField(allow_null=True)
