from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.services import user_create, user_totp_set


class Command(BaseCommand):
    help = "Create a user whose email address is already verified."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", default=None)
        parser.add_argument("--language", default="de", choices=["de", "en"])
        parser.add_argument(
            "--totp-secret", default=None, help="Set up two-factor authentication with this base32 secret."
        )

    @transaction.atomic
    def handle(self, *args, email, password, language, totp_secret, **options):
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"{email} exists already.")
        user = user_create(email=email, password=password, language=language)
        if totp_secret:
            try:
                user_totp_set(user=user, secret=totp_secret)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Created {user.email}.")
