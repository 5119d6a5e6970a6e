from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django_scopes import scopes_disabled

from accounts.demo import DEMO_PASSWORD
from review.demo import seed_demo


class Command(BaseCommand):
    help = "Load demo data (idempotent): a reviewer and organisations in different states, with their people."

    def handle(self, *args, **options):
        # Demo notifications are recorded in the portal but not mailed (their emails are sent after the commit,
        # hence the override around the transaction). Seeding writes across organisations.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            transaction.atomic(),
            scopes_disabled(),
        ):
            people = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data is ready. Logins (password for all: {DEMO_PASSWORD}):"))
        for label, email in people:
            self.stdout.write(f"  {label:<42} {email}")
        self.stdout.write("Reviewers and organisation admins set up two-factor authentication at first login.")
