"""Pages of the review floor that an organisation's members open under ``/o/<org>/``."""

from django.urls import path

from . import views

app_name = "letters"

urlpatterns = [
    path("o/<slug:org>/account/approval-letter.pdf", views.organisation_approval_letter, name="approval_letter"),
]
