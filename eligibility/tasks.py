from celery import shared_task
from django.conf import settings

from core.taskbase import OrganisationTask

from .imports import device_import_run as import_run
from .models import DeviceImport


# The pipeline stops itself at IMPORT_MAX_SECONDS; the soft limit is the second guard (it raises inside the task,
# which fails the import with a message). No hard limit: a killed worker's task is redelivered, and run again.
@shared_task(base=OrganisationTask, bind=True, soft_time_limit=settings.IMPORT_MAX_SECONDS + 60)
def device_import_run(self, *, organisation, import_id: int):
    device_import = DeviceImport.objects.select_related("created_by", "organisation").get(pk=import_id)
    import_run(device_import=device_import)
    return import_id
