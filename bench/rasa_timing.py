"""In-process timings of the Rasa-server-side costs a REST trace cannot split
out: tracker store load/save per message, and the check of each action-server
response. Run by bench/run.py in its own process (it imports Rasa) after the
profile stack has stopped, so nothing else competes for the CPU.

    .venv/bin/python bench/rasa_timing.py INPUT.json OUTPUT.json

INPUT: {"domain": path, "conversations": [{"sender", "events"}], "responses": [action-server JSON answers],
        "sqlite_path": path, "redis": {"host", "port", "db", "key_prefix"} | null, "repeat": n}
OUTPUT: per conversation and message (k = the k-th user message): load_ms (the
tracker as stored before message k), save_ms (storing what message k added,
including the re-read Rasa does to publish new events when an event broker is
configured, as ours is), for the SQL (SQLite; also without a broker),
in-memory and Redis tracker stores; per response: the
stock jsonschema check and a validator built once.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
logging.disable(logging.WARNING)


def NullBroker():
    """An event broker that drops everything: the broker's own work is not
    the tracker store's, but its presence changes what `save` does."""
    from rasa.core.brokers.broker import EventBroker

    class _Null(EventBroker):
        def publish(self, event) -> None:
            pass

        def is_ready(self) -> bool:
            return True

    return _Null()


def turns(events: List[Dict[str, Any]]) -> List[int]:
    """Index one past the last event of each user turn (a turn starts at a user event)."""
    starts = [i for i, e in enumerate(events) if e.get("event") == "user"]
    return [starts[j + 1] if j + 1 < len(starts) else len(events) for j in range(len(starts))]


async def time_stores(stores: Dict[str, Any], domain, conversations, repeat: int) -> Dict[str, List[List[Dict[str, float]]]]:
    """Per store, conversation and message: median load and save time.

    The stores are timed interleaved, message by message, so that a burst of
    other work on the machine hits all of them alike; each repetition is its
    own conversation id, so every save really inserts that message's events.
    """
    from rasa.shared.core.trackers import DialogueStateTracker

    out: Dict[str, List[List[Dict[str, float]]]] = {name: [] for name in stores}
    for ci, conv in enumerate(conversations):
        sender, events = conv["sender"], conv["events"]
        per_msg: Dict[str, List[Dict[str, float]]] = {name: [] for name in stores}
        for end in turns(events):
            for name, store in stores.items():
                loads, saves = [], []
                for r in range(repeat):
                    sid = f"{sender}-c{ci}r{r}"
                    t0 = time.perf_counter()
                    await store.retrieve(sid)
                    loads.append(time.perf_counter() - t0)
                    tracker = DialogueStateTracker.from_dict(sid, events[:end], domain.slots)
                    t0 = time.perf_counter()
                    await store.save(tracker)  # stores only what this message added
                    saves.append(time.perf_counter() - t0)
                per_msg[name].append({"load_ms": statistics.median(loads) * 1000, "save_ms": statistics.median(saves) * 1000})
        for name in stores:
            out[name].append(per_msg[name])
    return out


def time_validation(responses: List[dict], repeat: int) -> List[Dict[str, float]]:
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    cached = cls(schema)
    out = []
    for resp in responses:
        stock, fast = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            jsonschema.validate(resp, schema)  # what RemoteAction does per response
            stock.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            cached.validate(resp)
            fast.append(time.perf_counter() - t0)
        out.append({"stock_ms": statistics.median(stock) * 1000, "cached_ms": statistics.median(fast) * 1000})
    return out


def install_product_patches() -> None:
    """The product's patches to Rasa, wherever this checkout keeps them."""
    try:
        from bot.rasa_server.speedups import install
    except ImportError:
        from bot.rasa_speedups import install
    install()


def product_tracker_store() -> Any:
    """The tracker store class endpoints.yml configures (the product's own)."""
    import importlib

    import yaml

    repo = Path(__file__).resolve().parents[1]
    kind = (yaml.safe_load((repo / "endpoints.yml").read_text("utf-8")).get("tracker_store") or {}).get("type")
    module, _, name = (kind or "bot.tracker_store.BrokeredSQLTrackerStore").rpartition(".")
    return getattr(importlib.import_module(module), name)


async def main(inp: Path, outp: Path) -> None:
    from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore
    from rasa.shared.core.domain import Domain

    spec = json.loads(inp.read_text("utf-8"))
    repeat = int(spec.get("repeat", 3))
    domain = Domain.load(spec["domain"])
    convs = spec["conversations"]
    result: Dict[str, Any] = {"jsonschema": __import__("jsonschema").__version__}

    sqlite_path = Path(spec["sqlite_path"])
    for p in (sqlite_path, sqlite_path.with_suffix(".nobroker.db")):
        p.unlink(missing_ok=True)
    # The Rasa server of the product runs with its patches installed and the
    # tracker store endpoints.yml names.
    install_product_patches()
    BrokeredSQLTrackerStore = product_tracker_store()
    sqlite_path.with_suffix(".rasa.db").unlink(missing_ok=True)
    stores: Dict[str, Any] = {
        # As configured in endpoints.yml: publishes what it writes.
        "sql": BrokeredSQLTrackerStore(domain, dialect="sqlite", db=str(sqlite_path), event_broker=NullBroker()),
        # Rasa's own: with an event broker, every save first re-reads the
        # stored tracker to find the events to publish.
        "rasa_sql": SQLTrackerStore(domain, dialect="sqlite", db=str(sqlite_path.with_suffix(".rasa.db")),
                                    event_broker=NullBroker()),
        "sql_no_broker": SQLTrackerStore(domain, dialect="sqlite", db=str(sqlite_path.with_suffix(".nobroker.db"))),
        "memory": InMemoryTrackerStore(domain, event_broker=NullBroker()),
    }
    redis_cfg = spec.get("redis")
    redis_store = None
    if redis_cfg:
        try:
            redis_store = RedisTrackerStore(domain, event_broker=NullBroker(), **redis_cfg)
            redis_store.red.ping()
            stores["redis"] = redis_store
        except Exception as exc:  # Redis is optional for the bench
            result["redis_error"] = f"{type(exc).__name__}: {exc}"
            redis_store = None
    try:
        result.update(await time_stores(stores, domain, convs, repeat))
    finally:
        if redis_store is not None:
            for key in redis_store.red.scan_iter(match=redis_cfg["key_prefix"] + "*", count=500):
                redis_store.red.delete(key)
    result["validation"] = time_validation(spec.get("responses", []), repeat)
    outp.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
