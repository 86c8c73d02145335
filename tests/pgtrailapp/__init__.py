"""A model tracked by django-pghistory: installed only when the tests run on PostgreSQL."""
