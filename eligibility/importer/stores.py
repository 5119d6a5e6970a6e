"""Where valid rows go. PostgreSQL: COPY into a temporary staging table, then one set-based merge. SQLite (the
embedded default): batched upserts. Both end with the proof links and serial conflicts brought up to date."""

import contextlib

from django.db import connection, transaction
from django.utils import timezone

from core.tenancy import scope_organisation_id
from eligibility.linking import devices_link_proofs, devices_refresh_conflicts
from eligibility.models import Device

from .pipeline import FIELDS

DEVICE_COLUMNS = ", ".join(FIELDS)
ADVISORY_LOCK_BASE = 7_340_000_000  # + organisation id: the key of "an import is merging for this organisation"


def store_for(organisation):
    """The store for the database in use. It writes the organisation of the open scope, which must be this one."""
    scope_organisation_id(expected=organisation)
    return PostgresStore(organisation) if connection.vendor == "postgresql" else SqliteStore(organisation)


class PostgresStore:
    """Rows are streamed with one COPY (psycopg 3) for the whole file, written by a background thread so that the
    server stores rows while Python still validates the next ones. An organisation's first inventory goes straight
    into the devices table; later ones go into a session-local staging table that ``finish`` merges set-based. A
    session advisory lock per organisation keeps two imports of one organisation apart for the whole run. While
    the COPY is open the connection is busy: progress goes to the cache meanwhile."""

    def __init__(self, organisation):
        from psycopg.copy import QueuedLibpqWriter

        self.organisation = organisation
        self.stage = "device_import_stage"
        self.lock_key = ADVISORY_LOCK_BASE + organisation.pk
        self.written = 0
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [self.lock_key])
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM eligibility_device WHERE organisation_id = %s)", [organisation.pk]
            )
            self.direct = not cursor.fetchone()[0]
            if not self.direct:
                cursor.execute(f"DROP TABLE IF EXISTS {self.stage}")
                cursor.execute(
                    f"""CREATE TEMPORARY TABLE {self.stage} (
                        serial_number varchar(15) NOT NULL, product_line varchar(10) NOT NULL, model varchar(100),
                        purchase_date date, purchase_source varchar(10) NOT NULL, ownership varchar(10) NOT NULL,
                        third_party_warranty boolean NOT NULL, invoice_number varchar(64) NOT NULL)"""
                )
        self.now = timezone.now()
        if self.direct:
            columns = f"organisation_id, {DEVICE_COLUMNS}, serial_conflict, created_at, updated_at"
            sql = f"COPY eligibility_device ({columns}) FROM STDIN"
        else:
            sql = f"COPY {self.stage} ({DEVICE_COLUMNS}) FROM STDIN"
        self._cursor = connection.connection.cursor()  # psycopg 3's own cursor, for COPY
        self._copy_context = self._cursor.copy(sql, writer=QueuedLibpqWriter(self._cursor))
        self._copy = self._copy_context.__enter__()

    def write(self, rows: list[tuple]) -> None:
        write_row = self._copy.write_row
        if self.direct:
            head, tail = (self.organisation.pk,), (False, self.now, self.now)
            for row in rows:
                write_row(head + row + tail)
        else:
            for row in rows:
                write_row(row)
        self.written += len(rows)

    def _end_copy(self, exc=None) -> None:
        if self._copy_context is not None:
            context, self._copy_context = self._copy_context, None
            if exc is None:
                context.__exit__(None, None, None)
            else:
                # The COPY is aborted either way; the error that led here is the one worth reporting.
                with contextlib.suppress(Exception):
                    context.__exit__(type(exc), exc, None)
            self._cursor.close()

    def close(self) -> None:
        if self.lock_key is None:
            return
        self._end_copy(RuntimeError("import aborted"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [self.lock_key])
        self.lock_key = None

    def _finish_direct(self) -> tuple[int, int]:
        params = {"org": scope_organisation_id(expected=self.organisation)}
        with transaction.atomic(), connection.cursor() as cursor:
            devices_link_proofs(organisation=self.organisation)
            refresh_conflicts_sql(
                cursor, "SELECT serial_number FROM eligibility_device WHERE organisation_id = %(org)s", params
            )
        return self.written, 0

    def finish(self) -> tuple[int, int]:
        """Update the serials the organisation has, insert the others, link proofs, flag conflicts: one
        transaction. The advisory lock is why plain INSERT and UPDATE serve here instead of ``ON CONFLICT``."""
        self._end_copy()
        if self.direct:
            return self._finish_direct()
        params = {"org": scope_organisation_id(expected=self.organisation), "now": timezone.now()}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {self.stage}")
            cursor.execute(
                f"""
                UPDATE eligibility_device d SET
                    product_line = s.product_line, model = coalesce(s.model, ''), purchase_date = s.purchase_date,
                    purchase_source = s.purchase_source, ownership = s.ownership,
                    third_party_warranty = s.third_party_warranty, invoice_number = s.invoice_number,
                    updated_at = %(now)s
                FROM {self.stage} s
                WHERE d.organisation_id = %(org)s AND d.serial_number = s.serial_number
                """,
                params,
            )
            updated = cursor.rowcount
            cursor.execute(
                f"""
                INSERT INTO eligibility_device (organisation_id, {DEVICE_COLUMNS}, serial_conflict,
                                                created_at, updated_at)
                SELECT %(org)s, s.serial_number, s.product_line, coalesce(s.model, ''), s.purchase_date,
                       s.purchase_source, s.ownership, s.third_party_warranty, s.invoice_number, false,
                       %(now)s, %(now)s
                FROM {self.stage} s
                WHERE NOT EXISTS (SELECT 1 FROM eligibility_device d
                                  WHERE d.organisation_id = %(org)s AND d.serial_number = s.serial_number)
                """,
                params,
            )
            created = cursor.rowcount
            devices_link_proofs(organisation=self.organisation)
            refresh_conflicts_sql(cursor, f"SELECT serial_number FROM {self.stage}", params)
            cursor.execute(f"DROP TABLE {self.stage}")
        return created, updated


def refresh_conflicts_sql(cursor, serials_sql: str, params: dict) -> None:
    """Bring ``serial_conflict`` up to date for the serials ``serials_sql`` selects (those the organisation
    ``params["org"]`` just imported), by the rule of ``linking.devices_refresh_conflicts``: true on the later
    claims of a serial that another organisation listed earlier, the earliest claim left alone. One statement;
    conflicts are rare, so it looks only at the serials another organisation lists too (or that are flagged) and
    writes only the rows whose flag changes."""
    cursor.execute(
        f"""
        WITH contested AS (
            SELECT o.serial_number FROM eligibility_device o
            JOIN ({serials_sql}) c ON c.serial_number = o.serial_number
            WHERE o.organisation_id <> %(org)s
            UNION
            SELECT f.serial_number FROM eligibility_device f
            JOIN ({serials_sql}) c ON c.serial_number = f.serial_number
            WHERE f.serial_conflict
        )
        UPDATE eligibility_device d SET serial_conflict = NOT d.serial_conflict
        WHERE d.serial_number IN (SELECT serial_number FROM contested)
          AND d.serial_conflict <> EXISTS (
              SELECT 1 FROM eligibility_device o
              WHERE o.serial_number = d.serial_number AND o.organisation_id <> d.organisation_id
                AND (o.created_at, o.id) < (d.created_at, d.id))
        """,
        params,
    )


class SqliteStore:
    """The embedded default's simple path: each batch is one upsert statement with executemany."""

    def __init__(self, organisation):
        self.organisation = organisation
        self.created = 0
        self.updated = 0
        self.serials: list[str] = []

    def write(self, rows: list[tuple]) -> None:
        serials = [row[0] for row in rows]
        existing = set(
            Device.objects.filter(organisation=self.organisation, serial_number__in=serials).values_list(
                "serial_number", flat=True
            )
        )
        self.updated += len(existing)
        self.created += len(rows) - len(existing)
        self.serials.extend(serials)
        # as the ORM writes it: which claim of a serial came first is a comparison of these values
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        org = self.organisation.pk
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"""INSERT INTO eligibility_device (organisation_id, {DEVICE_COLUMNS}, serial_conflict, created_at,
                                                    updated_at)
                    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 0, %s, %s)
                    ON CONFLICT (organisation_id, serial_number) DO UPDATE SET
                        product_line = excluded.product_line, model = excluded.model,
                        purchase_date = excluded.purchase_date, purchase_source = excluded.purchase_source,
                        ownership = excluded.ownership, third_party_warranty = excluded.third_party_warranty,
                        invoice_number = excluded.invoice_number, updated_at = excluded.updated_at""",
                [
                    (
                        org,
                        row[0],
                        row[1],
                        row[2],
                        row[3].isoformat() if row[3] else None,
                        row[4],
                        row[5],
                        row[6],
                        row[7],
                        now,
                        now,
                    )
                    for row in rows
                ],
            )

    def close(self) -> None:
        pass

    def finish(self) -> tuple[int, int]:
        with transaction.atomic():
            devices_link_proofs(organisation=self.organisation)
            for start in range(0, len(self.serials), 500):
                devices_refresh_conflicts(serials=self.serials[start : start + 500])
        return self.created, self.updated
