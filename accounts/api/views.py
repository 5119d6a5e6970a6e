from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from accounts import lifecycle, selectors, services
from accounts.api.filters import MemberFilter
from accounts.api.serializers import (
    AccountSerializer,
    AccountUpdateSerializer,
    MemberInviteResultSerializer,
    MemberInviteSerializer,
    MemberSerializer,
    OrganisationCreateSerializer,
    OrganisationSerializer,
)
from accounts.holds import open_holds
from accounts.models import Membership
from core.api import OrgApiMixin


class OrganisationListCreateApi(generics.GenericAPIView):
    """The caller's organisations with their role; POST creates one with the caller as its admin."""

    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return selectors.memberships_for_user(user=self.request.user)

    @extend_schema(responses=OrganisationSerializer(many=True))
    def get(self, request):
        memberships = self.paginate_queryset(self.get_queryset())
        roles = {m.organisation_id: m.role for m in memberships}
        data = OrganisationSerializer([m.organisation for m in memberships], many=True, context={"roles": roles}).data
        return self.get_paginated_response(data)

    @extend_schema(request=OrganisationCreateSerializer, responses={201: OrganisationSerializer})
    def post(self, request):
        payload = OrganisationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        organisation = services.organisation_create(creator=request.user, **payload.validated_data)
        data = OrganisationSerializer(organisation, context={"roles": {organisation.pk: "admin"}}).data
        return Response(data, status=status.HTTP_201_CREATED)


class MemberListCreateApi(OrgApiMixin, generics.ListAPIView):
    """Members of the organisation, filtered by ``role``; POST (admins) invites by email: the recipient joins by
    accepting the link, registered or not."""

    required_actions = {"GET": "members.view", "POST": "members.invite"}
    serializer_class = MemberSerializer
    queryset = Membership.objects.none()  # the model for the schema; get_queryset() starts from the selector
    filter_backends = [DjangoFilterBackend]
    filterset_class = MemberFilter

    def get_queryset(self):
        return selectors.member_list(organisation=self.organisation)

    @extend_schema(request=MemberInviteSerializer, responses={201: MemberInviteResultSerializer})
    def post(self, request, org):
        payload = MemberInviteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation = services.member_invite(
            organisation=self.organisation, inviter=request.user, **payload.validated_data
        )
        # The same answer for every address: whether someone is registered is not the inviter's to learn.
        result = {"email": invitation.email, "role": invitation.role, "status": "invited"}
        return Response(MemberInviteResultSerializer(result).data, status=status.HTTP_201_CREATED)


class AccountApi(OrgApiMixin, generics.GenericAPIView):
    """The organisation's SSA account: status, dates, credit line, holds; PATCH the applicant's part (admins)."""

    required_actions = {"GET": "account.view", "PATCH": "account.change"}
    serializer_class = AccountSerializer

    def _response(self, account):
        return Response(AccountSerializer(account, context={"holds": open_holds(organisation=self.organisation)}).data)

    @extend_schema(responses=AccountSerializer)
    def get(self, request, org):
        return self._response(lifecycle.account_get(organisation=self.organisation))

    @extend_schema(request=AccountUpdateSerializer, responses=AccountSerializer)
    def patch(self, request, org):
        payload = AccountUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        account = lifecycle.account_get(organisation=self.organisation)
        account = lifecycle.account_update(account=account, actor=request.user, **payload.validated_data)
        return self._response(account)
