"""What certification announces to the floors above it: billing listens for requested vouchers."""

from django.dispatch import Signal

# Sent inside the request's transaction with ``organisation``, ``actor`` and the new ``vouchers``.
vouchers_requested = Signal()
