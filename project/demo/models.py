"""A small support desk: the business objects whose history the demo console shows.

Field ``verbose_name``s matter beyond the admin forms: the admin writes them, capitalised,
into ``LogEntry.change_message`` ("Changed Status and Resolution note."), and the demo
history (:mod:`project.demo.history`) does the same.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

INVOICE_NUMBER_PATTERN = r"^INV-\d{4}-\d{4,}$"


class Customer(models.Model):
    class Plan(models.TextChoices):
        FREE = "free", "Free"
        STARTER = "starter", "Starter"
        TEAM = "team", "Team"
        ENTERPRISE = "enterprise", "Enterprise"

    name = models.CharField("name", max_length=200)
    email = models.EmailField("email address")
    phone = models.CharField("phone", max_length=40, blank=True)
    plan = models.CharField("plan", max_length=20, choices=Plan.choices, default=Plan.FREE)
    # A default rather than auto_now_add, so imported or seeded customers keep their real date.
    created = models.DateTimeField("created", default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "customer"
        verbose_name_plural = "customers"

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PENDING = "pending", "Pending"
        CLOSED = "closed", "Closed"

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        NORMAL = "normal", "Normal"
        HIGH = "high", "High"
        URGENT = "urgent", "Urgent"

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="tickets", verbose_name="customer"
    )
    subject = models.CharField("subject", max_length=200)
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.OPEN)
    priority = models.CharField(
        "priority", max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name="assignee",
    )
    resolution_note = models.TextField("resolution note", blank=True)
    created = models.DateTimeField("created", default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "ticket"
        verbose_name_plural = "tickets"

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class Invoice(models.Model):
    class Currency(models.TextChoices):
        EUR = "EUR", "Euro"
        USD = "USD", "US dollar"
        GBP = "GBP", "Pound sterling"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        PAID = "paid", "Paid"
        VOID = "void", "Void"

    # A string primary key on purpose: LogEntry.object_id is text, and the console must
    # handle objects whose key is not an integer.
    number = models.CharField(
        "number",
        max_length=20,
        primary_key=True,
        validators=[RegexValidator(INVOICE_NUMBER_PATTERN, "Use the form INV-2026-0001.")],
        help_text="For example INV-2026-0001.",
    )
    # PROTECT: an invoice is a financial record and must outlive a careless customer deletion.
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="invoices", verbose_name="customer"
    )
    amount = models.DecimalField("amount", max_digits=12, decimal_places=2)
    currency = models.CharField(
        "currency", max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.DRAFT)
    due_date = models.DateField("due date")
    created = models.DateTimeField("created", default=timezone.now)

    class Meta:
        ordering = ["-created", "-number"]
        verbose_name = "invoice"
        verbose_name_plural = "invoices"

    def __str__(self) -> str:
        return self.number
