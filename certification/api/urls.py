from django.urls import path

from . import views

urlpatterns = [
    path("orgs/<slug:org>/technicians/", views.TechnicianListApi.as_view(), name="api_technicians"),
    path("orgs/<slug:org>/certifications/", views.CertificationListCreateApi.as_view(), name="api_certifications"),
    path(
        "orgs/<slug:org>/certifications/<int:certification_id>/",
        views.CertificationDetailApi.as_view(),
        name="api_certification",
    ),
    path("orgs/<slug:org>/vouchers/", views.VoucherListApi.as_view(), name="api_vouchers"),
    path("orgs/<slug:org>/vouchers/request/", views.VoucherRequestApi.as_view(), name="api_vouchers_request"),
    path("orgs/<slug:org>/vouchers/<str:code>/assign/", views.VoucherAssignApi.as_view(), name="api_voucher_assign"),
    path(
        "orgs/<slug:org>/certification-status/", views.CertificationStatusApi.as_view(), name="api_certification_status"
    ),
]
