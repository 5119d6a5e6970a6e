"""The reviewer console in the browser: the queue, an application's evidence, the decisions and the audit trail.

The tenancy middleware has checked the reviewer and opened the scope of the organisation in the path; the
decisions come from ``review.decisions``, the same table the API serves.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from accounts.lifecycle import account_get
from accounts.models import Account, Organisation
from accounts.selectors import audit_list
from core.decorators import org_permission_required, reviewer_required
from core.errors import DomainError
from core.files import private_file_response
from core.pdf import pdf_response
from core.ratelimit import rate_limited
from eligibility import selectors as eligibility_selectors
from eligibility import services as eligibility_services
from eligibility.charts import installed_base_chart

from . import selectors, services
from .decisions import DECISIONS, decisions_allowed
from .forms import ApproveForm, ConflictResolveForm, HoldForm, MessageForm, ProofVerdictForm, ReasonForm
from .pdf import approval_letter_filename, approval_letter_pdf

REVIEWER_ACTIONS_PER_MINUTE = 60


@reviewer_required
def queue(request):
    status = request.GET.get("status") or ""
    q = request.GET.get("q", "")
    accounts = selectors.review_queue(status=status or None, q=q)
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    rows = [{"account": a, "waiting": selectors.waiting_days(a)} for a in page.object_list]
    context = {
        "page": page,
        "rows": rows,
        "status": status,
        "q": q,
        "counts": selectors.review_status_counts(),
        "statuses": [(value, label) for value, label in Account.Status.choices if value != Account.Status.DRAFT],
    }
    return render(request, "review/queue.html", context)


@reviewer_required
def evidence(request, org):
    ev = selectors.evidence_for(organisation=request.organisation)
    # The documents come a page at a time and each opens only when asked (proof_viewer): a district with hundreds of
    # invoices must not load them all with the page.
    proofs = Paginator(ev.proofs, selectors.PROOFS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "ev": ev,
        "proofs": proofs,
        "result": ev.eligibility,
        "chart": installed_base_chart(ev.eligibility),
        "approve_form": ApproveForm(),
        "reason_form": ReasonForm(),
        "message_form": MessageForm(),
        "ask_form": MessageForm(prefix="ask"),
        "hold_form": HoldForm(),
        "allowed": decisions_allowed(ev.account),
    }
    return render(request, "review/evidence.html", context)


def _act(request, org, run, done: str):
    """Run one decision; an illegal or concurrent one becomes a clear message, never a double decision."""
    try:
        result = run(account_get(organisation=request.organisation))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DomainError as exc:
        messages.error(
            request,
            _("Not done: %(reason)s Someone may have decided already; the page now shows the current state.")
            % {"reason": exc.detail},
        )
    else:
        messages.success(request, done % {"account_number": getattr(result, "account_number", "")})
    response = redirect("review:evidence", org=org)
    page = request.POST.get("page", "")
    if page.isdigit() and page.isascii():  # back to the page of documents the reviewer was on
        response["Location"] += f"?page={page}#documents"
    return response


def _valid(form) -> dict:
    """The form's cleaned data; an invalid form raises its messages, which ``_act`` shows."""
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    return form.cleaned_data


def _cleaned(request, decision) -> dict:
    if decision.form is None:
        return {}
    return _valid(decision.form(request.POST))


@reviewer_required
@rate_limited(key="review", limit=REVIEWER_ACTIONS_PER_MINUTE)
@require_POST
def decide(request, org, decision):
    chosen = DECISIONS.get(decision)
    if chosen is None or decision == "release":
        raise Http404

    def run(account):
        return chosen.run(account, request.user, _cleaned(request, chosen))

    return _act(request, org, run, str(chosen.done))


@reviewer_required
@rate_limited(key="review", limit=REVIEWER_ACTIONS_PER_MINUTE)
@require_POST
def hold_release(request, org, hold_id):
    release = DECISIONS["release"]

    def run(account):
        return release.run(account, request.user, {"hold_id": hold_id, "note": request.POST.get("note", "")})

    return _act(request, org, run, str(release.done))


@reviewer_required
@rate_limited(key="review", limit=REVIEWER_ACTIONS_PER_MINUTE)
@require_POST
def proof_verdict(request, org, proof_id):
    proof = eligibility_selectors.proof_get(organisation=request.organisation, proof_id=proof_id)

    def run(account):
        data = _valid(ProofVerdictForm(request.POST))
        return eligibility_services.proof_review(
            proof=proof, reviewer=request.user, status=data["status"], reason=data["reason"]
        )

    done = _("Invoice %(number)s: verdict saved.") % {"number": proof.invoice_number}
    return _act(request, org, run, done.replace("%", "%%"))


@reviewer_required
@rate_limited(key="review", limit=REVIEWER_ACTIONS_PER_MINUTE)
@require_POST
def conflict_resolve(request, org, serial):
    """Assign a disputed serial the application lists to one of its claimants, from the evidence page."""
    if serial not in {c["serial_number"] for c in selectors.serial_conflicts(organisation=request.organisation)}:
        raise Http404

    def run(account):
        data = _valid(ConflictResolveForm(request.POST))
        owner = selectors.conflict_claimant(serial=serial, slug=data["organisation"])
        return services.serial_conflict_resolve(
            serial=serial, owner=owner, reviewer=request.user, reason=data["reason"]
        )

    done = _("Serial number %(serial)s: the conflict is resolved.") % {"serial": serial}
    return _act(request, org, run, done.replace("%", "%%"))


@reviewer_required
@xframe_options_sameorigin
def equipment_photo(request, org, item):
    rows = {r["item"]: r for r in eligibility_selectors.equipment_list(organisation=request.organisation)}
    row = rows.get(item)
    if not row or not row["photo"]:
        raise Http404
    return private_file_response(
        row["photo"], content_type=row["attestation"].photo_content_type, filename=f"{item}.jpg", inline=True
    )


@reviewer_required
@xframe_options_sameorigin
def proof_file(request, org, proof_id):
    proof = eligibility_selectors.proof_get(organisation=request.organisation, proof_id=proof_id)
    return private_file_response(proof.file, content_type=proof.content_type, filename=proof.original_name, inline=True)


@reviewer_required
def proof_viewer(request, org, proof_id):
    """The frame that shows one document, fetched when the reviewer asks for it on the evidence page."""
    proof = eligibility_selectors.proof_get(organisation=request.organisation, proof_id=proof_id)
    return render(request, "review/_proof_viewer.html", {"p": proof, "org": request.organisation})


def _letter(organisation):
    account = account_get(organisation=organisation)
    if not account.approved_at:
        raise Http404
    return pdf_response(approval_letter_pdf(organisation=organisation), approval_letter_filename(account))


@reviewer_required
def approval_letter(request, org):
    return _letter(request.organisation)


@org_permission_required("account.view")
def organisation_approval_letter(request, org):
    """The organisation's own copy of its approval letter, on its account page."""
    return _letter(request.organisation)


@reviewer_required
def audit_log(request):
    """Every organisation's trail (the middleware opened the reviewer's unscoped view), filterable by one."""
    organisations = Organisation.objects.order_by("name")
    chosen = organisations.filter(slug=request.GET.get("organisation", "")).first()
    page = Paginator(audit_list(organisation=chosen), 50).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    return render(
        request,
        "review/audit_log.html",
        {"page": page, "entries": entries, "organisations": organisations, "chosen": chosen},
    )
