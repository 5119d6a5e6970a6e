"""The daily certification-deadline job over many organisations in mixed states (DESIGN.md section 6)."""

import datetime
import os
import time

from django.db import connection
from django_scopes import scopes_disabled

from bench.measure import count_queries

ORGANISATIONS = int(os.environ.get("BENCH_ORGANISATIONS", "10000"))
TODAY = datetime.date(2026, 6, 1)


def _population(n: int, prefix: str):
    """n organisations: a fifth past the deadline, a fifth on a reminder day, the rest in between; some certified."""
    from accounts.models import Account, Membership, Organisation, User
    from certification.models import Certification
    from eligibility.models import Device

    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"{prefix} {i}", slug=f"{prefix}-{i}") for i in range(n)], batch_size=2000
    )
    users = User.objects.bulk_create(
        [User(email=f"{prefix}-{i}@example.org", password="!") for i in range(n)], batch_size=2000
    )
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=o, role="admin") for u, o in zip(users, orgs, strict=True)], batch_size=2000
    )
    offsets = [-3, 30, 14, 45, 7, 60, 20, 1, -10, 75]
    Account.objects.bulk_create(
        [
            Account(
                organisation=o,
                status="approved",
                certification_deadline=TODAY + datetime.timedelta(days=offsets[i % len(offsets)]),
            )
            for i, o in enumerate(orgs)
        ],
        batch_size=2000,
    )
    devices = []
    for i, o in enumerate(orgs):
        devices.append(
            Device(
                organisation=o,
                serial_number=f"B{i:010d}",
                product_line="mac",
                purchase_source="apple",
                ownership="owned",
            )
        )
        if i % 2:
            devices.append(
                Device(
                    organisation=o,
                    serial_number=f"C{i:010d}",
                    product_line="iphone",
                    purchase_source="apple",
                    ownership="owned",
                )
            )
    Device.objects.bulk_create(devices, batch_size=5000)
    Certification.objects.bulk_create(
        [
            Certification(
                organisation=o,
                technician=users[i],
                kind="acmt",
                credential_id=f"A-{prefix}-{i}",
                passed_on=TODAY - datetime.timedelta(days=100),
            )
            for i, o in enumerate(orgs)
            if i % 3 == 0
        ],
        batch_size=2000,
    )


def certification_deadlines():
    from certification.jobs import certification_deadlines as job
    from ssa_portal.celery import app

    app.conf.task_always_eager = False  # emails are queued for the workers, not sent inside the job
    with scopes_disabled():
        _population(100, "small")
    small = count_queries(lambda: job(today=TODAY))
    with scopes_disabled():
        from accounts.models import Hold
        from certification.models import ReminderSent
        from core.models import Notification

        ReminderSent.objects.all().delete()
        Hold.objects.all().delete()
        Notification.objects.all().delete()
        _population(ORGANISATIONS - 100, "large")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    start = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        large = count_queries(lambda: profiler.runcall(job, today=TODAY))
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    else:
        large = count_queries(lambda: job(today=TODAY))
    elapsed = time.perf_counter() - start
    again = count_queries(lambda: job(today=TODAY))  # the same day again: nothing new, same queries
    with scopes_disabled():
        from accounts.models import Hold

        holds = Hold.objects.count()
    yield {
        "name": f"deadline job queries for 100 vs {ORGANISATIONS:,} organisations (and a second run)",
        "figure": f"{small} vs {large} ({again})",
        "target": "equal, fewer when nothing changed",
        "ok": small == large and again <= large,
    }
    yield {
        "name": f"deadline job over {ORGANISATIONS:,} organisations ({holds:,} holds placed)",
        "figure": f"{elapsed:.2f} s",
        "target": "< 5 s",
        "ok": elapsed < 5,
    }
