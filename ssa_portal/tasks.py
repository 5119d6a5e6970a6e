"""Celery base task for tenant work: it takes ``organisation_id`` and opens that organisation's scope."""

from celery import Task, shared_task
from django_scopes import scope, scopes_disabled


class OrganisationTask(Task):
    """Use as ``@shared_task(base=OrganisationTask, bind=True)``; the task receives ``organisation`` loaded."""

    acks_late = True
    reject_on_worker_lost = True
    typing = False  # callers pass organisation_id; the task body receives organisation

    def __call__(self, *args, **kwargs):
        from accounts.models import Organisation

        organisation_id = kwargs.pop("organisation_id")
        with scopes_disabled():  # Organisation itself is not tenant-owned; this only loads it
            organisation = Organisation.objects.get(pk=organisation_id)
        with scope(organisation=organisation):
            return super().__call__(*args, organisation=organisation, **kwargs)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_periodic_job(name: str, today: str | None = None) -> dict:
    """Celery beat's entry point: runs one registered job (see ``ssa_portal.jobs``) as of ``today``."""
    import datetime

    from django.utils import timezone

    import ssa_portal.job_registry  # noqa: F401
    from ssa_portal.jobs import JOBS

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return JOBS[name](today=day)
