"""Forms of the parts pages: they parse what the browser sent; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ProductLine
from core.forms import PortalForm

from .models import Part, Pricing
from .selectors import part_list
from .services.orders import MAX_QUANTITY


class CatalogueFilterForm(PortalForm):
    """The catalogue's search. A value that is not one of the choices is ignored, not an error."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    product_line = forms.ChoiceField(
        label=_("Product line"), choices=[("", _("All product lines")), *ProductLine.choices], required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Parts and units")), *Part.Kind.choices], required=False)

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or "" for name in ("q", "product_line", "kind") if name not in self.errors}


class _PartLineForm(PortalForm):
    part_number = forms.CharField(label=_("Part number"), max_length=20)
    pricing = forms.ChoiceField(label=_("Price"), choices=Pricing.choices, required=False)

    def clean_part_number(self):
        return self.cleaned_data["part_number"].strip().upper()

    def clean_pricing(self):
        return self.cleaned_data.get("pricing") or Pricing.STOCK


class CartAddForm(_PartLineForm):
    """One part into the cart. The part must be listed; ``part`` is it, for the confirmation."""

    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1)

    def clean(self):
        data = super().clean()
        number = data.get("part_number")
        if number:
            self.part = part_list().filter(part_number=number).first()
            if self.part is None:
                raise forms.ValidationError(
                    _("%(part)s is not in the parts catalogue (any more): it cannot be ordered.") % {"part": number}
                )
            if data.get("pricing") == Pricing.EXCHANGE and self.part.exchange_price is None:
                raise forms.ValidationError(
                    _("%(part)s has no exchange price: order it at the stock price.") % {"part": number}
                )
        return data


class CartUpdateForm(_PartLineForm):
    """A cart line's new quantity; 0 takes it out."""

    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=MAX_QUANTITY)


class CoreReturnedForm(PortalForm):
    tracking_number = forms.CharField(
        label=_("Tracking number of the return"),
        max_length=60,
        error_messages={"required": _("Give the tracking number of the return shipment.")},
    )


def first_error(form) -> str:
    """The form's errors as one sentence for a message, the field named where it is not obvious."""
    for field, errors in form.errors.items():
        for error in errors:
            return error if field == "__all__" else f"{form.fields[field].label}: {error}"
    return ""
