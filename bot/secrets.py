"""Secrets: required in production, generated on first run in development.

No secret has a value in the source. ``COLLECTBOT_ENV`` names the
environment: ``production`` or ``development`` (the default, a laptop).

- In production every secret a process needs must be set, as the variable
  itself or as ``<NAME>_FILE`` (a path, e.g. a Docker/Kubernetes secret);
  a missing one stops the process at start-up with a message naming it.
- In development a missing secret is generated once into ``var/<name>``
  (mode 600) and read from there afterwards, so the Rasa server, the action
  server and the console started separately agree on it, and so does
  ``scripts/run_all.sh`` (``python -m bot.secrets NAME`` prints one).

What each token protects: docs/SECURITY.md, "Secrets and internal services".
"""
from __future__ import annotations

import os
import secrets as _random
import sys
import time
from pathlib import Path
from typing import Iterable, List, Mapping, Optional

from bot import settings

# Which environment this is, and where a secret is configured, are read by
# bot/settings.py; what a missing secret means is decided here.
ENV_VAR = settings.ENVIRONMENT_ENV
PRODUCTION = settings.PRODUCTION
DEVELOPMENT = settings.DEVELOPMENT
REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"

# Every secret, and what it protects (the start-up message says it).
PURPOSES = {
    "WEBCHAT_TOKEN_SECRET": "signs the web chat's app tokens and session proofs (shared with the bank's app)",
    "RASA_API_TOKEN": "Rasa's HTTP API (the console and the hand-over action call it)",
    "TWILIO_AUTH_TOKEN": "Twilio's API and the signatures of its webhooks",
    "ACTION_SERVER_TOKEN": "the action server: only the Rasa server may call it",
    "METRICS_TOKEN": "GET /metrics of every process",
    "REST_CHANNEL_TOKEN": "the REST channel (development and tests only)",
}
# What each process refuses to start without in production.
REQUIRED = {
    "rasa": ("RASA_API_TOKEN", "WEBCHAT_TOKEN_SECRET", "TWILIO_AUTH_TOKEN", "ACTION_SERVER_TOKEN", "METRICS_TOKEN"),
    "actions": ("ACTION_SERVER_TOKEN", "METRICS_TOKEN"),
}


class MissingSecret(RuntimeError):
    """A secret production needs is not set."""


def environment(env: Optional[Mapping[str, str]] = None) -> str:
    """``production`` or ``development`` (bot.settings.deployment)."""
    return settings.deployment(env)


def is_production(env: Optional[Mapping[str, str]] = None) -> bool:
    return environment(env) == PRODUCTION


def configured(name: str, env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """``name`` from the environment or the file ``<name>_FILE`` points to; None if unset or blank."""
    value, path = settings.secret_source(name, env)
    if value:
        return value
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise MissingSecret(f"{name}_FILE={path} cannot be read: {exc.strerror}") from None
        return value or None
    return None


def _message(names: Iterable[str]) -> str:
    lines = [f"  {n}: {PURPOSES.get(n, 'a secret')}" for n in names]
    return (
        f"{ENV_VAR}={PRODUCTION} needs these secrets, which are not set "
        f"(set each variable, or <NAME>_FILE to a file holding it):\n" + "\n".join(lines)
    )


def secret(name: str, env: Optional[Mapping[str, str]] = None, var_dir: Optional[Path] = None) -> str:
    """The secret ``name``: configured, or in development generated into ``var/``.

    Raises MissingSecret in production when it is not configured.
    """
    value = configured(name, env)
    if value:
        return value
    if is_production(env):
        raise MissingSecret(_message([name]))
    return dev_secret(name, var_dir)


def require(process: str, env: Optional[Mapping[str, str]] = None) -> None:
    """In production: MissingSecret naming every secret ``process`` needs that is unset."""
    require_names(REQUIRED[process], env)


def require_names(names: Iterable[str], env: Optional[Mapping[str, str]] = None) -> None:
    """In production: MissingSecret naming every one of ``names`` that is unset."""
    if not is_production(env):
        return
    missing: List[str] = [n for n in names if not configured(n, env)]
    if missing:
        raise MissingSecret(_message(missing))


def dev_secret(name: str, var_dir: Optional[Path] = None) -> str:
    """A random secret kept in ``var/<name lower-cased>``, created (mode 600) on first use.

    Created with O_EXCL, so two processes starting together agree on one value.
    """
    directory = var_dir or VAR_DIR
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name.lower()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process may be writing it this instant.
        for _ in range(50):
            value = path.read_text(encoding="utf-8").strip()
            if value:
                return value
            time.sleep(0.02)
        raise MissingSecret(f"{path} is empty: delete it to generate {name} again") from None
    value = _random.token_urlsafe(32)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(value + "\n")
    return value


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m bot.secrets NAME``: print the secret (for shell scripts)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m bot.secrets NAME", file=sys.stderr)
        return 2
    try:
        print(secret(args[0]))
    except (MissingSecret, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
