from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponse
from django.test import RequestFactory
from django.views.generic import CreateView, DeleteView, FormView, UpdateView

from auditconsole.audit import AuditMixin
from auditconsole.audit.views import _current_value, _model_field
from project.demo.models import Customer, Invoice, Ticket

TICKET_FIELDS = ["customer", "subject", "status", "priority", "assignee", "resolution_note"]


class TicketCreate(AuditMixin, CreateView):
    model = Ticket
    fields = TICKET_FIELDS
    success_url = "/done/"


class TicketUpdate(AuditMixin, UpdateView):
    model = Ticket
    fields = TICKET_FIELDS
    success_url = "/done/"


class TicketDelete(AuditMixin, DeleteView):
    model = Ticket
    success_url = "/done/"


class CustomerDelete(AuditMixin, DeleteView):
    model = Customer
    success_url = "/done/"


class TicketCloseForm(forms.ModelForm):
    # Not a model field: it is audited under its form label.
    notify_customer = forms.BooleanField(required=False, label="Notify the customer")

    class Meta:
        model = Ticket
        fields = ["status", "resolution_note"]


class TicketClose(AuditMixin, UpdateView):
    model = Ticket
    form_class = TicketCloseForm
    success_url = "/done/"

    def get_audit_message(self, form: forms.BaseForm | None) -> str | None:
        return f"Closed {self.object} by phone"


class TicketCreateWithNote(AuditMixin, CreateView):
    model = Ticket
    form_class = TicketCloseForm
    success_url = "/done/"


class TicketDeleteWithReason(AuditMixin, DeleteView):
    model = Ticket
    success_url = "/done/"

    def get_audit_message(self, form: forms.BaseForm | None) -> str | None:
        return "Duplicate of #1" if form is not None else "Deleted through the API"


class UserUpdate(AuditMixin, UpdateView):
    model = User
    fields = ["username", "password", "groups"]
    success_url = "/done/"


class NotAModelForm(forms.Form):
    subject = forms.CharField()


class PlainFormView(AuditMixin, FormView):
    form_class = NotAModelForm
    success_url = "/done/"


@pytest.fixture
def agent(make_user: Callable[..., User]) -> User:
    return make_user("agent")


@pytest.fixture
def call(rf: RequestFactory, agent: User) -> Callable[..., HttpResponse]:
    """Run a view as ``agent`` (or ``user=``) with a POST (or ``method=``) request."""

    def run(
        view: type,
        data: dict[str, Any] | None = None,
        *,
        method: str = "post",
        user: Any = None,
        **kwargs: Any,
    ) -> HttpResponse:
        request = getattr(rf, method)("/", data or {})
        request.user = agent if user is None else user
        return view.as_view()(request, **kwargs)

    return run


def ticket_data(customer: Customer, **overrides: Any) -> dict[str, Any]:
    data = {
        "customer": customer.pk,
        "subject": "Printer on fire",
        "status": "open",
        "priority": "normal",
        "assignee": "",
        "resolution_note": "",
    }
    data.update(overrides)
    return data


def stored_changes(entry: LogEntry) -> list[dict[str, Any]]:
    return json.loads(entry.change_message)[1]["auditconsole"]["changes"]


class TestCreate:
    def test_records_added_with_the_values_saved(
        self,
        call: Callable[..., HttpResponse],
        acme: Customer,
        agent: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = call(TicketCreate, ticket_data(acme, assignee=agent.pk))
        assert response.status_code == 302
        assert len(callbacks) == 1
        ticket = Ticket.objects.get()
        entry = LogEntry.objects.get()
        assert (entry.action_flag, entry.user, entry.object_id) == (ADDITION, agent, str(ticket.pk))
        assert entry.object_repr == str(ticket)
        assert entry.get_change_message() == "Added."
        assert stored_changes(entry) == [
            {
                "field": "customer",
                "label": "Customer",
                "old": None,
                "new": {"pk": str(acme.pk), "repr": "Acme"},
            },
            {"field": "subject", "label": "Subject", "old": None, "new": "Printer on fire"},
            {"field": "status", "label": "Status", "old": None, "new": "open"},
            {"field": "priority", "label": "Priority", "old": None, "new": "normal"},
            {
                "field": "assignee",
                "label": "Assignee",
                "old": None,
                "new": {"pk": str(agent.pk), "repr": "agent"},
            },
            {"field": "resolution_note", "label": "Resolution note", "old": None, "new": ""},
        ]

    def test_form_fields_outside_the_model_are_recorded_too(
        self,
        call: Callable[..., HttpResponse],
        django_capture_on_commit_callbacks: Any,
        acme: Customer,
    ) -> None:
        # TicketCloseForm has no customer: save() would fail, so give the instance one.
        class Create(TicketCreateWithNote):
            def form_valid(self, form: forms.BaseForm) -> HttpResponse:
                form.instance.customer = acme
                form.instance.subject = "Walk-in"
                return super().form_valid(form)

        with django_capture_on_commit_callbacks(execute=True):
            call(Create, {"status": "closed", "resolution_note": "Fixed", "notify_customer": "on"})
        rows = stored_changes(LogEntry.objects.get())
        assert rows[-1] == {
            "field": "notify_customer",
            "label": "Notify the customer",
            "old": None,
            "new": True,
        }

    def test_an_invalid_form_logs_nothing(
        self,
        call: Callable[..., HttpResponse],
        acme: Customer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = call(TicketCreate, ticket_data(acme, subject="", status="bogus"))
        assert response.status_code == 200
        assert set(response.context_data["form"].errors) == {"subject", "status"}
        assert callbacks == []
        assert not Ticket.objects.exists()
        assert not LogEntry.objects.exists()

    def test_a_rolled_back_create_logs_nothing(
        self,
        call: Callable[..., HttpResponse],
        acme: Customer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        def create_then_fail() -> None:
            with transaction.atomic():
                assert call(TicketCreate, ticket_data(acme)).status_code == 302
                raise RuntimeError("a later step failed")

        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
        ):
            create_then_fail()
        assert callbacks == []
        assert not Ticket.objects.exists()
        assert not LogEntry.objects.exists()

    def test_needs_a_model_form(self, call: Callable[..., HttpResponse]) -> None:
        with pytest.raises(ImproperlyConfigured, match="needs a ModelForm"):
            call(PlainFormView, {"subject": "x"})


class TestUpdate:
    def test_records_changed_fields_with_before_and_after(
        self,
        call: Callable[..., HttpResponse],
        ticket: Ticket,
        globex: Customer,
        acme: Customer,
        agent: User,
        django_capture_on_commit_callbacks: Any,
        django_assert_max_num_queries: Any,
    ) -> None:
        data = ticket_data(globex, subject="Printer fixed", status="closed")
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = call(TicketUpdate, data, pk=ticket.pk)
        assert response.status_code == 302
        assert len(callbacks) == 1
        entry = LogEntry.objects.get()
        assert (entry.action_flag, entry.user, entry.object_id) == (CHANGE, agent, str(ticket.pk))
        assert entry.get_change_message() == "Changed Customer, Subject and Status."
        assert stored_changes(entry) == [
            {
                "field": "customer",
                "label": "Customer",
                "old": {"pk": str(acme.pk), "repr": "Acme"},
                "new": {"pk": str(globex.pk), "repr": "Globex"},
            },
            {
                "field": "subject",
                "label": "Subject",
                "old": "Printer on fire",
                "new": "Printer fixed",
            },
            {"field": "status", "label": "Status", "old": "open", "new": "closed"},
        ]
        assert json.loads(entry.change_message)[1]["auditconsole"]["message"] is None

    def test_an_unchanged_save_reads_no_fields_changed(
        self,
        call: Callable[..., HttpResponse],
        ticket: Ticket,
        acme: Customer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            call(TicketUpdate, ticket_data(acme), pk=ticket.pk)
        entry = LogEntry.objects.get()
        assert entry.change_message == "[]"
        assert entry.get_change_message() == "No fields changed."

    def test_custom_message_and_extra_form_fields(
        self,
        call: Callable[..., HttpResponse],
        ticket: Ticket,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            call(
                TicketClose,
                {"status": "closed", "resolution_note": "Replaced toner", "notify_customer": "on"},
                pk=ticket.pk,
            )
        entry = LogEntry.objects.get()
        extra = json.loads(entry.change_message)[1]["auditconsole"]
        assert extra["message"] == f"Closed {ticket} by phone"
        assert entry.get_change_message() == (
            "Changed Status, Resolution note and Notify the customer."
        )
        assert extra["changes"][2] == {
            "field": "notify_customer",
            "label": "Notify the customer",
            "old": None,
            "new": True,
        }

    def test_many_to_many_and_redacted_fields(
        self,
        call: Callable[..., HttpResponse],
        agent: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        support, billing = (
            Group.objects.create(name="support"),
            Group.objects.create(name="billing"),
        )
        agent.groups.add(support)
        old_hash = agent.password
        data = {"username": "agent", "password": "plain-new-secret", "groups": [billing.pk]}
        with django_capture_on_commit_callbacks(execute=True):
            assert call(UserUpdate, data, pk=agent.pk).status_code == 302
        agent.refresh_from_db()
        assert list(agent.groups.all()) == [billing]
        entry = LogEntry.objects.get()
        assert entry.get_change_message() == "Changed Password and Groups."
        assert stored_changes(entry) == [
            {"field": "password", "label": "Password", "old": "********", "new": "********"},
            {
                "field": "groups",
                "label": "Groups",
                "old": [{"pk": str(support.pk), "repr": "support"}],
                "new": [{"pk": str(billing.pk), "repr": "billing"}],
            },
        ]
        assert old_hash not in entry.change_message
        assert "plain-new-secret" not in entry.change_message

    def test_an_invalid_form_logs_nothing(
        self,
        call: Callable[..., HttpResponse],
        ticket: Ticket,
        acme: Customer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = call(TicketUpdate, ticket_data(acme, priority="meh"), pk=ticket.pk)
        assert response.status_code == 200
        assert callbacks == []
        assert not LogEntry.objects.exists()
        ticket.refresh_from_db()
        assert ticket.priority == "normal"

    def test_a_rolled_back_update_logs_nothing(
        self,
        call: Callable[..., HttpResponse],
        ticket: Ticket,
        acme: Customer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        def update_then_fail() -> None:
            with transaction.atomic():
                call(TicketUpdate, ticket_data(acme, status="closed"), pk=ticket.pk)
                raise RuntimeError("a later step failed")

        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
        ):
            update_then_fail()
        assert callbacks == []
        assert not LogEntry.objects.exists()
        ticket.refresh_from_db()
        assert ticket.status == "open"

    def test_get_renders_the_form_and_logs_nothing(
        self,
        call: Callable[..., HttpResponse],
        ticket: Ticket,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = call(TicketUpdate, method="get", pk=ticket.pk)
        assert response.status_code == 200
        assert callbacks == []


class TestDelete:
    def test_records_the_repr_before_the_row_goes(
        self,
        call: Callable[..., HttpResponse],
        ticket: Ticket,
        agent: User,
    ) -> None:
        pk, text = ticket.pk, str(ticket)
        assert call(TicketDelete, pk=pk).status_code == 302
        assert not Ticket.objects.exists()
        entry = LogEntry.objects.get()
        assert (entry.action_flag, entry.user, entry.object_id) == (DELETION, agent, str(pk))
        assert (entry.object_repr, entry.change_message) == (text, "")
        assert str(entry) == f"Deleted “{text}.”"

    def test_custom_message(self, call: Callable[..., HttpResponse], ticket: Ticket) -> None:
        call(TicketDeleteWithReason, pk=ticket.pk)
        assert LogEntry.objects.get().change_message == "Duplicate of #1"

    def test_http_delete_is_audited_too(
        self, call: Callable[..., HttpResponse], ticket: Ticket
    ) -> None:
        response = call(TicketDeleteWithReason, method="delete", pk=ticket.pk)
        assert response.status_code == 302
        assert not Ticket.objects.exists()
        entry = LogEntry.objects.get()
        assert (entry.action_flag, entry.change_message) == (DELETION, "Deleted through the API")
        assert entry.object_repr == str(ticket)

    def test_delete_handler_only_on_delete_views(
        self, call: Callable[..., HttpResponse], ticket: Ticket, acme: Customer
    ) -> None:
        assert "DELETE" in call(TicketDelete, method="options", pk=ticket.pk)["Allow"]
        for view in (TicketCreate, TicketUpdate):
            assert "DELETE" not in call(view, method="options", pk=ticket.pk)["Allow"]
            response = call(view, method="delete", pk=ticket.pk)
            assert response.status_code == 405
            assert "DELETE" not in response["Allow"]
        assert Ticket.objects.exists()
        assert not LogEntry.objects.exists()

    def test_a_refused_delete_leaves_no_entry(
        self, call: Callable[..., HttpResponse], invoice: Invoice, acme: Customer
    ) -> None:
        # Invoice.customer is PROTECT: the DELETE fails inside our atomic block.
        with pytest.raises(ProtectedError):
            call(CustomerDelete, pk=acme.pk)
        assert Customer.objects.filter(pk=acme.pk).exists()
        assert not LogEntry.objects.exists()

    @pytest.mark.parametrize("method", ["post", "delete"])
    def test_a_rolled_back_delete_leaves_no_entry(
        self, call: Callable[..., HttpResponse], ticket: Ticket, method: str
    ) -> None:
        def delete_then_fail() -> None:
            with transaction.atomic():
                assert call(TicketDelete, method=method, pk=ticket.pk).status_code == 302
                assert LogEntry.objects.filter(action_flag=DELETION).exists()
                raise RuntimeError("a later step failed")

        with pytest.raises(RuntimeError):
            delete_then_fail()
        assert Ticket.objects.filter(pk=ticket.pk).exists()
        assert not LogEntry.objects.exists()


@pytest.mark.parametrize(
    ("view", "method", "with_pk"),
    [
        (TicketCreate, "post", False),
        (TicketUpdate, "post", True),
        (TicketDelete, "post", True),
        (TicketDelete, "delete", True),
    ],
)
def test_anonymous_users_are_refused_before_anything_changes(
    call: Callable[..., HttpResponse],
    ticket: Ticket,
    acme: Customer,
    view: type,
    method: str,
    with_pk: bool,
) -> None:
    kwargs = {"pk": ticket.pk} if with_pk else {}
    with pytest.raises(ImproperlyConfigured, match="LoginRequiredMixin"):
        call(
            view,
            ticket_data(acme, subject="Changed"),
            method=method,
            user=AnonymousUser(),
            **kwargs,
        )
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["Printer on fire"]
    assert not LogEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
class TestRealTransactions:
    """Without the test's wrapping transaction: commits and rollbacks as in production."""

    def test_committed_changes_are_logged(
        self, call: Callable[..., HttpResponse], acme: Customer
    ) -> None:
        with transaction.atomic():
            call(TicketCreate, ticket_data(acme))
            # Not yet: the entry waits for the commit.
            assert not LogEntry.objects.exists()
        ticket = Ticket.objects.get()
        call(TicketUpdate, ticket_data(acme, status="closed"), pk=ticket.pk)  # autocommit
        call(TicketDelete, pk=ticket.pk)
        assert list(LogEntry.objects.order_by("id").values_list("action_flag", flat=True)) == [
            ADDITION,
            CHANGE,
            DELETION,
        ]

    @pytest.mark.parametrize(
        ("view", "data_overrides", "with_pk"),
        [
            (TicketCreate, {"subject": "New"}, False),
            (TicketUpdate, {"status": "closed"}, True),
            (TicketDelete, {}, True),
        ],
    )
    def test_rolled_back_changes_are_not_logged(
        self,
        call: Callable[..., HttpResponse],
        ticket: Ticket,
        acme: Customer,
        view: type,
        data_overrides: dict[str, str],
        with_pk: bool,
    ) -> None:
        kwargs = {"pk": ticket.pk} if with_pk else {}

        def change_then_fail() -> None:
            with transaction.atomic():
                assert call(view, ticket_data(acme, **data_overrides), **kwargs).status_code == 302
                raise RuntimeError("a later step failed")

        with pytest.raises(RuntimeError):
            change_then_fail()
        assert list(Ticket.objects.values_list("subject", "status")) == [
            ("Printer on fire", "open")
        ]
        assert not LogEntry.objects.exists()


def test_model_field_ignores_reverse_relations_and_unknown_names() -> None:
    assert _model_field(Customer, "tickets") is None
    assert _model_field(Customer, "nope") is None
    assert _model_field(Customer, "name") is Customer._meta.get_field("name")


def test_a_dangling_foreign_key_reads_as_its_id(db: None) -> None:
    ticket = Ticket(customer_id=987654, subject="orphan")
    assert _current_value(ticket, Ticket._meta.get_field("customer")) == 987654


class DocsTicketCloseForm(forms.ModelForm):
    notify_customer = forms.BooleanField(required=False)

    class Meta:
        model = Ticket
        fields = ["status", "resolution_note"]


class DocsTicketCloseView(AuditMixin, PermissionRequiredMixin, UpdateView):
    """The complete example of docs/audit-trail.md, against the demo's Ticket."""

    permission_required = "demo.change_ticket"
    model = Ticket
    form_class = DocsTicketCloseForm
    success_url = "/done/"

    def get_audit_message(self, form: forms.BaseForm | None) -> str | None:
        assert form is not None
        if form.cleaned_data.get("notify_customer"):
            return f"Closed {self.object}; customer notified"
        return f"Closed {self.object}"


def test_the_documented_example_stores_what_the_docs_show(
    call: Callable[..., HttpResponse],
    make_user: Callable[..., User],
    ticket: Ticket,
    django_capture_on_commit_callbacks: Any,
) -> None:
    closer = make_user("closer", perms=("demo.change_ticket",))
    data = {"status": "closed", "resolution_note": "Replaced the toner", "notify_customer": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        assert call(DocsTicketCloseView, data, user=closer, pk=ticket.pk).status_code == 302
    entry = LogEntry.objects.get()
    assert json.loads(entry.change_message) == [
        {"changed": {"fields": ["Status", "Resolution note", "Notify customer"]}},
        {
            "auditconsole": {
                "message": f"Closed #{ticket.pk} Printer on fire; customer notified",
                "changes": [
                    {"field": "status", "label": "Status", "old": "open", "new": "closed"},
                    {
                        "field": "resolution_note",
                        "label": "Resolution note",
                        "old": "",
                        "new": "Replaced the toner",
                    },
                    {
                        "field": "notify_customer",
                        "label": "Notify customer",
                        "old": None,
                        "new": True,
                    },
                ],
            }
        },
    ]
    assert entry.get_change_message() == "Changed Status, Resolution note and Notify customer."
