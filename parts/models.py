"""parts: filled in by its capability."""
