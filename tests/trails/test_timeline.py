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
from auditconsole.trails.entries import Fact, TrailEntry
from auditconsole.trails.logentry import LogEntryTrail
from auditconsole.trails.positions import Position
from auditconsole.trails.simple_history import SimpleHistoryTrail
from auditconsole.trails.timeline import (
    LOOKBACK,
    TimelineItem,
    TimelinePageForm,
    every_item,
    group,
    same_change,
    timeline_page,
)
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


def test_an_item_speaks_for_every_trail_that_recorded_it() -> None:
    admin = entry(user_name="", message="Called", facts=(Fact("IP address", "10.0.0.1"),))
    history = entry(
        "history",
        tiebreak=(7, 2),
        user_name="root",
        message="Reason",
        changes=(FieldChange("name", "name", "A", "B"),),
        facts=(Fact("Reason", "Reason"),),
    )
    item = TimelineItem([admin, history], ("admin", "history"))
    # The richer diff leads; the name, the note and the facts come from whichever has them.
    assert item.lead is history and item.trails == ["admin", "history"]
    assert (item.user_id, item.user_name, item.message) == (1, "root", "Called")
    assert item.facts == (Fact("IP address", "10.0.0.1"), Fact("Reason", "Reason"))
    assert item.by_trail() == {"admin": admin, "history": history}
    alone = TimelineItem([entry(user_id=None, user_name="")])
    assert (alone.lead.trail, alone.trails, alone.user_id, alone.user_name) == (
        "admin",
        ["admin"],
        None,
        "",
    )
    assert alone.message is None and alone.facts == ()


def test_every_item_joins_across_what_a_page_would_cut() -> None:
    """The export's grouping: the whole stream, no page boundary between two records."""
    second = datetime.timedelta(seconds=1)
    admin = entry(time=NOW, tiebreak=(9,))
    other = entry(time=NOW - second / 2, tiebreak=(8,), object_id="4")
    history = entry("history", time=NOW - second, tiebreak=(5,))
    stream = [admin, other, history]
    items = list(every_item(iter(stream), ("admin", "history")))
    assert [item.entries for item in items] == [[admin, history], [other]]
    # A page of one item stops before the history record, which then starts the next page.
    assert [item.entries for item in group(iter(stream), 1, ())[0]] == [[admin]]
    # Each entry is given out once, in its item, and items keep the stream's order.
    many = [entry(time=NOW - n * second, tiebreak=(n,), object_id=str(n)) for n in range(20)]
    grouped = list(every_item(iter(many), ()))
    assert [item.entries for item in grouped] == [[e] for e in many]
    assert list(every_item(iter(()), ())) == []


def test_an_entry_joins_only_the_last_few_items() -> None:
    """Past :data:`LOOKBACK` newer items, a matching record starts an item of its own."""
    second = datetime.timedelta(seconds=1)
    admin = entry(time=NOW, tiebreak=(100,))
    between = [entry(time=NOW, tiebreak=(99 - n,), object_id=str(10 + n)) for n in range(LOOKBACK)]
    history = entry("history", time=NOW - second)
    items = list(every_item(iter([admin, *between, history]), ()))
    assert len(items) == LOOKBACK + 2 and items[-1].entries == [history]
    near = list(every_item(iter([admin, *between[1:], history]), ()))
    assert len(near) == LOOKBACK and near[0].entries == [admin, history]


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
