"""Core returns: marked returned with a tracking number, once; returning cores lifts the core-returns hold once no
more than five are unresolved."""

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from accounts.holds import hold_place, open_holds
from accounts.models import Hold
from core.errors import InvalidTransition
from core.models import AuditEntry
from parts.models import CoreReturn, InvoiceLine
from parts.services import (
    Charge,
    core_hold_review,
    core_mark_returned,
    cores_unresolved,
    invoice_issue,
    order_deliver,
    order_ship,
    order_submit,
)

from .factories import cart_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _scoped(organisation):
    with scope(organisation=organisation):
        yield


@pytest.fixture
def cores(approved, admin, reviewer, display):
    """Seven cores due: seven displays bought at the exchange price and delivered."""
    order = order_submit(order=cart_of(approved, admin, (display, 7, "exchange")), actor=admin)
    order = order_ship(order=order, actor=reviewer, carrier="DHL", tracking_number="1")
    order_deliver(order=order, actor=reviewer)
    return list(CoreReturn.objects.filter(organisation=approved).order_by("id"))


def core_hold(organisation):
    return open_holds(organisation=organisation).filter(reason=Hold.Reason.CORE_RETURNS).first()


def overdue(cores):
    CoreReturn.objects.filter(pk__in=[c.pk for c in cores]).update(status=CoreReturn.Status.OVERDUE)


def test_marking_a_core_returned_records_the_tracking_number(cores, technician):
    core = core_mark_returned(core=cores[0], actor=technician, tracking_number="  1Z999AA10123456784 ")
    assert core.status == CoreReturn.Status.RETURNED
    assert core.tracking_number == "1Z999AA10123456784"
    assert core.returned_by == technician and core.returned_at is not None
    entry = AuditEntry.objects.get(action="core.returned", object_id=str(core.pk))
    assert entry.before == {"status": "due"} and entry.after["tracking_number"] == "1Z999AA10123456784"


def test_a_tracking_number_is_required(cores, technician):
    with pytest.raises(ValidationError) as exc:
        core_mark_returned(core=cores[0], actor=technician, tracking_number="   ")
    assert list(exc.value.message_dict) == ["tracking_number"]
    cores[0].refresh_from_db()
    assert cores[0].status == CoreReturn.Status.DUE and cores[0].returned_at is None


def test_marking_a_core_returned_twice_is_an_invalid_transition(cores, technician):
    core_mark_returned(core=cores[0], actor=technician, tracking_number="A1")
    with pytest.raises(InvalidTransition) as exc:
        core_mark_returned(core=cores[0], actor=technician, tracking_number="B2")
    assert exc.value.code == "invalid_transition" and exc.value.extra == {"status": "returned"}
    cores[0].refresh_from_db()
    assert cores[0].tracking_number == "A1"


def test_an_overdue_core_can_still_be_returned(cores, technician):
    overdue(cores[:1])
    core = core_mark_returned(core=cores[0], actor=technician, tracking_number="A1")
    assert core.status == CoreReturn.Status.RETURNED


def test_a_charged_core_returned_stays_charged(approved, cores, technician):
    core = cores[0]
    invoice_issue(
        organisation=approved,
        kind="charges",
        charges=[
            Charge(
                kind=InvoiceLine.Kind.CORE_CHARGE,
                description="Unreturned core",
                quantity=1,
                unit_price=core.part.stock_price - core.part.exchange_price,
                part_number=core.part.part_number,
                core_return_id=core.pk,
            )
        ],
    )
    CoreReturn.objects.filter(pk=core.pk).update(status=CoreReturn.Status.CHARGED)
    assert cores_unresolved(organisation_ids=[approved.pk]).count() == 1  # charged and the charge unpaid
    core = core_mark_returned(core=core, actor=technician, tracking_number="LATE-1")
    assert core.status == CoreReturn.Status.CHARGED
    assert core.returned_at is not None and core.tracking_number == "LATE-1"


def test_a_charged_core_cannot_be_marked_returned_twice(approved, cores, technician):
    CoreReturn.objects.filter(pk=cores[0].pk).update(status=CoreReturn.Status.CHARGED)
    core_mark_returned(core=cores[0], actor=technician, tracking_number="LATE-1")
    with pytest.raises(InvalidTransition):
        core_mark_returned(core=cores[0], actor=technician, tracking_number="LATE-2")
    cores[0].refresh_from_db()
    assert cores[0].tracking_number == "LATE-1"


def test_returning_cores_releases_the_core_returns_hold_once_five_or_fewer_are_unresolved(approved, cores, technician):
    overdue(cores)  # seven overdue: more than five
    hold = hold_place(organisation=approved, reason=Hold.Reason.CORE_RETURNS)

    core_mark_returned(core=cores[0], actor=technician, tracking_number="R1")
    assert core_hold(approved) == hold  # six still unresolved

    core_mark_returned(core=cores[1], actor=technician, tracking_number="R2")
    assert core_hold(approved) is None  # five: released
    hold.refresh_from_db()
    assert hold.released_at is not None and hold.release_note == "cores returned"


def test_cores_that_are_merely_due_do_not_keep_the_hold(approved, cores, technician):
    overdue(cores[:6])
    hold_place(organisation=approved, reason=Hold.Reason.CORE_RETURNS)
    core_mark_returned(core=cores[6], actor=technician, tracking_number="R7")  # a due one: six overdue remain
    assert core_hold(approved) is not None
    core_mark_returned(core=cores[0], actor=technician, tracking_number="R1")
    assert core_hold(approved) is None


def test_the_hold_review_leaves_other_holds_alone(approved, cores):
    certification = hold_place(organisation=approved, reason=Hold.Reason.CERTIFICATION, product_line="mac")
    core_hold_review(organisation=approved)
    assert list(open_holds(organisation=approved)) == [certification]
