"""Fulfilment in the reviewer API: the reviewers stand in for Apple's back office. They confirm, ship and deliver
the organisations' parts orders, record invoice payments and keep the parts catalogue current.

Reviewers only; anyone else gets 404. These routes name no organisation, so the tenancy middleware checked the
reviewer and opened the reviewer's scope across organisations; the views open none themselves. A step the order's
status does not allow is 409 ``invalid_transition`` (the order's state machine says so)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import IsReviewer, ReviewerActionThrottle, TextField
from core.pdf import pdf_response
from parts import pdf as parts_pdf
from parts import selectors as parts_selectors
from parts import services as parts_services
from parts.api.serializers import (
    InvoiceQuerySerializer,
    InvoiceSerializer,
    OrderSerializer,
    PartInputSerializer,
    PartSerializer,
    query,
)
from parts.api.views import PDF, with_related
from parts.models import Invoice, Part, PartsOrder

# --- inputs ----------------------------------------------------------------------------------------------------


class FulfilmentOrderQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(value, label) for value, label in PartsOrder.Status.choices if value in PartsOrder.OPEN],
        required=False,
        help_text="Without it: every order still to fulfil (submitted, confirmed, shipped).",
    )


class ShipInputSerializer(serializers.Serializer):
    carrier = TextField(max_length=60)
    tracking_number = TextField(max_length=60)


# --- reads -----------------------------------------------------------------------------------------------------


def _order(order_id) -> PartsOrder:
    """The order as it stands now, with what the serializer reads (lines and parts, organisation, author, invoice)."""
    return parts_selectors.order_for_fulfilment(order_id=order_id)


class FulfilmentApi(APIView):
    permission_classes = [IsReviewer]


class FulfilmentStepApi(FulfilmentApi):
    throttle_classes = [ReviewerActionThrottle]


@extend_schema_view(get=extend_schema(parameters=[FulfilmentOrderQuerySerializer]))
class FulfilmentOrderListApi(generics.ListAPIView):
    """The orders of every organisation still to fulfil, oldest submission first (``?status=``)."""

    permission_classes = [IsReviewer]
    serializer_class = OrderSerializer
    queryset = PartsOrder.objects.none()  # the model for the schema; get_queryset() starts from the selector

    def get_queryset(self):
        wanted = query(FulfilmentOrderQuerySerializer, self.request).get("status")
        return with_related(parts_selectors.orders_for_fulfilment(status=wanted))


class FulfilmentOrderApi(FulfilmentApi):
    """One submitted (or later) order of any organisation."""

    @extend_schema(responses=OrderSerializer)
    def get(self, request, order_id):
        return Response(OrderSerializer(_order(order_id)).data)


class OrderConfirmApi(FulfilmentStepApi):
    """Confirm a submitted order."""

    @extend_schema(request=None, responses=OrderSerializer)
    def post(self, request, order_id):
        order = parts_selectors.order_for_fulfilment(order_id=order_id)
        parts_services.order_confirm(order=order, actor=request.user)
        return Response(OrderSerializer(_order(order.pk)).data)


class OrderShipApi(FulfilmentStepApi):
    """Ship a submitted or confirmed order: ``{carrier, tracking_number}``; the organisation's admins are told."""

    @extend_schema(request=ShipInputSerializer, responses=OrderSerializer)
    def post(self, request, order_id):
        order = parts_selectors.order_for_fulfilment(order_id=order_id)
        payload = ShipInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        parts_services.order_ship(order=order, actor=request.user, **payload.validated_data)
        return Response(OrderSerializer(_order(order.pk)).data)


class OrderDeliverApi(FulfilmentStepApi):
    """Delivered: the order is invoiced, a core return opens for every part bought at the exchange price, and the
    parts go into the organisation's stock."""

    @extend_schema(request=None, responses=OrderSerializer)
    def post(self, request, order_id):
        order = parts_selectors.order_for_fulfilment(order_id=order_id)
        parts_services.order_deliver(order=order, actor=request.user)
        return Response(OrderSerializer(_order(order.pk)).data)


# --- invoices --------------------------------------------------------------------------------------------------


@extend_schema_view(get=extend_schema(parameters=[InvoiceQuerySerializer]))
class FulfilmentInvoiceListApi(generics.ListAPIView):
    """Every organisation's invoices, newest first (``?status=open|paid``, ``?overdue=true``)."""

    permission_classes = [IsReviewer]
    serializer_class = InvoiceSerializer
    queryset = Invoice.objects.none()  # the model for the schema; get_queryset() starts from the selector

    def get_queryset(self):
        filters = query(InvoiceQuerySerializer, self.request)
        return parts_selectors.invoice_list(organisation=None, filters=filters).prefetch_related("lines")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "reviewer": True}


class FulfilmentInvoicePdfApi(FulfilmentApi):
    @extend_schema(responses=PDF)
    def get(self, request, invoice_id):
        invoice = parts_selectors.invoice_get(organisation=None, invoice_id=invoice_id)
        return pdf_response(parts_pdf.invoice_pdf(invoice), f"{invoice.number}.pdf")


class InvoicePaidApi(FulfilmentStepApi):
    """Record that the invoice is paid; a credit hold that no longer applies is released at once. 409
    ``invalid_transition`` when it is paid already."""

    @extend_schema(request=None, responses=InvoiceSerializer)
    def post(self, request, invoice_id):
        invoice = parts_selectors.invoice_get(organisation=None, invoice_id=invoice_id)
        parts_services.invoice_mark_paid(invoice=invoice, actor=request.user)
        invoice = parts_selectors.invoice_get(organisation=None, invoice_id=invoice.pk)
        return Response(InvoiceSerializer(invoice, context={"reviewer": True}).data)


# --- the catalogue ---------------------------------------------------------------------------------------------


def _current_values(part: Part) -> dict:
    """A catalogue entry's values as the catalogue service takes them: what a PATCH does not name stays."""
    return {
        "description": part.description,
        "product_lines": part.product_lines,
        "fits_models": part.fits_models,
        "kind": part.kind,
        "stock_price": part.stock_price,
        "exchange_price": part.exchange_price,
        "core_return": part.core_return,
        "available": part.available,
        "active": part.active,
    }


class CatalogueApi(generics.ListAPIView):
    """The whole catalogue, parts no longer listed included. POST adds a part; every price is a dated entry of
    the price list."""

    permission_classes = [IsReviewer]
    serializer_class = PartSerializer
    queryset = Part.objects.none()  # the model for the schema; get_queryset() starts from the selector

    def get_queryset(self):
        return parts_selectors.part_list(include_withdrawn=True)

    def get_throttles(self):
        return [ReviewerActionThrottle()] if self.request.method == "POST" else super().get_throttles()

    @extend_schema(request=PartInputSerializer, responses={201: PartSerializer})
    def post(self, request):
        payload = PartInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        part = parts_services.part_create(actor=request.user, data=payload.validated_data)
        return Response(PartSerializer(part).data, status=status.HTTP_201_CREATED)


class CataloguePartApi(FulfilmentStepApi):
    """Change a catalogue entry: the fields given change, the others stay. ``active: false`` withdraws it (orders
    and invoices that name it keep it)."""

    @extend_schema(request=PartInputSerializer(partial=True), responses=PartSerializer)
    def patch(self, request, part_number):
        part = parts_selectors.part_get(part_number=part_number, include_withdrawn=True)
        payload = PartInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        if payload.validated_data.pop("part_number", part.part_number).upper() != part.part_number:
            raise ValidationError({"part_number": [_("The part number of a catalogue entry cannot change.")]})
        part = parts_services.part_update(
            part=part, actor=request.user, data={**_current_values(part), **payload.validated_data}
        )
        return Response(PartSerializer(part).data)
