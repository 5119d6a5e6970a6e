"""The parts records for platform operators. Money and status change through the services (the reviewer console),
so orders, invoices and core returns are read-only here: an edit in the admin would skip the audit trail."""

from django.contrib import admin

from core.admin import UnscopedAdmin

from .models import CoreReturn, CreditLine, Invoice, Part, PartsOrder


class ReadOnlyAdmin(UnscopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Part)
class PartAdmin(ReadOnlyAdmin):
    list_display = ["part_number", "description", "kind", "stock_price", "exchange_price", "available", "active"]
    list_filter = ["kind", "available", "active", "core_return"]
    search_fields = ["part_number", "description", "fits_models"]


@admin.register(PartsOrder)
class PartsOrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "organisation", "status", "total", "submitted_at", "ship_date"]
    list_filter = ["status"]
    search_fields = ["number", "organisation__name", "tracking_number"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "organisation", "kind", "issued_on", "due_on", "gross", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["number", "organisation__name"]


@admin.register(CoreReturn)
class CoreReturnAdmin(ReadOnlyAdmin):
    list_display = ["id", "organisation", "part", "status", "due_date", "tracking_number"]
    list_filter = ["status"]


@admin.register(CreditLine)
class CreditLineAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "exposure", "computed_at"]
