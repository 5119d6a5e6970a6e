"""Core returns: the defective part owed back for every part bought at the exchange price. Marking one returned
may lift the core-returns hold at once; the daily job (``parts.jobs.core_returns``) marks, charges and holds."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.holds import hold_release, open_holds
from accounts.models import Hold, Organisation
from accounts.selectors import programme_rules_for
from core.audit import audit_record
from core.errors import InvalidTransition
from core.text import single_line

from ..audit_actions import CORE_RETURNED
from ..models import CoreReturn, Invoice


def cores_unresolved(*, organisation_ids=None):
    """Cores that count toward the hold: overdue, or charged while the charge is unpaid."""
    unresolved = CoreReturn.objects.filter(
        Q(status=CoreReturn.Status.OVERDUE)
        | Q(status=CoreReturn.Status.CHARGED, invoice_line__invoice__status=Invoice.Status.OPEN)
    )
    if organisation_ids is not None:
        unresolved = unresolved.filter(organisation_id__in=organisation_ids)
    return unresolved


@transaction.atomic
def core_mark_returned(*, core: CoreReturn, actor, tracking_number: str) -> CoreReturn:
    """The core is on its way back. A charged core stays charged (the charge is on an invoice already)."""
    tracking_number = single_line(str(tracking_number or ""))
    if not tracking_number:
        raise ValidationError({"tracking_number": [_("Give the tracking number of the return shipment.")]})
    core = CoreReturn.objects.select_for_update().select_related("organisation", "part").get(pk=core.pk)
    if core.status == CoreReturn.Status.RETURNED or core.returned_at is not None:
        raise InvalidTransition(_("This core is already returned."), extra={"status": core.status})
    before = {"status": core.status}
    if core.status != CoreReturn.Status.CHARGED:
        core.status = CoreReturn.Status.RETURNED
    core.returned_at = timezone.now()
    core.returned_by = actor
    core.tracking_number = tracking_number[:60]
    core.save(update_fields=["status", "returned_at", "returned_by", "tracking_number"])
    audit_record(
        actor=actor,
        organisation=core.organisation,
        action=CORE_RETURNED,
        obj=core,
        before=before,
        after={"status": core.status, "tracking_number": core.tracking_number},
    )
    core_hold_review(organisation=core.organisation, actor=actor)
    return core


def core_hold_review(*, organisation: Organisation, actor=None) -> None:
    """Release the core-returns hold once no more than the programme's number of cores is unresolved."""
    hold = open_holds(organisation=organisation).filter(reason=Hold.Reason.CORE_RETURNS).first()
    if hold is None:
        return
    limit = programme_rules_for(organisation).overdue_cores_hold
    unresolved = cores_unresolved(organisation_ids=[organisation.pk]).filter(returned_at__isnull=True).count()
    if unresolved <= limit:
        hold_release(hold=hold, actor=actor, note="cores returned")
