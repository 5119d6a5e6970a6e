"""``python manage.py load_parts_catalogue FILE.csv``: load or update the parts catalogue from Apple's CSV.

Columns (API.md): part_number, description, product_lines (``mac|ipad``), stock_price, exchange_price (empty:
none), core_return (yes|no), available (yes|no), kind (part|unit), and optionally fits_models. UTF-8 or
Windows-1252, comma or semicolon. Valid rows are stored, every rejected row is named on stderr with its line, and
the exit code is 1 when any row was rejected or the file is no catalogue. Loading the same file again adds nothing.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations

from parts.services import catalogue_load


def _messages(errors: dict) -> str:
    return "; ".join(f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in errors.items())


class Command(BaseCommand):
    help = "Load or update the parts catalogue from a CSV file; rejected rows are listed on stderr (exit code 1)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The catalogue as CSV (UTF-8 or Windows-1252, comma or semicolon).")

    @no_translations  # operators read English, like the portal's other commands
    def handle(self, *args, file, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        try:
            result = catalogue_load(data=data)
        except ValidationError as exc:
            raise CommandError(f"{file} is not a catalogue: {' '.join(exc.messages)}") from exc
        self.stdout.write(
            f"Catalogue loaded: {result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
            f"{result.prices} new prices."
        )
        for line, errors in result.errors:
            self.stderr.write(f"line {line}: {_messages(errors)}")
        if result.errors:
            rows = "row was" if len(result.errors) == 1 else "rows were"
            raise CommandError(f"{len(result.errors)} {rows} rejected; the other rows are loaded.")
