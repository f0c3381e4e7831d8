"""No secret has a default (issue 16, finding 4): production refuses to start
without one, development generates a random one into var/."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot import secrets
from bot.core import tokens

REPO = Path(__file__).resolve().parents[2]
NOW = 1_800_000_000.0
# The value channels/webchat.py used when WEBCHAT_TOKEN_SECRET was unset:
# anyone who read the source could mint a token for any account with it.
PUBLISHED_DEV_SECRET = "collectbot-webchat-dev-only-secret-not-for-production"


@pytest.fixture
def dev_var(tmp_path, monkeypatch):
    """A development environment whose var/ is a temporary directory."""
    monkeypatch.setattr(secrets, "VAR_DIR", tmp_path)
    monkeypatch.delenv("COLLECTBOT_ENV", raising=False)
    for name in secrets.PURPOSES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)
    return tmp_path


def test_a_token_minted_with_the_once_published_secret_is_refused(dev_var):
    from channels.webchat import WebChatInput

    channel = WebChatInput.from_credentials(None)
    forged = tokens.issue("DEMO-0004", 900, PUBLISHED_DEV_SECRET, NOW)
    opened = channel.binder.open("sid1", None, forged, NOW)
    assert opened.account_id is None
    assert opened.reason == "token_bad_signature" or opened.reason.startswith("token_")


def test_the_webchat_source_holds_no_secret_value():
    source = (REPO / "channels" / "webchat.py").read_text(encoding="utf-8")
    assert PUBLISHED_DEV_SECRET not in source


def test_development_generates_a_random_secret_once_with_mode_600(dev_var):
    first = secrets.secret("WEBCHAT_TOKEN_SECRET")
    again = secrets.secret("WEBCHAT_TOKEN_SECRET")
    path = dev_var / "webchat_token_secret"
    assert first == again == path.read_text().strip()
    assert len(first) >= 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    other = secrets.dev_secret("WEBCHAT_TOKEN_SECRET", dev_var / "elsewhere")
    assert other != first  # random, not derived from anything in the source


def test_the_webchat_channel_uses_the_generated_secret_in_development(dev_var):
    from channels.webchat import WebChatInput

    channel = WebChatInput.from_credentials(None)
    assert channel.token_secret == (dev_var / "webchat_token_secret").read_text().strip()
    good = tokens.issue("DEMO-0004", 900, channel.token_secret, NOW)
    assert channel.binder.open("sid1", None, good, NOW).account_id == "DEMO-0004"


@pytest.mark.parametrize("name", sorted(secrets.PURPOSES))
def test_production_refuses_a_missing_secret_naming_it(dev_var, monkeypatch, name):
    monkeypatch.setenv("COLLECTBOT_ENV", "production")
    with pytest.raises(secrets.MissingSecret) as refused:
        secrets.secret(name)
    assert name in str(refused.value)
    assert not list(dev_var.iterdir())  # nothing generated


def test_production_takes_a_secret_from_the_environment_or_a_file(dev_var, monkeypatch, tmp_path):
    monkeypatch.setenv("COLLECTBOT_ENV", "production")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", " from-env ")
    assert secrets.secret("ACTION_SERVER_TOKEN") == "from-env"
    held = tmp_path / "metrics.token"
    held.write_text("from-file\n")
    monkeypatch.setenv("METRICS_TOKEN_FILE", str(held))
    assert secrets.secret("METRICS_TOKEN") == "from-file"


def test_the_webchat_channel_will_not_start_in_production_without_its_secret(dev_var, monkeypatch):
    from channels.webchat import WebChatInput

    monkeypatch.setenv("COLLECTBOT_ENV", "production")
    with pytest.raises(secrets.MissingSecret, match="WEBCHAT_TOKEN_SECRET"):
        WebChatInput.from_credentials(None)


def test_require_lists_every_missing_secret_of_a_process(dev_var, monkeypatch):
    monkeypatch.setenv("COLLECTBOT_ENV", "production")
    monkeypatch.setenv("RASA_API_TOKEN", "x")
    with pytest.raises(secrets.MissingSecret) as refused:
        secrets.require("rasa")
    text = str(refused.value)
    assert "RASA_API_TOKEN" not in text
    for name in ("WEBCHAT_TOKEN_SECRET", "TWILIO_AUTH_TOKEN", "ACTION_SERVER_TOKEN", "METRICS_TOKEN"):
        assert name in text
    monkeypatch.delenv("COLLECTBOT_ENV")
    secrets.require("rasa")  # development: generated when used


def test_a_misspelt_environment_is_an_error_not_development(monkeypatch):
    monkeypatch.setenv("COLLECTBOT_ENV", "prod")
    with pytest.raises(ValueError, match="COLLECTBOT_ENV"):
        secrets.secret("METRICS_TOKEN")


def test_the_command_line_prints_the_same_secret_as_the_file(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in secrets.PURPOSES and k != "COLLECTBOT_ENV"}
    code = "import sys, pathlib; from bot import secrets; secrets.VAR_DIR = pathlib.Path(sys.argv[1]); sys.exit(secrets.main(['REST_CHANNEL_TOKEN']))"
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env, cwd=REPO,
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == (tmp_path / "rest_channel_token").read_text().strip()
    refused = subprocess.run([sys.executable, "-m", "bot.secrets", "REST_CHANNEL_TOKEN"], cwd=REPO,
                             env={**env, "COLLECTBOT_ENV": "production"}, capture_output=True, text=True)
    assert refused.returncode == 1 and "REST_CHANNEL_TOKEN" in refused.stderr
