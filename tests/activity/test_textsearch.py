"""The free-text search through the index returns exactly what ``icontains`` returns.

On SQLite the FTS5 trigram table finds ids that ``icontains`` rechecks; on PostgreSQL the
planner reads the GIN trigram indexes (forced here: on a few rows it would read the table).
Either way, for any rows and any needle (``%``, ``_``, quotes, backslashes, non-ASCII
letters whose case the index folds and ``LIKE`` does not, emoji, whitespace), the rows
are the same as plain ``icontains`` gives.
"""

from __future__ import annotations

import contextlib
import datetime
from urllib.parse import urlencode

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.db.models import Q
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from auditconsole.activity import textindex, textsearch
from auditconsole.activity.search import ActivitySearch
from auditconsole.activity.textsearch import (
    INDEX,
    SCAN,
    SHORT,
    UNINDEXED,
    TextSearch,
    fts_phrase,
    trigram_starts,
)
from project.demo.models import Customer
from tests.activity.entries import NOW, content_type, log
from tests.security.fuzzing import fuzz

pytestmark = pytest.mark.django_db

TRICKY = (
    "aAbBcCxyzXYZ019"
    "%_\\'\"`*-:^()[]"  # LIKE's and FTS5's syntax
    "éÉàÀßẞİıKkΣσςЖжǅ"  # case that LIKE ignores (ASCII only) and the index folds
    "😀👍🏽\u200d\u0301"  # emoji, a skin tone, a joiner, a combining accent
    " \t\n\u00a0\u3000"  # whitespace the form strips at the ends
)
tricky_text = st.text(st.sampled_from(TRICKY), max_size=24)
row_texts = st.lists(st.tuples(tricky_text, tricky_text), min_size=1, max_size=12)


def write(user, texts: list[tuple[str, str]]) -> None:
    """Replace every entry by these (through the triggers: deletes, then inserts)."""
    LogEntry.objects.all().delete()
    ct = content_type(Customer)
    LogEntry.objects.bulk_create(
        LogEntry(
            user=user,
            content_type=ct,
            object_id=str(i),
            object_repr=name,
            change_message=message,
            action_flag=CHANGE,
            action_time=NOW - datetime.timedelta(minutes=i),
        )
        for i, (name, message) in enumerate(texts)
    )


def plain(needle: str):
    matches = Q(object_repr__icontains=needle) | Q(change_message__icontains=needle)
    return LogEntry.objects.filter(matches)


def icontains(needle: str) -> set[int]:
    return ids(plain(needle))


def newest_first(queryset) -> list[int]:
    return list(queryset.order_by("-action_time", "-pk").values_list("pk", flat=True)[:51])


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def force_indexes() -> None:
    """PostgreSQL: read the GIN indexes even for a handful of rows, rather than the table
    or the time index (for the rest of this test's transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")


@fuzz(60)
@given(texts=row_texts, data=st.data())
def test_indexed_search_equals_icontains(superuser, texts, data) -> None:
    write(superuser, texts)
    force_indexes()
    # Needles from the rows themselves (so they match, in any case), or anything at all.
    name, message = data.draw(st.sampled_from(texts))
    source = name + message
    start = data.draw(st.integers(0, len(source)))
    end = data.draw(st.integers(start, len(source)))
    needle = data.draw(
        st.sampled_from(
            [source[start:end], source[start:end].swapcase(), source[start:end].upper()]
        )
        | tricky_text
    )
    # A low cap makes some of a needle's trigrams common: the index is asked for its
    # pieces (TextSearch.expression) rather than the whole phrase.
    rare_caps = data.draw(st.sampled_from([textsearch.RARE_CAPS, (1, 2), (2, 3), (1, 3)]))
    # PostgreSQL's estimates on a dozen rows without statistics are all alike: say which
    # trigrams are common instead, so that some needles are asked for by their pieces.
    common = data.draw(st.sets(st.sampled_from(sorted(TRICKY.lower())), max_size=6))
    guess = patched(
        TextSearch,
        "_estimates",
        lambda self, trigrams: {t: (10**9 if set(t) & common else 0) for t in trigrams},
    )
    with patched(textsearch, "RARE_CAPS", rare_caps), guess:
        found = ActivitySearch(QueryDict(urlencode({"q": needle})), superuser)
        assert found.is_valid
        if found.text is not None:
            assert found.text.ids is None or isinstance(found.text.ids, list)  # probed now
    cleaned = found.cleaned.get("q")
    if not cleaned:
        return  # blank after the form strips it: no search at all
    expected = icontains(cleaned)
    assert ids(found.queryset) == expected
    assert ids(found.counting_queryset) == expected
    # Newest first, as the page reads them: the same rows in the same order.
    assert newest_first(found.queryset) == newest_first(plain(cleaned))
    if len(cleaned) >= textsearch.MIN_LENGTH:
        # The index was used: these rows did not come from a scan.
        assert found.text.method == INDEX
    else:
        assert found.text.method == SHORT


@contextlib.contextmanager
def patched(module, name: str, value):
    """``monkeypatch.setattr`` for one example of a Hypothesis test."""
    saved = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, saved)


def test_trigram_starts() -> None:
    assert trigram_starts("ab") == []
    assert trigram_starts("abc") == [0]
    assert trigram_starts("Object 1234") == list(range(9))
    long = trigram_starts("x" * 200)
    assert len(long) == textsearch.MAX_TRIGRAMS
    assert (long[0], long[-1]) == (0, 197)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS table is SQLite's")
def test_the_index_is_asked_for_the_rare_pieces(superuser, monkeypatch) -> None:
    write(superuser, [(f"Object {i}", "") for i in range(5)] + [("Object 1234", "")])
    monkeypatch.setattr(textsearch, "RARE_CAPS", (2, 3))
    # "obj" ... "ct " are in every row, "t 1" in two, " 12", "123", "234" in one: under
    # the first cap.
    found = TextSearch("Object 1234", using="default")
    assert found.expression == '" 1234"'
    assert found.matches == 1
    # None under the first cap: the second.
    monkeypatch.setattr(textsearch, "RARE_CAPS", (1, 3))
    assert TextSearch("Object 1234", using="default").expression == '"t 1234"'
    monkeypatch.setattr(textsearch, "RARE_CAPS", (2, 3))
    # No rare trigram: the whole phrase. A single trigram: the phrase itself.
    assert TextSearch("Object", using="default").expression == '"Object"'
    assert TextSearch("obj", using="default").expression == '"obj"'
    # Two runs of rare trigrams, joined by AND; quotes doubled inside each.
    write(superuser, [(f"Object {i}", "") for i in range(5)] + [('xy"z Object q"rs', "")])
    both = TextSearch('xy"z Object q"rs', using="default")
    assert both.expression == '"xy""z Ob" AND "t q""rs"'
    assert both.matches == 1
    assert ids(
        ActivitySearch(QueryDict(urlencode({"q": 'xy"z Object q"rs'})), superuser).queryset
    ) == icontains('xy"z Object q"rs')


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimates")
def test_postgresql_asks_for_the_rare_pieces(superuser) -> None:
    write(superuser, [(f"Object {i}", "Renamed") for i in range(300)] + [("Object 12345", "")])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE django_admin_log")
    found = TextSearch("Object 12345", using="default")
    # "OBJ", "BJE"... are in every row: the index is not asked for them.
    assert found.pieces and all("Obj" not in piece for piece in found.pieces)
    assert found.ids is not None and found.method == INDEX
    search = ActivitySearch(QueryDict("q=Object+12345"), superuser)
    assert "unnest" in str(search.queryset.query)
    assert ids(search.queryset) == icontains("Object 12345") != set()
    # A needle of common trigrams only is left to the planner, as before.
    common = TextSearch("Object", using="default")
    assert (common.pieces, common.ids, common.method) == (["Object"], None, INDEX)


def test_the_index_is_used(superuser) -> None:
    """The page's query reads the index (the SQLite ids, the PostgreSQL GIN indexes)."""
    write(superuser, [("Acme Ltd", "Renamed"), ("Globex", "changed Status")])
    force_indexes()
    found = ActivitySearch(QueryDict("q=status"), superuser)
    page = found.queryset.order_by("-action_time", "-pk")[:51]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " | ".join(row[-1] for row in cursor.fetchall())
            # The index's ids, as the probe read them (issue 17: one MATCH a request).
            assert "json_each" in plan, plan
            assert "INTEGER PRIMARY KEY" in plan, plan
        else:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " | ".join(row[0] for row in cursor.fetchall())
            assert "auditconsole_le_message_trgm" in plan, plan
            assert "auditconsole_le_repr_trgm" in plan, plan
    assert [entry.object_repr for entry in page] == ["Globex"]


def test_fts_phrase_quotes_the_needle() -> None:
    assert fts_phrase("acme") == '"acme"'
    assert fts_phrase('say "hi"') == '"say ""hi"""'
    assert fts_phrase("a OR b* -c NEAR(d)") == '"a OR b* -c NEAR(d)"'


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the probe is SQLite's")
def test_the_probe_picks_ids_or_scan(superuser, monkeypatch) -> None:
    write(superuser, [(f"Acme {i}", "") for i in range(5)] + [("Globex", "")])
    rare = TextSearch("globex", using="default")
    assert (rare.matches, rare.method) == (1, INDEX)
    common = TextSearch("acme", using="default")
    assert common.matches == 5
    monkeypatch.setattr(textsearch, "IDS_CAP", 3)
    assert common.method == SCAN
    everything = LogEntry.objects.all()
    # Rows for a page: a newest-first scan; the capped count: still ids, up to its own cap.
    # (The ids are the probe's, read once: issue 17.)
    assert "json_each" not in str(common.narrow(everything, ids_cap=3).query)
    assert "json_each" in str(common.narrow(everything, ids_cap=5).query)
    found = ActivitySearch(QueryDict("q=acme"), superuser)
    assert "json_each" not in str(found.queryset_without((), ids_cap=3).query)
    assert "json_each" in str(found.counting_queryset.query)
    assert ids(found.queryset_without((), ids_cap=3)) == ids(found.counting_queryset)
    assert ids(found.counting_queryset) == icontains("acme")


def test_short_needles_scan(superuser) -> None:
    write(superuser, [("Acme", "ok")])
    short = TextSearch("ok", using="default")
    assert (short.short, short.method, short.matches) == (True, SHORT, None)
    assert short.narrow(LogEntry.objects.all()).query.where == LogEntry.objects.all().query.where


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the probe is SQLite's")
def test_the_index_is_asked_once_per_request(superuser) -> None:
    """The probe reads the ids; the page and its count take them from it, without asking
    the index again (a MATCH on common trigrams costs tens of milliseconds)."""
    from django.test.utils import CaptureQueriesContext

    write(superuser, [(f"Acme {i}", "") for i in range(5)] + [("Globex", "")])
    found = ActivitySearch(QueryDict("q=acme"), superuser)
    with CaptureQueriesContext(connection) as queries:
        assert ids(found.queryset) == ids(found.counting_queryset) == icontains("acme")
    matches = [q["sql"] for q in queries if "MATCH" in q["sql"]]
    # One statement counts the needle's trigrams, one reads the ids.
    assert len(matches) == 2
    assert len([sql for sql in matches if sql.startswith("SELECT rowid")]) == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the probe is SQLite's")
def test_without_json_functions_the_index_is_asked_again(superuser, monkeypatch) -> None:
    write(superuser, [("Acme", ""), ("Globex", "")])
    monkeypatch.setattr(connection.features, "supports_json_field", False)
    found = ActivitySearch(QueryDict("q=acme"), superuser)
    assert "MATCH" in str(found.queryset.query)
    assert ids(found.queryset) == icontains("acme")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS table is SQLite's")
def test_without_its_triggers_the_index_is_not_used(superuser) -> None:
    write(superuser, [("Acme", "")])
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TRIGGER "{textindex.TRIGGERS[0]}"')
    # Rows written now are not in the index: using it would miss them.
    log(superuser, Customer, 2, name="Acme two")
    found = ActivitySearch(QueryDict("q=acme"), superuser)
    assert found.text.method == UNINDEXED
    assert ids(found.queryset) == icontains("acme")
    assert len(ids(found.queryset)) == 2


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS table is SQLite's")
def test_an_unreadable_index_is_not_used(superuser) -> None:
    """A table of the index's name that MATCH cannot read (a SQLite without FTS5 opening
    a database made with it fails the same way): the search scans."""
    write(superuser, [("Acme", "")])
    with connection.cursor() as cursor:
        for name in textindex.TRIGGERS:
            cursor.execute(f'DROP TRIGGER "{name}"')
        cursor.execute(f'DROP TABLE "{textindex.FTS_TABLE}"')
        cursor.execute(f'CREATE TABLE "{textindex.FTS_TABLE}" (x)')
        cursor.execute(f"INSERT INTO \"{textindex.FTS_TABLE}\" VALUES ('Acme')")
        for name in textindex.TRIGGERS:
            cursor.execute(
                f'CREATE TRIGGER "{name}" AFTER INSERT ON django_admin_log BEGIN SELECT 1; END'
            )
    found = TextSearch("acme", using="default")
    assert (found.matches, found.method) == (None, UNINDEXED)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the triggers are SQLite's")
def test_the_triggers_follow_inserts_updates_and_deletes(superuser) -> None:
    entry = log(superuser, Customer, 1, name="Acme Ltd", message="created")
    assert ids(ActivitySearch(QueryDict("q=acme"), superuser).queryset) == {entry.pk}
    entry.object_repr = "Globex"
    entry.save()
    assert ids(ActivitySearch(QueryDict("q=acme"), superuser).queryset) == set()
    assert ids(ActivitySearch(QueryDict("q=globex"), superuser).queryset) == {entry.pk}
    LogEntry.objects.filter(pk=entry.pk).update(change_message="Renamed to Initech")
    assert ids(ActivitySearch(QueryDict("q=initech"), superuser).queryset) == {entry.pk}
    entry.delete()
    assert TextSearch("globex", using="default").matches == 0
    # The index holds exactly the table (FTS5's own consistency check).
    with connection.cursor() as cursor:
        fts = textindex.FTS_TABLE
        cursor.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)")
