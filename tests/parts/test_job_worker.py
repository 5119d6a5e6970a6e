"""The parts jobs on a real Celery worker through Redis: the credit-line job runs from the broker and finishes once;
the core-returns job, killed in the middle, leaves nothing behind, is redelivered and charges each core once.

The worker is a subprocess on the test database (see ``tests/certification/test_redelivery.py``). Loaded by the
first worker with ``--include`` and ``SSA_PARTS_PAUSE_MARKER`` set, this module also pauses the core-returns job
just before it would commit, so the test can kill the worker there.
"""

import datetime
import os
import signal
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django_scopes import scopes_disabled

from tests import workers

ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime.date(2026, 6, 10)
PAUSE_MARKER = "SSA_PARTS_PAUSE_MARKER"


if os.environ.get(PAUSE_MARKER):  # only in the first worker of the redelivery test
    from celery.signals import task_prerun

    @task_prerun.connect
    def pause_inside_the_core_job(**kwargs):
        import parts.jobs as jobs

        if getattr(jobs, "_paused", False):
            return
        original = jobs._cores_tell

        def tell_then_hang(*args, **kw):
            original(*args, **kw)  # everything is written, nothing committed yet
            Path(os.environ[PAUSE_MARKER]).write_text("paused")
            time.sleep(300)

        jobs._cores_tell = tell_then_hang
        jobs._paused = True


def worker(queue: str, *, pause_marker: str | None = None):
    if pause_marker:
        return workers.worker(
            queue, include="tests.parts.test_job_worker", env={"SSA_PARTS_PAUSE_MARKER": pause_marker}
        )
    return workers.worker(queue)


wait_for, stop = workers.wait_for, workers.stop


@pytest.fixture
def broker(settings):
    """Tasks go through Redis to the worker, not eagerly in this process."""
    from ssa_portal.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    return f"parts-jobs-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def account(organisation, admin):
    """An approved account with the VAT rate the invoices need (a transactional test may have emptied the
    migrations' rows)."""
    from accounts.models import Account
    from core.models import VatRate

    VatRate.objects.get_or_create(
        country="DE", kind="standard", valid_from=datetime.date(2007, 1, 1), defaults={"rate": Decimal("0.1900")}
    )
    with scopes_disabled():
        Account.objects.create(
            organisation=organisation,
            status=Account.Status.APPROVED,
            account_number="SSA-000777",
            credit_limit=Decimal("1000.00"),
            setup_date=TODAY - datetime.timedelta(days=200),
        )
    return organisation


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_credit_job_runs_from_the_broker_and_finishes_once(account, admin, broker):
    from accounts.models import Hold
    from core.models import AuditEntry, Notification
    from core.tasks import run_periodic_job
    from parts.models import CreditLine, CreditSnapshot, PartsOrder

    with scopes_disabled():
        PartsOrder.objects.create(
            organisation=account, created_by=admin, number="PO-2026-000001", status="submitted", total="1200.00"
        )

    process = worker(broker)
    try:
        run_periodic_job.apply_async(args=["credit_lines", TODAY.isoformat()], queue=broker)
        with scopes_disabled():
            wait_for(lambda: CreditSnapshot.objects.exists(), 60, "the worker to run the credit job")
        time.sleep(4)  # past another visibility timeout: a second delivery would show now
    finally:
        stop(process)
    with scopes_disabled():
        assert list(CreditSnapshot.objects.values_list("day", "limit", "exposure")) == [
            (TODAY, Decimal("1000.00"), Decimal("1200.00"))
        ]
        assert CreditLine.objects.get(organisation=account).exposure == Decimal("1200.00")
        assert Hold.objects.filter(reason="credit").count() == 1
        assert AuditEntry.objects.filter(action="hold.placed").count() == 1
        assert Notification.objects.filter(template="credit_hold").count() == 1


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_killed_core_job_is_redelivered_and_charges_each_core_once(account, admin, broker, tmp_path):
    from accounts.models import Hold
    from core.models import AuditEntry, Notification
    from core.tasks import run_periodic_job
    from parts.models import CoreReturn, Invoice, InvoiceLine, OrderLine, PartsOrder
    from tests.parts.factories import PartFactory

    display = PartFactory(part_number="661-29362", stock_price=Decimal("749.00"), exchange_price=Decimal("499.00"))
    with scopes_disabled():
        order = PartsOrder.objects.create(
            organisation=account, created_by=admin, number="PO-2026-000002", status="delivered", total="2994.00"
        )
        line = OrderLine.objects.create(
            organisation=account, order=order, part=display, quantity=6, pricing="exchange", unit_price="499.00"
        )
        CoreReturn.objects.bulk_create(
            [
                CoreReturn(organisation=account, order_line=line, part=display, due_date=TODAY - datetime.timedelta(30))
                for _ in range(6)
            ]
        )
    marker = tmp_path / "paused"

    first = worker(broker, pause_marker=str(marker))
    second = None
    try:
        run_periodic_job.apply_async(args=["core_returns", TODAY.isoformat()], queue=broker)
        wait_for(marker.exists, 60, "the first worker to reach the end of the core job")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        with scopes_disabled():
            assert not Invoice.objects.exists(), "a killed run must leave nothing behind"
            assert set(CoreReturn.objects.values_list("status", flat=True)) == {"due"}
            assert not Hold.objects.exists()
        second = worker(broker)
        with scopes_disabled():
            wait_for(lambda: Invoice.objects.exists(), 60, "the redelivered job to finish")
        time.sleep(4)  # past another visibility timeout: a second delivery would show now
    finally:
        stop(first, second)
    with scopes_disabled():
        invoice = Invoice.objects.get()
        assert (invoice.kind, invoice.net, invoice.number) == ("charges", Decimal("1500.00"), "RE-2026-000001")
        assert InvoiceLine.objects.filter(core_return__isnull=False).count() == 6
        assert set(CoreReturn.objects.values_list("status", "charge")) == {("charged", Decimal("250.00"))}
        assert Hold.objects.filter(reason="core_returns", released_at__isnull=True).count() == 1
        assert AuditEntry.objects.filter(action="cores.charged").count() == 1
        assert AuditEntry.objects.filter(action="invoice.issued").count() == 1
        assert Notification.objects.filter(template="cores_charged").count() == 1
        assert Notification.objects.filter(template="core_returns_hold").count() == 1
