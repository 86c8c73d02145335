from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.http import QueryDict

from auditconsole.export.summary import filter_summary
from auditconsole.sources.query import LogFilterForm, MergedFilterForm


class Everything(forms.Form):
    who = forms.ModelChoiceField(User.objects.all(), required=False, label="Who")
    kind = forms.ChoiceField(choices=[("", "Any"), ("a", "Apples")], required=False, label="Kind")
    flag = forms.BooleanField(required=False, label="Flag")
    text = forms.CharField(required=False)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)


def test_labels_and_values_in_form_order(superuser):
    form = Everything(QueryDict(f"text=+hello+&kind=a&who={superuser.pk}&flag=on&hidden=x"))
    assert form.is_valid()
    assert filter_summary(form) == [
        ("Who", "root"),
        ("Kind", "Apples"),
        ("Flag", "yes"),
        ("text", "hello"),
    ]


def test_blank_filters_are_left_out(db):
    form = Everything(QueryDict("kind=&text="))
    assert form.is_valid()
    assert filter_summary(form) == []


def test_log_filters_read_as_typed():
    form = LogFilterForm(
        QueryDict(
            "level=ERROR&since=7d&field=status%3Dfailed&field=&field=user_id%3D3&regex=1&q=a.c"
        )
    )
    assert form.is_valid()
    assert filter_summary(form) == [
        ("Minimum level", "Error"),
        ("Text", "a.c"),
        ("Regular expression", "yes"),
        ("Since", "7d"),
        ("Field equals", "status=failed, user_id=3"),
    ]


def test_merged_sources_by_label():
    form = MergedFilterForm(
        QueryDict("sources=app&sources=api"),
        source_choices=[("app", "Application"), ("api", "API")],
    )
    assert form.is_valid()
    assert filter_summary(form) == [("Sources", "Application, API")]
