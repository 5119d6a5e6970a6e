"""Writes for parts, orders, core returns, invoices and the credit line: one module per subject."""

from .billing import Charge, invoice_issue, invoice_mark_paid, invoices_issue_bulk
from .catalogue import CatalogueResult, catalogue_load, part_create, part_update, part_values
from .cores import core_hold_review, core_mark_returned, cores_unresolved
from .credit import Credit, credit_compute, credit_hold_review, credit_line_lock, credit_store
from .orders import (
    ORDER,
    AccountNotActive,
    AccountOnHold,
    CreditExceeded,
    EmptyOrder,
    order_cancel,
    order_cart,
    order_confirm,
    order_create,
    order_deliver,
    order_line_set,
    order_lines_replace,
    order_ship,
    order_submit,
    stock_use,
)

__all__ = [
    "ORDER",
    "AccountNotActive",
    "AccountOnHold",
    "CatalogueResult",
    "Charge",
    "Credit",
    "CreditExceeded",
    "EmptyOrder",
    "catalogue_load",
    "core_hold_review",
    "core_mark_returned",
    "cores_unresolved",
    "credit_compute",
    "credit_hold_review",
    "credit_line_lock",
    "credit_store",
    "invoice_issue",
    "invoice_mark_paid",
    "invoices_issue_bulk",
    "order_cancel",
    "order_cart",
    "order_confirm",
    "order_create",
    "order_deliver",
    "order_line_set",
    "order_lines_replace",
    "order_ship",
    "order_submit",
    "part_create",
    "part_update",
    "part_values",
    "stock_use",
]
