"""The REST API at /api/v1/: each app contributes its own routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("eligibility.api.urls")),
    path("", include("certification.api.urls")),
    path("", include("parts.api.urls")),
    path("", include("review.api.urls")),
]
