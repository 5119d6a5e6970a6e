"""The parts API: the catalogue (any signed-in user) and, under ``/api/v1/orgs/{org}/``, orders on the credit line,
the credit line itself, core returns, invoices, statements and stock. Input serializer → one service or selector →
output serializer; the exception handler turns the services' refusals into the contract's errors."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import OrgApiMixin
from core.pdf import pdf_response
from parts import pdf as parts_pdf
from parts import selectors, services
from parts.models import CoreReturn, Invoice, OrderLine, Part, PartsOrder

from .serializers import (
    CoreReturnedSerializer,
    CoreReturnQuerySerializer,
    CoreReturnSerializer,
    CreditSerializer,
    InvoiceQuerySerializer,
    InvoiceSerializer,
    OrderCreateSerializer,
    OrderQuerySerializer,
    OrderSerializer,
    OrderUpdateSerializer,
    PartQuerySerializer,
    PartSerializer,
    StatementSerializer,
    StockSerializer,
    query,
)

PDF = {(200, "application/pdf"): OpenApiTypes.BINARY}
CREDIT_HISTORY_DAYS = 90


ORDER_COLUMNS = [
    "id",
    "organisation_id",
    "number",
    "status",
    "reference",
    "total",
    "currency",
    "ship_date",
    "ship_note",
    "carrier",
    "tracking_number",
    "created_at",
    "created_by_id",
    "submitted_at",
    "confirmed_at",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
]


def with_related(orders: QuerySet[PartsOrder]) -> QuerySet[PartsOrder]:
    """The order list as the serializer reads it: organisation, author and invoice in the same query."""
    # Only the columns the serializer reads: not the author's password hash, not the invoice's buyer snapshot.
    return (
        orders.prefetch_related(None)  # the selector's lines prefetch, replaced by the narrower one below
        .select_related("organisation", "created_by", "invoice")
        .only(*ORDER_COLUMNS, "organisation__slug", "organisation__name", "created_by__email", "invoice__id")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("part")
                .only(
                    "id",
                    "order_id",
                    "quantity",
                    "pricing",
                    "unit_price",
                    "part__part_number",
                    "part__description",
                    "part__product_lines_key",
                )
                .order_by("id"),
            )
        )
    )


def order_lines(order: PartsOrder) -> list[dict]:
    """A cart's lines as the services take them (a PATCH that changes only the reference keeps them)."""
    return [
        {"part_number": line.part.part_number, "quantity": line.quantity, "pricing": line.pricing}
        for line in order.lines.all()
    ]


# --- the catalogue --------------------------------------------------------------------------------------------


@extend_schema_view(get=extend_schema(parameters=[PartQuerySerializer]))
class PartListApi(generics.ListAPIView):
    """The catalogue of genuine parts and replacement units, the programme's and the same for everyone. Filters:
    ``product_line``, ``q`` (part number, description, models it fits), ``kind``, ``available``."""

    serializer_class = PartSerializer
    queryset = Part.objects.none()  # the model for the schema; get_queryset() starts from the selector

    def get_queryset(self):
        return selectors.part_list(filters=query(PartQuerySerializer, self.request))


class PartDetailApi(APIView):
    @extend_schema(responses=PartSerializer)
    def get(self, request, part_number):
        return Response(PartSerializer(selectors.part_get(part_number=part_number)).data)


# --- orders ---------------------------------------------------------------------------------------------------


class OrgSerializerMixin:
    """The order as the API answers it, read again after a write (its lines, total and status as saved)."""

    def serializer_context(self) -> dict:
        return {"request": self.request, "org": self.organisation.slug}

    def order_data(self, order_id) -> dict:
        order = selectors.order_get(organisation=self.organisation, order_id=order_id)
        return OrderSerializer(order, context=self.serializer_context()).data


@extend_schema_view(get=extend_schema(parameters=[OrderQuerySerializer]))
class OrderListCreateApi(OrgApiMixin, OrgSerializerMixin, generics.ListAPIView):
    """The organisation's orders, newest first (``?status=``). POST makes a cart (draft) of
    ``{lines: [{part_number, quantity, pricing: stock|exchange}], reference?}`` at today's prices; in a form,
    ``lines`` is the same list JSON-encoded."""

    required_actions = {"GET": "orders.view", "POST": "orders.draft"}
    serializer_class = OrderSerializer
    queryset = PartsOrder.objects.none()  # the model for the schema; get_queryset() starts from the selector

    def get_queryset(self):
        filters = query(OrderQuerySerializer, self.request)
        return with_related(selectors.order_list(organisation=self.organisation, filters=filters))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "org": self.organisation.slug}

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderSerializer})
    def post(self, request, org):
        payload = OrderCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        order = services.order_create(
            organisation=self.organisation,
            actor=request.user,
            lines=payload.validated_data["lines"],
            reference=payload.validated_data["reference"],
        )
        return Response(self.order_data(order.pk), status=status.HTTP_201_CREATED)


class OrderDetailApi(OrgApiMixin, OrgSerializerMixin, APIView):
    """One order. PATCH replaces a cart's lines and/or its reference; 409 ``invalid_transition`` once it is
    submitted."""

    required_actions = {"GET": "orders.view", "PATCH": "orders.draft"}

    @extend_schema(responses=OrderSerializer)
    def get(self, request, org, order_id):
        return Response(self.order_data(order_id))

    @extend_schema(request=OrderUpdateSerializer, responses=OrderSerializer)
    def patch(self, request, org, order_id):
        order = selectors.order_get(organisation=self.organisation, order_id=order_id)
        payload = OrderUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.order_lines_replace(
            order=order,
            lines=data["lines"] if "lines" in data else order_lines(order),
            reference=data.get("reference"),
        )
        return Response(self.order_data(order.pk))


class OrderSubmitApi(OrgApiMixin, OrgSerializerMixin, APIView):
    """Submit a cart: 200 with the order (``status: submitted``, ``ship_date``, ``total``), or 409
    ``credit_exceeded`` (with ``limit``, ``exposure``, ``available``, ``order_total``, ``currency``),
    ``account_on_hold`` (with the ``holds``), ``account_not_active`` or ``empty_order``. A refusal changes nothing."""

    required_actions = {"POST": "orders.place"}

    @extend_schema(request=None, responses=OrderSerializer)
    def post(self, request, org, order_id):
        order = selectors.order_get(organisation=self.organisation, order_id=order_id)
        services.order_submit(order=order, actor=request.user)
        return Response(self.order_data(order.pk))


class OrderCancelApi(OrgApiMixin, OrgSerializerMixin, APIView):
    """Cancel a cart or an order not yet shipped; 409 ``invalid_transition`` otherwise."""

    required_actions = {"POST": "orders.place"}

    @extend_schema(request=None, responses=OrderSerializer)
    def post(self, request, org, order_id):
        order = selectors.order_get(organisation=self.organisation, order_id=order_id)
        services.order_cancel(order=order, actor=request.user)
        return Response(self.order_data(order.pk))


class OrderConfirmationPdfApi(OrgApiMixin, APIView):
    """The order confirmation as a PDF, in the organisation's language; 404 for a cart, which has nothing to
    confirm yet."""

    required_actions = {"GET": "orders.view"}

    @extend_schema(responses=PDF)
    def get(self, request, org, order_id):
        order = selectors.order_get(organisation=self.organisation, order_id=order_id)
        if order.status == PartsOrder.Status.DRAFT:
            raise Http404
        return pdf_response(parts_pdf.order_confirmation_pdf(order), f"{order.number or f'order-{order.pk}'}.pdf")


# --- credit ---------------------------------------------------------------------------------------------------


class CreditApi(OrgApiMixin, APIView):
    """The credit line as it stands: limit, exposure (unpaid invoices plus open orders, net), what is available,
    the open credit holds, and the last 90 days."""

    required_actions = {"GET": "billing.view"}

    @extend_schema(responses=CreditSerializer)
    def get(self, request, org):
        summary = selectors.credit_summary(organisation=self.organisation, history_days=CREDIT_HISTORY_DAYS)
        return Response(CreditSerializer(summary).data)


# --- core returns ---------------------------------------------------------------------------------------------


@extend_schema_view(get=extend_schema(parameters=[CoreReturnQuerySerializer]))
class CoreReturnListApi(OrgApiMixin, generics.ListAPIView):
    """The cores owed back for parts bought at the exchange price, soonest due first (``?status=``)."""

    required_actions = {"GET": "orders.view"}
    serializer_class = CoreReturnSerializer
    queryset = CoreReturn.objects.none()  # the model for the schema; get_queryset() starts from the selector

    def get_queryset(self):
        filters = query(CoreReturnQuerySerializer, self.request)
        return selectors.core_return_list(organisation=self.organisation, filters=filters)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "org": self.organisation.slug}


class CoreReturnedApi(OrgApiMixin, APIView):
    """The core is on its way back: ``{tracking_number}``. 409 ``invalid_transition`` when it is returned already."""

    required_actions = {"POST": "cores.return"}

    @extend_schema(request=CoreReturnedSerializer, responses=CoreReturnSerializer)
    def post(self, request, org, core_id):
        core = selectors.core_return_get(organisation=self.organisation, core_id=core_id)
        payload = CoreReturnedSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.core_mark_returned(
            core=core, actor=request.user, tracking_number=payload.validated_data["tracking_number"]
        )
        core = selectors.core_return_get(organisation=self.organisation, core_id=core.pk)
        return Response(CoreReturnSerializer(core, context={"org": self.organisation.slug}).data)


class CoreReturnLabelApi(OrgApiMixin, APIView):
    """The return label and packing slip to put in the box (PDF)."""

    required_actions = {"GET": "orders.view"}

    @extend_schema(responses=PDF)
    def get(self, request, org, core_id):
        core = selectors.core_return_get(organisation=self.organisation, core_id=core_id)
        return pdf_response(parts_pdf.core_return_label_pdf(core), f"core-return-{core.pk}.pdf")


# --- invoices and statements ----------------------------------------------------------------------------------


@extend_schema_view(get=extend_schema(parameters=[InvoiceQuerySerializer]))
class InvoiceListApi(OrgApiMixin, generics.ListAPIView):
    """The organisation's invoices, newest first (``?status=open|paid``, ``?overdue=true``), with their lines."""

    required_actions = {"GET": "billing.view"}
    serializer_class = InvoiceSerializer
    queryset = Invoice.objects.none()  # the model for the schema; get_queryset() starts from the selector

    def get_queryset(self):
        filters = query(InvoiceQuerySerializer, self.request)
        return selectors.invoice_list(organisation=self.organisation, filters=filters).prefetch_related("lines")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "org": self.organisation.slug}


class InvoiceDetailApi(OrgApiMixin, APIView):
    required_actions = {"GET": "billing.view"}

    @extend_schema(responses=InvoiceSerializer)
    def get(self, request, org, invoice_id):
        invoice = selectors.invoice_get(organisation=self.organisation, invoice_id=invoice_id)
        return Response(InvoiceSerializer(invoice, context={"org": self.organisation.slug}).data)


class InvoicePdfApi(OrgApiMixin, APIView):
    """The invoice as a PDF, in the organisation's language."""

    required_actions = {"GET": "billing.view"}

    @extend_schema(responses=PDF)
    def get(self, request, org, invoice_id):
        invoice = selectors.invoice_get(organisation=self.organisation, invoice_id=invoice_id)
        return pdf_response(parts_pdf.invoice_pdf(invoice), f"{invoice.number}.pdf")


class StatementListApi(OrgApiMixin, generics.ListAPIView):
    """The months with an account statement, newest first: from the first invoice's month to this one."""

    required_actions = {"GET": "billing.view"}
    serializer_class = StatementSerializer

    def get_queryset(self):
        return [
            {
                "month": month,
                "pdf": reverse("api_statement_pdf", kwargs={"org": self.organisation.slug, "month": month}),
            }
            for month in selectors.statement_months(organisation=self.organisation)
        ]


class StatementPdfApi(OrgApiMixin, APIView):
    """A month's statement (``YYYY-MM``) as a PDF: opening balance, invoices, payments, closing balance, open
    items. 404 for a month without one."""

    required_actions = {"GET": "billing.view"}

    @extend_schema(responses=PDF)
    def get(self, request, org, month):
        statement = selectors.statement(organisation=self.organisation, key=month)
        return pdf_response(parts_pdf.statement_pdf(statement), f"statement-{statement.key}.pdf")


# --- stock ----------------------------------------------------------------------------------------------------


class StockListApi(OrgApiMixin, generics.ListAPIView):
    """Delivered parts not yet used in a repair, per part number."""

    required_actions = {"GET": "orders.view"}
    serializer_class = StockSerializer

    def get_queryset(self):
        return selectors.stock_list(organisation=self.organisation)
