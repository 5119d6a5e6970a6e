"""The reviewer console's parts pages: reviewers stand in for Apple's back office. They work the fulfilment queue
(confirm, ship, deliver), record invoice payments and keep the parts catalogue current.

These routes name no organisation, so the tenancy middleware has checked the reviewer and opened the reviewer's
unscoped view (``core.tenancy.reviewer_scope``): the queue and the invoices span every organisation. Every change
is a parts service, which checks the transition and writes the audit entry.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.holds import standing
from accounts.models import ProductLine
from core.decorators import reviewer_required
from core.errors import DomainError
from core.forms import form_errors_from
from core.pdf import pdf_response
from core.prices import part_item, price_history
from core.ratelimit import rate_limited
from core.uploads import upload_limit
from parts import pdf as parts_pdf
from parts import selectors as parts_selectors
from parts import services as parts_services
from parts.models import Invoice, PartsOrder, Pricing

from .fulfilment_forms import MAX_CATALOGUE_BYTES, CatalogueUploadForm, PartForm, ShipForm

REVIEWER_ACTIONS_PER_MINUTE = 60
PER_PAGE = 50
FULFILMENT_ACTIONS = ("confirm", "ship", "deliver")  # cancelling is the organisation's, not Apple's
INVOICE_FILTERS = ("open", "paid", "overdue")
UPLOAD_ERRORS_SHOWN = 1000
CARRIERS = ("DHL", "DPD", "GLS", "UPS", "FedEx", "Hermes")


def _days_since(moment) -> int | None:
    return (timezone.now() - moment).days if moment else None


# --- Orders ---------------------------------------------------------------------------------------------------


@reviewer_required
def orders(request):
    """Open orders of every organisation, oldest first, so the queue is worked from the top."""
    status = request.GET.get("status") or ""
    if status not in PartsOrder.OPEN:
        status = ""
    page = Paginator(parts_selectors.orders_for_fulfilment(status=status or None), PER_PAGE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    rows = [
        {
            "order": o,
            "age": _days_since(o.submitted_at),
            "late": bool(o.ship_date and o.ship_date < today and o.status != PartsOrder.Status.SHIPPED),
        }
        for o in page.object_list
    ]
    statuses = [(value, label) for value, label in PartsOrder.Status.choices if value in PartsOrder.OPEN]
    return render(request, "review/orders.html", {"page": page, "rows": rows, "status": status, "statuses": statuses})


def _order_context(order: PartsOrder, ship_form: ShipForm | None = None) -> dict:
    result = standing(organisation=order.organisation, action="order")
    allowed = parts_services.ORDER.allowed(order)
    later_holds = [h for h in result.holds if order.submitted_at and h.since > order.submitted_at]
    invoice = getattr(order, "invoice", None) if order.status == PartsOrder.Status.DELIVERED else None
    return {
        "order": order,
        "lines": list(order.lines.all()),
        "standing": result,
        "later_holds": later_holds,
        "actions": [name for name in FULFILMENT_ACTIONS if name in allowed],
        "ship_form": ship_form or ShipForm(),
        "carriers": CARRIERS,
        "invoice": invoice,
        "age": _days_since(order.submitted_at),
    }


@reviewer_required
def order_detail(request, order_id):
    order = parts_selectors.order_for_fulfilment(order_id=order_id)
    return render(request, "review/order_detail.html", _order_context(order))


def _refused(request, exc: DomainError) -> None:
    messages.error(
        request,
        _("Not done: %(reason)s Someone may have acted on this order already; the page now shows its current state.")
        % {"reason": exc.detail},
    )


def _fulfil(request, order: PartsOrder, run, done: str):
    """Run one fulfilment step; a step the status no longer allows (someone was quicker) becomes a clear message
    and changes nothing."""
    try:
        run()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return redirect("review:order_detail", order_id=order.pk)


@reviewer_required
@rate_limited(key="review", limit=REVIEWER_ACTIONS_PER_MINUTE)
@require_POST
def order_confirm(request, order_id):
    order = parts_selectors.order_for_fulfilment(order_id=order_id)
    return _fulfil(
        request,
        order,
        lambda: parts_services.order_confirm(order=order, actor=request.user),
        _("Order %(number)s is confirmed.") % {"number": order.number},
    )


@reviewer_required
@rate_limited(key="review", limit=REVIEWER_ACTIONS_PER_MINUTE)
@require_POST
def order_ship(request, order_id):
    """Shipped with carrier and tracking number. A missing value shows the form again with what was typed."""
    order = parts_selectors.order_for_fulfilment(order_id=order_id)
    form = ShipForm(request.POST)
    if form.is_valid():
        try:
            parts_services.order_ship(order=order, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        except DomainError as exc:
            _refused(request, exc)
            return redirect("review:order_detail", order_id=order.pk)
        else:
            messages.success(
                request,
                _("Order %(number)s is shipped with %(carrier)s, tracking number %(tracking)s.")
                % {
                    "number": order.number,
                    "carrier": form.cleaned_data["carrier"],
                    "tracking": form.cleaned_data["tracking_number"],
                },
            )
            return redirect("review:order_detail", order_id=order.pk)
    messages.error(request, _("Not shipped yet: please correct the marked fields."))
    return render(request, "review/order_detail.html", _order_context(order, ship_form=form), status=400)


@reviewer_required
@rate_limited(key="review", limit=REVIEWER_ACTIONS_PER_MINUTE)
@require_POST
def order_deliver(request, order_id):
    order = parts_selectors.order_for_fulfilment(order_id=order_id)
    return _fulfil(
        request,
        order,
        lambda: parts_services.order_deliver(order=order, actor=request.user),
        _("Order %(number)s is delivered: it is invoiced and its core returns are due.") % {"number": order.number},
    )


# --- Invoices -------------------------------------------------------------------------------------------------


def _invoice_filters(value: str) -> dict:
    if value == "overdue":
        return {"overdue": True}
    if value in Invoice.Status.values:
        return {"status": value}
    return {}


@reviewer_required
def invoices(request):
    status = request.GET.get("status") or ""
    if status not in INVOICE_FILTERS:
        status = ""
    queryset = parts_selectors.invoice_list(organisation=None, filters=_invoice_filters(status))
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [{"invoice": i, "overdue": i.status == Invoice.Status.OPEN and i.due_on < today} for i in page.object_list]
    filters = [
        ("open", _("Open")),
        ("overdue", _("Overdue")),
        ("paid", _("Paid")),
    ]
    return render(request, "review/invoices.html", {"page": page, "rows": rows, "status": status, "filters": filters})


@reviewer_required
@rate_limited(key="review", limit=REVIEWER_ACTIONS_PER_MINUTE)
@require_POST
def invoice_paid(request, invoice_id):
    invoice = parts_selectors.invoice_get(organisation=None, invoice_id=invoice_id)
    try:
        parts_services.invoice_mark_paid(invoice=invoice, actor=request.user)
    except DomainError as exc:
        messages.error(request, _("Not done: %(reason)s") % {"reason": exc.detail})
    else:
        messages.success(
            request,
            _("Invoice %(number)s of %(organisation)s is marked paid.")
            % {"number": invoice.number, "organisation": invoice.organisation.name},
        )
    # Back to the list the reviewer was working on.
    query = {}
    if request.POST.get("status") in INVOICE_FILTERS:
        query["status"] = request.POST["status"]
    page = request.POST.get("page", "")
    if page.isascii() and page.isdigit():
        query["page"] = page
    url = reverse("review:invoices")
    return redirect(f"{url}?{urlencode(query)}" if query else url)


@reviewer_required
def invoice_pdf(request, invoice_id):
    invoice = parts_selectors.invoice_get(organisation=None, invoice_id=invoice_id)
    return pdf_response(parts_pdf.invoice_pdf(invoice), f"{invoice.number}.pdf")


# --- Catalogue ------------------------------------------------------------------------------------------------


@reviewer_required
def parts(request):
    """The whole catalogue, parts no longer listed too, searchable and by product line."""
    q = request.GET.get("q", "").strip()[:100]
    product_line = request.GET.get("product_line") or ""
    if product_line not in ProductLine.values:
        product_line = ""
    queryset = parts_selectors.part_list(include_withdrawn=True, filters={"q": q, "product_line": product_line})
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "review/parts.html",
        {
            "page": page,
            "parts": list(page.object_list),
            "q": q,
            "product_line": product_line,
            "product_lines": ProductLine.choices,
        },
    )


@reviewer_required
@rate_limited(key="review", limit=REVIEWER_ACTIONS_PER_MINUTE)
def part_create(request):
    form = PartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            part = parts_services.part_create(actor=request.user, data=form.service_data())
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("%(number)s is now in the catalogue.") % {"number": part.part_number})
            return redirect("review:part_edit", part_number=part.part_number)
    return render(request, "review/part_form.html", {"form": form, "part": None}, status=400 if form.errors else 200)


def _price_rows(part_number: str) -> list[dict]:
    labels = dict(Pricing.choices)
    return [
        {"valid_from": p.valid_from, "kind": labels.get(p.kind, p.kind), "amount": p.amount}
        for p in price_history(item=part_item(part_number))
    ]


@reviewer_required
@rate_limited(key="review", limit=REVIEWER_ACTIONS_PER_MINUTE)
def part_edit(request, part_number):
    part = parts_selectors.part_get(part_number=part_number, include_withdrawn=True)
    form = PartForm(request.POST or None, part=part)
    if request.method == "POST" and form.is_valid():
        try:
            part = parts_services.part_update(part=part, actor=request.user, data=form.service_data())
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("%(number)s is saved.") % {"number": part.part_number})
            return redirect("review:part_edit", part_number=part.part_number)
    context = {"form": form, "part": part, "prices": _price_rows(part.part_number)}
    return render(request, "review/part_form.html", context, status=400 if form.errors else 200)


def _rejected_rows(errors: list[tuple[int, dict]]) -> list[dict]:
    return [
        {"line": line, "messages": [(field, message) for field, messages_ in fields.items() for message in messages_]}
        for line, fields in errors[:UPLOAD_ERRORS_SHOWN]
    ]


@reviewer_required
@rate_limited(key="review", limit=REVIEWER_ACTIONS_PER_MINUTE)
@upload_limit(MAX_CATALOGUE_BYTES)
def parts_upload(request):
    """Apple's catalogue CSV: valid rows are stored, every rejected row is shown with its line number."""
    form = CatalogueUploadForm(request.POST, request.FILES) if request.method == "POST" else CatalogueUploadForm()
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = parts_services.catalogue_load(data=form.cleaned_data["file"].read(), actor=request.user)
        except ValidationError as exc:  # not a catalogue at all (columns missing): nothing was stored
            form_errors_from(exc, form)
    context = {
        "form": form,
        "result": result,
        "rejected": _rejected_rows(result.errors) if result else [],
        "more_rejected": max(len(result.errors) - UPLOAD_ERRORS_SHOWN, 0) if result else 0,
    }
    return render(request, "review/parts_upload.html", context, status=400 if form.errors else 200)
