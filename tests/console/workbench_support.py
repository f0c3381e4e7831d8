"""Fixtures for the trainer workbench tests: a tracker store written by
Rasa's own ``SQLTrackerStore`` (so the schema and the event JSON are what
Rasa really stores), an account database with cardholders and console
users, a copy of the training data, and a stand-in for Rasa's ``PUT /model``.
"""
from __future__ import annotations

import asyncio
import json
import shutil
import threading
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from tests.console.support import PASSWORD, REPO, USERS, environ, running_console
from tests.fakes.local_http import LocalHttpServer, send_json

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = "2026-11-25T10:00:00+08:00"
ACCOUNTS = """account_id,name,phone,id_last4,card_last4,balance,minimum_due,due_date
C-1,李明华,+8613700000001,3521,6688,12000.00,1200.00,2026-10-10
C-2,王芳,+8613700000002,8810,4455,3500.00,350.00,2026-11-05
"""
WORKBENCH_USERS = {**USERS, "trainer2": ("trainer", "刘训练师")}


def ts(day: str, hhmm: str = "10:00", second: int = 0) -> float:
    return datetime.fromisoformat(f"{day}T{hhmm}:{second:02d}").replace(tzinfo=SHANGHAI).timestamp()


def user(text: str, intent: str, confidence: float, at: float, channel: str = "rest",
         entities: Optional[List[Dict[str, Any]]] = None, ranking: Optional[List[tuple]] = None):
    from rasa.shared.core.events import UserUttered

    ranking = ranking or [(intent, confidence)]
    parse_data = {
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "text": text,
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
    }
    return UserUttered(text, intent={"name": intent, "confidence": confidence}, entities=entities or [],
                       parse_data=parse_data, input_channel=channel, timestamp=at)


def action(name: str, at: float, policy: Optional[str] = "RulePolicy", confidence: float = 1.0):
    from rasa.shared.core.events import ActionExecuted

    return ActionExecuted(name, policy=policy, confidence=confidence, timestamp=at)


def bot(text: str, at: float):
    from rasa.shared.core.events import BotUttered

    return BotUttered(text, timestamp=at)


def slot(name: str, value: Any, at: float):
    from rasa.shared.core.events import SlotSet

    return SlotSet(name, value, timestamp=at)


def pause(at: float):
    from rasa.shared.core.events import ConversationPaused

    return ConversationPaused(timestamp=at)


def active_loop(name: Optional[str], at: float):
    from rasa.shared.core.events import ActiveLoop

    return ActiveLoop(name, timestamp=at)


def write_tracker_store(url: str, conversations: Dict[str, List[Any]]) -> None:
    """Store the conversations with Rasa's SQLTrackerStore, in order."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(domain=Domain.empty(), host=url)

    async def run() -> None:
        for sender, events in conversations.items():
            tracker = await store.retrieve(sender) or DialogueStateTracker(sender, slots=[])
            for event in events:
                tracker.update(event)
            await store.save(tracker)

    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    failures: List[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # pragma: no cover - re-raised below
            failures.append(exc)

    worker = threading.Thread(target=target)
    worker.start()
    worker.join()
    store.engine.dispose()
    if failures:
        raise failures[0]


def account_database(workdir: Path) -> str:
    from bot.db.importer import import_accounts_csv
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope
    from console import store
    from datetime import date

    db_url = f"sqlite:///{workdir / 'accounts.db'}"
    upgrade(db_url)
    csv = workdir / "accounts.csv"
    csv.write_text(ACCOUNTS, encoding="utf-8")
    with session_scope(db_url) as s:
        result = import_accounts_csv(s, csv, today=date(2026, 11, 25))
        assert not result.rejected
        for username, (role, display) in WORKBENCH_USERS.items():
            store.create_user(s, username, role, PASSWORD, display)
    return db_url


def copy_training_data(workdir: Path) -> Path:
    data = workdir / "data"
    shutil.copytree(REPO / "bot" / "data", data, ignore=shutil.ignore_patterns("annotated.yml"))
    return data


def console_environment(workdir: Path, db_url: str, tracker_url: str, rasa_url: str, rasa_token: str) -> Dict[str, str]:
    """The console's environment for the workbench: its own copy of the
    training data, an empty models folder, and stories/candidates below ``workdir``."""
    models = workdir / "models"
    models.mkdir(exist_ok=True)
    return {
        "DATABASE_URL": db_url, "COLLECTBOT_NOW": NOW, "RASA_URL": rasa_url, "RASA_API_TOKEN": rasa_token,
        "TRACKER_STORE_URL": tracker_url, "WORKBENCH_DATA_DIR": str(copy_training_data(workdir)),
        "WORKBENCH_STORIES_DIR": str(workdir / "stories"), "WORKBENCH_MODELS_DIR": str(models),
        "WORKBENCH_CANDIDATES_DIR": str(workdir / "candidates"),
    }


@contextmanager
def running_workbench(
    workdir: Path,
    conversations: Dict[str, List[Any]],
    *,
    test_set: bool = False,
    current_model: bool = False,
    prepare: Optional[Callable[[str], None]] = None,
) -> Iterator[Dict[str, Any]]:
    """The world of a workbench test (API or browser), in one place: the
    account database, a tracker store holding ``conversations``, the console
    as a real process with ``FakeModelServer`` as Rasa, and DATABASE_URL and
    COLLECTBOT_NOW set meanwhile (the tests read the database in-process).
    ``test_set``: a copy of tests/nlu the trainers add to (never the
    repository's); ``current_model``: a model file in the models folder;
    ``prepare(db_url)``: rows the test needs before the console starts.
    Yields url, db, tracker, data, models, test_nlu, workdir and fake."""
    db_url = account_database(workdir)
    tracker_url = f"sqlite:///{workdir / 'tracker.db'}"
    fake = FakeModelServer().start()
    try:
        with environ(DATABASE_URL=db_url, COLLECTBOT_NOW=NOW):
            write_tracker_store(tracker_url, conversations)
            if prepare is not None:
                prepare(db_url)
            console_env = console_environment(workdir, db_url, tracker_url, fake.url, fake.token)
            models = Path(console_env["WORKBENCH_MODELS_DIR"])
            test_nlu = workdir / "test_nlu"
            if test_set:
                shutil.copytree(REPO / "tests" / "nlu", test_nlu)
                console_env["WORKBENCH_TEST_NLU"] = str(test_nlu)
            if current_model:
                (models / "20261101-000000-current.tar.gz").write_bytes(b"current model")
            with running_console(workdir, console_env) as url:
                yield {"url": url, "db": db_url, "tracker": tracker_url, "models": models, "test_nlu": test_nlu,
                       "data": Path(console_env["WORKBENCH_DATA_DIR"]), "workdir": workdir, "fake": fake}
    finally:
        fake.stop()


class FakeModelServer(LocalHttpServer):
    """Rasa's ``PUT /model`` and ``GET /status`` with ``?token=`` auth: records
    what it was asked to load, refuses a model file that does not exist."""

    def __init__(self, token: str = "workbench-rasa-token") -> None:
        self.token = token
        self.loaded: List[str] = []
        self.requests: List[Dict[str, Any]] = []

    def start(self) -> "FakeModelServer":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _reply(self, status: int, body: Any = None) -> None:
                send_json(self, status, body)

            def _authorised(self) -> bool:
                query = parse_qs(urlsplit(self.path).query)
                return query.get("token") == [fake.token]

            def do_PUT(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null") if length else None
                fake.requests.append({"method": "PUT", "path": urlsplit(self.path).path, "body": body,
                                      "authorised": self._authorised()})
                if not self._authorised():
                    return self._reply(401, {"reason": "NotAuthenticated"})
                if urlsplit(self.path).path != "/model":
                    return self._reply(404, {"reason": "NotFound"})
                path = (body or {}).get("model_file")
                if not path or not Path(path).is_file():
                    return self._reply(400, {"reason": "BadRequest", "message": f"no model at {path}"})
                fake.loaded.append(path)
                return self._reply(204)

            def do_GET(self) -> None:  # noqa: N802
                if not self._authorised():
                    return self._reply(401, {"reason": "NotAuthenticated"})
                return self._reply(200, {"model_file": fake.loaded[-1] if fake.loaded else None})

        self.serve(Handler)
        return self
