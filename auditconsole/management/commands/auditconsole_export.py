"""Export the same CSV as the console's "Export CSV", from the shell, without the cap.

    manage.py auditconsole_export activity --since 2026-01-01 > activity.csv
    manage.py auditconsole_export activity --user 14 --action change --output out.csv
    manage.py auditconsole_export source app --level ERROR --since 7d > errors.csv
    manage.py auditconsole_export source app api --field status=failed   # merged

The options are the page's query-string parameters (``--content-type`` for
``content_type``...), validated by the same forms, so a URL's filters translate one to
one; the confirmation page prints the command for an export too big for the browser.

Whoever can run ``manage.py`` holds the database credentials and the log files already,
so no permission is checked and nothing is hidden, unless ``--as-user USERNAME`` is given:
then that user's permissions apply exactly as on the web (export permission, the page's
view permission, the source's permission, activity scoping) and the export is recorded
under their name. Either way the export is recorded like a web export, with
``via: "command"``; without ``--as-user`` the recorded name is the operating-system user's.

Every export's record carries its signed manifest (docs/export.md). With ``--output
FILE`` the manifest is also written beside it, to ``FILE.manifest.json`` (or wherever
``--manifest PATH`` says, which also works for an export to stdout); an interrupted export
(^C, a closed pipe) gets one too, saying so, with the rows and bytes written until then.
``manage.py auditconsole_verify FILE`` checks the file against it.

As on the web, when the record of its start cannot be written (and
``AUDITCONSOLE_EXPORT_REQUIRE_RECORD`` is on) the export is refused: exit status 1, the
reason on stderr, nothing read and no output file created. When the record at the end
cannot be written, the command fails with status 1 too, though the rows are out by then.
"""

from __future__ import annotations

import getpass
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, BinaryIO

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from auditconsole.activity.filters import FILTER_PARAMS
from auditconsole.activity.ordering import SORT
from auditconsole.export.audit import (
    VIA_COMMAND,
    ExportInfo,
    ExportNotRecorded,
    record_export,
    record_start,
)
from auditconsole.export.plans import (
    ACTIVITY_VIEW,
    FLAG_PARAMS,
    TRAILS_VIEW,
    ActivityPlan,
    ExportPlan,
    SourcePlan,
    TrailPlan,
)
from auditconsole.export.streaming import CsvStream
from auditconsole.export.subject import describe
from auditconsole.permissions import EXPORT, VIEW_ACTIVITY, VIEW_LOGS, has_console_perms
from auditconsole.sources import query as log_query
from auditconsole.sources.query import FIELD, SOURCES, LogFilterForm, MergedFilterForm
from auditconsole.sources.registry import (
    MisconfiguredSource,
    UnknownSource,
    source_for_user,
    sources_for_user,
)
from auditconsole.trails.search import TRAIL

#: Repeatable options (``--field a=1 --field b=2``).
REPEATABLE = frozenset({FIELD})
#: What ``--output FILE`` adds to FILE's name for the manifest written beside it.
MANIFEST_SUFFIX = ".manifest.json"


def manifest_path_for(output: str | None, manifest: str | None) -> Path | None:
    if manifest:
        return Path(manifest)
    return Path(output + MANIFEST_SUFFIX) if output else None


def write_manifest(path: Path, signed: dict[str, Any]) -> None:
    # Indented for people; the signature is over the canonical form, which any layout keeps.
    text = json.dumps(signed, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


class ShellOperator:
    """Whoever runs the command without ``--as-user``: sees every row, like a superuser.

    They hold the database credentials and the log files already, so they pass every
    check the web applies (console access, export, each source's ``PERMISSION``).
    """

    is_superuser = True
    is_authenticated = is_active = is_staff = True
    pk = None

    def __init__(self, name: str) -> None:
        self.name = name

    def get_username(self) -> str:
        return self.name

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True

    def has_perms(self, perms: Any, obj: Any = None) -> bool:
        return True


def option(name: str) -> str:
    return "--" + name.replace("_", "-")


class Command(BaseCommand):
    help = "Write a CSV export of the activity (LogEntry) or of a log source to stdout or a file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        kinds = parser.add_subparsers(
            dest="kind", required=True, metavar="{activity,trails,source}"
        )
        activity = kinds.add_parser(ACTIVITY_VIEW, help="LogEntry rows, as on the activity page")
        for name in (*FILTER_PARAMS, SORT):
            activity.add_argument(option(name), dest=name, metavar="VALUE")
        trails = kinds.add_parser(TRAILS_VIEW, help="Entries of every audit trail, merged")
        for name in FILTER_PARAMS:
            trails.add_argument(option(name), dest=name, metavar="VALUE")
        trails.add_argument(option(TRAIL), dest=TRAIL, action="append", metavar="KEY")
        source = kinds.add_parser("source", help="Records of a log source (several: merged)")
        source.add_argument(
            "keys", nargs="+", metavar="KEY", help="the source's key, as in its URL"
        )
        for name in log_query.FILTER_PARAMS:
            if name in FLAG_PARAMS:
                source.add_argument(option(name), dest=name, action="store_true")
            elif name in REPEATABLE:
                source.add_argument(option(name), dest=name, action="append", metavar="NAME=VALUE")
            else:
                source.add_argument(option(name), dest=name, metavar="VALUE")
        for sub in (activity, trails, source):
            sub.add_argument("-o", "--output", help="write to this file instead of stdout")
            sub.add_argument(
                "--manifest",
                metavar="PATH",
                help=f"write the signed manifest here (default with --output: FILE{MANIFEST_SUFFIX})",
            )
            sub.add_argument(
                "--as-user",
                help="apply this console user's permissions and scope, and record the export as theirs",
            )
            sub.add_argument(
                "--max-rows", type=int, help="stop after this many rows (default: no limit)"
            )
            sub.add_argument(
                "--no-bom", action="store_true", help="leave out the UTF-8 byte order mark"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        user = self.operator(options.get("as_user"))
        if options["kind"] == ACTIVITY_VIEW:
            plan: ExportPlan = self.activity_plan(options, user)
        elif options["kind"] == TRAILS_VIEW:
            plan = self.trails_plan(options, user)
        else:
            plan = self.source_plan(options, user)
        if not plan.is_valid:
            raise CommandError("These filters cannot be applied:\n  " + "\n  ".join(plan.errors()))
        max_rows = options.get("max_rows")
        if max_rows is not None and max_rows < 1:
            raise CommandError("--max-rows must be a positive number.")
        output = options.get("output")
        info = ExportInfo(
            user_id=user.pk,
            username=user.get_username(),
            view=plan.view,
            params=plan.params,
            export_file=Path(output).name if output else plan.filename(),
            source_key=plan.source_key,
            via=VIA_COMMAND,
            max_rows=max_rows,
            noun=plan.noun,
            subject=describe(plan),
        )
        try:
            record_start(info)
        except ExportNotRecorded as exc:
            raise CommandError(
                f"Export refused: its record could not be written to the log ({exc}). "
                "Exports require one (AUDITCONSOLE_EXPORT_REQUIRE_RECORD); nothing was exported."
            ) from None
        signed: list[dict[str, Any] | None] = []
        stream = CsvStream(
            plan.resource(),
            plan.rows(),
            max_rows=max_rows,
            on_finish=lambda done: signed.append(record_export(info, done)),
            bom=not options["no_bom"],
        )
        manifest_path = manifest_path_for(output, options.get("manifest"))
        try:
            try:
                if output:
                    with open(output, "wb") as handle:
                        self.write(stream, handle)
                else:
                    self.write(stream, getattr(self.stdout, "buffer", None))
            finally:
                stream.close()  # on an error or ^C: records the export as interrupted
                if manifest_path is not None and signed and signed[0] is not None:
                    write_manifest(manifest_path, signed[0])
        except ExportNotRecorded as exc:
            raise CommandError(
                f"{stream.written:,} rows were exported, but the record of the export could "
                f"not be written to the log ({exc}). Only the record of its start was."
            ) from None
        note = f" (stopped at {max_rows:,}; more matched)" if stream.capped else ""
        self.stderr.write(f"Exported {stream.written:,} rows{note}.")
        if manifest_path is not None and signed and signed[0] is not None:
            self.stderr.write(f"Manifest #{signed[0]['seq']:,}: {manifest_path}")

    def write(self, stream: CsvStream, binary: BinaryIO | None) -> None:
        for chunk in stream:
            if binary is not None:
                binary.write(chunk.encode("utf-8"))
            else:
                self.stdout.write(chunk, ending="")
        if binary is not None:
            binary.flush()

    # -- what to export --------------------------------------------------------------------

    def operator(self, username: str | None) -> Any:
        if not username:
            return ShellOperator(getpass.getuser())
        model = get_user_model()
        try:
            return model._default_manager.get_by_natural_key(username)
        except model.DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None

    @staticmethod
    def params(options: dict[str, Any], names: tuple[str, ...]) -> QueryDict:
        params = QueryDict(mutable=True)
        for name in names:
            value: Any = options.get(name)
            if value in (None, False):
                continue
            if name in FLAG_PARAMS:
                params[name] = "1"
            elif isinstance(value, list):
                params.setlist(name, value)
            else:
                params[name] = value
        return params

    def activity_plan(self, options: dict[str, Any], user: Any) -> ActivityPlan:
        if not has_console_perms(user, VIEW_ACTIVITY, EXPORT):
            raise CommandError(f"{user.get_username()} may not export activity.")
        return ActivityPlan(self.params(options, (*FILTER_PARAMS, SORT)), user)

    def trails_plan(self, options: dict[str, Any], user: Any) -> TrailPlan:
        if not has_console_perms(user, VIEW_ACTIVITY, EXPORT):
            raise CommandError(f"{user.get_username()} may not export activity.")
        return TrailPlan(self.params(options, (*FILTER_PARAMS, TRAIL)), user)

    def source_plan(self, options: dict[str, Any], user: Any) -> SourcePlan:
        if not has_console_perms(user, VIEW_LOGS, EXPORT):
            raise CommandError(f"{user.get_username()} may not export logs.")
        keys: list[str] = options["keys"]
        try:
            # One key is that source; several are merged, in settings order, as on the web.
            source = source_for_user(keys[0] if len(set(keys)) == 1 else keys, user)
        except MisconfiguredSource as exc:
            raise CommandError(str(exc)) from None
        except UnknownSource as exc:
            # As on the web, a source one may not see reads as one that does not exist.
            raise CommandError(f"No log source {', '.join(map(repr, exc.keys))}.") from None
        params = self.params(options, log_query.FILTER_PARAMS)
        if not source.is_merged:
            return SourcePlan(source, LogFilterForm(params))
        params.setlist(SOURCES, source.member_keys)
        choices = [(visible.key, visible.label) for visible in sources_for_user(user)]
        return SourcePlan(source, MergedFilterForm(params, source_choices=choices))
