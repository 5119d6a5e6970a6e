"""Validate rows and hand the valid ones to a store; collect every rejected row for the report."""

import csv
import datetime
import tempfile
import time
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from eligibility import validation as v
from eligibility.models import DEVICE_FIELDS as FIELDS  # the order of a stored row

from .columns import map_header
from .reader import MAX_DATA_ROWS, NUL_MARK, BrokenRow, NotATable, Table

BATCH = 5000
MAX_ERRORS_KEPT = 1000
MAX_BLANK_RUN = 100_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DEADLINE_EVERY = 1024  # rows (blank ones too) between two looks at the clock


class TooSlow(NotATable):
    """The import ran past its time (``IMPORT_MAX_SECONDS``) and was stopped; the message says what to do."""


@dataclass
class Deadline:
    """``seconds`` from now, on the monotonic clock."""

    seconds: float
    at: float = field(init=False)

    def __post_init__(self):
        self.at = time.monotonic() + self.seconds


def escape_formula(value) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; the report must not."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@dataclass
class Report:
    """The rejected rows: the first ones kept for the API, all of them in a CSV file."""

    header: list[str]
    delimiter: str
    count: int = 0
    rows: int = 0
    kept: list = field(default_factory=list)

    def __post_init__(self):
        # Kept open while rows are added; the import saves and closes it.
        self.file = tempfile.TemporaryFile(mode="w+", encoding="utf-8-sig", newline="")  # noqa: SIM115
        self.writer = csv.writer(self.file, delimiter=self.delimiter)
        self.writer.writerow([_("row"), _("column"), _("message")] + [escape_formula(h) for h in self.header])

    def add(self, row: int, column: str, message: str, cells: list | None = None) -> None:
        self.count += 1
        if len(self.kept) < MAX_ERRORS_KEPT:
            self.kept.append({"row": row, "column": column, "message": message})
        shown = [escape_formula(c)[:1000] for c in (cells or [])]
        self.writer.writerow([row, escape_formula(column), escape_formula(message), *shown])


class RowValidator:
    """Turns a row's cells into a stored tuple, or into (column, message) errors. This runs once per row of a
    100 000-row file, so labels and parsers are prepared once and each parser takes the common case first."""

    def __init__(self, header: list[str], mapping: dict[str, int], today: datetime.date):
        self.header = header
        self.mapping = mapping
        self.seen: dict[str, int] = {}
        parsers = v.device_parsers(today=today)
        # (column index or None, parser, column label) in the stored row's order
        self.plan = [(mapping.get(name), parsers[name], self.column_label(name)) for name in FIELDS]

    def column_label(self, field_name: str) -> str:
        index = self.mapping.get(field_name)
        return str(self.header[index]).strip() if index is not None else field_name

    def __call__(self, number: int, cells: list) -> tuple[tuple | None, list[tuple[str, str]]]:
        values = []
        errors = None
        width = len(cells)
        for index, parse, label in self.plan:
            raw = cells[index] if index is not None and index < width else None
            try:
                if raw.__class__ is str and NUL_MARK in raw:
                    raise ValueError(_("The cell contains a NUL byte (binary data)."))
                values.append(parse(raw))
            except ValueError as exc:
                if errors is None:
                    errors = []
                errors.append((label, str(exc)))
                values.append(None)
        if errors:
            return None, errors
        serial = values[0]
        previous = self.seen.setdefault(serial, number)
        if previous != number:
            message = _("%(serial)s appears already in row %(row)s; each device once, please.") % {
                "serial": serial,
                "row": previous,
            }
            return None, [(self.plan[0][2], message)]
        return tuple(values), []


def _blank(cells: list) -> bool:
    if cells.count(None) == len(cells):  # in C: empty rows, and those a spreadsheet lists without values
        return True
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def too_slow(seconds: float) -> TooSlow:
    minutes = max(round(seconds / 60), 1)
    return TooSlow(
        ngettext(
            "The import took too long (more than %(minutes)s minute) and was stopped. Split the file into smaller "
            "ones and upload them one after the other: known serial numbers are updated, not added twice.",
            "The import took too long (more than %(minutes)s minutes) and was stopped. Split the file into smaller "
            "ones and upload them one after the other: known serial numbers are updated, not added twice.",
            minutes,
        )
        % {"minutes": minutes}
    )


def process(
    table: Table, *, store, report_factory=Report, progress=None, today=None, deadline: Deadline | None = None
) -> tuple[int, "Report"]:
    """Validate every row of ``table`` and write the valid ones to ``store`` in batches.

    ``progress(processed, total)`` is called after each batch; past ``deadline`` the import stops with ``TooSlow``.
    Returns the number of rows read and the report.
    """
    mapping = map_header(table.header)
    report = report_factory(header=table.header, delimiter=table.delimiter)
    validate = RowValidator(table.header, mapping, today or datetime.date.today())
    batch: list[tuple] = []
    processed = 0
    blank_run = 0
    last_data_row = 1
    seen = 0
    for number, cells in table.rows:
        if deadline is not None and not seen % DEADLINE_EVERY and time.monotonic() > deadline.at:
            raise too_slow(deadline.seconds)
        seen += 1
        if cells.__class__ is BrokenRow:
            processed += 1
            last_data_row = number
            blank_run = 0
            report.rows += 1
            column = table.header[cells.column].strip() if cells.column < len(table.header) else ""
            report.add(number, column, cells.problem, cells)
            continue
        if _blank(cells):
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                report.add(
                    number,
                    "",
                    _(
                        "Rows %(first)s to %(last)s are empty; reading stopped there. If more devices follow, "
                        "delete the empty rows and upload the file again."
                    )
                    % {"first": last_data_row + 1, "last": number},
                )
                break
            continue
        blank_run = 0
        last_data_row = number
        processed += 1
        if processed > MAX_DATA_ROWS:
            raise NotATable(
                _("The file has more than %(max)s rows. Split it into several files.") % {"max": f"{MAX_DATA_ROWS:,}"}
            )
        row, errors = validate(number, cells)
        if row is None:
            report.rows += 1
            for column, message in errors:
                report.add(number, column, message, cells)
        else:
            batch.append(row)
            if len(batch) >= BATCH:
                store.write(batch)
                batch = []
                if progress:
                    progress(processed, max(table.estimated_rows, processed))
    if batch:
        store.write(batch)
    if progress:
        progress(processed, processed)
    return processed, report
