from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_scopes import scopes_disabled

from core.admin import UnscopedAdmin
from core.models import AuditEntry

from .models import (
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    ProgrammeRules,
    User,
)
from .selectors import has_totp, two_factor_verified_recently
from .services import user_deactivate


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
    actions = ["deactivate"]

    # The audit trail names its actors and is append-only: whoever has acted is deactivated, never deleted.
    def has_delete_permission(self, request, obj=None):
        with scopes_disabled():  # the audit trail across organisations: the admin is for platform operators
            acted = obj is not None and AuditEntry.objects.filter(actor=obj).exists()
        if acted:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Deactivate the selected users (they can no longer sign in)"))
    def deactivate(self, request, queryset):
        users = list(queryset.filter(is_active=True))
        for user in users:
            user_deactivate(user=user, actor=request.user)
        count = len(users)
        self.message_user(
            request,
            ngettext("%(count)d user deactivated.", "%(count)d users deactivated.", count) % {"count": count},
            messages.SUCCESS,
        )


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "hint"]


admin.site.register(ProgrammeRules)


# --- the admin's door: staff who signed in through the portal's login, with their second factor -------------------
def admin_has_permission(request) -> bool:
    """``admin.site.has_permission`` (installed by ``AccountsConfig.ready``): an active staff user whose session
    passed two-factor authentication."""
    user = request.user
    return (
        user.is_active
        and user.is_staff
        and has_totp(user)
        and two_factor_verified_recently(request=request, within=settings.SESSION_COOKIE_AGE)
    )


def admin_login(request, extra_context=None):
    """``admin.site.login``: the admin's own password form would skip the second factor, so signing in happens
    at the portal's login; a signed-in user who may not enter gets 403, never a login loop."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), login_url=reverse("account_login"))
    if admin_has_permission(request):
        return redirect("admin:index")
    if request.user.is_staff and not has_totp(request.user):
        return redirect("mfa_activate_totp")
    raise PermissionDenied
