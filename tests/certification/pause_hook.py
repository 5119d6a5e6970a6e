"""Loaded only by the redelivery test's first worker (``celery worker --include``): the deadline job pauses just
before it would commit, and says so in a marker file, so the test can kill the worker mid-run."""

import os
import time

from celery.signals import task_prerun


@task_prerun.connect
def pause_inside_the_job(**kwargs):
    import certification.jobs as jobs

    if getattr(jobs, "_paused", False):
        return
    original = jobs._tell

    def tell_then_hang(*args, **kw):
        original(*args, **kw)  # everything is written, nothing committed yet
        with open(os.environ["SSA_PAUSE_MARKER"], "w") as marker:
            marker.write("paused")
        time.sleep(300)

    jobs._tell = tell_then_hang
    jobs._paused = True
