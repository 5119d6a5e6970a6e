"""Inventory import and eligibility figures (DESIGN.md section 6)."""

import csv
import io
import os
import resource
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django_scopes import scope, scopes_disabled

from bench.measure import BENCH_TOTP_SECRET, count_queries
from eligibility.models import DEVICE_FIELDS

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
RUNS = 3
HEADER = DEVICE_FIELDS
LINES = ["mac", "iphone", "ipad", "ipod"]
ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def serial(n: int) -> str:
    chars = []
    for _ in range(9):
        n, r = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[r])
    return "C02" + "".join(reversed(chars))


def inventory_csv(rows: int) -> bytes:
    """A canonical inventory (English headers and words, ISO dates) that a bare COPY can also read."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i in range(rows):
        writer.writerow(
            [
                serial(i),
                LINES[i % 4],
                "MacBook Pro 14",
                f"2024-{1 + i % 12:02d}-15",
                "apple",
                "owned",
                "no" if i % 50 else "yes",
                f"RE-{i // 500:05d}",
            ]
        )
    return out.getvalue().encode()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_copy_seconds(data: bytes) -> float:
    """COPY of the same file into a table with the devices table's columns and indexes."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_devices")
        cursor.execute("CREATE TABLE bench_copy_devices (LIKE eligibility_device INCLUDING ALL)")
        # The id is an identity column and comes along with LIKE; the rest get the values the import sets.
        cursor.execute(
            "ALTER TABLE bench_copy_devices ALTER COLUMN organisation_id SET DEFAULT 1, "
            "ALTER COLUMN serial_conflict SET DEFAULT false, ALTER COLUMN created_at SET DEFAULT now(), "
            "ALTER COLUMN updated_at SET DEFAULT now()"
        )
        start = time.perf_counter()
        with cursor.cursor.copy(
            f"COPY bench_copy_devices ({', '.join(HEADER)}) FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            copy.write(data)
        elapsed = time.perf_counter() - start
        cursor.execute("SELECT count(*) FROM bench_copy_devices")
        assert cursor.fetchone()[0] == ROWS
        cursor.execute("DROP TABLE bench_copy_devices")
    return elapsed


def import_export_seconds(data: bytes, organisation) -> float:
    """The common way: django-import-export's ``import_data`` with default settings, same file, same model."""
    import tablib
    from import_export import resources

    from eligibility.models import Device

    class DeviceResource(resources.ModelResource):
        class Meta:
            model = Device
            fields = HEADER
            import_id_fields = ["serial_number"]

        def before_save_instance(self, instance, row, **kwargs):
            instance.organisation = organisation

    dataset = tablib.Dataset().load(data.decode(), format="csv")
    start = time.perf_counter()
    with scope(organisation=organisation):
        result = DeviceResource().import_data(dataset, dry_run=False)
    elapsed = time.perf_counter() - start
    assert not result.has_errors(), result.row_errors()[:1]
    return elapsed


def inventory_import():
    from accounts.models import User
    from accounts.services import api_token_create, organisation_create, user_totp_set
    from eligibility.models import Device

    if connection.vendor != "postgresql":
        yield {"name": "inventory import vs bare COPY", "figure": "skipped", "target": "needs PostgreSQL", "ok": True}
        return
    with scopes_disabled():
        owner = User.objects.create_user(email="bench-import@example.org", password="x")
        organisations = [organisation_create(creator=owner, name=f"Bench Import {i}") for i in range(RUNS)]
        baseline_org = organisation_create(creator=owner, name="Bench Import Baseline")
        user_totp_set(user=owner, secret=BENCH_TOTP_SECRET)  # an admin's token works only with two-factor set up
        _t, raw = api_token_create(user=owner, name="bench")
    data = inventory_csv(ROWS)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def one_import(organisation) -> float:
        start = time.perf_counter()
        response = client.post(
            f"/api/v1/orgs/{organisation.slug}/device-imports/", {"file": SimpleUploadedFile("inventory.csv", data)}
        )
        assert response.status_code == 202, response.content
        body = client.get(f"/api/v1/orgs/{organisation.slug}/device-imports/{response.json()['id']}/").json()
        elapsed = time.perf_counter() - start
        assert body["status"] == "succeeded" and body["created"] == ROWS, body
        return elapsed

    # Interleaved runs and the best of each, so both sides see the same machine.
    rss_before = peak_rss_mb()
    copy_times, import_times = [], []
    for organisation in organisations:
        copy_times.append(bare_copy_seconds(data))
        import_times.append(one_import(organisation))
    rss_after = peak_rss_mb()
    copy_time, import_time = min(copy_times), min(import_times)
    with scope(organisation=organisations[0]):
        assert Device.objects.filter(organisation=organisations[0]).count() == ROWS

    ratio = import_time / copy_time
    yield {
        "name": f"import of {ROWS:,} rows end to end vs bare COPY ({copy_time:.2f} s)",
        "figure": f"{import_time:.2f} s = {ratio:.1f}x",
        "target": "<= 3x",
        "ok": ratio <= 3,
    }
    yield {
        "name": "peak memory of the process during the import",
        "figure": f"{rss_after:.0f} MB (was {rss_before:.0f} MB before)",
        "target": "< 300 MB",
        "ok": rss_after < 300,
    }

    if os.environ.get("BENCH_SKIP_IMPORT_EXPORT"):
        return
    common = import_export_seconds(data, baseline_org)
    yield {
        "name": "import vs django-import-export import_data (default settings, same file and model)",
        "figure": f"{common / import_time:.0f}x faster ({common:.1f} s vs {import_time:.2f} s)",
        "target": ">= 10x faster",
        "ok": common / import_time >= 10,
    }


def eligibility_large():
    from accounts.models import User
    from accounts.services import organisation_create
    from eligibility.engine import eligibility_evaluate
    from eligibility.models import Device

    with scopes_disabled():
        owner = User.objects.create_user(email="bench-elig@example.org", password="x")
        organisation = organisation_create(creator=owner, name="Bench Eligibility")
        small = organisation_create(creator=owner, name="Bench Eligibility Small")
        Device.objects.bulk_create(
            [
                Device(
                    organisation=organisation,
                    serial_number=f"E{serial(i)[1:]}",
                    product_line=LINES[i % 4],
                    purchase_source="apple" if i % 7 else "reseller",
                    ownership="owned",
                    invoice_number=f"RE-{i // 500}",
                )
                for i in range(ROWS)
            ],
            batch_size=5000,
        )
        Device.objects.bulk_create(
            [
                Device(
                    organisation=small,
                    serial_number=serial(900_000 + i),
                    product_line="mac",
                    purchase_source="apple",
                    ownership="owned",
                )
                for i in range(10)
            ]
        )
    if connection.vendor == "postgresql":
        # the steady state autovacuum keeps a table in: statistics, hint bits and visibility map up to date
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE eligibility_device")
    with scope(organisation=small):
        small_queries = count_queries(lambda: eligibility_evaluate(organisation=small))
    with scope(organisation=organisation):
        large_queries = count_queries(lambda: eligibility_evaluate(organisation=organisation))
        eligibility_evaluate(organisation=organisation)
        best = min(_timed(lambda: eligibility_evaluate(organisation=organisation)) for _ in range(7))
    yield {
        "name": f"eligibility queries for 10 vs {ROWS:,} devices",
        "figure": f"{small_queries} vs {large_queries}",
        "target": "equal",
        "ok": small_queries == large_queries,
    }
    yield {
        "name": f"eligibility for {ROWS:,} devices",
        "figure": f"{best * 1000:.0f} ms",
        "target": "< 100 ms",
        "ok": best < 0.100,
    }


def _timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start
