"""Query filters of the certification lists; each filters the queryset its selector starts."""

from django_filters import rest_framework as filters

from certification.models import Certification, CertificationKind, ExamVoucher


class CertificationFilter(filters.FilterSet):
    technician = filters.CharFilter(field_name="technician__email", lookup_expr="iexact")
    kind = filters.ChoiceFilter(choices=CertificationKind.choices)

    class Meta:
        model = Certification
        fields = ["technician", "kind"]


class VoucherFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=CertificationKind.choices)
    status = filters.ChoiceFilter(choices=ExamVoucher.Status.choices)
    free = filters.BooleanFilter()
    assigned_to = filters.CharFilter(field_name="assigned_to__email", lookup_expr="iexact")

    class Meta:
        model = ExamVoucher
        fields = ["kind", "status", "free", "assigned_to"]
