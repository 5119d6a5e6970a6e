from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.review_home, name="home"),
    path("audit/", views.review_audit, name="audit_log"),
]
