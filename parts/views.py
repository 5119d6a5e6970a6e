"""Browser views for parts: the catalogue, the cart and orders, stock, the credit line, billing and core returns.

Each view parses the request, calls one service or the selectors it shows, and renders. A refusal (a credit line
too short, a hold, bad input) is shown where it happened, with what it means and what lifts it; nothing typed into
the cart is lost.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.holds import standing
from accounts.lifecycle import account_get
from accounts.models import Hold
from accounts.selectors import programme_rules_for
from core.decorators import org_permission_required
from core.errors import DomainError
from core.pdf import pdf_response
from core.permissions import can

from . import pdf, selectors, services
from .charts import utilisation_chart
from .forms import CartAddForm, CartUpdateForm, CatalogueFilterForm, CoreReturnedForm, first_error
from .models import CoreReturn, Invoice, PartsOrder, Pricing
from .services.orders import MAX_QUANTITY

S = PartsOrder.Status
PER_PAGE = 25


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return getattr(exc, "detail", "") or str(exc)


def _back(request, default: str, **kwargs):
    """Back to the page the form was on (``next``, this site only), else ``default``."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default, **kwargs)


def _cart_of(request) -> PartsOrder | None:
    """The person's open cart in this organisation, if there is one: a read never makes one."""
    return (
        selectors.order_list(organisation=request.organisation, filters={"status": S.DRAFT})
        .filter(created_by=request.user)
        .first()
    )


def _long_date(day: datetime.date) -> str:
    return f"{date_format(day, 'l')}, {date_format(day, 'DATE_FORMAT')}"


# --- Catalogue and cart ---------------------------------------------------------------------------------------


@org_permission_required("orders.view")
def catalogue(request, org):
    form = CatalogueFilterForm(request.GET or None)
    filters = form.filters()
    page = Paginator(selectors.part_list(filters=filters), PER_PAGE).get_page(request.GET.get("page"))
    can_draft = can(request.membership, "orders.draft")
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "cart": _cart_of(request) if can_draft else None,
        "can_draft": can_draft,
        "exchange": Pricing.EXCHANGE,
    }
    return render(request, "parts/catalogue.html", context)


def _add_to_cart(request, form: CartAddForm) -> tuple[str, str]:
    """Add the form's part to the person's cart, made on this first write: (confirmation, error)."""
    if not form.is_valid():
        return "", first_error(form)
    part, data = form.part, form.cleaned_data
    cart = services.order_cart(organisation=request.organisation, actor=request.user)
    held = sum(
        line.quantity for line in cart.lines.all() if line.part_id == part.pk and line.pricing == data["pricing"]
    )
    if held + data["quantity"] > MAX_QUANTITY:
        return "", _("Your cart holds %(held)s of %(part)s already; one line takes at most %(max)s.") % {
            "held": held,
            "part": part.part_number,
            "max": MAX_QUANTITY,
        }
    try:
        services.order_line_add(
            order=cart, part_number=part.part_number, quantity=data["quantity"], pricing=data["pricing"]
        )
    except (ValidationError, DomainError) as exc:
        return "", _error_text(exc)
    return _("Added %(quantity)s × %(part)s %(description)s to your cart.") % {
        "quantity": data["quantity"],
        "part": part.part_number,
        "description": part.description,
    }, ""


@org_permission_required("orders.draft")
@require_POST
def cart_add(request, org):
    """A part into the person's cart; the quantity is added to what the cart holds of it already."""
    message, error = _add_to_cart(request, CartAddForm(request.POST))
    if request.htmx:
        # The catalogue stays where it was scrolled to; only the cart status (a live region) changes.
        context = {"cart": _cart_of(request), "message": message, "error": error}
        return render(request, "parts/_cart_status.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, message)
    return _back(request, "parts:catalogue", org=org)


@org_permission_required("orders.draft")
@require_POST
def cart_update(request, org):
    """A cart line's new quantity; 0 takes the line out."""
    cart = _cart_of(request)
    form = CartUpdateForm(request.POST)
    if cart is None:
        messages.info(request, _("Your cart is empty."))
    elif not form.is_valid():
        messages.error(request, first_error(form))
    else:
        data = form.cleaned_data
        try:
            services.order_line_set(
                order=cart, part_number=data["part_number"], quantity=data["quantity"], pricing=data["pricing"]
            )
        except (ValidationError, DomainError) as exc:
            messages.error(request, _error_text(exc))
        else:
            if data["quantity"]:
                messages.success(
                    request,
                    _("%(part)s: the quantity is now %(quantity)s.")
                    % {"part": data["part_number"], "quantity": data["quantity"]},
                )
            else:
                messages.success(
                    request, _("%(part)s has been removed from your cart.") % {"part": data["part_number"]}
                )
    return redirect("parts:cart", org=org)


def _cart_lines(order: PartsOrder) -> tuple[list[dict], Decimal]:
    """A cart's lines at today's prices (the prices a submission charges), and their total."""
    rows, total = [], Decimal("0.00")
    for line in order.lines.all():
        unit = line.part.unit_price(line.pricing)
        if unit is None:  # the exchange price was taken away since; submission would refuse it
            unit = line.unit_price
        net = unit * line.quantity
        total += net
        rows.append({"line": line, "part": line.part, "unit": unit, "net": net, "withdrawn": not line.part.active})
    return rows, total


def _submission_preview(request, order: PartsOrder, total: Decimal) -> dict:
    """What submitting the cart now would meet: the credit it leaves, the holds that refuse it, the ship date."""
    organisation = request.organisation
    lines = list(order.lines.all())
    credit = selectors.credit_summary(organisation=organisation).credit
    order_standing = standing(organisation=organisation, action="order")
    blocking = services.order_blocking_holds(order=order, lines=lines) if lines else []
    promise = services.order_ship_promise(
        organisation=organisation,
        lines=lines,
        at=timezone.now(),
        in_good_standing=not blocking and "account_not_active" not in order_standing.reasons,
    )
    return {
        "credit": credit,
        "left": credit.available - total,
        "short": max(total - credit.available, Decimal("0.00")),
        "fits": credit.exposure + total <= credit.limit,
        "holds": blocking,
        "account_active": "account_not_active" not in order_standing.reasons,
        "account": account_get(organisation=organisation),
        "promise": promise,
        "promise_reason": PartsOrder.ShipNote(promise.reason).label if promise.reason else "",
        "cutoff": programme_rules_for(organisation).order_cutoff,
        "withdrawn": [line for line in lines if not line.part.active],
    }


def _draft_context(request, order: PartsOrder) -> dict:
    rows, total = _cart_lines(order)
    context = {"rows": rows, "total": total}
    if rows:
        context["preview"] = _submission_preview(request, order, total)
    return context


def _render_cart(request, order: PartsOrder | None, *, error: dict | None = None, status: int = 200):
    context = {"order": order, "error": error, "rows": []}
    if order is not None:
        context.update(_draft_context(request, order))
    return render(request, "parts/cart.html", context, status=status)


@org_permission_required("orders.view")
def cart(request, org):
    return _render_cart(request, _cart_of(request))


def _submit_error(request, exc: Exception) -> dict:
    """A refused submission as the page shows it: the code, the sentence, and the figures or holds behind it."""
    if isinstance(exc, ValidationError):
        return {"code": "invalid", "detail": _error_text(exc)}
    error = {"code": exc.code, "detail": exc.detail, **exc.extra}
    if exc.code == "credit_exceeded":
        error["short"] = Decimal(exc.extra.get("order_total", 0)) - Decimal(exc.extra.get("available", 0))
    if exc.code == "account_on_hold":
        named = {hold["id"] for hold in exc.extra.get("holds", [])}
        holds = standing(organisation=request.organisation, action="order").holds
        error["hold_list"] = [h for h in holds if h.pk in named] or holds
    return error


def _submitted_message(order: PartsOrder) -> str:
    if order.ship_date and order.ship_note:
        return _(
            "Order %(number)s has been submitted. Estimated ship date: %(date)s (%(reason)s); we will tell you "
            "when it ships."
        ) % {"number": order.number, "date": _long_date(order.ship_date), "reason": order.get_ship_note_display()}
    if order.ship_date:
        return _("Order %(number)s has been submitted. It ships on %(date)s.") % {
            "number": order.number,
            "date": _long_date(order.ship_date),
        }
    return _("Order %(number)s has been submitted.") % {"number": order.number}


@org_permission_required("orders.place")
@require_POST
def order_submit(request, org, order_id):
    order = selectors.order_get(organisation=request.organisation, order_id=order_id)
    try:
        order = services.order_submit(order=order, actor=request.user)
    except (DomainError, ValidationError) as exc:
        if getattr(exc, "code", "") == "invalid_transition":  # submitted already (a second click, another tab)
            messages.info(request, exc.detail)
            return redirect("parts:order_detail", org=org, order_id=order.pk)
        error = _submit_error(request, exc)
        if order.created_by_id == request.user.pk:
            return _render_cart(request, order, error=error, status=409)
        return _render_order(request, order, error=error, status=409)
    messages.success(request, _submitted_message(order))
    return redirect("parts:order_detail", org=org, order_id=order.pk)


# --- Orders ---------------------------------------------------------------------------------------------------

STEPS = [
    (S.DRAFT, "created_at", gettext_lazy("Cart")),
    (S.SUBMITTED, "submitted_at", gettext_lazy("Submitted")),
    (S.CONFIRMED, "confirmed_at", gettext_lazy("Confirmed")),
    (S.SHIPPED, "shipped_at", gettext_lazy("Shipped")),
    (S.DELIVERED, "delivered_at", gettext_lazy("Delivered")),
]


def _progress(order: PartsOrder) -> list[dict]:
    """The steps of the order, each done (with when), current or still to come. A step the order went past without
    its own date (shipped without a separate confirmation) counts as done; a delivered order is done throughout."""
    reached = [status for status, _field, _label in STEPS].index(order.status) if order.status != S.CANCELLED else -1
    steps = []
    for index, (status, field, label) in enumerate(STEPS):
        when = getattr(order, field)
        if order.status == S.CANCELLED:
            state = "done" if when else "todo"
        elif order.status == S.DELIVERED:  # the last step reached: everything is done
            state = "done"
        else:
            state = "current" if index == reached else "done" if index < reached else "todo"
        steps.append({"status": status, "label": label, "state": state, "when": when})
    return steps


def _render_order(request, order: PartsOrder, *, error: dict | None = None, status: int = 200):
    organisation = request.organisation
    context = {"order": order, "error": error, "steps": _progress(order), "invoice": None}
    if order.status == S.DRAFT:
        context.update(_draft_context(request, order))
    else:
        context["rows"] = [
            {"line": line, "part": line.part, "unit": line.unit_price, "net": line.net} for line in order.lines.all()
        ]
        context["total"] = order.total
    if can(request.membership, "billing.view"):
        context["invoice"] = selectors.invoice_list(organisation=organisation).filter(order=order).first()
    context["cancellable"] = order.status in (S.DRAFT, S.SUBMITTED, S.CONFIRMED)
    return render(request, "parts/order_detail.html", context, status=status)


@org_permission_required("orders.view")
def orders(request, org):
    status = request.GET.get("status", "")
    if status not in S.values:
        status = ""
    listed = selectors.order_list(organisation=request.organisation, filters={"status": status})
    page = Paginator(listed.select_related("created_by"), PER_PAGE).get_page(request.GET.get("page"))
    stock = selectors.stock_list(organisation=request.organisation)
    context = {"page": page, "status": status, "statuses": S.choices, "stock": stock[:8], "stock_count": len(stock)}
    return render(request, "parts/orders.html", context)


@org_permission_required("orders.view")
def order_detail(request, org, order_id):
    order = selectors.order_get(organisation=request.organisation, order_id=order_id)
    if order.status == S.DRAFT and order.created_by_id == request.user.pk:
        return redirect("parts:cart", org=org)
    return _render_order(request, order)


@org_permission_required("orders.place")
@require_POST
def order_cancel(request, org, order_id):
    order = selectors.order_get(organisation=request.organisation, order_id=order_id)
    try:
        order = services.order_cancel(order=order, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        if order.number:
            messages.success(request, _("Order %(number)s has been cancelled.") % {"number": order.number})
        else:
            messages.success(request, _("The cart has been cancelled."))
    return redirect("parts:order_detail", org=org, order_id=order.pk)


@org_permission_required("orders.view")
def order_confirmation_pdf(request, org, order_id):
    order = selectors.order_get(organisation=request.organisation, order_id=order_id)
    if order.status == S.DRAFT:  # a cart has nothing to confirm yet
        raise Http404

    return pdf_response(pdf.order_confirmation_pdf(order), f"{order.number}.pdf")


@org_permission_required("orders.view")
def stock(request, org):
    return render(request, "parts/stock.html", {"stock": selectors.stock_list(organisation=request.organisation)})


# --- Credit and billing ---------------------------------------------------------------------------------------


def _invoice_rows(invoices, today: datetime.date) -> list[dict]:
    return [
        {
            "invoice": i,
            "overdue": i.status == Invoice.Status.OPEN and i.due_on < today,
            "days": abs((i.due_on - today).days),
        }
        for i in invoices
    ]


def _core_rows(cores, today: datetime.date) -> list[dict]:
    rows = []
    for core in cores:
        days = (core.due_date - today).days
        rows.append({"core": core, "days_left": max(days, 0), "days_over": max(-days, 0), "due_today": days == 0})
    return rows


@org_permission_required("billing.view")
def credit(request, org):
    organisation = request.organisation
    today = timezone.localdate()
    summary = selectors.credit_summary(organisation=organisation, history_days=180)
    open_invoices = selectors.invoice_list(organisation=organisation, filters={"status": Invoice.Status.OPEN})
    cores = (
        selectors.core_return_list(organisation=organisation, filters={"open": True})
        .exclude(status=CoreReturn.Status.CHARGED)
        .order_by("due_date", "id")[:6]
    )
    context = {
        "summary": summary,
        "credit": summary.credit,
        "account": account_get(organisation=organisation),
        "chart": utilisation_chart(summary.snapshots),
        "snapshot_count": len(summary.snapshots),
        "invoices": _invoice_rows(open_invoices.order_by("due_on", "id"), today),
        "cores": _core_rows(cores, today),
    }
    return render(request, "parts/credit.html", context)


@org_permission_required("billing.view")
def billing(request, org):
    organisation = request.organisation
    today = timezone.localdate()
    open_rows = _invoice_rows(
        selectors.invoice_list(organisation=organisation, filters={"status": Invoice.Status.OPEN}).order_by(
            "due_on", "id"
        ),
        today,
    )
    page = Paginator(selectors.invoice_list(organisation=organisation), PER_PAGE).get_page(request.GET.get("page"))
    months = selectors.statement_months(organisation=organisation, today=today)
    context = {
        "open_rows": open_rows,
        "open_total": sum((row["invoice"].gross for row in open_rows), Decimal("0.00")),
        "overdue_count": sum(1 for row in open_rows if row["overdue"]),
        "page": page,
        "page_rows": _invoice_rows(page.object_list, today),
        "statements": [{"key": key, "month": datetime.date(int(key[:4]), int(key[5:7]), 1)} for key in months],
        "seller": settings.INVOICE_SELLER,
        "rules": programme_rules_for(organisation),
        "account": account_get(organisation=organisation),
    }
    return render(request, "parts/billing.html", context)


@org_permission_required("billing.view")
def invoice_pdf(request, org, invoice_id):
    invoice = selectors.invoice_get(organisation=request.organisation, invoice_id=invoice_id)

    return pdf_response(pdf.invoice_pdf(invoice), f"{invoice.number}.pdf")


@org_permission_required("billing.view")
def statement_pdf(request, org, month):
    statement = selectors.statement(organisation=request.organisation, key=month)

    return pdf_response(pdf.statement_pdf(statement), f"statement-{statement.key}.pdf")


# --- Core returns ---------------------------------------------------------------------------------------------

CORE_TABS = [
    ("open", gettext_lazy("To return")),
    (CoreReturn.Status.DUE, gettext_lazy("Due")),
    (CoreReturn.Status.OVERDUE, gettext_lazy("Overdue")),
    (CoreReturn.Status.CHARGED, gettext_lazy("Charged")),
    (CoreReturn.Status.RETURNED, gettext_lazy("Returned")),
    ("all", gettext_lazy("All")),
]


@org_permission_required("orders.view")
def core_returns(request, org):
    organisation = request.organisation
    today = timezone.localdate()
    tab = request.GET.get("status", "open")
    if tab not in dict(CORE_TABS):
        tab = "open"
    filters = {"open": True} if tab == "open" else {} if tab == "all" else {"status": tab}
    page = Paginator(selectors.core_return_list(organisation=organisation, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    holds = [
        h for h in standing(organisation=organisation, action="order").holds if h.reason == Hold.Reason.CORE_RETURNS
    ]
    context = {
        "page": page,
        "rows": _core_rows(page.object_list, today),
        "tab": tab,
        "tabs": CORE_TABS,
        "rules": programme_rules_for(organisation),
        "holds": holds,
        "form": CoreReturnedForm(),
    }
    return render(request, "parts/core_returns.html", context)


@org_permission_required("cores.return")
@require_POST
def core_returned(request, org, core_id):
    core = selectors.core_return_get(organisation=request.organisation, core_id=core_id)
    form = CoreReturnedForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
    else:
        try:
            core = services.core_mark_returned(
                core=core, actor=request.user, tracking_number=form.cleaned_data["tracking_number"]
            )
        except (ValidationError, DomainError) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request,
                _("The core of %(part)s is marked returned (tracking number %(tracking)s).")
                % {"part": core.part.part_number, "tracking": core.tracking_number},
            )
    return _back(request, "parts:core_returns", org=org)


@org_permission_required("orders.view")
def core_return_label_pdf(request, org, core_id):
    core = selectors.core_return_get(organisation=request.organisation, core_id=core_id)

    return pdf_response(pdf.core_return_label_pdf(core), f"core-return-{core.pk}.pdf")
