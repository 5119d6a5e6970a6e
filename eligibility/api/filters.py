"""Query filters of the installed-base lists. Each filters the queryset its selector starts, so a list answers in
the same few queries however it is filtered; a value that is not one of the choices is a 400 field error."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from accounts.models import ProductLine
from eligibility.engine import COUNTED
from eligibility.models import Device, NotCountedReason, ProofOfPurchase
from eligibility.selectors import REASON_FILTERS, device_search


class DeviceFilter(filters.FilterSet):
    product_line = filters.ChoiceFilter(choices=ProductLine.choices)
    counted = filters.BooleanFilter(method="filter_counted", help_text=_("Counts toward the minimum, or not."))
    q = filters.CharFilter(method="filter_q", help_text=_("A serial number, model or invoice number."))
    reason = filters.ChoiceFilter(
        choices=NotCountedReason.choices, method="filter_reason", help_text=_("Why a device does not count.")
    )
    invoice = filters.CharFilter(field_name="invoice_number", help_text=_("Devices on this invoice."))

    class Meta:
        model = Device
        fields = ["product_line", "counted", "q", "reason", "invoice"]

    def filter_counted(self, queryset, name, value: bool):
        return queryset.filter(COUNTED) if value else queryset.exclude(COUNTED)

    def filter_q(self, queryset, name, value: str):
        return queryset.filter(device_search(value)) if value.strip() else queryset

    def filter_reason(self, queryset, name, value: str):
        return queryset.filter(REASON_FILTERS[value])


class ProofFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ProofOfPurchase.Status.choices)
    invoice_number = filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = ProofOfPurchase
        fields = ["status", "invoice_number"]
