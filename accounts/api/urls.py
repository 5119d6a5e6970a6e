from django.urls import path

from . import views

urlpatterns = [
    path("organisations/", views.OrganisationListCreateApi.as_view(), name="api_organisations"),
    path("orgs/<slug:org>/members/", views.MemberListCreateApi.as_view(), name="api_members"),
    path("orgs/<slug:org>/account/", views.AccountApi.as_view(), name="api_account"),
]
