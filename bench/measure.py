import time

from django.db import connection

# The bench's admins set up two-factor with this secret: their API tokens work only then.
BENCH_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def timed(func, *, repeat: int = 5, number: int = 1) -> float:
    """Best of ``repeat`` runs of ``number`` calls, in seconds per call."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            func()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def count_queries(func) -> int:
    """How many SQL statements ``func`` sends (counted at the driver, whatever DEBUG says)."""
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        response = func()
    if hasattr(response, "status_code"):
        assert response.status_code == 200, response.status_code
    return count
