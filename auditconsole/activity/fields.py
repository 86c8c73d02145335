"""Form fields for the activity filters: each accepts every spelling the URL contract allows.

Bookmarked URLs are public API, so the fields are lenient about what they read (an action
as ``2`` or ``change``, a model as its id or ``app_label.model``, a date or a datetime) and
strict about what they accept: anything else is a form error, never an exception.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

if TYPE_CHECKING:
    # Generic in django-stubs only: subscripted at run time, these would raise TypeError.
    _ContentTypeChoiceField = forms.ModelChoiceField[ContentType]
    _UserChoiceField = forms.ModelChoiceField[Any]  # the project's user model
    # Generic from django-stubs 6.0 on: 5.2's stubs refuse the argument that 6.x's require.
    _UserChoiceIterator = ModelChoiceIterator[Any]  # type: ignore[type-arg,unused-ignore]
else:
    _ContentTypeChoiceField = _UserChoiceField = forms.ModelChoiceField
    _UserChoiceIterator = ModelChoiceIterator

#: The URL spelling of each action flag; the numbers are accepted too.
ACTION_NAMES: dict[int, str] = {ADDITION: "addition", CHANGE: "change", DELETION: "deletion"}
ACTION_FLAGS: dict[str, int] = {name: flag for flag, name in ACTION_NAMES.items()}
ACTION_LABELS: dict[str, str] = {"addition": "Addition", "change": "Change", "deletion": "Deletion"}


class ActionField(forms.ChoiceField):
    """Cleans to the action's name (``"change"``); ``2`` and ``Change`` read the same."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(choices=[("", "Any action"), *ACTION_LABELS.items()], **kwargs)

    @staticmethod
    def normalize(value: Any) -> str:
        text = str(value).strip().lower() if value is not None else ""
        if text.isdigit() and int(text) in ACTION_NAMES:
            return ACTION_NAMES[int(text)]
        return text

    def to_python(self, value: Any) -> str:
        return self.normalize(super().to_python(value))

    def prepare_value(self, value: Any) -> Any:
        # So that ?action=2 shows "Change" selected in the form.
        return self.normalize(value) if isinstance(value, str) else value


class ListedChoiceIterator(_UserChoiceIterator):
    """The options read with one plain query.

    Django's iterator reads them with ``QuerySet.iterator()``, which on PostgreSQL opens a
    server-side cursor (``DECLARE ... WITH HOLD``, ``FETCH``, ``CLOSE``): three round
    trips, on every page, for a few dozen users or models.
    """

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


def content_type_key(content_type: ContentType) -> str:
    """The ``app_label.model`` spelling, stable across databases (ids are not)."""
    return f"{content_type.app_label}.{content_type.model}"


class ContentTypeField(_ContentTypeChoiceField):
    """A content type by id or ``app_label.model``; options use the latter.

    The queryset is the viewer's scope, so a content type they may not see is rejected
    exactly like one that does not exist: the error does not reveal which it was.
    """

    iterator = ListedChoiceIterator

    def to_python(self, value: Any) -> ContentType | None:
        if isinstance(value, str) and "." in value:
            app_label, _, model = value.strip().partition(".")
            try:
                scope = cast("QuerySet[ContentType]", self.queryset)  # always given
                return scope.get(app_label=app_label, model=model.lower())
            except ContentType.DoesNotExist:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                ) from None
        return super().to_python(value)

    def label_from_instance(self, obj: ContentType) -> str:
        return str(obj)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, ContentType):
            return content_type_key(value)
        if isinstance(value, str) and value.isdigit():
            # An id in the URL: show the matching option selected. get_for_id() is cached.
            try:
                return content_type_key(ContentType.objects.get_for_id(int(value)))
            except (ContentType.DoesNotExist, OverflowError):
                return value
        return value


class _StaffChoiceIterator(ListedChoiceIterator):
    field: UserField

    def __iter__(self) -> Any:
        # Built when the options are rendered, by which time the selected value is known.
        self.queryset = self.field.choice_queryset()
        return super().__iter__()


class UserField(_UserChoiceField):
    """Any user by id; the drop-down offers staff users (and the selected one).

    A select over every account of a large site would be unusable, and the people whose
    actions fill the table are the staff who use the admin. Validation still accepts any
    user, so ``?user=<id>`` from a facet or a bookmark works for anyone.
    """

    iterator = _StaffChoiceIterator

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", get_user_model()._default_manager.all())
        super().__init__(**kwargs)
        self.selected: str | None = None

    def choice_queryset(self) -> QuerySet[Any]:
        user_model = get_user_model()
        condition = Q(is_staff=True)
        if self.selected and self.selected.isdigit() and len(self.selected) < 19:
            condition |= Q(pk=int(self.selected))
        users = cast("QuerySet[Any]", self.queryset)  # set in __init__
        return users.filter(condition).order_by(user_model.USERNAME_FIELD)

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_username())

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str):
            self.selected = value
        return super().prepare_value(value)


class DateBoundInput(forms.DateTimeInput):
    """``type="date"`` for a day, ``type="datetime-local"`` for a time, text for garbage.

    The input type follows the value, so that whatever the URL held survives a round trip
    through the form: a browser silently empties a date input given a datetime, and would
    drop the filter on the next submit.
    """

    input_type = "date"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        text = context["widget"]["value"] or ""
        moment = parse_datetime_lenient(text)
        if not text or parse_date_only(text) is not None:
            input_type = "date"
        elif moment is not None:
            input_type = "datetime-local"
            context["widget"]["attrs"].setdefault("step", "1")
            context["widget"]["value"] = local_input_value(moment)
        else:
            input_type = "text"
        context["widget"]["type"] = input_type
        return context

    def format_value(self, value: Any) -> str | None:
        return None if value in (None, "") else str(value)


def parse_date_only(text: str) -> datetime.date | None:
    try:
        return parse_date(text)
    except ValueError:
        return None


def parse_datetime_lenient(text: str) -> datetime.datetime | None:
    """A datetime from ISO 8601, with a space or ``T``; aware in the current time zone."""
    try:
        value = parse_datetime(text)
    except ValueError:
        return None
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def local_input_value(value: datetime.datetime) -> str:
    """The value of a ``datetime-local`` input: local wall-clock time, to the second."""
    return timezone.localtime(value).replace(tzinfo=None).isoformat(timespec="seconds")


class DateBoundField(forms.Field):
    """An ISO date or datetime, cleaned to an aware datetime bound.

    A date means a whole day in the current time zone: as a lower bound its first instant,
    as an upper bound (``upper=True``) the first instant of the next day, so that
    ``since=2026-01-01&until=2026-01-31`` covers all of January. A datetime is used as is
    (the upper bound is exclusive, so hourly chart bars tile without overlap). A naive
    datetime is read in the current time zone.
    """

    widget = DateBoundInput

    max_length = 64

    def __init__(self, *, upper: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        self.upper = upper
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.datetime | None:
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        if len(text) > self.max_length:
            raise forms.ValidationError("That date is too long.", code="max_length")
        day = parse_date_only(text)
        try:
            if day is not None:
                if self.upper:
                    day += datetime.timedelta(days=1)
                moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
            else:
                parsed = parse_datetime_lenient(text)
                if parsed is None:
                    raise forms.ValidationError(
                        "Enter a date (2026-01-31) or a date and time (2026-01-31T14:30).",
                        code="invalid",
                    )
                moment = parsed
            # Far-off years overflow once converted to UTC for the database.
            moment.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError("That date is out of range.", code="invalid") from None
        return moment
