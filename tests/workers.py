"""A real Celery worker as a subprocess on the test database, for the tests that prove the broker round trip and
redelivery (a subprocess worker talks to the database its environment names, so it is given the test database's).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
# Environment variables that make a worker pause mid-job; a worker started without a marker never inherits them.
PAUSE_VARIABLES = ("SSA_PAUSE_MARKER", "SSA_PARTS_PAUSE_MARKER")


def worker(queue: str, *, include: str | None = None, env: dict | None = None) -> subprocess.Popen:
    """A solo worker on ``queue``; ``include`` loads a test module into it (a pause hook), ``env`` adds variables."""
    db = connection.settings_dict
    environment = {
        **{k: v for k, v in os.environ.items() if k not in PAUSE_VARIABLES},
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "DATABASE_POOL": "0",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_VISIBILITY_TIMEOUT": "3",  # an unacknowledged task comes back after 3 s, not hours
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        **(env or {}),
    }
    args = [sys.executable, "-m", "celery", "-A", "ssa_portal", "worker", "-P", "solo", "-Q", queue]
    args += ["--loglevel", "WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip"]
    if include:
        args += ["--include", include]
    return subprocess.Popen(args, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def stop(*processes) -> None:
    for process in processes:
        if process and process.poll() is None:
            process.terminate()
            process.wait(timeout=20)
