"""`make bench`: the portal's performance figures, each a ratio against a baseline measured in the same run.

Runs on the database the environment names (DATABASE_URL), in a throw-away test database.
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssa_portal.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("DEBUG", "false")  # production's template and query behaviour
os.environ.setdefault("EMAIL_URL", "dummymail://")
os.environ.setdefault("THROTTLE_USER", "1000000/minute")  # measure the stack, not the rate limit
os.environ.setdefault("DATABASE_TEST_NAME", "bench_ssa_portal")


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.ROOT_URLCONF = "bench.urls"
    settings.DEBUG = False
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    failures = 0
    try:
        from bench import suites

        print(f"database: {connection.vendor}")
        only = os.environ.get("BENCH_ONLY")
        for suite in suites.ALL:
            if only and only not in suite.__name__:
                continue
            for row in suite():
                status = "ok" if row["ok"] else "MISSED"
                failures += 0 if row["ok"] else 1
                print(f"[{status:>6}] {row['name']}: {row['figure']}  (target: {row['target']})")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
