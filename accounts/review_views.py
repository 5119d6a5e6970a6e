"""The reviewer console in the browser: the queue, an application's evidence, and the decisions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST
from django_scopes import scope

from eligibility import selectors as eligibility_selectors
from eligibility import services as eligibility_services
from eligibility.api.views import private_file_response
from eligibility.views import _chart
from ssa_portal.errors import DomainError
from ssa_portal.ratelimit import rate_limited

from . import holds, lifecycle, review_selectors
from .decorators import reviewer_required
from .forms_review import ApproveForm, HoldForm, MessageForm, ProofVerdictForm, ReasonForm
from .models import Account, Hold
from .pdf import approval_letter_filename, approval_letter_pdf

REVIEWER_ACTIONS_PER_MINUTE = 60


@reviewer_required
def queue(request):
    status = request.GET.get("status") or ""
    q = request.GET.get("q", "")
    accounts = review_selectors.review_queue(status=status or None, q=q)
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    rows = [{"account": a, "waiting": review_selectors.waiting_days(a)} for a in page.object_list]
    context = {
        "page": page,
        "rows": rows,
        "status": status,
        "q": q,
        "counts": review_selectors.review_status_counts(),
        "statuses": [(value, label) for value, label in Account.Status.choices if value != Account.Status.DRAFT],
    }
    return render(request, "review/queue.html", context)


@reviewer_required
def evidence(request, org):
    organisation = review_selectors.organisation_for_review(slug=org)
    ev = review_selectors.evidence_for(organisation=organisation)
    context = {
        "ev": ev,
        "result": ev.eligibility,
        "chart": _chart(ev.eligibility),
        "approve_form": ApproveForm(),
        "reason_form": ReasonForm(),
        "message_form": MessageForm(),
        "ask_form": MessageForm(prefix="ask"),
        "hold_form": HoldForm(),
        # the applicant's own step (submit) is not the reviewer's to take
        "allowed": {
            name
            for name, (sources, _target) in lifecycle.TRANSITIONS.items()
            if ev.account.status in sources and name != "submit"
        },
    }
    return render(request, "review/evidence.html", context)


def _decide(request, org, action):
    """Run one decision; an illegal or concurrent one becomes a clear message, never a double decision."""
    organisation = review_selectors.organisation_for_review(slug=org)
    with scope(organisation=organisation):
        account = lifecycle.account_get(organisation=organisation)
        try:
            action(account, organisation)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except DomainError as exc:
            messages.error(
                request,
                _("Not done: %(reason)s Someone may have decided already; the page now shows the current state.")
                % {"reason": exc.detail},
            )
    return redirect("review:evidence", org=org)


def _form_or_error(request, form_class):
    """``form_class`` is a form class or a callable taking the POST data."""
    form = form_class(request.POST)
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    return form.cleaned_data


@reviewer_required
@rate_limited(key="review", limit=REVIEWER_ACTIONS_PER_MINUTE)
@require_POST
def decide(request, org, decision):
    reviewer = request.user

    def act(account, organisation):
        if decision == "start":
            lifecycle.review_start(account=account, reviewer=reviewer)
            messages.success(request, _("The review has started."))
        elif decision == "request-info":
            data = _form_or_error(request, lambda post: MessageForm(post, prefix="ask"))
            lifecycle.review_request_info(account=account, reviewer=reviewer, message=data["message"])
            messages.success(request, _("The question has been sent to the applicant."))
        elif decision == "approve":
            data = _form_or_error(request, ApproveForm)
            account = lifecycle.account_approve(
                account=account,
                reviewer=reviewer,
                credit_limit=data["credit_limit"],
                account_number=data["account_number"],
            )
            messages.success(request, _("Approved as %(number)s.") % {"number": account.account_number})
        elif decision == "reject":
            data = _form_or_error(request, ReasonForm)
            lifecycle.account_reject(account=account, reviewer=reviewer, reason=data["reason"])
            messages.success(request, _("The application has been rejected."))
        elif decision == "suspend":
            data = _form_or_error(request, ReasonForm)
            lifecycle.account_suspend(account=account, reviewer=reviewer, reason=data["reason"])
            messages.success(request, _("The account has been suspended."))
        elif decision == "reinstate":
            lifecycle.account_reinstate(account=account, reviewer=reviewer)
            messages.success(request, _("The account has been reinstated."))
        elif decision == "message":
            data = _form_or_error(request, MessageForm)
            lifecycle.account_message_post(account=account, author=reviewer, body=data["message"])
            messages.success(request, _("The message has been sent."))
        elif decision == "hold":
            data = _form_or_error(request, HoldForm)
            holds.hold_place(
                organisation=organisation,
                reason=Hold.Reason.MANUAL,
                actor=reviewer,
                product_line=data["product_line"],
                note=data["note"],
            )
            messages.success(request, _("The hold has been placed."))
        else:
            raise Http404

    return _decide(request, org, act)


@reviewer_required
@rate_limited(key="review", limit=REVIEWER_ACTIONS_PER_MINUTE)
@require_POST
def hold_release(request, org, hold_id):
    def act(account, organisation):
        hold = Hold.objects.filter(organisation=organisation, pk=hold_id).first()
        if hold is None:
            raise Http404
        holds.hold_release(hold=hold, actor=request.user, note=request.POST.get("note", ""))
        messages.success(request, _("The hold has been released."))

    return _decide(request, org, act)


@reviewer_required
@rate_limited(key="review", limit=REVIEWER_ACTIONS_PER_MINUTE)
@require_POST
def proof_verdict(request, org, proof_id):
    def act(account, organisation):
        data = _form_or_error(request, ProofVerdictForm)
        proof = eligibility_selectors.proof_get(organisation=organisation, proof_id=proof_id)
        eligibility_services.proof_review(
            proof=proof, reviewer=request.user, status=data["status"], reason=data["reason"]
        )
        messages.success(request, _("Invoice %(number)s: verdict saved.") % {"number": proof.invoice_number})

    return _decide(request, org, act)


@reviewer_required
@xframe_options_sameorigin
def equipment_photo(request, org, item):
    organisation = review_selectors.organisation_for_review(slug=org)
    with scope(organisation=organisation):
        rows = {r["item"]: r for r in eligibility_selectors.equipment_list(organisation=organisation)}
        row = rows.get(item)
        if not row or not row["photo"]:
            raise Http404
        return private_file_response(
            row["photo"], content_type=row["attestation"].photo_content_type, filename=f"{item}.jpg", inline=True
        )


@reviewer_required
def approval_letter(request, org):
    organisation = review_selectors.organisation_for_review(slug=org)
    with scope(organisation=organisation):
        account = lifecycle.account_get(organisation=organisation)
    if not account.approved_at:
        raise Http404
    return pdf_response(approval_letter_pdf(organisation=organisation), approval_letter_filename(account))


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
