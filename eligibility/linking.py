"""Derived links of the installed base, kept set-based: a device's proof of purchase (the proof of its
organisation with the same invoice number), and serial conflicts (a serial listed by more than one organisation:
the later claims are disputed). The services, the import stores and the reviewer's decisions all bring them up to
date through these two functions."""

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django_scopes import scopes_disabled

from core.tenancy import scope_organisation_id

from .models import Device

# The rule, once: a device's proof is its organisation's proof with the same (non-empty) invoice number. One
# statement, the same on PostgreSQL and SQLite, set-based, and it writes only the rows whose link changes — so the
# import stores call it after their bulk writes as the single-device services do.
LINK_PROOFS_SQL = """
    UPDATE eligibility_device SET proof_id = m.proof_id
    FROM (
        SELECT d.id, p.id AS proof_id, d.proof_id AS linked
        FROM eligibility_device d
        LEFT JOIN eligibility_proofofpurchase p
               ON p.organisation_id = d.organisation_id AND p.invoice_number = d.invoice_number
              AND d.invoice_number <> ''
        WHERE d.organisation_id = %s {invoices}
    ) m
    WHERE eligibility_device.id = m.id
      AND ((m.linked IS NULL) <> (m.proof_id IS NULL) OR m.linked <> m.proof_id)
"""


def devices_link_proofs(*, organisation, invoice_numbers: list[str] | None = None) -> int:
    """Point every device (or those with the given invoice numbers) at the proof with its invoice number, and
    unlink those whose invoice has none; returns how many links changed."""
    params = [scope_organisation_id(expected=organisation)]
    invoices = ""
    if invoice_numbers is not None:
        if not invoice_numbers:
            return 0
        invoices = "AND d.invoice_number IN (" + ", ".join(["%s"] * len(invoice_numbers)) + ")"
        params += list(invoice_numbers)
    with connection.cursor() as cursor:
        cursor.execute(LINK_PROOFS_SQL.format(invoices=invoices), params)
        return cursor.rowcount


def earlier_claims():
    """Devices of another organisation that listed the same serial before this one (``OuterRef``): earlier
    ``created_at``, ties by id. A serial's first claimant is never disputed by those who list it after it."""
    with scopes_disabled():  # the other claims are other organisations' by definition
        return Device.objects.filter(serial_number=OuterRef("serial_number")).filter(
            ~Q(organisation=OuterRef("organisation")),
            Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")),
        )


def devices_refresh_conflicts(*, serials: list[str]) -> int:
    """A serial listed by more than one organisation is disputed on the later claims only: those devices stop
    counting ("under review", never saying why) until a reviewer decides; the earliest claim is left as it is, so
    one organisation's listing never changes another's figures or flags. Two statements, writing only the rows
    whose flag changes (``importer.stores.refresh_conflicts_sql`` is the same rule in one PostgreSQL statement)."""
    if not serials:
        return 0
    disputed = Exists(earlier_claims())
    with scopes_disabled():  # a conflict spans organisations by definition
        claimed = Device.objects.filter(serial_number__in=serials)
        changed = claimed.filter(disputed, serial_conflict=False).update(serial_conflict=True)
        changed += claimed.filter(~disputed, serial_conflict=True).update(serial_conflict=False)
    return changed
