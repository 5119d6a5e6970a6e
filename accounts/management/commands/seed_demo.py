from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from accounts.demo import DEMO_PASSWORD, seed_accounts


class Command(BaseCommand):
    help = "Load demo data (idempotent): a reviewer, two organisations in different states, their people."

    @transaction.atomic
    def handle(self, *args, **options):
        from eligibility.demo import seed_eligibility

        with scopes_disabled():  # seeding writes across organisations
            people = seed_accounts()
            seed_eligibility()
        self.stdout.write(self.style.SUCCESS(f"Demo data is ready. Logins (password for all: {DEMO_PASSWORD}):"))
        for label, email in people:
            self.stdout.write(f"  {label:<42} {email}")
        self.stdout.write("Reviewers and organisation admins set up two-factor authentication at first login.")
