"""The reviewer API at /api/v1/review/: reviewers only; anyone else gets 404. The tenancy middleware checked the
reviewer and opened the scope of the organisation in the path; the decisions come from ``review.decisions``."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import holds
from accounts.api.serializers import AccountSerializer
from accounts.lifecycle import account_get
from accounts.models import Hold
from core.api import IsReviewer, ReviewerActionThrottle, ReviewerApiMixin
from core.files import private_file_response
from core.openapi import DOCUMENT_RESPONSES
from eligibility import selectors as eligibility_selectors
from eligibility import services as eligibility_services
from review import selectors
from review import services as review_services
from review.decisions import DECISIONS

from .serializers import (
    ConflictResolveInputSerializer,
    ConflictSerializer,
    ProofVerdictInputSerializer,
    ProofVerdictSerializer,
    QueueEntrySerializer,
    ReviewAccountSerializer,
    ReviewHoldSerializer,
)


def account_data(account) -> dict:
    return AccountSerializer(account, context={"holds": holds.open_holds(organisation=account.organisation)}).data


class ReviewQueueApi(generics.ListAPIView):
    """Accounts by status and waiting time, oldest first. ``?status=`` and ``?q=`` (name, VAT id, customer no.)."""

    permission_classes = [IsReviewer]
    serializer_class = QueueEntrySerializer

    def get_queryset(self):
        return selectors.review_queue(
            status=self.request.query_params.get("status") or None, q=self.request.query_params.get("q", "")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        for account in page:
            account.waiting_days = selectors.waiting_days(account)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ReviewAccountApi(ReviewerApiMixin, APIView):
    """One application: account, eligibility, serial conflicts (other organisations named), history."""

    @extend_schema(responses={200: ReviewAccountSerializer})
    def get(self, request, org):
        evidence = selectors.evidence_for(organisation=self.organisation)
        data = {
            "organisation": evidence.organisation,
            "account": evidence.account,
            "eligibility": evidence.eligibility.as_api(),
            "serial_conflicts": selectors.other_claims(evidence.conflicts, organisation=self.organisation),
            "proofs": evidence.proofs,
            "equipment": {row["item"]: row for row in evidence.equipment},
            "messages": evidence.messages,
            "history": evidence.history,
        }
        return Response(ReviewAccountSerializer(data, context={"holds": evidence.holds}).data)


class DecisionApi(ReviewerApiMixin, APIView):
    """One reviewer decision from ``review.decisions``: its serializer validates the body (JSON or form), its
    service decides. 409 ``invalid_transition`` when the account's status does not allow it."""

    throttle_classes = [ReviewerActionThrottle]
    decision: str = ""

    def post(self, request, org, **kwargs):
        decision = DECISIONS[self.decision]
        data = {}
        if decision.serializer is not None:
            payload = decision.serializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
        account = account_get(organisation=self.organisation)
        result = decision.run(account, request.user, {**data, **kwargs})
        if isinstance(result, Hold):
            status = 201 if self.decision == "hold" else 200
            return Response(ReviewHoldSerializer(result).data, status=status)
        return Response(account_data(account_get(organisation=self.organisation)))


def decision_api(name: str, *, response=AccountSerializer, status: int = 200):
    decision = DECISIONS[name]

    @extend_schema(request=decision.serializer, responses={status: response}, operation_id=f"review_{name}")
    def post(self, request, org, **kwargs):
        return DecisionApi.post(self, request, org, **kwargs)

    return type(f"{name.title().replace('-', '')}Api", (DecisionApi,), {"decision": name, "post": post})


StartReviewApi = decision_api("start")
RequestInfoApi = decision_api("request-info")
ApproveApi = decision_api("approve")
RejectApi = decision_api("reject")
SuspendApi = decision_api("suspend")
ReinstateApi = decision_api("reinstate")
HoldPlaceApi = decision_api("hold", response=ReviewHoldSerializer, status=201)
HoldReleaseApi = decision_api("release", response=ReviewHoldSerializer)


class ProofVerdictApi(ReviewerApiMixin, APIView):
    """Accept or reject one proof of purchase; a rejected proof stops its devices counting."""

    throttle_classes = [ReviewerActionThrottle]

    @extend_schema(request=ProofVerdictInputSerializer, responses={200: ProofVerdictSerializer})
    def post(self, request, org, proof_id):
        payload = ProofVerdictInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        proof = eligibility_selectors.proof_get(organisation=self.organisation, proof_id=proof_id)
        proof = eligibility_services.proof_review(proof=proof, reviewer=request.user, **payload.validated_data)
        return Response(ProofVerdictSerializer(proof).data)


class ReviewProofFileApi(ReviewerApiMixin, APIView):
    @extend_schema(responses=DOCUMENT_RESPONSES)
    def get(self, request, org, proof_id):
        proof = eligibility_selectors.proof_get(organisation=self.organisation, proof_id=proof_id)
        return private_file_response(
            proof.file, content_type=proof.content_type, filename=proof.original_name, inline=True
        )


class ConflictListApi(APIView):
    """The open serial conflicts: serials listed by more than one organisation, each claim with its date and
    whether it counts. Until resolved the earliest claim counts and the later ones do not."""

    permission_classes = [IsReviewer]

    @extend_schema(responses={200: ConflictSerializer(many=True)})
    def get(self, request):
        return Response(ConflictSerializer(selectors.conflict_list(), many=True).data)


class ConflictResolveApi(APIView):
    """Assign a disputed serial to one claimant (its slug in ``organisation``), with a reason: the other claims are
    removed, both sides are told. 409 ``not_in_conflict`` when the serial is not disputed."""

    permission_classes = [IsReviewer]
    throttle_classes = [ReviewerActionThrottle]

    @extend_schema(request=ConflictResolveInputSerializer, responses={200: ConflictSerializer})
    def post(self, request, serial):
        payload = ConflictResolveInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        owner = selectors.conflict_claimant(serial=serial, slug=payload.validated_data["organisation"])
        review_services.serial_conflict_resolve(
            serial=serial, owner=owner, reviewer=request.user, reason=payload.validated_data["reason"]
        )
        return Response(ConflictSerializer(selectors.conflict_claims(serial=serial)).data)
