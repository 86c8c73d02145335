"""The demo's models kept by django-simple-history (installed when the package is)."""
