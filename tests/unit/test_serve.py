"""``python -m bot.serve``: the API token never on the command line, CORS
only for configured origins, production refuses to start without its
secrets (issue 16, findings 4 and 9)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import secrets, serve

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def dev(tmp_path, monkeypatch):
    monkeypatch.setattr(secrets, "VAR_DIR", tmp_path)
    for name in ("COLLECTBOT_ENV", "COLLECTBOT_CORS_ORIGINS", "ACTION_SERVER_URL", "ACTIONS_PORT", *secrets.PURPOSES):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)
    return tmp_path


def test_the_token_is_handed_to_rasa_inside_the_process(dev, monkeypatch):
    monkeypatch.setenv("RASA_API_TOKEN", "from-env")
    argv = serve.rasa_argv(["run", "--enable-api", "--port", "5011"])
    assert argv[argv.index("--auth-token") + 1] == "from-env"
    monkeypatch.delenv("RASA_API_TOKEN")
    generated = serve.rasa_argv(["run"])
    assert generated[generated.index("--auth-token") + 1] == (dev / "rasa_api_token").read_text().strip()


@pytest.mark.parametrize("args", [["run", "--auth-token", "x"], ["run", "--auth-token=x"], ["run", "--cors", "*"]])
def test_secrets_and_cors_on_the_command_line_are_refused(dev, args):
    with pytest.raises(ValueError):
        serve.rasa_argv(args)


def test_cors_defaults_to_the_local_widget_origin_in_development(dev):
    argv = serve.rasa_argv(["run", "--port", "5011"])
    assert argv[argv.index("--cors") + 1:] == ["http://localhost:5011", "http://127.0.0.1:5011"]


def test_cors_takes_the_configured_origins_and_never_a_wildcard(dev, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_CORS_ORIGINS", "https://app.bank.example, https://m.bank.example")
    argv = serve.rasa_argv(["run"])
    assert argv[argv.index("--cors") + 1:] == ["https://app.bank.example", "https://m.bank.example"]
    monkeypatch.setenv("COLLECTBOT_CORS_ORIGINS", "")
    assert "--cors" not in serve.rasa_argv(["run"])
    monkeypatch.setenv("COLLECTBOT_CORS_ORIGINS", "*")
    with pytest.raises(ValueError, match="COLLECTBOT_CORS_ORIGINS"):
        serve.rasa_argv(["run"])


def test_production_has_no_cors_unless_configured(dev, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_ENV", "production")
    monkeypatch.setenv("RASA_API_TOKEN", "t")
    assert "--cors" not in serve.rasa_argv(["run"])


def test_production_refuses_to_start_naming_every_missing_secret(dev):
    env = {k: v for k, v in os.environ.items() if k not in secrets.PURPOSES}
    env.update(COLLECTBOT_ENV="production", RASA_API_TOKEN="set")
    done = subprocess.run([sys.executable, "-m", "bot.serve", "run", "--model", "bot/models"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    for name in ("WEBCHAT_TOKEN_SECRET", "TWILIO_AUTH_TOKEN", "ACTION_SERVER_TOKEN", "METRICS_TOKEN"):
        assert name in done.stderr
    assert "RASA_API_TOKEN:" not in done.stderr


def test_the_action_server_url_is_this_stacks_and_a_given_one_is_kept(dev, monkeypatch):
    assert serve.action_server_url() == "http://127.0.0.1:5055/webhook"
    monkeypatch.setenv("ACTIONS_PORT", "17155")
    assert serve.action_server_url() == "http://127.0.0.1:17155/webhook"
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:17999/webhook")
    assert serve.action_server_url() is None  # already set: left as it is
    monkeypatch.delenv("ACTION_SERVER_URL")
    monkeypatch.setenv("ACTIONS_PORT", "55; rm")
    with pytest.raises(ValueError):
        serve.action_server_url()
    monkeypatch.setenv("COLLECTBOT_ENV", "production")
    assert serve.action_server_url() is None  # production's endpoints file has its own


def test_endpoints_yml_names_no_action_server_of_its_own(monkeypatch):
    """Unset, Rasa refuses to read the file instead of calling port 5055."""
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.exceptions import RasaException

    monkeypatch.setenv("ACTION_SERVER_TOKEN", "t")
    monkeypatch.delenv("ACTION_SERVER_URL", raising=False)
    with pytest.raises(RasaException, match="ACTION_SERVER_URL"):
        AvailableEndpoints.read_endpoints(str(REPO / "endpoints.yml"))
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:17155/webhook")
    endpoints = AvailableEndpoints.read_endpoints(str(REPO / "endpoints.yml"))
    assert endpoints.action.url == "http://127.0.0.1:17155/webhook"
    assert endpoints.tracker_store.type == "bot.rasa_server.tracker_store.BrokeredSQLTrackerStore"
