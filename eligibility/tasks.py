from celery import shared_task

from core.taskbase import OrganisationTask

from .imports import device_import_run as import_run
from .models import DeviceImport


@shared_task(base=OrganisationTask, bind=True)
def device_import_run(self, *, organisation, import_id: int):
    device_import = DeviceImport.objects.select_related("created_by", "organisation").get(pk=import_id)
    import_run(device_import=device_import)
    return import_id
