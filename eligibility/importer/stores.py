"""Where valid rows go. PostgreSQL: COPY into a temporary staging table, then one set-based merge. SQLite (the
embedded default): batched upserts. Both end with the proof links and serial conflicts brought up to date."""

from django.db import connection, transaction
from django.utils import timezone

from .pipeline import FIELDS

DEVICE_COLUMNS = ", ".join(FIELDS)


def store_for(organisation):
    return PostgresStore(organisation) if connection.vendor == "postgresql" else SqliteStore(organisation)


class PostgresStore:
    """Rows are streamed with COPY (psycopg 3) into a session-local staging table; ``finish`` merges them with
    one ``INSERT … ON CONFLICT`` that also links each device to its proof, then updates the conflict flags."""

    def __init__(self, organisation):
        self.organisation = organisation
        self.stage = "device_import_stage"
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.stage}")
            cursor.execute(
                f"""CREATE TEMPORARY TABLE {self.stage} (
                    serial_number varchar(15) NOT NULL, product_line varchar(10) NOT NULL, model varchar(100),
                    purchase_date date, purchase_source varchar(10) NOT NULL, ownership varchar(10) NOT NULL,
                    third_party_warranty boolean NOT NULL, invoice_number varchar(64) NOT NULL)"""
            )

    def write(self, rows: list[tuple]) -> None:
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3's own cursor, for COPY
            with raw.copy(f"COPY {self.stage} ({DEVICE_COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def finish(self) -> tuple[int, int]:
        org = self.organisation.pk
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH upserted AS (
                    INSERT INTO eligibility_device (organisation_id, {DEVICE_COLUMNS}, proof_id, serial_conflict,
                                                    created_at, updated_at)
                    SELECT %(org)s, s.serial_number, s.product_line, coalesce(s.model, ''), s.purchase_date,
                           s.purchase_source, s.ownership, s.third_party_warranty, s.invoice_number, p.id, false,
                           %(now)s, %(now)s
                    FROM {self.stage} s
                    LEFT JOIN eligibility_proofofpurchase p
                           ON p.organisation_id = %(org)s AND p.invoice_number = s.invoice_number
                              AND s.invoice_number <> ''
                    ON CONFLICT (organisation_id, serial_number) DO UPDATE SET
                        product_line = EXCLUDED.product_line, model = EXCLUDED.model,
                        purchase_date = EXCLUDED.purchase_date, purchase_source = EXCLUDED.purchase_source,
                        ownership = EXCLUDED.ownership, third_party_warranty = EXCLUDED.third_party_warranty,
                        invoice_number = EXCLUDED.invoice_number, proof_id = EXCLUDED.proof_id,
                        updated_at = EXCLUDED.updated_at
                    RETURNING (xmax = 0) AS inserted
                )
                SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
                """,
                {"org": org, "now": now},
            )
            created, updated = cursor.fetchone()
            refresh_conflicts_sql(cursor, f"SELECT serial_number FROM {self.stage}")
            cursor.execute(f"DROP TABLE {self.stage}")
        return created, updated


def refresh_conflicts_sql(cursor, serials_sql: str, params=None) -> None:
    """Set ``serial_conflict`` for every device whose serial is among ``serials_sql``: true where more than one
    organisation lists it. Touches only rows whose flag changes."""
    cursor.execute(
        f"""
        WITH candidates AS ({serials_sql}),
        claimed AS (
            SELECT d.serial_number, count(DISTINCT d.organisation_id) > 1 AS conflict
            FROM eligibility_device d JOIN candidates c ON c.serial_number = d.serial_number
            GROUP BY d.serial_number
        )
        UPDATE eligibility_device d SET serial_conflict = claimed.conflict
        FROM claimed WHERE d.serial_number = claimed.serial_number AND d.serial_conflict <> claimed.conflict
        """,
        params or {},
    )


class SqliteStore:
    """The embedded default's simple path: each batch is one upsert statement with executemany."""

    def __init__(self, organisation):
        self.organisation = organisation
        self.created = 0
        self.updated = 0
        self.serials: list[str] = []

    def write(self, rows: list[tuple]) -> None:
        from eligibility.models import Device

        serials = [row[0] for row in rows]
        existing = set(
            Device.objects.filter(organisation=self.organisation, serial_number__in=serials).values_list(
                "serial_number", flat=True
            )
        )
        self.updated += len(existing)
        self.created += len(rows) - len(existing)
        self.serials.extend(serials)
        now = timezone.now().isoformat()
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

    def finish(self) -> tuple[int, int]:
        from eligibility.services import devices_link_proofs, devices_refresh_conflicts

        with transaction.atomic():
            devices_link_proofs(organisation=self.organisation)
            for start in range(0, len(self.serials), 500):
                devices_refresh_conflicts(serials=self.serials[start : start + 500])
        return self.created, self.updated
