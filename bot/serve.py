"""``python -m bot.serve run …``: ``rasa run`` with its secrets and CORS from
the environment, never from the command line.

``rasa run --auth-token X`` puts the API token where ``ps`` shows it to every
user of the machine, and Rasa 3.6 reads it from nowhere else. This entry
point reads it (``RASA_API_TOKEN`` or ``RASA_API_TOKEN_FILE``; in development
generated into ``var/``, bot/secrets.py) and hands it to Rasa's own command
line parser inside the process: ``/proc/<pid>/cmdline`` keeps what was
typed, without the token. Likewise:

- ``ACTION_SERVER_TOKEN`` is put in the environment, where the endpoints
  file's ``${ACTION_SERVER_TOKEN}`` finds it (development: from ``var/``);
- ``ACTION_SERVER_URL`` (endpoints.yml's action server, which has no default
  there) in development when it is unset: the action server of
  ``ACTIONS_PORT`` (default 5055) on this machine, said on stderr so it is
  never a silent choice; production's endpoints file reads its own
  ``ACTION_ENDPOINT_URL`` and gets nothing from here;
- ``--cors`` comes from ``COLLECTBOT_CORS_ORIGINS`` (origins separated by
  spaces or commas; empty = none). Unset: the local widget's origin in
  development (``http://localhost:<port>``, ``http://127.0.0.1:<port>``), none
  in production. Rasa answers CORS with credentials allowed, so ``*`` would
  let any web page call the server as the visitor; the widget is served
  from the Rasa server itself and needs none;
- with ``COLLECTBOT_ENV=production`` it refuses to start, naming each
  missing secret, before it spends a minute loading the model.
"""
from __future__ import annotations

import os
import sys
from typing import List, Mapping, Optional, Sequence

from bot import secrets as bot_secrets
from bot import settings
from bot.settings import ACTION_SERVER_URL_ENV as ACTION_URL_ENV, CORS_ENV

DEFAULT_PORT = 5005


def _option(args: Sequence[str], name: str) -> Optional[str]:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def cors_origins(args: Sequence[str], env: Optional[Mapping[str, str]] = None) -> List[str]:
    origins = settings.cors_origins(env)
    if origins is None:
        if bot_secrets.is_production(env):
            return []
        port = _option(args, "--port") or _option(args, "-p") or str(DEFAULT_PORT)
        return [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]
    if "*" in origins:
        raise ValueError(f"{CORS_ENV} may not contain '*': Rasa allows credentials with CORS")
    return origins


def action_server_url(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """The action server URL to put in the environment, or None to leave it
    (set already, or production)."""
    if settings.action_server_url(env) or bot_secrets.is_production(env):
        return None
    port = settings.actions_port(env)
    if not port.isdigit():
        raise ValueError(f"ACTIONS_PORT must be a port number, not {port!r}")
    return f"http://127.0.0.1:{port}/webhook"


def rasa_argv(args: Sequence[str], env: Optional[Mapping[str, str]] = None) -> List[str]:
    """The arguments for Rasa's parser: ``args`` plus the token and CORS.

    Refuses ``--auth-token`` and ``--cors`` in ``args``: they belong in the
    environment.
    """
    for name in ("--auth-token", "--cors"):
        if _option(args, name) is not None or name in args:
            raise ValueError(f"{name} is set from the environment by bot.serve, not on its command line")
    argv = list(args) + ["--auth-token", bot_secrets.secret("RASA_API_TOKEN", env)]
    origins = cors_origins(args, env)
    if origins:
        argv += ["--cors", *origins]
    return argv


def main(args: Optional[Sequence[str]] = None) -> None:
    args = list(sys.argv[1:] if args is None else args)
    if not args or args[0] != "run":
        print("usage: python -m bot.serve run [rasa run options, without --auth-token/--cors]", file=sys.stderr)
        sys.exit(2)
    try:
        bot_secrets.require("rasa")
        os.environ["ACTION_SERVER_TOKEN"] = bot_secrets.secret("ACTION_SERVER_TOKEN")
        url = action_server_url()
        if url is not None:
            print(f"bot.serve: {ACTION_URL_ENV} not set; using {url}", file=sys.stderr)
            os.environ[ACTION_URL_ENV] = url
        argv = rasa_argv(args)
    except (bot_secrets.MissingSecret, ValueError) as exc:
        print(f"bot.serve: {exc}", file=sys.stderr)
        sys.exit(1)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *argv]
    rasa_main()


if __name__ == "__main__":
    main()
