from django.urls import path

from . import views

app_name = "eligibility"

urlpatterns = [
    path("o/<slug:org>/application/", views.application, name="application"),
    path("o/<slug:org>/application/checklist/", views.checklist, name="checklist"),
    path("o/<slug:org>/application/terms/", views.terms, name="terms"),
    path("o/<slug:org>/application/submit/", views.submit, name="submit"),
    path("o/<slug:org>/inventory/", views.inventory, name="inventory"),
    path("o/<slug:org>/inventory/import/", views.import_upload, name="import_upload"),
    path("o/<slug:org>/inventory/imports/<int:import_id>/", views.import_detail, name="import_detail"),
    path("o/<slug:org>/inventory/imports/<int:import_id>/errors.csv", views.import_errors, name="import_errors"),
    path("o/<slug:org>/inventory/<str:serial_number>/delete/", views.device_delete, name="device_delete"),
    path("o/<slug:org>/proofs/", views.proofs, name="proofs"),
    path("o/<slug:org>/proofs/<int:proof_id>/", views.proof_detail, name="proof_detail"),
    path("o/<slug:org>/proofs/<int:proof_id>/file/", views.proof_file, name="proof_file"),
    path("o/<slug:org>/proofs/<int:proof_id>/delete/", views.proof_delete, name="proof_delete"),
    path("o/<slug:org>/equipment/", views.equipment, name="equipment"),
    path("o/<slug:org>/equipment/<str:item>/photo/", views.equipment_photo, name="equipment_photo"),
]
