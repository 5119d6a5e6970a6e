from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import AccountSerializer
from accounts.holds import open_holds
from accounts.lifecycle import account_get
from core.api import OrgApiMixin, UploadThrottle
from core.files import MAX_DOCUMENT_BYTES, private_file_response
from core.openapi import DOCUMENT_RESPONSES
from core.uploads import check_declared_length
from eligibility import selectors, services
from eligibility.api.filters import DeviceFilter, ProofFilter
from eligibility.api.serializers import (
    DeviceImportSerializer,
    DeviceInputSerializer,
    DeviceSerializer,
    EligibilitySerializer,
    EquipmentInputSerializer,
    EquipmentSerializer,
    ImportUploadSerializer,
    ProofSerializer,
    ProofUploadSerializer,
)
from eligibility.application import account_submit
from eligibility.engine import eligibility_evaluate
from eligibility.models import Device, ProofOfPurchase


class DeviceListCreateApi(OrgApiMixin, generics.ListAPIView):
    """The installed base. Filters: ``product_line``, ``counted=true|false``, ``q`` (serial, model, invoice),
    ``reason``, ``invoice``."""

    required_actions = {"GET": "devices.view", "POST": "devices.change"}
    serializer_class = DeviceSerializer
    queryset = Device.objects.none()  # the model for the schema; get_queryset() starts from the selector
    filter_backends = [DjangoFilterBackend]
    filterset_class = DeviceFilter

    def get_queryset(self):
        return selectors.device_list(organisation=self.organisation)

    @extend_schema(request=DeviceInputSerializer, responses={201: DeviceSerializer})
    def post(self, request, org):
        payload = DeviceInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        device = services.device_create(organisation=self.organisation, actor=request.user, data=payload.validated_data)
        device = selectors.device_get_by_serial(organisation=self.organisation, serial=device.serial_number)
        return Response(DeviceSerializer(device).data, status=status.HTTP_201_CREATED)


class DeviceDetailApi(OrgApiMixin, APIView):
    """One device by serial number (a leading ``S`` from a barcode is accepted)."""

    required_actions = {"GET": "devices.view", "PATCH": "devices.change", "DELETE": "devices.change"}
    serializer_class = DeviceSerializer

    def get_device(self, serial_number):
        return selectors.device_get_by_serial(organisation=self.organisation, serial=serial_number)

    @extend_schema(responses=DeviceSerializer)
    def get(self, request, org, serial_number):
        return Response(DeviceSerializer(self.get_device(serial_number)).data)

    @extend_schema(request=DeviceInputSerializer(partial=True), responses=DeviceSerializer)
    def patch(self, request, org, serial_number):
        device = self.get_device(serial_number)
        payload = DeviceInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        device = services.device_update(device=device, actor=request.user, data=payload.validated_data)
        return Response(DeviceSerializer(self.get_device(device.serial_number)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, org, serial_number):
        services.device_delete(device=self.get_device(serial_number), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeviceImportCreateApi(OrgApiMixin, generics.ListAPIView):
    """Upload an inventory (CSV or XLSX) as ``multipart/form-data``; it is imported by a job. Answers 202 with the
    import to poll. (A JSON body cannot carry the file: it gets the field error.)"""

    required_actions = {"GET": "devices.view", "POST": "devices.change"}
    serializer_class = DeviceImportSerializer
    throttle_classes = [UploadThrottle]

    def get_queryset(self):
        return selectors.device_import_list(organisation=self.organisation)

    @extend_schema(request={"multipart/form-data": ImportUploadSerializer}, responses={202: DeviceImportSerializer})
    def post(self, request, org):
        check_declared_length(request, services.MAX_IMPORT_BYTES)
        payload = ImportUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        device_import = services.device_import_start(
            organisation=self.organisation, actor=request.user, upload=payload.validated_data["file"]
        )
        device_import.refresh_from_db()
        return Response(DeviceImportSerializer(device_import).data, status=status.HTTP_202_ACCEPTED)


class DeviceImportDetailApi(OrgApiMixin, APIView):
    required_actions = {"GET": "devices.view"}
    serializer_class = DeviceImportSerializer

    @extend_schema(responses=DeviceImportSerializer)
    def get(self, request, org, import_id):
        device_import = selectors.device_import_get(organisation=self.organisation, import_id=import_id)
        return Response(DeviceImportSerializer(device_import).data)


class DeviceImportErrorsApi(OrgApiMixin, APIView):
    """The rejected rows as CSV: row, column, reason and the row's own cells (formulas defused)."""

    required_actions = {"GET": "devices.view"}

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request, org, import_id):
        device_import = selectors.device_import_get(organisation=self.organisation, import_id=import_id)
        if not device_import.error_report:
            raise Http404
        return private_file_response(
            device_import.error_report,
            content_type="text/csv; charset=utf-8",
            filename=f"import-{device_import.pk}-errors.csv",
            inline=False,
        )


class ProofListCreateApi(OrgApiMixin, generics.ListAPIView):
    """Proofs of purchase, filtered by ``status`` and ``invoice_number``. Upload as ``multipart/form-data``: PDF,
    JPEG or PNG by content, at most 20 MB (413 above, 415 otherwise)."""

    required_actions = {"GET": "proofs.view", "POST": "proofs.change"}
    serializer_class = ProofSerializer
    queryset = ProofOfPurchase.objects.none()  # the model for the schema; get_queryset() starts from the selector
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProofFilter
    throttle_classes = [UploadThrottle]

    def get_queryset(self):
        return selectors.proof_list(organisation=self.organisation)

    @extend_schema(request={"multipart/form-data": ProofUploadSerializer}, responses={201: ProofSerializer})
    def post(self, request, org):
        check_declared_length(request, MAX_DOCUMENT_BYTES)  # the service checks the actual size too
        payload = ProofUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        proof = services.proof_upload(
            organisation=self.organisation,
            actor=request.user,
            upload=data["file"],
            invoice_number=data["invoice_number"],
            invoice_date=data.get("invoice_date"),
            supplier=data.get("supplier", ""),
        )
        return Response(
            ProofSerializer(selectors.proof_get(organisation=self.organisation, proof_id=proof.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ProofDetailApi(OrgApiMixin, APIView):
    required_actions = {"GET": "proofs.view", "DELETE": "proofs.change"}
    serializer_class = ProofSerializer

    @extend_schema(responses=ProofSerializer)
    def get(self, request, org, proof_id):
        return Response(ProofSerializer(selectors.proof_get(organisation=self.organisation, proof_id=proof_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, org, proof_id):
        services.proof_delete(
            proof=selectors.proof_get(organisation=self.organisation, proof_id=proof_id), actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProofFileApi(OrgApiMixin, APIView):
    """The document itself, for members of the organisation (reviewers use the review route)."""

    required_actions = {"GET": "proofs.view"}

    @extend_schema(responses=DOCUMENT_RESPONSES)
    def get(self, request, org, proof_id):
        proof = selectors.proof_get(organisation=self.organisation, proof_id=proof_id)
        return private_file_response(
            proof.file, content_type=proof.content_type, filename=proof.original_name, inline=True
        )


class EquipmentApi(OrgApiMixin, APIView):
    """The equipment attestations: each item ``{present, detail}``. PUT changes the items it names."""

    required_actions = {"GET": "devices.view", "PUT": "equipment.change"}
    serializer_class = EquipmentSerializer

    def _response(self):
        rows = selectors.equipment_list(organisation=self.organisation)
        return Response(EquipmentSerializer({row["item"]: row for row in rows}).data)

    @extend_schema(responses=EquipmentSerializer)
    def get(self, request, org):
        return self._response()

    @extend_schema(request=EquipmentInputSerializer, responses=EquipmentSerializer)
    def put(self, request, org):
        payload = EquipmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.equipment_save(organisation=self.organisation, actor=request.user, items=payload.validated_data)
        return self._response()


class EligibilityApi(OrgApiMixin, APIView):
    """Every programme rule with passed, the figures and what is missing; the shortfall to the minimum."""

    required_actions = {"GET": "devices.view"}
    serializer_class = EligibilitySerializer

    @extend_schema(responses=EligibilitySerializer)
    def get(self, request, org):
        return Response(EligibilitySerializer(eligibility_evaluate(organisation=self.organisation).as_api()).data)


class AccountSubmitApi(OrgApiMixin, APIView):
    """Submit the application: 200, or 409 ``not_eligible`` with the eligibility result."""

    required_actions = {"POST": "account.change"}
    serializer_class = AccountSerializer

    @extend_schema(request=None, responses={200: AccountSerializer})
    def post(self, request, org):
        account = account_get(organisation=self.organisation)
        account = account_submit(account=account, actor=request.user)
        return Response(AccountSerializer(account, context={"holds": open_holds(organisation=self.organisation)}).data)
