from django.urls import path

from . import views

ORG = "orgs/<slug:org>"

urlpatterns = [
    path("parts/", views.PartListApi.as_view(), name="api_parts"),
    path("parts/<path:part_number>/", views.PartDetailApi.as_view(), name="api_part"),
    path(f"{ORG}/orders/", views.OrderListCreateApi.as_view(), name="api_orders"),
    path(f"{ORG}/orders/<int:order_id>/", views.OrderDetailApi.as_view(), name="api_order"),
    path(f"{ORG}/orders/<int:order_id>/submit/", views.OrderSubmitApi.as_view(), name="api_order_submit"),
    path(f"{ORG}/orders/<int:order_id>/cancel/", views.OrderCancelApi.as_view(), name="api_order_cancel"),
    path(
        f"{ORG}/orders/<int:order_id>/confirmation.pdf",
        views.OrderConfirmationPdfApi.as_view(),
        name="api_order_confirmation",
    ),
    path(f"{ORG}/credit/", views.CreditApi.as_view(), name="api_credit"),
    path(f"{ORG}/core-returns/", views.CoreReturnListApi.as_view(), name="api_core_returns"),
    path(
        f"{ORG}/core-returns/<int:core_id>/returned/",
        views.CoreReturnedApi.as_view(),
        name="api_core_return_returned",
    ),
    path(
        f"{ORG}/core-returns/<int:core_id>/label.pdf", views.CoreReturnLabelApi.as_view(), name="api_core_return_label"
    ),
    path(f"{ORG}/invoices/", views.InvoiceListApi.as_view(), name="api_invoices"),
    path(f"{ORG}/invoices/<int:invoice_id>/", views.InvoiceDetailApi.as_view(), name="api_invoice"),
    path(f"{ORG}/invoices/<int:invoice_id>/pdf/", views.InvoicePdfApi.as_view(), name="api_invoice_pdf"),
    path(f"{ORG}/statements/", views.StatementListApi.as_view(), name="api_statements"),
    path(f"{ORG}/statements/<str:month>/pdf/", views.StatementPdfApi.as_view(), name="api_statement_pdf"),
    path(f"{ORG}/stock/", views.StockListApi.as_view(), name="api_stock"),
]
