"""Running one inventory import: read the file as a stream, validate each row, write through the database's store,
report what was rejected. Called by the import job (``eligibility.tasks``); safe to run again after a crash."""

import logging
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import File
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record

from .audit_actions import DEVICE_IMPORT_FAILED, DEVICE_IMPORT_FINISHED
from .importer.columns import map_header
from .importer.pipeline import Deadline, process, too_slow
from .importer.reader import NotATable, open_table
from .importer.stores import store_for
from .models import DeviceImport, import_progress_key

logger = logging.getLogger(__name__)

# An import still "running" this long after the pipeline's own deadline has lost its worker.
STUCK_GRACE = timedelta(minutes=10)
STUCK_MESSAGE = gettext_lazy(
    "The import was stopped: it did not finish in time, most likely because the server processing it was "
    "interrupted. Please upload the file again: known serial numbers are updated, not added twice."
)


def stuck_cutoff():
    """Imports started before this and still running will not finish any more."""
    return timezone.now() - timedelta(seconds=settings.IMPORT_MAX_SECONDS) - STUCK_GRACE


def _close(store) -> None:
    if store is not None:
        store.close()


def _import_failed(device_import: DeviceImport, failure: str) -> DeviceImport:
    DeviceImport.objects.filter(pk=device_import.pk).update(
        status=DeviceImport.Status.FAILED, failure=failure, finished_at=timezone.now()
    )
    device_import.refresh_from_db()
    audit_record(
        actor=device_import.created_by,
        organisation=device_import.organisation,
        action=DEVICE_IMPORT_FAILED,
        obj=device_import,
        after={"failure": failure},
    )
    return device_import


def device_import_run(*, device_import: DeviceImport) -> DeviceImport:
    """Run one import to its end. Safe to run again after a crash: rows are upserted, counts start afresh."""
    if device_import.status in (DeviceImport.Status.SUCCEEDED, DeviceImport.Status.FAILED):
        return device_import
    organisation = device_import.organisation
    language = device_import.created_by.language if device_import.created_by else organisation.language
    if (
        device_import.status == DeviceImport.Status.RUNNING
        and device_import.started_at
        and device_import.started_at < stuck_cutoff()
    ):
        # Redelivered long after it started (its worker died, maybe because of this very file): not again.
        with translation.override(language):
            return _import_failed(device_import, str(STUCK_MESSAGE))
    DeviceImport.objects.filter(pk=device_import.pk).update(
        status=DeviceImport.Status.RUNNING, started_at=timezone.now(), processed_rows=0
    )

    def progress(processed, total):
        # The database connection may be busy streaming rows: the poller reads progress from the cache.
        cache.set(import_progress_key(device_import.pk), (processed, total), 3600)

    with translation.override(language):
        store = None
        deadline = Deadline(settings.IMPORT_MAX_SECONDS)
        try:
            with device_import.file.open("rb") as handle:
                table = open_table(handle)
                DeviceImport.objects.filter(pk=device_import.pk).update(total_rows=table.estimated_rows)
                map_header(table.header)  # a file that is no table fails before anything is opened for it
                store = store_for(organisation)
                processed, report = process(table, store=store, progress=progress, deadline=deadline)
                created, updated = store.finish()
        except NotATable as exc:
            _close(store)
            store = None
            return _import_failed(device_import, str(exc))
        except SoftTimeLimitExceeded:  # the worker's own limit, should the pipeline's deadline not be reached
            _close(store)
            store = None
            return _import_failed(device_import, str(too_slow(settings.IMPORT_MAX_SECONDS)))
        except Exception:
            logger.exception("device import %s failed", device_import.pk)
            _close(store)
            store = None
            _import_failed(
                device_import,
                _(
                    "The import stopped because of an internal error. Please upload the file again: known serial "
                    "numbers are updated, not added twice."
                ),
            )
            raise
        finally:
            _close(store)

    device_import.refresh_from_db()
    if report.count:
        report.file.seek(0)
        device_import.error_report.save("errors.csv", File(report.file), save=False)
    report.file.close()
    device_import.status = DeviceImport.Status.SUCCEEDED
    device_import.total_rows = processed
    device_import.processed_rows = processed
    device_import.created = created
    device_import.updated = updated
    device_import.error_count = report.count
    device_import.rejected_rows = report.rows
    device_import.errors = report.kept
    device_import.finished_at = timezone.now()
    device_import.save()
    audit_record(
        actor=device_import.created_by,
        organisation=organisation,
        action=DEVICE_IMPORT_FINISHED,
        obj=device_import,
        after={"rows": processed, "created": created, "updated": updated, "errors": report.count},
    )
    return device_import
