"""The periodic jobs by name, for ``run_job`` and for Celery beat. Each app registers its own.

A job is a function ``job(*, today: datetime.date) -> dict`` that is set-based and idempotent.
"""

JOBS: dict = {}


def register_job(name: str):
    def decorator(func):
        JOBS[name] = func
        return func

    return decorator
