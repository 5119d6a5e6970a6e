"""Imports the modules that register periodic jobs, so ``JOBS`` is complete."""

import accounts.jobs  # noqa: F401
