"""The deadline job killed mid-run on a real worker is redelivered through Redis and finishes once."""

import datetime
import os
import signal
import time
import uuid
from pathlib import Path

import pytest
from django_scopes import scopes_disabled

from accounts.models import Account, Hold
from certification.models import ReminderSent
from core.models import AuditEntry, Notification
from eligibility.models import Device
from tests import workers
from tests.eligibility import files as f

ROOT = Path(__file__).resolve().parents[2]


def worker(queue: str, *, pause_marker: str | None = None):
    if pause_marker:
        return workers.worker(queue, include="tests.certification.pause_hook", env={"SSA_PAUSE_MARKER": pause_marker})
    return workers.worker(queue)


wait_for, stop = workers.wait_for, workers.stop


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_killed_deadline_job_is_redelivered_and_finishes_once(organisation, admin, tmp_path, settings):
    from core.tasks import run_periodic_job
    from ssa_portal.celery import app

    deadline = datetime.date(2026, 3, 1)
    with scopes_disabled():
        Account.objects.create(organisation=organisation, status="approved", certification_deadline=deadline)
        for i, line in enumerate(["mac", "iphone"]):
            Device.objects.create(
                organisation=organisation,
                serial_number=f.serial(i),
                product_line=line,
                purchase_source="apple",
                ownership="owned",
            )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    queue = f"redelivery-{uuid.uuid4().hex[:8]}"
    marker = str(tmp_path / "paused")

    first = worker(queue, pause_marker=marker)
    second = None
    try:
        run_periodic_job.apply_async(args=["certification_deadlines", "2026-03-02"], queue=queue)
        wait_for(lambda: os.path.exists(marker), 60, "the first worker to reach the middle of the job")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        with scopes_disabled():
            assert not Hold.objects.exists(), "a killed run must leave nothing behind"
        second = worker(queue)
        with scopes_disabled():
            wait_for(lambda: Hold.objects.count() == 2, 60, "the redelivered job to finish")
        time.sleep(4)  # past another visibility timeout: a second delivery would show now
    finally:
        for process in (first, second):
            if process and process.poll() is None:
                process.terminate()
                process.wait(timeout=20)
    with scopes_disabled():
        assert sorted(Hold.objects.values_list("product_line", flat=True)) == ["iphone", "mac"]
        assert AuditEntry.objects.filter(action="hold.placed").count() == 2
        assert Notification.objects.filter(template="certification_hold").count() == 2
        assert ReminderSent.objects.count() == 0  # past the deadline: holds, not reminders
