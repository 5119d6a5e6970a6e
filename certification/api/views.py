from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from certification import selectors, services
from certification.api.filters import CertificationFilter, VoucherFilter
from certification.api.serializers import (
    CertificationInputSerializer,
    CertificationSerializer,
    CertificationStatusSerializer,
    TechnicianSerializer,
    VoucherAssignSerializer,
    VoucherRequestSerializer,
    VoucherSerializer,
)
from certification.models import Certification, ExamVoucher
from core.api import OrgApiMixin


class TechnicianListApi(OrgApiMixin, generics.ListAPIView):
    """Members with the technician role, with their certifications."""

    required_actions = {"GET": "certifications.view"}
    serializer_class = TechnicianSerializer

    def get_queryset(self):
        return selectors.technician_list(organisation=self.organisation)

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "by_technician": selectors.certifications_by_technician(organisation=self.organisation),
        }


class CertificationListCreateApi(OrgApiMixin, generics.ListAPIView):
    """Certifications, filtered by ``technician`` (email) and ``kind``; admins record them for anyone, technicians
    for themselves (JSON, or a form with the certificate as ``evidence``)."""

    required_actions = {"GET": "certifications.view", "POST": "certifications.record"}
    serializer_class = CertificationSerializer
    queryset = Certification.objects.none()  # the model for the schema; get_queryset() starts from the selector
    filter_backends = [DjangoFilterBackend]
    filterset_class = CertificationFilter

    def get_queryset(self):
        return selectors.certification_list(organisation=self.organisation)

    @extend_schema(request=CertificationInputSerializer, responses={201: CertificationSerializer})
    def post(self, request, org):
        payload = CertificationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        certification = services.certification_record(
            organisation=self.organisation,
            actor=request.user,
            technician_email=data["technician"],
            kind=data["kind"],
            credential_id=data["credential_id"],
            passed_on=data["passed_on"],
            expires_on=data.get("expires_on"),
            evidence=data.get("evidence"),
        )
        return Response(CertificationSerializer(certification).data, status=status.HTTP_201_CREATED)


class CertificationDetailApi(OrgApiMixin, APIView):
    required_actions = {"DELETE": "certifications.delete"}

    @extend_schema(responses={204: None})
    def delete(self, request, org, certification_id):
        certification = selectors.certification_get(organisation=self.organisation, certification_id=certification_id)
        services.certification_delete(certification=certification, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VoucherListApi(OrgApiMixin, generics.ListAPIView):
    """Exam vouchers, filtered by ``kind``, ``status``, ``free`` and ``assigned_to`` (email)."""

    required_actions = {"GET": "certifications.view"}
    serializer_class = VoucherSerializer
    queryset = ExamVoucher.objects.none()  # the model for the schema; get_queryset() starts from the selector
    filter_backends = [DjangoFilterBackend]
    filterset_class = VoucherFilter

    def get_queryset(self):
        return selectors.voucher_list(organisation=self.organisation)


class VoucherRequestApi(OrgApiMixin, APIView):
    """Request more vouchers beyond the two free ones; they are billed."""

    required_actions = {"POST": "vouchers.manage"}

    @extend_schema(request=VoucherRequestSerializer, responses={201: VoucherSerializer(many=True)})
    def post(self, request, org):
        payload = VoucherRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        vouchers = services.vouchers_request(
            organisation=self.organisation, actor=request.user, **payload.validated_data
        )
        return Response(VoucherSerializer(vouchers, many=True).data, status=status.HTTP_201_CREATED)


class VoucherAssignApi(OrgApiMixin, APIView):
    required_actions = {"POST": "vouchers.manage"}

    @extend_schema(request=VoucherAssignSerializer, responses={200: VoucherSerializer})
    def post(self, request, org, code):
        voucher = selectors.voucher_get(organisation=self.organisation, code=code)
        payload = VoucherAssignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        voucher = services.voucher_assign(
            voucher=voucher, actor=request.user, technician_email=payload.validated_data["technician"]
        )
        return Response(VoucherSerializer(voucher).data)


class CertificationStatusApi(OrgApiMixin, APIView):
    """Per product line: required, certified, on hold; the deadline and the days left."""

    required_actions = {"GET": "certifications.view"}

    @extend_schema(responses=CertificationStatusSerializer)
    def get(self, request, org):
        data = selectors.certification_status(organisation=self.organisation).as_api()
        return Response(CertificationStatusSerializer(data).data)
