"""support: filled in by its capability."""
