from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm

from .models import CertificationKind


class CertificationForm(PortalForm):
    technician = forms.ChoiceField(label=_("Technician"))
    kind = forms.ChoiceField(label=_("Certification"), choices=CertificationKind.choices)
    credential_id = forms.CharField(label=_("Credential id"), max_length=64)
    passed_on = forms.DateField(label=_("Passed on"), widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(
        label=_("Valid until (if stated)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    evidence = forms.FileField(label=_("Certificate (PDF or image, optional)"), required=False)

    def __init__(self, *args, technicians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].choices = [(u.email, u.display_name) for u in technicians]


class VoucherAssignForm(PortalForm):
    technician = forms.ChoiceField(label=_("Technician"))

    def __init__(self, *args, technicians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].choices = [(u.email, u.display_name) for u in technicians]


class VoucherRequestForm(PortalForm):
    kind = forms.ChoiceField(label=_("For"), choices=CertificationKind.choices)
    quantity = forms.IntegerField(label=_("How many"), min_value=1, max_value=20, initial=1)
