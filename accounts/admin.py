from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_scopes import scopes_disabled

from .models import (
    ApiToken,
    AuditEntry,
    Invitation,
    Membership,
    Notification,
    Organisation,
    ProgrammeRules,
    User,
)


class UnscopedAdmin(admin.ModelAdmin):
    """The admin is for platform operators, who look across organisations."""

    def get_queryset(self, request):
        with scopes_disabled():
            return super().get_queryset(request)

    def changeform_view(self, *args, **kwargs):
        with scopes_disabled():
            return super().changeform_view(*args, **kwargs)

    def changelist_view(self, *args, **kwargs):
        with scopes_disabled():
            return super().changelist_view(*args, **kwargs)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_reviewer", "is_staff", "language"]
    list_filter = ["is_reviewer", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["first_name", "last_name", "language"]}),
        ("Platform", {"fields": ["is_reviewer", "is_active", "is_staff", "is_superuser", "groups"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "country", "federal_state", "created_at"]
    search_fields = ["name", "slug", "vat_id"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(UnscopedAdmin):
    list_display = ["email", "organisation", "role", "created_at", "accepted_at", "revoked_at"]


@admin.register(AuditEntry)
class AuditEntryAdmin(UnscopedAdmin):
    list_display = ["created_at", "organisation", "actor_label", "action", "object_repr", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_label", "action", "object_repr"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "hint"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "title", "read_at", "email_sent_at"]


admin.site.register(ProgrammeRules)
