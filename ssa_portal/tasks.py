"""Celery base task for tenant work: it takes ``organisation_id`` and opens that organisation's scope."""

from celery import Task
from django_scopes import scope, scopes_disabled


class OrganisationTask(Task):
    """Use as ``@shared_task(base=OrganisationTask, bind=True)``; the task receives ``organisation`` loaded."""

    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args, **kwargs):
        from accounts.models import Organisation

        organisation_id = kwargs.pop("organisation_id")
        with scopes_disabled():  # Organisation itself is not tenant-owned; this only loads it
            organisation = Organisation.objects.get(pk=organisation_id)
        with scope(organisation=organisation):
            return super().__call__(*args, organisation=organisation, **kwargs)
