from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="home"),
    path("accounts/<slug:org>/", views.evidence, name="evidence"),
    path("accounts/<slug:org>/decide/<slug:decision>/", views.decide, name="decide"),
    path("accounts/<slug:org>/holds/<int:hold_id>/release/", views.hold_release, name="hold_release"),
    path("accounts/<slug:org>/proofs/<int:proof_id>/verdict/", views.proof_verdict, name="proof_verdict"),
    path("accounts/<slug:org>/conflicts/<str:serial>/resolve/", views.conflict_resolve, name="conflict_resolve"),
    path("accounts/<slug:org>/equipment/<str:item>/photo/", views.equipment_photo, name="equipment_photo"),
    path("accounts/<slug:org>/approval-letter.pdf", views.approval_letter, name="approval_letter"),
    path("audit/", views.audit_log, name="audit_log"),
    path("accounts/<slug:org>/proofs/<int:proof_id>/file/", views.proof_file, name="proof_file"),
    path("accounts/<slug:org>/proofs/<int:proof_id>/viewer/", views.proof_viewer, name="proof_viewer"),
]
