"""The portal's URLs plus bare Django JSON views: the baselines the list endpoints are measured against.

A bare view runs the same query as the endpoint and returns ``JsonResponse`` without DRF, serializers, auth
classes, permissions or pagination classes; the middleware stack is the same for both.
"""

from django.http import JsonResponse
from django.urls import include, path
from django_scopes import scopes_disabled

from accounts.models import Membership, Organisation
from parts.models import OrderLine, PartsOrder


def bare_members(request, org):
    qs = Membership.objects.filter(organisation__slug=org)
    page_size = int(request.GET.get("page_size", 50))
    rows = list(
        qs.order_by("role", "user__email").values("id", "user__email", "user__first_name", "role", "created_at")[
            :page_size
        ]
    )
    return JsonResponse({"count": qs.count(), "next": None, "previous": None, "results": rows})


ORDER_FIELDS = [
    "id",
    "organisation__slug",
    "organisation__name",
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
    "created_by__email",
    "submitted_at",
    "confirmed_at",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
    "invoice__id",
]
LINE_FIELDS = ["order_id", "part__part_number", "part__description", "part__product_lines_key", "quantity", "pricing"]


def bare_orders(request, org):
    """The orders list's query (newest first, the lines of the page's orders in a second query) and the same
    fields, as ``values()``. The tenant filter is on the organisation's id, as the scoped manager's is: a join on
    the slug would hide the id from the planner and cost the (organisation, created_at) index."""
    page_size = int(request.GET.get("page_size", 50))
    with scopes_disabled():
        organisation_id = Organisation.objects.filter(slug=org).values_list("id", flat=True).first()
        qs = PartsOrder.objects.filter(organisation_id=organisation_id)
        rows = list(qs.order_by("-created_at", "-id").values(*ORDER_FIELDS)[:page_size])
        lines: dict[int, list] = {row["id"]: [] for row in rows}
        for line in (
            OrderLine.objects.filter(order_id__in=list(lines)).order_by("id").values(*LINE_FIELDS, "unit_price")
        ):
            line["net"] = line["unit_price"] * line["quantity"]
            lines[line.pop("order_id")].append(line)
        count = qs.count()
    for row in rows:
        row["lines"] = lines[row["id"]]
    return JsonResponse({"count": count, "next": None, "previous": None, "results": rows})


urlpatterns = [
    path("api/v1/bench/orgs/<slug:org>/members/", bare_members),
    path("api/v1/bench/orgs/<slug:org>/orders/", bare_orders),
    path("", include("ssa_portal.urls")),
]
