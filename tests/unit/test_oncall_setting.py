"""One setting names the on-call number (issue 14): COLLECTBOT_ONCALL_PHONE
is both the number crisis paging texts and the line the voice channel puts
a crisis call through to; VOICE_ONCALL_NUMBER, the voice channel's old name,
is still read when the new one is unset, with a warning."""
from __future__ import annotations

import logging

import pytest

from bot import settings

NEW, OLD = "+8613800000110", "+8613800000999"


@pytest.fixture(autouse=True)
def fresh_warnings():
    settings._warned.clear()
    yield
    settings._warned.clear()


def test_one_number_for_paging_and_the_voice_channel():
    env = {"COLLECTBOT_ONCALL_PHONE": NEW}
    assert settings.oncall_phone(env) == NEW
    assert settings.voice_settings(env).oncall_number == NEW
    assert settings.oncall_phone({}) is None and settings.voice_settings({}).oncall_number is None


def test_the_old_voice_name_still_works_with_a_warning(caplog):
    env = {"VOICE_ONCALL_NUMBER": OLD}
    with caplog.at_level(logging.WARNING, logger="bot.settings"):
        assert settings.oncall_phone(env) == OLD  # crisis paging now reaches it too
        assert settings.voice_settings(env).oncall_number == OLD
    warnings = [r.getMessage() for r in caplog.records if "VOICE_ONCALL_NUMBER" in r.getMessage()]
    assert len(warnings) == 1 and "COLLECTBOT_ONCALL_PHONE" in warnings[0]  # said once, not per call


def test_the_new_name_wins_and_the_ignored_old_one_is_logged(caplog):
    env = {"COLLECTBOT_ONCALL_PHONE": NEW, "VOICE_ONCALL_NUMBER": OLD}
    with caplog.at_level(logging.WARNING, logger="bot.settings"):
        assert settings.voice_settings(env).oncall_number == NEW
        assert settings.oncall_phone(env) == NEW
    assert any("ignored" in r.getMessage() for r in caplog.records)


def test_the_channels_credentials_entry_is_a_deprecated_fallback(caplog):
    with caplog.at_level(logging.WARNING, logger="bot.settings"):
        assert settings.voice_settings({}, {"oncall_number": OLD}).oncall_number == OLD
        assert settings.voice_settings({"COLLECTBOT_ONCALL_PHONE": NEW}, {"oncall_number": OLD}).oncall_number == NEW
    assert len([r for r in caplog.records if "credentials.yml" in r.getMessage()]) == 2


def test_a_number_that_is_not_e164_is_refused_under_either_name():
    for name in ("COLLECTBOT_ONCALL_PHONE", "VOICE_ONCALL_NUMBER"):
        with pytest.raises(ValueError, match=name):
            settings.oncall_phone({name: "110"})
        with pytest.raises(ValueError):
            settings.voice_settings({name: "110"})
