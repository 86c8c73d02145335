"""E037, E038, W039: access records are configured sensibly, and would be written."""

from __future__ import annotations

import logging

import pytest

from auditconsole import checks as ac_checks
from auditconsole.access.checks import check_access_log
from auditconsole.access.events import EVENTS
from auditconsole.access.record import LOGGER_NAME
from auditconsole.conf import conf
from tests.export.helpers import restored_logger


def ids(messages) -> list[str]:
    return [message.id for message in messages]


@pytest.fixture
def access_logger():
    with restored_logger(LOGGER_NAME) as logger:
        yield logger


def test_defaults_record_everything(settings):
    assert conf.ACCESS_LOG is True
    assert conf.ACCESS_LOG_EVENTS == EVENTS == ("object", "user", "record", "search", "tail")
    settings.AUDITCONSOLE_ACCESS_LOG_EVENTS = ["search", "tail"]
    assert conf.ACCESS_LOG_EVENTS == ("search", "tail")
    assert check_access_log() == []


@pytest.mark.parametrize("value", ["False", 0, None])
def test_e037_not_a_boolean(settings, value):
    settings.AUDITCONSOLE_ACCESS_LOG = value
    assert ids(ac_checks.check_settings()) == ["auditconsole.E037"]
    assert check_access_log() == []


@pytest.mark.parametrize("value", ["search", ["search", "exports"], [1], None])
def test_e038_unknown_kinds(settings, value):
    settings.AUDITCONSOLE_ACCESS_LOG_EVENTS = value
    (message,) = ac_checks.check_settings()
    assert message.id == "auditconsole.E038"
    assert "object, user, record, search, tail" in message.msg


def test_e038_accepts_any_choice_even_none(settings):
    settings.AUDITCONSOLE_ACCESS_LOG_EVENTS = []
    assert ac_checks.check_settings() == []


def test_w039_records_that_would_be_dropped(access_logger, settings):
    access_logger.setLevel(logging.WARNING)
    (message,) = check_access_log()
    assert message.id == "auditconsole.W039"
    assert (
        message.msg
        == "The console's reads are not recorded: the 'auditconsole.access' logger drops INFO records."
    )
    settings.AUDITCONSOLE_ACCESS_LOG = False
    assert check_access_log() == []


def test_w039_no_handler(access_logger):
    access_logger.propagate = False
    access_logger.handlers[:] = []
    assert ids(check_access_log()) == ["auditconsole.W039"]
