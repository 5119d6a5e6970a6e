"""repairs: filled in by its capability."""
