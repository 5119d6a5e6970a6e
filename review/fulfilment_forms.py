"""Forms of the reviewers' parts pages: shipping an order, a catalogue entry, a catalogue upload.

They only parse what the browser sent; the parts services judge it and raise ``ValidationError`` by field, which
``core.forms.form_errors_from`` puts on the form.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ProductLine
from core.forms import PortalForm
from parts.models import Part

MAX_CATALOGUE_BYTES = 5 * 1024 * 1024


class ShipForm(PortalForm):
    carrier = forms.CharField(
        label=_("Carrier"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "carriers"}),
    )
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _price_input():
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


class PartForm(forms.Form):
    """A catalogue entry. A plain form, not ``PortalForm``: the catalogue refuses control characters (as the CSV
    load and the API do) instead of quietly dropping them, so the service sees the value as typed. Prices are text,
    so the service parses them the one way it parses the CSV (``12,50`` as well as ``12.50``)."""

    part_number = forms.CharField(
        label=_("Part number"),
        max_length=20,
        help_text=_("Apple's part number, e.g. 661-30001. It cannot be changed later."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(label=_("Description"), max_length=300)
    product_lines = forms.MultipleChoiceField(
        label=_("Product lines it fits"), choices=ProductLine.choices, widget=forms.CheckboxSelectMultiple
    )
    fits_models = forms.CharField(
        label=_("Models it fits"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: MacBook Pro 14-inch (M3), MacBook Pro 14-inch (M3 Pro)"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Part.Kind.choices)
    stock_price = forms.CharField(label=_("Stock price (EUR, net)"), max_length=20, widget=_price_input())
    exchange_price = forms.CharField(
        label=_("Exchange price (EUR, net)"),
        max_length=20,
        required=False,
        widget=_price_input(),
        help_text=_("Leave empty if the part is not offered in exchange for the defective one."),
    )
    core_return = forms.BooleanField(
        label=_("Core return: the defective part goes back to Apple (needs an exchange price)"), required=False
    )
    available = forms.BooleanField(label=_("Available to ship now"), required=False, initial=True)
    active = forms.BooleanField(
        label=_("Listed: organisations can order it"),
        required=False,
        initial=True,
        help_text=_("A part no longer listed stays on the orders and invoices that name it."),
    )

    def __init__(self, *args, part: Part | None = None, **kwargs):
        if part is not None:
            kwargs.setdefault(
                "initial",
                {
                    "description": part.description,
                    "product_lines": part.product_lines,
                    "fits_models": part.fits_models,
                    "kind": part.kind,
                    "stock_price": part.stock_price,
                    "exchange_price": "" if part.exchange_price is None else part.exchange_price,
                    "core_return": part.core_return,
                    "available": part.available,
                    "active": part.active,
                },
            )
        super().__init__(*args, **kwargs)
        if part is not None:
            del self.fields["part_number"]  # fixed: orders, invoices and the price list name it
        else:
            del self.fields["active"]  # a new part is listed

    def service_data(self) -> dict:
        """The cleaned values in the shape ``part_create`` / ``part_update`` take."""
        return dict(self.cleaned_data)


class CatalogueUploadForm(PortalForm):
    file = forms.FileField(
        label=_("Catalogue file (CSV)"),
        help_text=_("UTF-8 or Windows encoding, separated by “,” or “;”. Up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CATALOGUE_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; at most %(max)s MB are accepted.")
                % {"size": round(upload.size / 1024 / 1024, 1), "max": MAX_CATALOGUE_BYTES // 1024 // 1024}
            )
        return upload
