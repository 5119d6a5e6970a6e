from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.services import reviewer_set, user_create, user_totp_set


class Command(BaseCommand):
    help = "Create a platform reviewer, or promote an existing user to one."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", default=None)
        parser.add_argument(
            "--totp-secret", default=None, help="Set up two-factor authentication with this base32 secret."
        )

    @transaction.atomic
    def handle(self, *args, email, password, totp_secret, **options):
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if created:
            user = user_create(email=email, password=password)
        elif password:
            user.set_password(password)
            user.save(update_fields=["password"])
        try:
            reviewer_set(user=user)
            if totp_secret:
                user_totp_set(user=user, secret=totp_secret)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{'Created' if created else 'Promoted'} reviewer {user.email}.")
