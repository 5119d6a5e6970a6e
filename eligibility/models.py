"""eligibility: filled in by its capability."""
