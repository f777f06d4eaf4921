# The one place the version is written; hatch reads it for the package metadata (docs/contributing.md,
# "Releasing"). A ".devN" suffix means "not released": the release commit drops it.
__version__ = "0.1.0.dev0"
