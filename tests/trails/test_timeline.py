"""The merged timeline: de-duplication, and keyset paging over real tables."""

from __future__ import annotations

import datetime
import itertools

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditconsole.activity.pagination import AFTER, BEFORE
from auditconsole.activity.scoping import Scope
from auditconsole.changes import FieldChange
from auditconsole.trails.base import TrailQuery
from auditconsole.trails.entries import TrailEntry
from auditconsole.trails.logentry import LogEntryTrail
from auditconsole.trails.positions import Position
from auditconsole.trails.simple_history import SimpleHistoryTrail
from auditconsole.trails.timeline import TimelinePageForm, same_change, timeline_page
from tests.activity.entries import NOW, content_type
from tests.trailapp.models import Carrier, Supplier

ADMIN = LogEntryTrail("admin", {})
HISTORY = SimpleHistoryTrail("history", {})
EVERYONE = Scope(None)


def entry(trail: str = "admin", **values: object) -> TrailEntry:
    fields: dict[str, object] = {
        "time": NOW,
        "trail": trail,
        "tiebreak": (1,),
        "action": "change",
        "content_type_id": 7,
        "object_id": "3",
        "object_repr": "Acme",
        "user_id": 1,
        "changed_names": ("Name",),
    }
    fields.update(values)
    return TrailEntry(**fields)  # type: ignore[arg-type]


def test_same_change() -> None:
    history = entry("history", changed_names=(), changes=(FieldChange("name", "name", "A", "B"),))
    assert same_change(entry(), history)
    assert same_change(entry(time=NOW - datetime.timedelta(seconds=2)), history)
    assert same_change(entry(action="addition", changed_names=()), entry("h", action="addition"))
    # One trail never duplicates itself; nor do different users, objects, actions or fields.
    assert not same_change(entry(), entry())
    assert not same_change(entry(), entry("history", user_id=2))
    assert not same_change(entry(user_id=None), entry("history", user_id=None))
    assert not same_change(entry(), entry("history", object_id="4"))
    assert not same_change(entry(), entry("history", content_type_id=8))
    assert not same_change(entry(object_id=""), entry("history", object_id=""))
    assert not same_change(entry(), entry("history", action="deletion"))
    assert not same_change(entry(time=NOW - datetime.timedelta(seconds=3)), history)
    assert not same_change(entry(changed_names=("Email",)), history)


def test_the_page_form() -> None:
    token = Position(NOW, "admin", (1,)).encode()
    assert TimelinePageForm({AFTER: token}).is_valid()
    assert not TimelinePageForm({AFTER: "garbage"}).is_valid()
    assert not TimelinePageForm({AFTER: token, BEFORE: token}).is_valid()


# --- the property: walking every page reads every entry once ------------------------------

moments = st.integers(min_value=0, max_value=3).map(lambda s: NOW + datetime.timedelta(seconds=s))
rows = st.tuples(st.sampled_from(["admin", "supplier", "carrier"]), moments, st.booleans())


def write(drawn: list[tuple[str, datetime.datetime, bool]], users: list[User]) -> list[Position]:
    """The drawn rows in the real tables; their positions, as the tables number them."""
    positions = []
    supplier_ct, carrier_ct = content_type(Supplier).pk, content_type(Carrier).pk
    for kind, moment, first_user in drawn:
        user = users[0] if first_user else users[1]
        if kind == "admin":
            row = LogEntry.objects.create(
                action_time=moment,
                user=user,
                content_type_id=supplier_ct,
                object_id="1",
                object_repr="Acme",
                action_flag=CHANGE,
                change_message='[{"changed": {"fields": ["Name"]}}]',
            )
            positions.append(Position(moment, "admin", (row.pk,)))
        else:
            model = Supplier if kind == "supplier" else Carrier
            record = model.history.model.objects.create(  # type: ignore[attr-defined]
                id=1,
                name="Acme",
                history_date=moment,
                history_type="~",
                history_user=user,
            )
            ct = supplier_ct if kind == "supplier" else carrier_ct
            positions.append(Position(moment, "history", (ct, record.pk)))
    return sorted(positions, reverse=True)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=st.lists(rows, max_size=14), size=st.integers(min_value=1, max_value=4))
def test_walking_every_page_reads_every_entry_once(make_user, drawn, size) -> None:
    LogEntry.objects.all().delete()
    Supplier.history.model.objects.all().delete()  # type: ignore[attr-defined]
    Carrier.history.model.objects.all().delete()  # type: ignore[attr-defined]
    users = list(User.objects.filter(username__in=["one", "two"]).order_by("username"))
    if len(users) < 2:
        users = [make_user("one"), make_user("two")]
    expected = write(drawn, users)
    walked: list[Position] = []
    pages = []
    after = None
    while True:
        page = timeline_page([ADMIN, HISTORY], TrailQuery(), EVERYONE, size=size, after=after)
        pages.append(page)
        walked.extend(e.position for e in page.entries)
        assert len(page.items) <= size
        if not page.has_next:
            break
        assert len(page.items) == size
        after = Position.decode(page.next_params[AFTER])
    # Items group entries of one change, so a page lists them by item: compare as sets.
    assert len(walked) == len(set(walked)) and sorted(walked, reverse=True) == expected
    # And back: the "newer" link of every page but the first gives entries newer than the
    # page's, and, where no change was folded, exactly the page before it.
    for previous, page in itertools.pairwise(pages):
        before = Position.decode(page.previous_params[BEFORE])
        back = timeline_page([ADMIN, HISTORY], TrailQuery(), EVERYONE, size=size, before=before)
        assert back.entries and all(e.position > before for e in back.entries)
        if all(len(item.entries) == 1 for item in [*previous.items, *back.items]):
            assert {e.position for e in back.entries} == {e.position for e in previous.entries}
