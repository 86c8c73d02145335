from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory

from auditconsole.activity.objects import (
    admin_change_url,
    find_instance,
    object_entries,
    object_state,
)
from project.demo.models import Customer, Invoice
from tests.activity.entries import NOW, content_type, log


@pytest.fixture
def customer(db) -> Customer:
    return Customer.objects.create(name="Acme Ltd", email="ops@acme.example")


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_find_existing_and_missing(customer) -> None:
    ct = content_type(Customer)
    assert find_instance(ct, str(customer.pk)) == customer
    assert find_instance(ct, "999999") is None


@pytest.mark.parametrize(
    "object_id", ["abc", "1.5", "", "99999999999999999999999", "-1", "INV-2026-0001"]
)
def test_keys_that_do_not_fit_the_primary_key_read_as_missing(customer, object_id) -> None:
    assert find_instance(content_type(Customer), object_id) is None


def test_string_primary_keys(customer) -> None:
    from decimal import Decimal

    invoice = Invoice.objects.create(
        number="INV-2026-0001",
        customer=customer,
        amount=Decimal("10.00"),
        due_date=datetime.date(2026, 4, 1),
    )
    assert find_instance(content_type(Invoice), "INV-2026-0001") == invoice
    assert find_instance(content_type(Invoice), "INV-2026-0002") is None


def test_model_no_longer_installed(db) -> None:
    gone = ContentType.objects.create(app_label="retired", model="widget")
    assert find_instance(gone, "1") is None


def test_admin_link_only_when_the_admin_lets_the_viewer_change(
    customer, superuser, support_user, make_user
) -> None:
    assert (
        admin_change_url(customer, request_for(superuser))
        == f"/admin/demo/customer/{customer.pk}/change/"
    )
    # The support agent may view customers, and this project's admin is for superusers only.
    assert admin_change_url(customer, request_for(support_user)) is None
    changer = make_user("changer", perms=("demo.change_customer",))
    assert admin_change_url(customer, request_for(changer)) is None


def test_admin_link_quotes_awkward_keys(customer, superuser) -> None:
    from decimal import Decimal

    invoice = Invoice.objects.create(
        number="INV-2026-0001",
        customer=customer,
        amount=Decimal("1"),
        due_date=datetime.date(2026, 4, 1),
    )
    assert (
        admin_change_url(invoice, request_for(superuser))
        == "/admin/demo/invoice/INV-2026-0001/change/"
    )


def test_admin_link_for_unregistered_models_or_unmounted_admin(
    superuser, settings, customer
) -> None:
    assert (
        admin_change_url(superuser.__class__.objects.create(username="x"), request_for(superuser))
        is not None
    )
    assert admin_change_url(ContentType.objects.first(), request_for(superuser)) is None
    settings.ROOT_URLCONF = "tests.activity.urls_without_admin"
    assert admin_change_url(customer, request_for(superuser)) is None


def test_admin_link_on_a_staff_admin_follows_change_permission(customer, make_user) -> None:
    """With Django's stock admin rules (any active staff), the ModelAdmin decides."""
    from django.contrib import admin

    site = admin.AdminSite(name="admin")  # the name the mounted admin's URLs use
    site.register(Customer)
    viewer = make_user("viewer2", perms=("demo.view_customer",))
    changer = make_user("changer2", perms=("demo.change_customer",))
    assert admin_change_url(customer, request_for(viewer), site) is None
    assert (
        admin_change_url(customer, request_for(changer), site)
        == f"/admin/demo/customer/{customer.pk}/change/"
    )
    unmounted = admin.AdminSite(name="elsewhere")
    unmounted.register(Customer)
    assert admin_change_url(customer, request_for(changer), unmounted) is None


def test_state_of_a_deleted_object_names_who_deleted_it(superuser, make_user) -> None:
    ct = content_type(Customer)
    deleter = make_user("deleter")
    log(superuser, Customer, 41, ADDITION, when=NOW - datetime.timedelta(days=3), name="Gone Ltd")
    log(deleter, Customer, 41, DELETION, when=NOW - datetime.timedelta(days=1), name="Gone Ltd")
    entries = object_entries(LogEntry.objects.all(), ct, "41")
    state = object_state(ct, "41", entries, request_for(superuser), "Gone Ltd")
    assert not state.exists and state.model_installed
    assert state.deletion.user == deleter
    assert state.admin_url is None
    assert state.title == "Gone Ltd"


def test_state_of_an_existing_object(customer, superuser) -> None:
    ct = content_type(Customer)
    log(superuser, customer, customer.pk, CHANGE)
    entries = object_entries(LogEntry.objects.all(), ct, str(customer.pk))
    state = object_state(ct, str(customer.pk), entries, request_for(superuser), "Old name")
    assert state.exists and state.deletion is None
    assert state.title == "Acme Ltd"
    assert state.admin_url


def test_title_falls_back_to_the_key(superuser) -> None:
    ct = content_type(Customer)
    state = object_state(ct, "77", LogEntry.objects.none(), request_for(superuser), None)
    assert state.title == "77"
