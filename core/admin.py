from django.contrib import admin
from django_scopes import scopes_disabled

from .models import AuditEntry, Notification, NumberSequence, Price, VatRate


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


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "title", "read_at", "email_sent_at", "email_failed_at"]
    list_filter = [("email_failed_at", admin.EmptyFieldListFilter)]


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin):
    list_display = ["country", "kind", "rate", "valid_from"]


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "last_value"]

    def has_change_permission(self, request, obj=None):
        return False  # numbers are drawn only by the services, so the series stays gapless


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin):
    """A price change is a new dated entry; entries already in force stay as they were."""

    list_display = ["item", "kind", "amount", "currency", "valid_from"]
    list_filter = ["kind"]
    search_fields = ["item"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
