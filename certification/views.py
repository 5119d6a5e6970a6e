"""Browser views for certification: the team's status per product line, certifications, vouchers, training."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from core.decorators import org_permission_required
from core.errors import DomainError
from core.files import private_file_response
from core.forms import form_errors_from
from core.uploads import upload_limit

from . import selectors, services
from .forms import CertificationForm, VoucherAssignForm, VoucherRequestForm
from .models import TrainingModule


def _people(organisation, user, membership):
    """Who a certification may be recorded for: anyone (admins) or oneself (technicians)."""
    technicians = [m.user for m in selectors.technician_list(organisation=organisation)]
    if not membership.is_admin:
        return [user]
    return technicians + ([user] if user not in technicians else [])


@org_permission_required("certifications.view", POST="certifications.record")
@upload_limit(20 * 1024 * 1024)
def team(request, org):
    organisation = request.organisation
    people = _people(organisation, request.user, request.membership)
    form = CertificationForm(
        request.POST or None, request.FILES or None, technicians=people, initial={"technician": request.user.email}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.certification_record(
                organisation=organisation,
                actor=request.user,
                technician_email=data["technician"],
                kind=data["kind"],
                credential_id=data["credential_id"],
                passed_on=data["passed_on"],
                expires_on=data["expires_on"],
                evidence=data["evidence"],
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("The certification has been recorded."))
            return redirect("certification:team", org=org)
    technicians = [m.user for m in selectors.technician_list(organisation=organisation)]
    by_technician = selectors.certifications_by_technician(organisation=organisation)
    context = {
        "status": selectors.certification_status(organisation=organisation),
        "rows": [{"user": u, "certifications": by_technician.get(u.pk, [])} for u in technicians],
        "vouchers": selectors.voucher_list(organisation=organisation),
        "form": form,
        "assign_form": VoucherAssignForm(technicians=technicians),
        "request_form": VoucherRequestForm(prefix="more"),
        "training": selectors.team_training(organisation=organisation),
    }
    return render(request, "certification/team.html", context, status=400 if form.errors else 200)


@org_permission_required("vouchers.manage")
@require_POST
def voucher_assign(request, org, code):
    voucher = selectors.voucher_get(organisation=request.organisation, code=code)
    technicians = [m.user for m in selectors.technician_list(organisation=request.organisation)]
    form = VoucherAssignForm(request.POST, technicians=technicians)
    if form.is_valid():
        try:
            services.voucher_assign(
                voucher=voucher, actor=request.user, technician_email=form.cleaned_data["technician"]
            )
            messages.success(request, _("Voucher %(code)s has been assigned.") % {"code": voucher.code})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Choose a technician."))
    return redirect("certification:team", org=org)


@org_permission_required("vouchers.manage")
@require_POST
def vouchers_request(request, org):
    form = VoucherRequestForm(request.POST, prefix="more")
    if form.is_valid():
        vouchers = services.vouchers_request(organisation=request.organisation, actor=request.user, **form.cleaned_data)
        messages.success(request, _("%(n)s vouchers have been issued; they will be invoiced.") % {"n": len(vouchers)})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("certification:team", org=org)


@org_permission_required("training.progress")
def training(request, org):
    return render(
        request,
        "certification/training.html",
        {"catalogue": selectors.training_catalogue(organisation=request.organisation, user=request.user)},
    )


@org_permission_required("training.progress")
@require_POST
def training_progress(request, org, module_id, step):
    module = TrainingModule.objects.filter(pk=module_id).first()
    if module is None or step not in ("start", "complete"):
        raise Http404
    if step == "start":
        services.training_start(organisation=request.organisation, user=request.user, module=module)
    else:
        services.training_complete(organisation=request.organisation, user=request.user, module=module)
        messages.success(request, _("“%(title)s” is marked as completed.") % {"title": module.title})
    return redirect("certification:training", org=org)


@org_permission_required("certifications.view")
@xframe_options_sameorigin
def certification_evidence(request, org, certification_id):
    """The certificate document, privately: members of the organisation only."""
    certification = selectors.certification_get(organisation=request.organisation, certification_id=certification_id)
    if not certification.evidence:
        raise Http404
    return private_file_response(
        certification.evidence,
        content_type=certification.evidence_content_type,
        filename=f"certificate-{certification.credential_id}",
        inline=True,
    )
