"""Browser views for accounts. Each parses input, calls one service or selector, and renders."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import timeline_actions
from core.decorators import org_permission_required
from core.forms import form_errors_from
from core.notifications import notification_mark_read
from core.panels import panels_render

from . import selectors, services
from .forms import ApiTokenForm, InviteForm, MessageForm, OrganisationForm, ProfileForm, RoleForm
from .holds import open_holds
from .lifecycle import account_get, account_message_post
from .models import AccountMessage, Invitation


def home(request):
    if not request.user.is_authenticated:
        return render(request, "accounts/landing.html")
    if request.user.is_reviewer:
        return redirect("review:home")
    memberships = list(selectors.memberships_for_user(user=request.user))
    if len(memberships) == 1:
        return redirect("accounts:dashboard", org=memberships[0].organisation.slug)
    return render(request, "accounts/organisation_list.html", {"memberships": memberships})


@login_required
def organisation_create(request):
    if request.user.is_reviewer:
        messages.error(request, _("Reviewers cannot belong to an organisation."))
        return redirect("home")
    form = OrganisationForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(creator=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request, _("%(name)s has been created. You are its administrator.") % {"name": organisation.name}
            )
            _warn_if_name_in_use(request, organisation)
            return redirect("accounts:dashboard", org=organisation.slug)
    return render(request, "accounts/organisation_form.html", {"form": form, "creating": True})


def _warn_if_name_in_use(request, organisation) -> None:
    if selectors.organisation_name_in_use(name=organisation.name, exclude=organisation):
        messages.warning(
            request,
            _(
                "Another organisation is already registered as “%(name)s”. If it is yours, ask its administrator "
                "for an invitation instead; otherwise a distinguishing name helps the reviewers."
            )
            % {"name": organisation.name},
        )


@org_permission_required("organisation.view")
def dashboard(request, org):
    account = account_get(organisation=request.organisation)
    context = {
        "organisation": request.organisation,
        "account": account,
        "holds": list(open_holds(organisation=request.organisation)),
        "panels": panels_render(request),
    }
    return render(request, "accounts/dashboard.html", context)


@org_permission_required("organisation.change")
def organisation_settings(request, org):
    organisation = request.organisation
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        organisation.refresh_from_db()  # the form wrote into the instance; the service compares before/after
        services.organisation_update(organisation=organisation, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The organisation's details have been saved."))
        _warn_if_name_in_use(request, organisation)
        return redirect("accounts:organisation_settings", org=organisation.slug)
    return render(request, "accounts/organisation_form.html", {"form": form, "creating": False})


@org_permission_required("members.view", POST="members.invite")
def members(request, org):
    organisation = request.organisation
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.member_invite(organisation=organisation, inviter=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("An invitation has been sent to %(email)s.") % {"email": invitation.email})
            return redirect("accounts:members", org=organisation.slug)
    context = {
        "members": selectors.member_list(organisation=organisation),
        "invitations": selectors.invitation_pending_list(organisation=organisation),
        "form": form,
        "role_form": RoleForm(),
    }
    return render(request, "accounts/members.html", context)


@org_permission_required("members.manage")
@require_POST
def member_role(request, org, membership_id):
    membership = selectors.membership_get_by_id(organisation=request.organisation, membership_id=membership_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(membership=membership, role=form.cleaned_data["role"], actor=request.user)
            messages.success(request, _("The role has been changed."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("accounts:members", org=org)


@org_permission_required("members.manage")
@require_POST
def member_remove(request, org, membership_id):
    membership = selectors.membership_get_by_id(organisation=request.organisation, membership_id=membership_id)
    try:
        services.membership_remove(membership=membership, actor=request.user)
        messages.success(request, _("%(email)s has been removed.") % {"email": membership.user.email})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:members", org=org)


@org_permission_required("members.invite")
@require_POST
def invitation_revoke(request, org, invitation_id):
    invitation = selectors.invitation_pending_list(organisation=request.organisation).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    services.invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(request, _("The invitation to %(email)s has been withdrawn.") % {"email": invitation.email})
    return redirect("accounts:members", org=org)


@org_permission_required("audit.view")
def audit_log(request, org):
    page = Paginator(selectors.audit_list(organisation=request.organisation), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_log.html", {"page": page})


def invitation_accept(request, token):
    invitation: Invitation | None = services.invitation_get_by_token(token=token)
    if invitation is None or not invitation.is_pending:
        return render(request, "accounts/invitation_invalid.html", status=404)
    for_me = services.invitation_is_for(invitation=invitation, user=request.user)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Welcome to %(name)s.") % {"name": membership.organisation.name})
            return redirect("accounts:dashboard", org=membership.organisation.slug)
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "for_me": for_me})


@login_required
def notifications(request):
    page = Paginator(selectors.notification_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page": page})


@require_POST
@login_required
def notifications_read(request):
    raw_id = request.POST.get("notification")
    notification_mark_read(user=request.user, notification_id=int(raw_id) if raw_id and raw_id.isdigit() else None)
    if request.htmx:
        return render(request, "accounts/_bell.html")
    target = request.POST.get("next") or reverse("accounts:notifications")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("accounts:notifications")
    return HttpResponseRedirect(target)


@login_required
def bell(request):
    return render(request, "accounts/_bell.html")


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        response = redirect("accounts:profile")
        response.set_cookie("ssa_language", request.user.language, samesite="Lax", max_age=365 * 24 * 3600)
        return response
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST":
        # A token outlives the session and skips the login: making one needs the second factor, used just now.
        if not selectors.has_totp(request.user):
            messages.error(request, _("Set up two-factor authentication before you create an API token."))
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.path})}")
        if not selectors.two_factor_verified_recently(request=request):
            messages.info(request, _("Confirm it is you with your authenticator app, then create the token."))
            return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.path})}")
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "tokens": selectors.api_token_list(user=request.user),
            "new_token": new_token,
        },
    )


@require_POST
@login_required
def api_token_revoke(request, token_id):
    token = services.api_token_revoke(user=request.user, token_id=token_id)
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("accounts:api_tokens")


@require_POST
def language_switch(request):
    """Sets the language for this browser and, when signed in, for the user's emails too."""
    language = request.POST.get("language")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", max_age=365 * 24 * 3600)
    return response


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@org_permission_required("account.view", POST="account.change")
def account_page(request, org):
    """The organisation's view of its SSA account: status, timeline, holds, deadline, credit line, messages."""
    organisation = request.organisation
    account = account_get(organisation=organisation)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_message_post(account=account, author=request.user, body=form.cleaned_data["message"])
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Your message has been sent to the reviewers."))
            return redirect("accounts:account", org=org)
    timeline = selectors.audit_list(organisation=organisation).filter(action__in=timeline_actions())[:300]
    days_left = None
    if account.certification_deadline:
        days_left = (account.certification_deadline - timezone.localdate()).days
    context = {
        "account": account,
        "holds": list(open_holds(organisation=organisation)),
        "thread": AccountMessage.objects.filter(organisation=organisation).select_related("author"),
        "timeline": timeline,
        "days_left": days_left,
        "form": form,
    }
    return render(request, "accounts/account.html", context)
