from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import MessageForm
from accounts.models import ProductLine
from core.forms import PortalForm

__all__ = ["ApproveForm", "ConflictResolveForm", "HoldForm", "MessageForm", "ProofVerdictForm", "ReasonForm"]


class ApproveForm(PortalForm):
    credit_limit = forms.DecimalField(label=_("Credit limit (EUR, net)"), min_value=1, max_digits=12, decimal_places=2)
    account_number = forms.RegexField(
        label=_("Account number"),
        regex=r"^[A-Za-z0-9-]{0,20}$",
        required=False,
        help_text=_("Leave empty to assign the next free number."),
    )
    confirm = forms.BooleanField(label=_("The service history is clean and the credit line is approved."))


class ReasonForm(PortalForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class HoldForm(PortalForm):
    product_line = forms.ChoiceField(
        label=_("Product line"), required=False, choices=[("", _("All product lines"))] + list(ProductLine.choices)
    )
    note = forms.CharField(label=_("Reason for the hold"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class ProofVerdictForm(PortalForm):
    status = forms.ChoiceField(choices=[("accepted", _("Accept")), ("rejected", _("Reject"))])
    reason = forms.CharField(label=_("Reason for rejecting"), required=False, max_length=2000)


class ConflictResolveForm(PortalForm):
    organisation = forms.SlugField(label=_("Belongs to"))
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("Both organisations read it: do not name the other one."),
    )
