from django.urls import path

from . import fulfilment
from . import views as review

urlpatterns = [
    path("review/accounts/", review.ReviewQueueApi.as_view(), name="api_review_queue"),
    path("review/conflicts/", review.ConflictListApi.as_view(), name="api_review_conflicts"),
    path(
        "review/conflicts/<str:serial>/resolve/",
        review.ConflictResolveApi.as_view(),
        name="api_review_conflict_resolve",
    ),
    path("review/accounts/<slug:org>/", review.ReviewAccountApi.as_view(), name="api_review_account"),
    path("review/accounts/<slug:org>/start/", review.StartReviewApi.as_view(), name="api_review_start"),
    path("review/accounts/<slug:org>/request-info/", review.RequestInfoApi.as_view(), name="api_review_request_info"),
    path("review/accounts/<slug:org>/approve/", review.ApproveApi.as_view(), name="api_review_approve"),
    path("review/accounts/<slug:org>/reject/", review.RejectApi.as_view(), name="api_review_reject"),
    path("review/accounts/<slug:org>/suspend/", review.SuspendApi.as_view(), name="api_review_suspend"),
    path("review/accounts/<slug:org>/reinstate/", review.ReinstateApi.as_view(), name="api_review_reinstate"),
    path("review/accounts/<slug:org>/holds/", review.HoldPlaceApi.as_view(), name="api_review_holds"),
    path(
        "review/accounts/<slug:org>/holds/<int:hold_id>/release/",
        review.HoldReleaseApi.as_view(),
        name="api_review_hold_release",
    ),
    path(
        "review/accounts/<slug:org>/proofs/<int:proof_id>/verdict/",
        review.ProofVerdictApi.as_view(),
        name="api_review_proof_verdict",
    ),
    path(
        "review/accounts/<slug:org>/proofs/<int:proof_id>/file/",
        review.ReviewProofFileApi.as_view(),
        name="api_review_proof_file",
    ),
    # Fulfilment: the reviewers stand in for Apple's back office (review/api/fulfilment.py)
    path("review/orders/", fulfilment.FulfilmentOrderListApi.as_view(), name="api_review_orders"),
    path("review/orders/<int:order_id>/", fulfilment.FulfilmentOrderApi.as_view(), name="api_review_order"),
    path(
        "review/orders/<int:order_id>/confirm/", fulfilment.OrderConfirmApi.as_view(), name="api_review_order_confirm"
    ),
    path("review/orders/<int:order_id>/ship/", fulfilment.OrderShipApi.as_view(), name="api_review_order_ship"),
    path(
        "review/orders/<int:order_id>/deliver/", fulfilment.OrderDeliverApi.as_view(), name="api_review_order_deliver"
    ),
    path("review/invoices/", fulfilment.FulfilmentInvoiceListApi.as_view(), name="api_review_invoices"),
    path(
        "review/invoices/<int:invoice_id>/pdf/",
        fulfilment.FulfilmentInvoicePdfApi.as_view(),
        name="api_review_invoice_pdf",
    ),
    path("review/invoices/<int:invoice_id>/paid/", fulfilment.InvoicePaidApi.as_view(), name="api_review_invoice_paid"),
    path("review/parts/", fulfilment.CatalogueApi.as_view(), name="api_review_parts"),
    path("review/parts/<path:part_number>/", fulfilment.CataloguePartApi.as_view(), name="api_review_part"),
]
