"""bot/settings.py, the one reader of the environment: what each setting is
when set, when unset, and when set wrong (given as a dict, like a process
environment)."""
from datetime import timedelta
from pathlib import Path

import pytest

from bot import secrets, settings
from bot.settings import ConsoleSettings, RestChannelSettings, WebchatSettings, WorkbenchSettings


def test_the_console_finds_rasa_without_a_trailing_slash_and_its_token_in_a_file(tmp_path):
    token = tmp_path / "rasa_token"
    token.write_text("s3cret\n", encoding="utf-8")
    cfg = ConsoleSettings.from_env({"RASA_URL": "http://rasa:5005/", "RASA_API_TOKEN_FILE": str(token),
                                    "CONSOLE_SESSION_HOURS": "1.5", "CONSOLE_INSECURE_COOKIES": "yes"})
    assert (cfg.rasa_url, cfg.rasa_token) == ("http://rasa:5005", "s3cret")
    assert cfg.session_ttl == timedelta(hours=1.5) and cfg.secure_cookies is False


def test_the_console_has_no_token_by_default_so_it_refuses_to_start():
    cfg = ConsoleSettings.from_env({})
    assert (cfg.rasa_url, cfg.rasa_token) == (settings.DEFAULT_RASA_URL, "")


def test_the_web_chat_and_rest_channel_rates_and_their_defaults():
    assert WebchatSettings.from_env({}) == WebchatSettings()
    chat = WebchatSettings.from_env({"WEBCHAT_REDIS_URL": " redis://r:6379/2 ", "WEBCHAT_DEMO": "on",
                                     "WEBCHAT_RATE_BURST": "3", "WEBCHAT_RATE_PER_MINUTE": "7.5"})
    assert (chat.redis_url, chat.redis_channel, chat.demo, chat.rate_burst, chat.rate_per_minute) == (
        "redis://r:6379/2", settings.DEFAULT_WEBCHAT_REDIS_CHANNEL, True, 3, 7.5)
    assert RestChannelSettings.from_env({}) == RestChannelSettings()
    assert RestChannelSettings.from_env({"REST_RATE_BURST": "2", "REST_CLIENT_RATE_PER_MINUTE": "30"}) == \
        RestChannelSettings(sender_burst=2, client_per_minute=30.0)


def test_the_workbench_resolves_relative_paths_from_the_repository():
    cfg = WorkbenchSettings.from_env({"WORKBENCH_DATA_DIR": "/data", "TRACKER_STORE_URL": "sqlite:///var/t.db"})
    assert cfg.data_dir == Path("/data") and cfg.export_file == Path("/data/nlu/annotated.yml")
    assert cfg.models_dir == settings.REPO_ROOT / "bot" / "models"
    assert cfg.tracker_store_url == "sqlite:///" + str(settings.REPO_ROOT / "var" / "t.db")


def test_cors_origins_unset_is_not_the_same_as_empty():
    assert settings.cors_origins({}) is None
    assert settings.cors_origins({"COLLECTBOT_CORS_ORIGINS": ""}) == []
    assert settings.cors_origins({"COLLECTBOT_CORS_ORIGINS": "https://a.cn, https://b.cn *"}) == [
        "https://a.cn", "https://b.cn", "*"]


def test_a_typo_in_the_environment_name_stops_rather_than_meaning_development():
    assert settings.deployment({}) == secrets.DEVELOPMENT
    assert settings.deployment({"COLLECTBOT_ENV": " Production "}) == secrets.PRODUCTION
    with pytest.raises(ValueError, match="COLLECTBOT_ENV"):
        settings.deployment({"COLLECTBOT_ENV": "prod"})


def test_a_secret_has_no_default_and_production_refuses_without_it():
    assert settings.secret_source("RASA_API_TOKEN", {}) == (None, None)
    assert settings.secret_source("RASA_API_TOKEN", {"RASA_API_TOKEN": "  ", "RASA_API_TOKEN_FILE": "/run/t"}) == (
        None, "/run/t")
    with pytest.raises(secrets.MissingSecret, match="RASA_API_TOKEN"):
        secrets.secret("RASA_API_TOKEN", {"COLLECTBOT_ENV": "production"})


def test_numbers_set_wrong_are_refused_with_the_variable_named():
    with pytest.raises(ValueError, match="ACTION_CALL_TIMEOUT_SECONDS"):
        settings.action_timeout({"ACTION_CALL_TIMEOUT_SECONDS": "soon"})
    assert settings.action_timeout({"ACTION_CALL_TIMEOUT_SECONDS": "0"}) is None
    with pytest.raises(ValueError, match="COLLECTBOT_SESSION_MAX_EVENTS"):
        settings.session_max_events({"COLLECTBOT_SESSION_MAX_EVENTS": "-1"})
    with pytest.raises(ValueError, match="COLLECTBOT_RASA_PATCHES"):
        settings.rasa_patches_wanted({"COLLECTBOT_RASA_PATCHES": "maybe"})
