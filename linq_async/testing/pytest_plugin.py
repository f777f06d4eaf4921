"""pytest plugin (entry point pytest11)."""
