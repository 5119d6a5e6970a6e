from django.urls import path

from . import views

urlpatterns = [
    path("orgs/<slug:org>/devices/", views.DeviceListCreateApi.as_view(), name="api_devices"),
    path("orgs/<slug:org>/devices/<str:serial_number>/", views.DeviceDetailApi.as_view(), name="api_device"),
    path("orgs/<slug:org>/device-imports/", views.DeviceImportCreateApi.as_view(), name="api_device_imports"),
    path(
        "orgs/<slug:org>/device-imports/<int:import_id>/",
        views.DeviceImportDetailApi.as_view(),
        name="api_device_import",
    ),
    path(
        "orgs/<slug:org>/device-imports/<int:import_id>/errors.csv",
        views.DeviceImportErrorsApi.as_view(),
        name="api_device_import_errors",
    ),
    path("orgs/<slug:org>/proofs/", views.ProofListCreateApi.as_view(), name="api_proofs"),
    path("orgs/<slug:org>/proofs/<int:proof_id>/", views.ProofDetailApi.as_view(), name="api_proof"),
    path("orgs/<slug:org>/proofs/<int:proof_id>/file/", views.ProofFileApi.as_view(), name="api_proof_file"),
    path("orgs/<slug:org>/equipment/", views.EquipmentApi.as_view(), name="api_equipment"),
    path("orgs/<slug:org>/eligibility/", views.EligibilityApi.as_view(), name="api_eligibility"),
    path("orgs/<slug:org>/account/submit/", views.AccountSubmitApi.as_view(), name="api_account_submit"),
]
