from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("o/<slug:org>/", views.dashboard, name="dashboard"),
    path("o/<slug:org>/settings/", views.organisation_settings, name="organisation_settings"),
    path("o/<slug:org>/members/", views.members, name="members"),
    path("o/<slug:org>/members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("o/<slug:org>/members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("o/<slug:org>/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("o/<slug:org>/audit/", views.audit_log, name="audit_log"),
    path("o/<slug:org>/account/", views.account_page, name="account"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/bell/", views.bell, name="bell"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.api_tokens, name="api_tokens"),
    path("profile/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("language/", views.language_switch, name="language_switch"),
]
