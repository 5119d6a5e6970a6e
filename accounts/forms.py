from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm, PortalModelForm

from .models import Membership, Organisation, User


class OrganisationForm(PortalModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "federal_state", "address", "vat_id", "language"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "federal_state": _("Determines the public holidays for next-business-day shipping."),
            "vat_id": _("For example DE123456789."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federal_state"].required = True


class InviteForm(PortalForm):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.TECHNICIAN)


class RoleForm(PortalForm):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class ProfileForm(PortalModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "language"]


class ApiTokenForm(PortalForm):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("Where the token will be used, e.g. “diagnostic server”.")
    )


class MessageForm(PortalForm):
    """A message in the application's conversation, from the applicant or a reviewer."""

    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
