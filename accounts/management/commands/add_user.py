from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import user_create


class Command(BaseCommand):
    help = "Create a user whose email address is already verified."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", default=None)
        parser.add_argument("--language", default="de", choices=["de", "en"])

    def handle(self, *args, email, password, language, **options):
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"{email} exists already.")
        user = user_create(email=email, password=password, language=language)
        self.stdout.write(f"Created {user.email}.")
