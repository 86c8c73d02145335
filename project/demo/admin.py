"""The demo models in the admin: every save there writes LogEntry rows the console reads."""

from __future__ import annotations

from django.contrib import admin

from project.demo.models import Customer, Invoice, Ticket


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "phone", "plan", "created"]
    list_filter = ["plan", "created"]
    search_fields = ["name", "email", "phone"]
    date_hierarchy = "created"


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["__str__", "customer", "status", "priority", "assignee", "created"]
    list_filter = ["status", "priority", ("assignee", admin.RelatedOnlyFieldListFilter), "created"]
    search_fields = ["subject", "customer__name", "resolution_note"]
    list_select_related = ["customer", "assignee"]
    autocomplete_fields = ["customer"]
    date_hierarchy = "created"


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "customer", "amount", "currency", "status", "due_date"]
    list_filter = ["status", "currency", "due_date"]
    search_fields = ["number", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    date_hierarchy = "due_date"
