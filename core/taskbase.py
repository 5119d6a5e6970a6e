"""Celery base tasks.

``TransactionAwareTask`` enqueues on commit: ``task.delay(...)`` inside a transaction waits until the transaction
commits (and never runs if it rolls back), so a worker never looks for a row that is not there yet. Outside a
transaction it enqueues at once. ``OrganisationTask`` adds the tenant: it takes ``organisation_id`` and runs the
body inside that organisation's scope.
"""

from celery import Task
from django.db import transaction
from django_scopes import scope, scopes_disabled

from .tenancy import tenant_model


class TransactionAwareTask(Task):
    acks_late = True
    reject_on_worker_lost = True

    def apply_async(self, args=None, kwargs=None, *rest, **options):
        if transaction.get_connection().in_atomic_block:
            # Eager tasks (the embedded default) wait for the commit too, so they see what a worker would.
            transaction.on_commit(lambda: super(TransactionAwareTask, self).apply_async(args, kwargs, *rest, **options))
            return None
        return super().apply_async(args, kwargs, *rest, **options)


class OrganisationTask(TransactionAwareTask):
    """Use as ``@shared_task(base=OrganisationTask, bind=True)``; the task receives ``organisation`` loaded."""

    typing = False  # callers pass organisation_id; the task body receives organisation

    def __call__(self, *args, **kwargs):
        organisation_id = kwargs.pop("organisation_id")
        with scopes_disabled():  # the tenant itself is not tenant-owned; this only loads it
            organisation = tenant_model().objects.get(pk=organisation_id)
        with scope(organisation=organisation):
            return super().__call__(*args, organisation=organisation, **kwargs)
