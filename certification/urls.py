from django.urls import path

from . import views

app_name = "certification"

urlpatterns = [
    path("o/<slug:org>/certification/", views.team, name="team"),
    path("o/<slug:org>/certification/vouchers/request/", views.vouchers_request, name="vouchers_request"),
    path("o/<slug:org>/certification/vouchers/<str:code>/assign/", views.voucher_assign, name="voucher_assign"),
    path(
        "o/<slug:org>/certification/<int:certification_id>/evidence/",
        views.certification_evidence,
        name="certification_evidence",
    ),
    path("o/<slug:org>/training/", views.training, name="training"),
    path("o/<slug:org>/training/<int:module_id>/<slug:step>/", views.training_progress, name="training_progress"),
]
