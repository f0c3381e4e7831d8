"""``python -m console``: the agent console on CONSOLE_HOST:CONSOLE_PORT (default 127.0.0.1:5006)."""
from __future__ import annotations

import logging
import sys

from bot.observability import logging as json_logging
from bot.settings import ConsoleSettings
from console.app import create_app


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    settings = ConsoleSettings.from_env()
    if not settings.rasa_token:
        print(
            "RASA_API_TOKEN is not set: the console talks to Rasa's HTTP API, which must run with "
            "--enable-api --auth-token <the same token>.",
            file=sys.stderr,
        )
        return 2
    app = create_app(settings)
    # After Sanic set up its loggers: JSON lines, personal data masked (LOG_FORMAT=json).
    json_logging.install("console")
    print(f"坐席工作台 (agent console): http://{settings.host}:{settings.port}/", flush=True)
    # One process: live streams and the Rasa client live on its event loop.
    app.run(host=settings.host, port=settings.port, access_log=False, workers=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
