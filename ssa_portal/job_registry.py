"""Imports the modules that register periodic jobs, so ``JOBS`` is complete."""

import accounts.jobs  # noqa: F401
import certification.jobs  # noqa: F401, E402
