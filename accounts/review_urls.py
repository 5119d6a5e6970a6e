from django.urls import path

from eligibility import views as eligibility_views

from . import views

app_name = "review"

urlpatterns = [
    path("", views.review_home, name="home"),
    path("audit/", views.review_audit, name="audit_log"),
    path("accounts/<slug:org>/proofs/<int:proof_id>/file/", eligibility_views.review_proof_file, name="proof_file"),
]
