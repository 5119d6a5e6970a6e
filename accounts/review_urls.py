from django.urls import path

from eligibility import views as eligibility_views

from . import review_views, views

app_name = "review"

urlpatterns = [
    path("", review_views.queue, name="home"),
    path("accounts/<slug:org>/", review_views.evidence, name="evidence"),
    path("accounts/<slug:org>/decide/<slug:decision>/", review_views.decide, name="decide"),
    path("accounts/<slug:org>/holds/<int:hold_id>/release/", review_views.hold_release, name="hold_release"),
    path("accounts/<slug:org>/proofs/<int:proof_id>/verdict/", review_views.proof_verdict, name="proof_verdict"),
    path("accounts/<slug:org>/equipment/<str:item>/photo/", review_views.equipment_photo, name="equipment_photo"),
    path("accounts/<slug:org>/approval-letter.pdf", review_views.approval_letter, name="approval_letter"),
    path("audit/", views.review_audit, name="audit_log"),
    path("accounts/<slug:org>/proofs/<int:proof_id>/file/", eligibility_views.review_proof_file, name="proof_file"),
]
