from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ProductLine
from core.forms import PortalForm

from .models import EquipmentAttestation, Ownership, PurchaseSource


class ImportForm(PortalForm):
    file = forms.FileField(
        label=_("Inventory file"),
        help_text=_("CSV (also as saved by German Excel: “;”, Windows encoding) or XLSX. Up to 50 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,text/csv"}),
    )


class DeviceForm(PortalForm):
    serial_number = forms.CharField(label=_("Serial number or IMEI"), max_length=40)
    product_line = forms.ChoiceField(label=_("Product line"), choices=ProductLine.choices)
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    purchase_date = forms.DateField(
        label=_("Purchase date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    purchase_source = forms.ChoiceField(label=_("Purchase source"), choices=PurchaseSource.choices)
    ownership = forms.ChoiceField(label=_("Ownership"), choices=Ownership.choices)
    third_party_warranty = forms.BooleanField(label=_("Covered by another vendor's warranty"), required=False)
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=64, required=False)


class ProofForm(PortalForm):
    file = forms.FileField(
        label=_("Invoice document"),
        help_text=_("PDF, JPEG or PNG, up to 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    invoice_number = forms.CharField(
        label=_("Invoice number"), max_length=64, help_text=_("As in the inventory, so the devices are linked.")
    )
    invoice_date = forms.DateField(
        label=_("Invoice date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    supplier = forms.CharField(label=_("Supplier"), max_length=200, required=False, initial="Apple")


class EquipmentForm(PortalForm):
    """One checkbox, detail and optional photo per required item."""

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        for row in rows:
            item = row["item"]
            self.fields[f"{item}-present"] = forms.BooleanField(
                label=row["label"], required=False, initial=row["present"]
            )
            self.fields[f"{item}-detail"] = forms.CharField(
                label=_("Detail (model, serial number, host name)"),
                max_length=500,
                required=False,
                initial=row["detail"],
            )
            self.fields[f"{item}-photo"] = forms.FileField(
                label=_("Evidence photo (optional)"),
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
            )

    def items(self) -> dict:
        return {
            item: {
                "present": self.cleaned_data.get(f"{item}-present"),
                "detail": self.cleaned_data.get(f"{item}-detail"),
            }
            for item in EquipmentAttestation.Item.values
        }

    def photos(self) -> dict:
        return {
            item: self.cleaned_data[f"{item}-photo"]
            for item in EquipmentAttestation.Item.values
            if self.cleaned_data.get(f"{item}-photo")
        }


class TermsForm(PortalForm):
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_email = forms.EmailField(label=_("Contact email"))
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    apple_customer_number = forms.RegexField(
        label=_("Apple customer number"),
        regex=r"^[0-9A-Za-z-]{0,20}$",
        max_length=20,
        required=False,
        help_text=_("If your organisation already buys from Apple directly."),
    )
    terms_accepted = forms.BooleanField(
        label=_("We accept the programme terms above."),
        required=True,
        error_messages={"required": _("Please accept the programme terms to continue.")},
    )
