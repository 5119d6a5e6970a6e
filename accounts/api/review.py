"""The reviewer API at /api/v1/review/: reviewers only; anyone else gets 404."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django_scopes import scope
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import holds, lifecycle, review_selectors
from accounts.api.permissions import IsReviewer, ReviewerActionThrottle
from accounts.api.serializers import AccountSerializer
from accounts.api.views import raise_as_api_error
from accounts.models import Account, Hold, ProductLine
from eligibility import selectors as eligibility_selectors
from eligibility import services as eligibility_services
from eligibility.api.views import private_file_response


class QueueEntrySerializer(serializers.Serializer):
    organisation = serializers.CharField(source="organisation.slug")
    name = serializers.CharField(source="organisation.name")
    vat_id = serializers.CharField(source="organisation.vat_id")
    apple_customer_number = serializers.CharField()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    waiting_days = serializers.SerializerMethodField()

    def get_waiting_days(self, obj) -> int | None:
        return review_selectors.waiting_days(obj)


def account_data(account: Account) -> dict:
    open_holds = holds.open_holds(organisation=account.organisation)
    return AccountSerializer(account, context={"holds": open_holds}).data


class ReviewQueueApi(generics.ListAPIView):
    """Accounts by status and waiting time, oldest first. ``?status=`` and ``?q=`` (name, VAT id, customer no.)."""

    permission_classes = [IsReviewer]
    serializer_class = QueueEntrySerializer

    def get_queryset(self):
        return review_selectors.review_queue(
            status=self.request.query_params.get("status") or None, q=self.request.query_params.get("q", "")
        )


class ReviewAccountApi(APIView):
    """One application: account, eligibility, serial conflicts (other organisations named), history."""

    permission_classes = [IsReviewer]

    @extend_schema(responses={200: dict})
    def get(self, request, org):
        evidence = review_selectors.evidence_for(organisation=review_selectors.organisation_for_review(slug=org))
        with scope(organisation=evidence.organisation):
            account = account_data(evidence.account)
        return Response(
            {
                "organisation": {
                    "slug": evidence.organisation.slug,
                    "name": evidence.organisation.name,
                    "vat_id": evidence.organisation.vat_id,
                    "country": evidence.organisation.country,
                    "federal_state": evidence.organisation.federal_state,
                    "address": evidence.organisation.address,
                },
                "account": account,
                "eligibility": evidence.eligibility.as_api(),
                "serial_conflicts": [
                    {
                        "serial_number": c["serial_number"],
                        "organisation": c["organisation__slug"],
                        "organisation_name": c["organisation__name"],
                    }
                    for c in evidence.conflicts
                ],
                "proofs": [
                    {
                        "id": p.pk,
                        "invoice_number": p.invoice_number,
                        "status": p.status,
                        "rejection_reason": p.rejection_reason,
                        "device_count": p.device_count,
                        "file": f"/api/v1/review/accounts/{org}/proofs/{p.pk}/file/",
                    }
                    for p in evidence.proofs
                ],
                "equipment": {
                    row["item"]: {"present": row["present"], "detail": row["detail"]} for row in evidence.equipment
                },
                "messages": [
                    {
                        "from_reviewer": m.from_reviewer,
                        "author": m.author.email if m.author else None,
                        "body": m.body,
                        "created_at": m.created_at,
                    }
                    for m in evidence.messages
                ],
                "history": [
                    {
                        "at": e.created_at,
                        "actor": e.actor_label,
                        "action": e.action,
                        "before": e.before,
                        "after": e.after,
                    }
                    for e in evidence.history
                ],
            }
        )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=10000)


class ApproveSerializer(serializers.Serializer):
    credit_limit = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    account_number = serializers.RegexField(r"^[A-Za-z0-9-]{0,20}$", required=False, allow_blank=True, default="")


class HoldSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=[Hold.Reason.MANUAL])
    product_line = serializers.ChoiceField(choices=ProductLine.choices, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=5000)


class ReviewActionApi(APIView):
    """One reviewer decision. Subclasses name the payload and the service; 409 ``invalid_transition`` when the
    account's status does not allow it."""

    permission_classes = [IsReviewer]
    throttle_classes = [ReviewerActionThrottle]
    payload_class = None

    def act(self, *, account, reviewer, data):
        raise NotImplementedError

    def post(self, request, org, **kwargs):
        organisation = review_selectors.organisation_for_review(slug=org)
        data = {}
        if self.payload_class is not None:
            payload = self.payload_class(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
        with scope(organisation=organisation):
            account = lifecycle.account_get(organisation=organisation)
            try:
                result = self.act(account=account, reviewer=request.user, data={**data, **kwargs})
            except DjangoValidationError as exc:
                raise_as_api_error(exc)
            account.refresh_from_db()
            body = account_data(account)
            if isinstance(result, Hold):
                body = {
                    "id": result.pk,
                    "reason": result.reason,
                    "product_line": result.product_line or None,
                    "since": result.since,
                    "released_at": result.released_at,
                    "note": result.note,
                }
        return Response(body, status=201 if isinstance(result, Hold) and request.path.endswith("/holds/") else 200)


def _schema(payload=None, response=AccountSerializer):
    return extend_schema(request=payload, responses={200: response})


class StartReviewApi(ReviewActionApi):
    @_schema()
    def post(self, request, org):
        return super().post(request, org)

    def act(self, *, account, reviewer, data):
        return lifecycle.review_start(account=account, reviewer=reviewer)


class RequestInfoApi(ReviewActionApi):
    payload_class = MessageSerializer

    @_schema(MessageSerializer)
    def post(self, request, org):
        return super().post(request, org)

    def act(self, *, account, reviewer, data):
        return lifecycle.review_request_info(account=account, reviewer=reviewer, message=data["message"])


class ApproveApi(ReviewActionApi):
    payload_class = ApproveSerializer

    @_schema(ApproveSerializer)
    def post(self, request, org):
        return super().post(request, org)

    def act(self, *, account, reviewer, data):
        return lifecycle.account_approve(
            account=account,
            reviewer=reviewer,
            credit_limit=data["credit_limit"],
            account_number=data.get("account_number", ""),
        )


class RejectApi(ReviewActionApi):
    payload_class = ReasonSerializer

    @_schema(ReasonSerializer)
    def post(self, request, org):
        return super().post(request, org)

    def act(self, *, account, reviewer, data):
        return lifecycle.account_reject(account=account, reviewer=reviewer, reason=data["reason"])


class SuspendApi(ReviewActionApi):
    payload_class = ReasonSerializer

    @_schema(ReasonSerializer)
    def post(self, request, org):
        return super().post(request, org)

    def act(self, *, account, reviewer, data):
        return lifecycle.account_suspend(account=account, reviewer=reviewer, reason=data["reason"])


class ReinstateApi(ReviewActionApi):
    @_schema()
    def post(self, request, org):
        return super().post(request, org)

    def act(self, *, account, reviewer, data):
        return lifecycle.account_reinstate(account=account, reviewer=reviewer)


class HoldPlaceApi(ReviewActionApi):
    payload_class = HoldSerializer

    @extend_schema(request=HoldSerializer, responses={201: dict})
    def post(self, request, org):
        return super().post(request, org)

    def act(self, *, account, reviewer, data):
        return holds.hold_place(
            organisation=account.organisation,
            reason=data["reason"],
            actor=reviewer,
            product_line=data.get("product_line", ""),
            note=data["note"],
        )


class HoldReleaseApi(ReviewActionApi):
    @extend_schema(request=None, responses={200: dict})
    def post(self, request, org, hold_id):
        return super().post(request, org, hold_id=hold_id)

    def act(self, *, account, reviewer, data):
        hold = Hold.objects.filter(organisation=account.organisation, pk=data["hold_id"]).first()
        if hold is None:
            from django.http import Http404

            raise Http404
        return holds.hold_release(hold=hold, actor=reviewer)


class ProofVerdictSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["accepted", "rejected"])
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ProofVerdictApi(APIView):
    """Accept or reject one proof of purchase; a rejected proof stops its devices counting."""

    permission_classes = [IsReviewer]
    throttle_classes = [ReviewerActionThrottle]

    @extend_schema(request=ProofVerdictSerializer, responses={200: dict})
    def post(self, request, org, proof_id):
        organisation = review_selectors.organisation_for_review(slug=org)
        payload = ProofVerdictSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with scope(organisation=organisation):
            proof = eligibility_selectors.proof_get(organisation=organisation, proof_id=proof_id)
            try:
                proof = eligibility_services.proof_review(proof=proof, reviewer=request.user, **payload.validated_data)
            except DjangoValidationError as exc:
                raise_as_api_error(exc)
        return Response({"id": proof.pk, "status": proof.status, "rejection_reason": proof.rejection_reason})


class ReviewProofFileApi(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, org, proof_id):
        organisation = review_selectors.organisation_for_review(slug=org)
        with scope(organisation=organisation):
            proof = eligibility_selectors.proof_get(organisation=organisation, proof_id=proof_id)
            return private_file_response(
                proof.file, content_type=proof.content_type, filename=proof.original_name, inline=True
            )
