from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tests.trailapp.models import Supplier, Warehouse

admin.site.register(Supplier, SimpleHistoryAdmin)
admin.site.register(Warehouse)
