"""Query filters of the organisation's member list; it filters the queryset the selector starts."""

from django_filters import rest_framework as filters

from accounts.models import Membership


class MemberFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Membership.Role.choices)

    class Meta:
        model = Membership
        fields = ["role"]
