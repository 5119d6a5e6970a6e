from django.urls import path

from . import fulfilment_views, views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="home"),
    path("accounts/<slug:org>/", views.evidence, name="evidence"),
    path("accounts/<slug:org>/decide/<slug:decision>/", views.decide, name="decide"),
    path("accounts/<slug:org>/holds/<int:hold_id>/release/", views.hold_release, name="hold_release"),
    path("accounts/<slug:org>/proofs/<int:proof_id>/verdict/", views.proof_verdict, name="proof_verdict"),
    path("accounts/<slug:org>/conflicts/<str:serial>/resolve/", views.conflict_resolve, name="conflict_resolve"),
    path("accounts/<slug:org>/equipment/<str:item>/photo/", views.equipment_photo, name="equipment_photo"),
    path("accounts/<slug:org>/approval-letter.pdf", views.approval_letter, name="approval_letter"),
    path("audit/", views.audit_log, name="audit_log"),
    path("accounts/<slug:org>/proofs/<int:proof_id>/file/", views.proof_file, name="proof_file"),
    path("accounts/<slug:org>/proofs/<int:proof_id>/viewer/", views.proof_viewer, name="proof_viewer"),
    # Parts: reviewers stand in for Apple's back office (fulfilment, payments, the catalogue).
    path("orders/", fulfilment_views.orders, name="orders"),
    path("orders/<int:order_id>/", fulfilment_views.order_detail, name="order_detail"),
    path("orders/<int:order_id>/confirm/", fulfilment_views.order_confirm, name="order_confirm"),
    path("orders/<int:order_id>/ship/", fulfilment_views.order_ship, name="order_ship"),
    path("orders/<int:order_id>/deliver/", fulfilment_views.order_deliver, name="order_deliver"),
    path("invoices/", fulfilment_views.invoices, name="invoices"),
    path("invoices/<int:invoice_id>/paid/", fulfilment_views.invoice_paid, name="invoice_paid"),
    path("invoices/<int:invoice_id>/pdf/", fulfilment_views.invoice_pdf, name="invoice_pdf"),
    path("parts/", fulfilment_views.parts, name="parts"),
    path("parts/new/", fulfilment_views.part_create, name="part_create"),
    path("parts/upload/", fulfilment_views.parts_upload, name="parts_upload"),
    path("parts/<path:part_number>/edit/", fulfilment_views.part_edit, name="part_edit"),
]
