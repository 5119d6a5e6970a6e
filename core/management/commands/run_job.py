import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.jobs import JOBS


class Command(BaseCommand):
    help = "Run one periodic job now, as of a given date."

    def add_arguments(self, parser):
        parser.add_argument("name", help="One of the registered jobs (run without a valid name to list them).")
        parser.add_argument("--today", default=None, help="YYYY-MM-DD; default: today")

    def handle(self, *args, name, today, **options):
        if name not in JOBS:
            raise CommandError(f"Unknown job {name!r}. Jobs: {', '.join(sorted(JOBS))}")
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--today takes YYYY-MM-DD") from exc
        result = JOBS[name](today=day)
        self.stdout.write(f"{name} ({day.isoformat()}): {result}")
