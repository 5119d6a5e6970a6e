"""Browser views for the application: inventory, proofs, equipment, terms, checklist and submission."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from accounts import lifecycle
from accounts.models import ProductLine
from core.decorators import org_permission_required
from core.errors import DomainError
from core.files import MAX_DOCUMENT_BYTES, private_file_response
from core.forms import form_errors_from
from core.uploads import upload_limit

from . import selectors, services
from .application import account_submit
from .charts import installed_base_chart
from .engine import eligibility_evaluate
from .forms import DeviceForm, EquipmentForm, ImportForm, ProofForm, TermsForm
from .models import DeviceImport, NotCountedReason
from .selectors import device_not_counted_reasons


def _context(request, **extra):
    result = eligibility_evaluate(organisation=request.organisation)
    account = lifecycle.account_get(organisation=request.organisation)
    return {"result": result, "account": account, "chart": installed_base_chart(result), **extra}


@org_permission_required("devices.view")
def application(request, org):
    """The application's overview: the steps, the live checklist and the way forward."""
    return render(request, "eligibility/application.html", _context(request))


@org_permission_required("devices.view")
def checklist(request, org):
    """The live checklist, refreshed by htmx on every step."""
    return render(request, "eligibility/_checklist.html", _context(request))


@org_permission_required("devices.view", POST="devices.change")
def inventory(request, org):
    organisation = request.organisation
    device_form = DeviceForm(request.POST or None, prefix="device")
    if request.method == "POST" and device_form.is_valid():
        try:
            device = services.device_create(
                organisation=organisation, actor=request.user, data=device_form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_from(exc, device_form)
        else:
            messages.success(request, _("Device %(serial)s has been added.") % {"serial": device.serial_number})
            return redirect("eligibility:inventory", org=org)
    filters = {k: request.GET.get(k) for k in ("product_line", "counted", "q", "reason", "invoice")}
    page = Paginator(selectors.device_list(organisation=organisation, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    rows = [{"device": d, "reasons": device_not_counted_reasons(d)} for d in page.object_list]
    context = _context(
        request,
        page=page,
        rows=rows,
        filters=filters,
        device_form=device_form,
        import_form=ImportForm(),
        imports=selectors.device_import_list(organisation=organisation)[:5],
        reasons=NotCountedReason.choices,
        product_lines=ProductLine.choices,
    )
    return render(request, "eligibility/inventory.html", context)


@org_permission_required("devices.change")
@upload_limit(services.MAX_IMPORT_BYTES)
@require_POST
def import_upload(request, org):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("eligibility:inventory", org=org)
    try:
        device_import = services.device_import_start(
            organisation=request.organisation, actor=request.user, upload=form.cleaned_data["file"]
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("eligibility:inventory", org=org)
    return redirect("eligibility:import_detail", org=org, import_id=device_import.pk)


@org_permission_required("devices.view")
def import_detail(request, org, import_id):
    device_import = selectors.device_import_get(organisation=request.organisation, import_id=import_id)
    template = "eligibility/_import_progress.html" if request.htmx else "eligibility/import_detail.html"
    return render(
        request,
        template,
        {
            "imp": device_import,
            "done": device_import.status in (DeviceImport.Status.SUCCEEDED, DeviceImport.Status.FAILED),
        },
    )


@org_permission_required("devices.view")
def import_errors(request, org, import_id):
    device_import = selectors.device_import_get(organisation=request.organisation, import_id=import_id)
    if not device_import.error_report:
        raise Http404
    return private_file_response(
        device_import.error_report,
        content_type="text/csv; charset=utf-8",
        filename=f"import-{device_import.pk}-errors.csv",
        inline=False,
    )


@org_permission_required("devices.change")
@require_POST
def device_delete(request, org, serial_number):
    device = selectors.device_get_by_serial(organisation=request.organisation, serial=serial_number)
    services.device_delete(device=device, actor=request.user)
    messages.success(request, _("Device %(serial)s has been removed.") % {"serial": device.serial_number})
    return redirect("eligibility:inventory", org=org)


@org_permission_required("proofs.view", POST="proofs.change")
@upload_limit(MAX_DOCUMENT_BYTES)
def proofs(request, org):
    organisation = request.organisation
    form = ProofForm(
        request.POST or None, request.FILES or None, initial={"invoice_number": request.GET.get("invoice", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proof = services.proof_upload(
                organisation=organisation,
                actor=request.user,
                upload=data["file"],
                invoice_number=data["invoice_number"],
                invoice_date=data["invoice_date"],
                supplier=data["supplier"],
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        except DomainError as exc:
            form.add_error("file", exc.detail)
        else:
            messages.success(request, _("Invoice %(number)s has been uploaded.") % {"number": proof.invoice_number})
            return redirect("eligibility:proofs", org=org)
    context = _context(request, form=form, proofs=selectors.proof_list(organisation=organisation))
    context["missing_invoices"] = context["result"].invoices_without_proof
    return render(request, "eligibility/proofs.html", context, status=400 if form.errors else 200)


@org_permission_required("proofs.view")
def proof_detail(request, org, proof_id):
    proof = selectors.proof_get(organisation=request.organisation, proof_id=proof_id)
    devices = selectors.device_list(organisation=request.organisation, filters={"invoice": proof.invoice_number})
    return render(
        request,
        "eligibility/proof_detail.html",
        {"proof": proof, "devices": devices[:100], "device_total": devices.count()},
    )


@org_permission_required("proofs.view")
@xframe_options_sameorigin
def proof_file(request, org, proof_id):
    proof = selectors.proof_get(organisation=request.organisation, proof_id=proof_id)
    return private_file_response(proof.file, content_type=proof.content_type, filename=proof.original_name, inline=True)


@org_permission_required("proofs.change")
@require_POST
def proof_delete(request, org, proof_id):
    proof = selectors.proof_get(organisation=request.organisation, proof_id=proof_id)
    services.proof_delete(proof=proof, actor=request.user)
    messages.success(request, _("Invoice %(number)s has been removed.") % {"number": proof.invoice_number})
    return redirect("eligibility:proofs", org=org)


@org_permission_required("devices.view", POST="equipment.change")
@upload_limit(60 * 1024 * 1024)
def equipment(request, org):
    rows = selectors.equipment_list(organisation=request.organisation)
    form = EquipmentForm(request.POST or None, request.FILES or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            services.equipment_save(
                organisation=request.organisation, actor=request.user, items=form.items(), photos=form.photos()
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("The equipment has been saved."))
            return redirect("eligibility:equipment", org=org)
    grouped = [
        {
            "row": row,
            "present": form[f"{row['item']}-present"],
            "detail": form[f"{row['item']}-detail"],
            "photo": form[f"{row['item']}-photo"],
        }
        for row in rows
    ]
    return render(request, "eligibility/equipment.html", _context(request, form=form, grouped=grouped))


@org_permission_required("devices.view")
def equipment_photo(request, org, item):
    rows = {r["item"]: r for r in selectors.equipment_list(organisation=request.organisation)}
    row = rows.get(item)
    if not row or not row["photo"]:
        raise Http404
    return private_file_response(
        row["photo"], content_type=row["attestation"].photo_content_type, filename=f"{item}.jpg", inline=True
    )


@org_permission_required("account.view", POST="account.change")
def terms(request, org):
    account = lifecycle.account_get(organisation=request.organisation)
    initial = {
        "contact_name": account.contact_name or request.user.get_full_name(),
        "contact_email": account.contact_email or request.user.email,
        "contact_phone": account.contact_phone,
        "apple_customer_number": account.apple_customer_number,
        "terms_accepted": account.terms_accepted,
    }
    form = TermsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.account_update(account=account, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Contact data and terms have been saved."))
            return redirect("eligibility:submit", org=org)
    return render(request, "eligibility/terms.html", _context(request, form=form))


@org_permission_required("account.view", POST="account.change")
def submit(request, org):
    account = lifecycle.account_get(organisation=request.organisation)
    if request.method == "POST":
        try:
            account_submit(account=account, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Your application has been submitted. The Apple reviewers will be in touch."))
            return redirect("eligibility:application", org=org)
    return render(request, "eligibility/submit.html", _context(request))
