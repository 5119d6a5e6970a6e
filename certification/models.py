"""certification: filled in by its capability."""
