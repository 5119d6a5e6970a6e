"""The inventory imports' periodic job: imports whose worker died (a killed process, a lost task) stay "running"
for ever; past their deadline they are failed with a message, set-based over every organisation at once."""

from collections import defaultdict

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from core.audit import audit_record_bulk
from core.jobs import register_job

from .audit_actions import DEVICE_IMPORT_FAILED
from .imports import STUCK_MESSAGE, stuck_cutoff
from .models import DeviceImport

__all__ = ["STUCK_MESSAGE", "device_imports_stuck"]


@register_job("device_imports_stuck")
def device_imports_stuck(*, today) -> dict:
    with scopes_disabled(), transaction.atomic():  # a cross-tenant job; every row names its organisation
        running = DeviceImport.objects.filter(status=DeviceImport.Status.RUNNING, started_at__lt=stuck_cutoff())
        stuck = list(
            running.select_for_update(of=("self",), skip_locked=True)
            .annotate(language=Coalesce("created_by__language", "organisation__language"))
            .values("pk", "organisation_id", "original_name", "language")
        )
        if not stuck:
            return {"failed": 0}
        by_language = defaultdict(list)
        for row in stuck:
            by_language[row["language"]].append(row)
        now = timezone.now()
        audit = []
        for language, rows in by_language.items():  # one UPDATE per language, the message in the uploader's
            with translation.override(language):
                failure = str(STUCK_MESSAGE)
            running.filter(pk__in=[r["pk"] for r in rows]).update(
                status=DeviceImport.Status.FAILED, failure=failure, finished_at=now
            )
            audit.extend(
                {
                    "organisation_id": r["organisation_id"],
                    "action": DEVICE_IMPORT_FAILED,
                    "object_type": "eligibility.deviceimport",
                    "object_id": r["pk"],
                    "object_repr": f"{r['original_name']} ({DeviceImport.Status.FAILED})"[:200],
                    "after": {"failure": failure},
                }
                for r in rows
            )
        audit_record_bulk(audit)
    return {"failed": len(stuck)}
