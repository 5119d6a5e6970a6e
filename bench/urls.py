"""The portal's URLs plus bare Django JSON views: the baselines the list endpoints are measured against.

A bare view runs the same query as the endpoint and returns ``JsonResponse`` without DRF, serializers, auth
classes, permissions or pagination classes; the middleware stack is the same for both.
"""

from django.http import JsonResponse
from django.urls import include, path

from accounts.models import Membership


def bare_members(request, org):
    qs = Membership.objects.filter(organisation__slug=org)
    page_size = int(request.GET.get("page_size", 50))
    rows = list(
        qs.order_by("role", "user__email").values("id", "user__email", "user__first_name", "role", "created_at")[
            :page_size
        ]
    )
    return JsonResponse({"count": qs.count(), "next": None, "previous": None, "results": rows})


urlpatterns = [
    path("api/v1/bench/orgs/<slug:org>/members/", bare_members),
    path("", include("ssa_portal.urls")),
]
