"""Every plug-in of the Rasa server, and the one ``install()`` that puts them in.

What Rasa loads by name (configuration, not patches; endpoints.yml and
deploy/endpoints.production.yml):

- ``tracker_store.BrokeredSQLTrackerStore``: Rasa's SQL store that publishes
  what it writes, with a write-through cache and SQLite in WAL mode;
- ``lock_store.AtomicRedisLockStore``: Redis tickets changed atomically
  (production, several Rasa instances);
- ``contact_log.ContactLogBroker`` (laptop) and ``event_relay.RelayEventBroker``
  (production): every message into the contact log.

What ``install()`` adds:

- patches of Rasa's code, each recorded in ``registry.PATCHES`` with Rasa's
  original (``registry.restore_all()`` undoes them): the speed-ups
  (``speedups.py``), the holding reply when the action server fails and the
  503 when the conversation lock is unavailable (``resilience.py``), and the
  bounded session (``session_window.py``);
- on Rasa's Sanic app: the input limits, the REST channel's identity
  stripping and the refusal of remote models (``http_limits.py``), the 503
  answer for a request whose conversation lock failed (``resilience.py``),
  request metrics and JSON logs (bot/observability/). The routes of
  ``GET /metrics`` and the health checks stay channels in credentials.yml
  (channels/metrics.py, channels/health.py): only a channel can add a route
  before Sanic starts.

The patches are made only on the Rasa version they were checked against
(``PINNED_RASA_VERSION``, the pin of constraints.txt); on any other version,
or with ``COLLECTBOT_RASA_PATCHES=off``, Rasa runs its own code paths and a
WARNING says so. What still installs then: the classes named in
endpoints.yml (configuration: Rasa itself builds them) and the Sanic
middleware above (Sanic's public API, no Rasa code replaced); the 503 for a
failed lock needs the ``Agent.handle_message`` patch and so is off too.

Where it is called, and why there. ``bot/nlu/__init__.py`` calls
``install()``, and nothing else does. Rasa imports that package whenever it
loads our model, because config.yml names its components; that is the only
code of ours Rasa runs in every way we start it: ``rasa run`` (and
``rasa shell``), ``rasa test`` (which reads neither credentials.yml nor the
tracker store of endpoints.yml), ``python -m bot.serve run`` and
scripts/run_all.sh (which uses bot.serve). ``rasa run`` refuses to start
without a local model (rasa/cli/run.py; we configure no model server or
remote storage) and loads it in a ``before_server_start`` listener
(rasa/core/run.py ``load_agent_on_start``, 3.6.21), so by then Rasa's Sanic
app exists and no request has been served: ``install()`` finds the app by
the names Rasa gives it and adds the middleware. In ``rasa test`` and
``rasa train`` there is no app: only the patches are made. A channel (the
old way) is not loaded by ``rasa test``, and a protection that depended on a
channel being listed is what this replaces.
"""
from __future__ import annotations

import logging
from typing import Any, List, Mapping, Optional

from bot.rasa_server import registry
from bot.rasa_server.registry import PATCHES, Patch, original, patched, restore_all  # noqa: F401
from bot.settings import RASA_PATCHES_ENV as PATCHES_ENV, rasa_patches_wanted

logger = logging.getLogger(__name__)

# The Rasa version every patch was read and tested against (constraints.txt).
PINNED_RASA_VERSION = "3.6.21"
# rasa/server.py create_app (with --enable-api) and rasa/core/run.py
# _create_app_without_api name the server's Sanic app so.
RASA_APP_NAMES = ("rasa_server", "rasa_core_no_api")
PROCESS = "rasa"

_decided = False


def rasa_version() -> str:
    import rasa

    return str(rasa.__version__)


def patches_wanted(env: Optional[Mapping[str, str]] = None) -> bool:
    """``COLLECTBOT_RASA_PATCHES``: on (default) or off; anything else stops
    the server at start-up rather than guessing."""
    return rasa_patches_wanted(env)


def why_not_patched(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """None when the patches are to be made, else why not."""
    if not patches_wanted(env):
        return f"{PATCHES_ENV}=off"
    version = rasa_version()
    if version != PINNED_RASA_VERSION:
        return (f"Rasa {version} is not {PINNED_RASA_VERSION}, the version the patches were checked "
                f"against (bot/rasa_server)")
    return None


def _make_patches() -> None:
    from bot.rasa_server import resilience, session_window, speedups

    try:
        speedups.install()
        resilience.install()
        session_window.install()
    except Exception:
        restore_all()  # all or nothing: never half-patched
        raise


def install(env: Optional[Mapping[str, str]] = None) -> None:
    """Patch Rasa (once per process) and add our middleware to Rasa's Sanic
    app if it exists (once per app). Safe to call again."""
    global _decided
    if not _decided:
        reason = why_not_patched(env)
        _decided = True
        if reason is None:
            _make_patches()
            logger.info("Rasa server patches: %d made (%s)", len(PATCHES), ", ".join(registry.targets()))
        else:
            logger.warning("Rasa server patches NOT made: %s; running Rasa's own code paths "
                           "(no speed-ups, no holding reply, no session window)", reason)
    app = rasa_app()
    if app is not None:
        install_app(app)


def rasa_app() -> Any:
    """Rasa's Sanic app in this process, or None (rasa test, rasa train)."""
    from sanic import Sanic

    for name in RASA_APP_NAMES:
        try:
            return Sanic.get_app(name)
        except Exception:  # SanicException: no app of that name
            continue
    return None


def install_app(app: Any) -> None:
    """Our middleware on Rasa's Sanic app (each part idempotent per app)."""
    from bot.observability import logging as json_logging
    from bot.observability import metrics
    from bot.rasa_server import http_limits, resilience

    # Again: Rasa and Sanic configure logging after the process started.
    json_logging.install(PROCESS)
    metrics.install_sanic(app)  # the timer first: refused requests are timed too
    http_limits.install_rasa_server(app)
    # A message that could not get its conversation lock: 503, not 200 [].
    resilience.install_http(app)


def reset_for_tests() -> List[Patch]:
    """Undo every patch and forget the decision, so ``install()`` decides again."""
    global _decided
    _decided = False
    return restore_all()
