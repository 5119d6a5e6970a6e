"""The Celery app. Tasks run eagerly on the embedded default and on Redis with a worker otherwise."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssa_portal.settings")

app = Celery("ssa_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
