from django.urls import path

from . import views

app_name = "parts"

urlpatterns = [
    path("o/<slug:org>/parts/", views.catalogue, name="catalogue"),
    path("o/<slug:org>/orders/", views.orders, name="orders"),
    path("o/<slug:org>/orders/cart/", views.cart, name="cart"),
    path("o/<slug:org>/orders/cart/add/", views.cart_add, name="cart_add"),
    path("o/<slug:org>/orders/cart/update/", views.cart_update, name="cart_update"),
    path("o/<slug:org>/orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path("o/<slug:org>/orders/<int:order_id>/submit/", views.order_submit, name="order_submit"),
    path("o/<slug:org>/orders/<int:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    path(
        "o/<slug:org>/orders/<int:order_id>/confirmation.pdf",
        views.order_confirmation_pdf,
        name="order_confirmation_pdf",
    ),
    path("o/<slug:org>/stock/", views.stock, name="stock"),
    path("o/<slug:org>/credit/", views.credit, name="credit"),
    path("o/<slug:org>/billing/", views.billing, name="billing"),
    path("o/<slug:org>/billing/invoices/<int:invoice_id>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("o/<slug:org>/billing/statements/<str:month>/pdf/", views.statement_pdf, name="statement_pdf"),
    path("o/<slug:org>/core-returns/", views.core_returns, name="core_returns"),
    path("o/<slug:org>/core-returns/<int:core_id>/returned/", views.core_returned, name="core_returned"),
    path(
        "o/<slug:org>/core-returns/<int:core_id>/label.pdf", views.core_return_label_pdf, name="core_return_label_pdf"
    ),
]
