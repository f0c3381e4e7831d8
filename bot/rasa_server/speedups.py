"""Eight speed-ups inside the Rasa 3.6.21 server, measured by `make bench`.

Each keeps Rasa's results and only removes repeated work; bench/history.md
records what each one saved. ``install()`` here makes the nine patches
below through ``bot.rasa_server.registry`` (which keeps Rasa's originals);
it is called only by ``bot.rasa_server.install()``, which checks the Rasa
version and ``COLLECTBOT_RASA_PATCHES`` first. Patched (owner.attribute):

- ``RemoteAction._validate_action_result`` (1)
- ``Event.resolve_by_type`` (2)
- ``DaskGraphRunner.run`` (3)
- ``EndpointConfig.session`` (4)
- ``rasa.core.processor.copy`` and ``rasa.core.actions.forms.copy`` (5)
- ``LogisticRegressionClassifier._create_X`` (6)
- ``Domain.states_for_tracker_history`` (7)
- ``Slot.__copy__`` (8; Rasa's Slot has none of its own)

1. Action response check. Rasa checks every action-server answer with
   ``jsonschema.validate(result, schema)``. jsonschema 4.17 (the newest Rasa
   3.6 allows) re-validates the *schema* against its meta-schema on every
   call: ~100 ms of the server's single event loop per action call on this
   machine, and a form turn makes two or three calls. The schema is a
   constant, so it is checked once and the validator reused: the same
   verdict and the same (best-match) error. Each event must match exactly
   one of ~25 event schemas (``oneOf``), which jsonschema finds by trying
   them all; each of them fixes ``event`` to a different constant, so the
   one to try is looked up by the event's type: the same verdict (a valid
   response passes both ways, anything else is re-checked by the full
   validator for Rasa's error).

2. Event class lookup. ``Event.resolve_by_type`` walks every Event subclass
   for each event it deserialises, and the SQL tracker store deserialises
   the whole conversation on every load (twice with an event broker). A dict
   built from the same walk answers in O(1); a miss falls back to the walk,
   so event classes defined later are still found.

3. Graph runs. Every message runs Rasa's NLU graph once and its policy graph
   once per predicted action through ``DaskGraphRunner.run``, which each
   time derives the minimal sub-graph for the targets, builds a dask task
   graph and lets dask order and run it, on one thread (``dask.get``). The
   order depends only on the schema and the targets, so it is derived once
   per target list and the nodes are called in it directly: the same nodes,
   the same inputs, the same results (about 4 % of the server's busy time
   under load went to dask's bookkeeping).

4. Action server connections. ``EndpointConfig.request`` opens a new aiohttp
   ``ClientSession`` for every call, so every action call pays a TCP connect
   and the action server a new connection. One session per endpoint and
   event loop is kept instead, its idle connections dropped after
   ``KEEPALIVE_SECONDS`` — shorter than any server's idle timeout we run
   behind (Sanic's default is 5 s), so a request never goes out on a
   connection the server is closing. Its request bodies (the conversation,
   ~20 KB) are written with ujson (a Rasa dependency; half the time of the
   json module; anything ujson refuses goes through the json module).

5. Debug-log copies. The processor and the form action deep-copy events,
   slots and the latest message on every action *to pass them to a debug
   log line*, whether or not debug logging is on (5 % of the event loop
   under load). Those modules get a ``copy`` whose ``deepcopy`` copies only
   when debug logging is on; every other use of ``copy`` is untouched.

6. Intent features. The LogisticRegression classifier builds its input by
   stacking each message's sparse features with an empty dense block
   (``scipy.sparse.hstack`` / ``bmat`` per message). With no dense features
   that is the sparse row itself in float64; it is built directly: the
   same matrix, the same probabilities. Since 2026-12-04 config.yml uses
   bot.nlu.tfidf_classifier instead, which builds its rows the same direct
   way (``sentence_row``, shared with this patch); the patch stays for a
   pipeline with Rasa's classifier (the workbench may train one).

7. Dialogue states. For each predicted action the rule policy asks for the
   states of every earlier point of the conversation two or three times and
   the memoization policy once more, each time replaying the whole tracker
   (13 % of the event loop under load). The states depend only on the
   tracker's events, the domain and the flags, so the latest answer for a
   (tracker, events, flags) is kept and a copy handed out (callers edit the
   last state, and the copy is what they would have got).

8. Slot copies. Every tracker copy (one per action, one per earlier point of
   the conversation above) copies each slot with ``copy.copy``, which goes
   through ``__reduce_ex__``; slots are plain objects, so a new one with the
   same attributes is made directly.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple, Type

from bot.rasa_server.registry import original, patch, patched

PLUGIN = "speedups"


def install() -> None:
    """Make the eight speed-ups, unless they are made already. Call
    ``bot.rasa_server.install()`` instead: it checks the Rasa version and
    ``COLLECTBOT_RASA_PATCHES`` first."""
    if any(p.plugin == PLUGIN for p in patched()):
        return
    _install_action_response_check()
    _install_event_lookup()
    _install_sequential_graph_runs()
    _install_pooled_endpoint_sessions()
    _install_log_only_deepcopies()
    _install_direct_intent_features()
    _install_states_cache()
    _install_slot_copy()


def _install_action_response_check() -> None:
    import jsonschema
    from jsonschema import exceptions as jsonschema_exceptions
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    validator = validator_cls(schema)
    is_valid = fast_response_check(schema, validator_cls)

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        if is_valid(result):
            return True
        error = jsonschema_exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        # Same message as Rasa's own check, so logs read the same.
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error

    patch(RemoteAction, "_validate_action_result", _validate_action_result, PLUGIN)


def fast_response_check(schema: Dict[Text, Any], validator_cls: Any):
    """``is_valid(result)`` with the verdict of ``validator_cls(schema)``,
    checking each event against the one ``oneOf`` branch its type selects.

    Falls back to the full check if the schema is not of that shape (a
    later Rasa), so it can never accept what Rasa would refuse."""
    try:
        events_schema = schema["properties"]["events"]
        event_schema = dict(events_schema["items"])
        branches = event_schema.pop("oneOf")
        by_type = {b["properties"]["event"]["const"]: validator_cls(b) for b in branches}
        if len(by_type) != len(branches):
            raise ValueError("two event schemas share a type")
    except (KeyError, TypeError, ValueError):
        return validator_cls(schema).is_valid
    outer = validator_cls({**schema, "properties": {**schema["properties"], "events": {
        k: v for k, v in events_schema.items() if k != "items"}}})
    common = validator_cls(event_schema)

    def is_valid(result: Any) -> bool:
        if not outer.is_valid(result):
            return False
        events = result.get("events") if isinstance(result, dict) else None
        for event in events or ():
            if not common.is_valid(event):
                return False
            branch = by_type.get(event.get("event"))
            if branch is None or not branch.is_valid(event):
                return False
        return True

    return is_valid


def _install_event_lookup() -> None:
    from rasa.shared.core.events import Event

    rasas = original(Event, "resolve_by_type")
    by_name: Dict[Text, Type[Event]] = {}

    def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
        cls = by_name.get(type_name)
        if cls is not None:
            return cls
        cls = rasas(type_name, default)
        # Only real matches are cached: a default or "topic" stays a miss.
        if cls is not None and getattr(cls, "type_name", None) == type_name:
            by_name[type_name] = cls
        return cls

    patch(Event, "resolve_by_type", staticmethod(resolve_by_type), PLUGIN)


def execution_order(schema: Any, targets: List[Text]) -> List[Text]:
    """The nodes ``targets`` need, each after everything it needs (the order
    dask would find; any topological order gives the same results because
    the nodes only see their inputs)."""
    minimal = schema.minimal_graph_schema(targets)
    order: List[Text] = []
    done: set = set()

    def visit(name: Text) -> None:
        stack = [(name, False)]
        while stack:
            node, expanded = stack.pop()
            if node in done or node not in minimal.nodes:
                continue
            if expanded:
                done.add(node)
                order.append(node)
                continue
            stack.append((node, True))
            for needed in minimal.nodes[node].needs.values():
                if needed not in done:
                    stack.append((needed, False))

    for target in targets:
        visit(target)
    return order


def _install_sequential_graph_runs() -> None:
    import weakref

    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    # runner -> {targets: [(node name, node, names it needs)]}, kept as long as the runner.
    plans_by_runner: "weakref.WeakKeyDictionary[Any, Dict[Tuple[Text, ...], List[Tuple[Text, Any, Tuple[Text, ...]]]]]" = (
        weakref.WeakKeyDictionary())

    def run(self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None,
            targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        run_targets = list(targets if targets else self._graph_schema.target_names)
        plans = plans_by_runner.get(self)
        if plans is None:
            plans = plans_by_runner[self] = {}
        key = tuple(run_targets)
        plan = plans.get(key)
        if plan is None:
            nodes = self._graph_schema.nodes
            plan = [
                (name, self._instantiated_nodes[name], tuple(nodes[name].needs.values()))
                for name in execution_order(self._graph_schema, run_targets)
            ]
            plans[key] = plan
        results: Dict[Text, Any] = {}
        for input_name, input_value in (inputs or {}).items():
            if isinstance(input_value, str) and input_value in self._graph_schema.nodes:
                raise GraphRunError(
                    f"Input value '{input_name}' clashes with a node name. Make sure "
                    f"that none of the input names passed to the `run` method are the "
                    f"same as node names in the graph schema."
                )
            results[input_name] = (input_name, input_value)
        try:
            for name, node, needs in plan:
                # As in a dask graph, a name that is neither a node nor an
                # input is passed on as it is.
                results[name] = node(*[results.get(n, n) for n in needs])
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        return dict(results[t] for t in run_targets)

    patch(DaskGraphRunner, "run", run, PLUGIN)


KEEPALIVE_SECONDS = 2.0


def json_dumps(value: Any) -> str:
    """ujson's text for ``value`` (the same JSON value), else the json module's."""
    import json

    import ujson

    try:
        text = ujson.dumps(value, ensure_ascii=False)
        # aiohttp sends this as UTF-8: a lone surrogate stored before the
        # door cleaned text (issue 16) would fail every action call of its
        # conversation. The json module's ASCII escapes carry it instead;
        # the action server cleans it (bot/rasa_server/http_limits.py).
        text.encode("utf-8")
        return text
    except (TypeError, ValueError, OverflowError):  # UnicodeEncodeError is a ValueError
        return json.dumps(value)


class _BorrowedSession:
    """``async with`` over a kept session: entering lends it, leaving keeps it open."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc: Any) -> bool:
        return False


def _install_pooled_endpoint_sessions() -> None:
    import asyncio
    import weakref

    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

    def session(self: EndpointConfig) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not in a loop: Rasa's own, one-off session
            return _own_session(self)
        # EndpointConfig defines __eq__ and so cannot be a weak key: its
        # kept sessions (per event loop) live in the instance's own __dict__.
        sessions = self.__dict__.setdefault("_collectbot_sessions", weakref.WeakKeyDictionary())
        kept = sessions.get(loop)
        if kept is None or kept.closed:
            kept = _own_session(self, aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS))
            sessions[loop] = kept
        return _BorrowedSession(kept)

    def _own_session(self: EndpointConfig, connector: Any = None) -> Any:
        # As EndpointConfig.session builds it.
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        return aiohttp.ClientSession(
            headers=self.headers, auth=auth, connector=connector, json_serialize=json_dumps,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        )

    patch(EndpointConfig, "session", session, PLUGIN)


def debug_logging() -> bool:
    import logging

    return logging.getLogger("rasa").isEnabledFor(logging.DEBUG)


class LogOnlyCopy:
    """The ``copy`` module for modules whose deep copies only feed debug logs."""

    import copy as _copy

    copy = staticmethod(_copy.copy)
    Error = _copy.Error

    @staticmethod
    def deepcopy(x: Any, memo: Any = None) -> Any:
        return LogOnlyCopy._copy.deepcopy(x, memo) if debug_logging() else x


def _install_log_only_deepcopies() -> None:
    import rasa.core.actions.forms as forms
    import rasa.core.processor as processor

    # Checked in Rasa 3.6.21: every copy.deepcopy in these two modules is an
    # argument of a structlogger.debug call (tests/unit/test_rasa_server_speedups.py
    # reads their source to keep it so).
    patch(processor, "copy", LogOnlyCopy, PLUGIN)
    patch(forms, "copy", LogOnlyCopy, PLUGIN)


def _install_direct_intent_features() -> None:
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from scipy.sparse import vstack

    from bot.nlu.tfidf_classifier import sentence_row

    rasas = original(LogisticRegressionClassifier, "_create_X")

    def _create_X(self: Any, messages: List[Any]) -> Any:
        rows = []
        for message in messages:
            row = sentence_row(message)
            if row is None:
                return rasas(self, messages)  # not our pipeline's shape: Rasa's way
            rows.append(row)
        return rows[0] if len(rows) == 1 else vstack(rows)

    patch(LogisticRegressionClassifier, "_create_X", _create_X, PLUGIN)


STATES_CACHE_SIZE = 8


def _copy_states(states: List[Dict[Text, Dict[Text, Any]]]) -> List[Dict[Text, Dict[Text, Any]]]:
    # A state maps names to sub-states whose values are strings or tuples.
    return [{name: dict(sub) for name, sub in state.items()} for state in states]


def _install_states_cache() -> None:
    import weakref
    from collections import OrderedDict

    from rasa.shared.core.domain import Domain

    rasas = original(Domain, "states_for_tracker_history")
    cache: "OrderedDict[Tuple[Any, ...], Tuple[Any, Any, List[Any]]]" = OrderedDict()

    def states_for_tracker_history(self: Domain, tracker: Any, omit_unset_slots: bool = False,
                                   ignore_rule_only_turns: bool = False,
                                   rule_only_data: Optional[Dict[Text, Any]] = None) -> List[Any]:
        events = tracker.events
        try:
            frozen_rule_data = tuple(sorted((k, tuple(v)) for k, v in (rule_only_data or {}).items()))
        except TypeError:
            frozen_rule_data = None
        if not events or frozen_rule_data is None:
            return rasas(self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        key = (id(self), id(tracker), len(events), id(events[-1]), omit_unset_slots, ignore_rule_only_turns,
               frozen_rule_data)
        hit = cache.get(key)
        if hit is not None and hit[0]() is self and hit[1]() is tracker:
            cache.move_to_end(key)
            return _copy_states(hit[2])
        states = rasas(self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        cache[key] = (weakref.ref(self), weakref.ref(tracker), _copy_states(states))
        while len(cache) > STATES_CACHE_SIZE:
            cache.popitem(last=False)
        return states

    patch(Domain, "states_for_tracker_history", states_for_tracker_history, PLUGIN)


def _install_slot_copy() -> None:
    from rasa.shared.core.slots import Slot

    def __copy__(self: Slot) -> Slot:
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        return new

    patch(Slot, "__copy__", __copy__, PLUGIN)
