"""Holds and the one question other apps ask: may this organisation do X for product line Y now?

Holds are placed and released only here. Nothing else reads hold rows: repairs and parts call ``standing``.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record

from .audit_actions import HOLD_PLACED, HOLD_RELEASED
from .models import Account, Hold, Organisation, ProductLine
from .services import organisation_admins_notify

# Which holds stop which actions. A hold with a product line only touches that line.
BLOCKING = {
    "repair": {Hold.Reason.CERTIFICATION, Hold.Reason.MANUAL, Hold.Reason.CREDIT, Hold.Reason.CORE_RETURNS},
    "order": {Hold.Reason.CERTIFICATION, Hold.Reason.MANUAL, Hold.Reason.CREDIT, Hold.Reason.CORE_RETURNS},
}


@dataclass
class Standing:
    allowed: bool
    reasons: list[str] = field(default_factory=list)  # codes: account_not_active, account_on_hold
    holds: list[Hold] = field(default_factory=list)


def open_holds(*, organisation: Organisation):
    return Hold.objects.filter(organisation=organisation, released_at__isnull=True).order_by("since")


def standing(*, organisation: Organisation, action: str, product_line: str | None = None) -> Standing:
    """Whether the organisation may ``action`` (``repair`` or ``order``) for ``product_line`` now, and why not."""
    status = Account.objects.filter(organisation=organisation).values_list("status", flat=True).first()
    reasons = []
    if status != Account.Status.APPROVED:
        reasons.append("account_not_active")
    blocking = [
        hold
        for hold in open_holds(organisation=organisation)
        if hold.reason in BLOCKING.get(action, set())
        and (not hold.product_line or product_line is None or hold.product_line == product_line)
    ]
    if blocking:
        reasons.append("account_on_hold")
    return Standing(allowed=not reasons, reasons=reasons, holds=blocking)


@transaction.atomic
def hold_place(*, organisation: Organisation, reason: str, actor=None, product_line: str = "", note: str = "") -> Hold:
    """Place a hold. For the automatic reasons an open hold of the same kind is returned, not doubled."""
    if reason not in Hold.Reason.values:
        raise ValidationError({"reason": [_("Unknown hold reason.")]})
    if product_line and product_line not in ProductLine.values:
        raise ValidationError({"product_line": [_("Unknown product line.")]})
    if reason == Hold.Reason.MANUAL and not (note or "").strip():
        raise ValidationError({"note": [_("Say why the account is put on hold.")]})
    try:
        with transaction.atomic():
            hold = Hold.objects.create(
                organisation=organisation,
                reason=reason,
                product_line=product_line or "",
                note=(note or "").strip(),
                placed_by=actor,
            )
    except IntegrityError:
        return Hold.objects.get(
            organisation=organisation, reason=reason, product_line=product_line or "", released_at__isnull=True
        )
    audit_record(
        actor=actor,
        organisation=organisation,
        action=HOLD_PLACED,
        obj=hold,
        after={"reason": reason, "product_line": product_line, "note": hold.note},
    )
    organisation_admins_notify(
        organisation=organisation,
        template="hold_placed",
        context={
            "reason": hold.get_reason_display(),
            "product_line": hold.get_product_line_display() if hold.product_line else "",
            "note": hold.note,
        },
    )
    return hold


@transaction.atomic
def hold_release(*, hold: Hold, actor=None, note: str = "") -> Hold:
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        return hold
    hold.released_at = timezone.now()
    hold.released_by = actor if getattr(actor, "is_authenticated", False) else None
    hold.release_note = (note or "").strip()
    hold.save(update_fields=["released_at", "released_by", "release_note"])
    audit_record(
        actor=actor,
        organisation=hold.organisation,
        action=HOLD_RELEASED,
        obj=hold,
        before={"reason": hold.reason, "product_line": hold.product_line},
        after={"released": True},
    )
    organisation_admins_notify(
        organisation=hold.organisation,
        template="hold_released",
        context={
            "reason": hold.get_reason_display(),
            "product_line": hold.get_product_line_display() if hold.product_line else "",
        },
    )
    return hold


def holds_place_bulk(*, rows: list[tuple[int, str, str]]) -> list[tuple[int, int, str]]:
    """Set-based placement for periodic jobs: ``rows`` of (organisation id, reason, product line). One insert;
    an open hold of the same kind already there is kept, not doubled. Returns the new (hold id, organisation id,
    product line); the caller writes their audit entries and notifications in bulk."""
    if not rows:
        return []
    now = timezone.now()
    values = ", ".join(["(%s, %s, %s, '', %s, '')"] * len(rows))
    params = [v for org_id, reason, line in rows for v in (org_id, reason, line, now)]
    # Only placeholders are interpolated; every value is a bound parameter.
    sql = f"""INSERT INTO accounts_hold (organisation_id, reason, product_line, note, since, release_note)
              VALUES {values} ON CONFLICT DO NOTHING RETURNING id, organisation_id, product_line"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def holds_release_bulk(*, hold_ids: list[int], note: str) -> int:
    """Set-based release for periodic jobs: one update; the rows stay, with the time and the note."""
    if not hold_ids:
        return 0
    return Hold.objects.filter(pk__in=hold_ids, released_at__isnull=True).update(
        released_at=timezone.now(), release_note=note
    )
