"""Derived links of the installed base, kept set-based: a device's proof of purchase (the proof of its
organisation with the same invoice number), and serial conflicts (a serial listed by more than one organisation).
The services, the import stores and the reviewer's decisions all bring them up to date through these two functions."""

from django.db.models import Count, OuterRef, Subquery
from django_scopes import scopes_disabled

from .models import Device, ProofOfPurchase


def devices_link_proofs(*, organisation, invoice_numbers: list[str] | None = None) -> int:
    """Point every device (or those with the given invoice numbers) at the proof with its invoice number."""
    devices = Device.objects.filter(organisation=organisation)
    if invoice_numbers is not None:
        devices = devices.filter(invoice_number__in=invoice_numbers)
    proof = ProofOfPurchase.objects.filter(
        organisation=organisation, invoice_number=OuterRef("invoice_number")
    ).exclude(invoice_number="")
    return devices.update(proof=Subquery(proof.values("pk")[:1]))


def devices_refresh_conflicts(*, serials: list[str]) -> int:
    """A serial listed by more than one organisation is a conflict, flagged on every side."""
    if not serials:
        return 0
    with scopes_disabled():  # a conflict spans organisations by definition
        claimed = (
            Device.objects.filter(serial_number__in=serials)
            .values("serial_number")
            .annotate(orgs=Count("organisation", distinct=True))
        )
        conflicting = [row["serial_number"] for row in claimed if row["orgs"] > 1]
        changed = Device.objects.filter(serial_number__in=conflicting, serial_conflict=False).update(
            serial_conflict=True
        )
        changed += (
            Device.objects.filter(serial_number__in=serials, serial_conflict=True)
            .exclude(serial_number__in=conflicting)
            .update(serial_conflict=False)
        )
    return changed
