"""The speed-ups must give Rasa's own verdicts, only faster (bot/rasa_server/speedups.py).

Rasa's own versions come from the patch registry (``original``)."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

import bot.nlu  # noqa: F401  (installs the speed-ups, as in the Rasa server)
from bot.rasa_server import original
from bot.rasa_server import speedups as rasa_speedups


def _action() -> RemoteAction:
    return RemoteAction("action_x", None)


def test_installed_by_importing_the_nlu_package():
    from bot.rasa_server import patched

    assert sum(p.plugin == rasa_speedups.PLUGIN for p in patched()) == 9
    assert RemoteAction._validate_action_result.__module__ == "bot.rasa_server.speedups"


def test_a_valid_action_response_passes():
    response = {"events": [{"event": "slot", "name": "verified", "value": True}],
                "responses": [{"text": "好的"}]}
    assert _action()._validate_action_result(response) is True


@pytest.mark.parametrize(
    "response",
    [{"events": "not a list"}, {"events": [{"no_event_key": 1}]}, {"responses": [{"text": 5}]},
     {"events": [{"event": "slot"}], "responses": "x"}],
)
def test_an_invalid_action_response_fails_as_in_rasa(response):
    schema = RemoteAction.action_response_format_spec()
    try:
        jsonschema.validate(response, schema)
        expected = None
    except jsonschema.ValidationError as e:
        expected = e
    if expected is None:
        assert _action()._validate_action_result(response) is True
        return
    with pytest.raises(jsonschema.ValidationError) as raised:
        _action()._validate_action_result(response)
    assert raised.value.message.startswith(expected.message)
    assert "Failed to validate Action server response" in raised.value.message


def test_event_lookup_matches_the_walk_over_all_subclasses():
    for cls in all_subclasses(Event):
        first = next(c for c in all_subclasses(Event) if c.type_name == cls.type_name)
        assert Event.resolve_by_type(cls.type_name) is first
        assert Event.resolve_by_type(cls.type_name) is first  # cached answer too


def test_event_lookup_keeps_defaults_and_errors():
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
    events = [UserUttered("你好", {"name": "greet", "confidence": 1.0}), ActionExecuted("action_listen")]
    assert [Event.from_parameters(e.as_dict()) for e in events] == events


# ------------------------------------------------ graph runs without dask

class _Node:
    """A graph component that records its calls and joins its inputs."""
    calls: list = []

    def __init__(self, name):
        self.name = name

    @classmethod
    def create(cls, config, model_storage, resource, execution_context):
        return cls(config["name"])

    def run(self, **inputs):
        _Node.calls.append(self.name)
        return self.name + "(" + ",".join(f"{k}={inputs[k]}" for k in sorted(inputs)) + ")"


def _runner():
    from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
    from rasa.engine.runner.dask import DaskGraphRunner

    component = type("RecordingComponent", (_Node, GraphComponent), {})

    def node(name, needs, is_target=False):
        return SchemaNode(needs=needs, uses=component, constructor_name="create", fn="run",
                          config={"name": name}, is_target=is_target)

    schema = GraphSchema({
        "a": node("a", {"text": "__message__"}),
        "b": node("b", {"x": "a"}),
        "c": node("c", {"x": "a", "y": "b"}, is_target=True),
        "d": node("d", {"x": "__missing_input__"}, is_target=True),
        "unused": node("unused", {"x": "a"}),
    })
    return DaskGraphRunner(schema, model_storage=None, execution_context=ExecutionContext(schema))


def test_graph_runs_give_dasks_results_and_run_only_what_the_targets_need():
    runner = _runner()
    inputs = {"__message__": "你好"}
    _Node.calls = []
    from rasa.engine.runner.dask import DaskGraphRunner

    dask_run = original(DaskGraphRunner, "run")
    assert dask_run is not DaskGraphRunner.run  # Rasa's own, with dask
    expected = dask_run(runner, inputs=inputs, targets=["c"])
    dask_calls, _Node.calls = _Node.calls, []
    assert runner.run(inputs=inputs, targets=["c"]) == expected
    assert sorted(_Node.calls) == sorted(dask_calls) == ["a", "b", "c"]
    assert _Node.calls.index("a") < _Node.calls.index("b") < _Node.calls.index("c")
    assert expected == {"c": "c(x=a(text=你好),y=b(x=a(text=你好)))"}
    assert runner.run(inputs={"__message__": "再见"}, targets=["c"])["c"].startswith("c(x=a(text=再见)")


def test_graph_runs_refuse_bad_inputs_as_rasa_does():
    from rasa.engine.exceptions import GraphRunError

    from rasa.engine.runner.dask import DaskGraphRunner

    dask_run = original(DaskGraphRunner, "run")
    for run in (lambda **kw: dask_run(_runner(), **kw), _runner().run):
        with pytest.raises(GraphRunError, match="clashes with a node name"):
            run(inputs={"__message__": "b"}, targets=["c"])
        with pytest.raises(GraphRunError, match="Missing input to run node 'd'"):
            run(inputs={"__message__": "你好"}, targets=["d"])


# ------------------------------------------------ the event-type lookup of the response check

from hypothesis import given, settings as hyp_settings, strategies as st  # noqa: E402

_EVENT_TYPES = ["user", "bot", "action", "slot", "active_loop", "followup", "entities", "reset_slots",
                "session_started", "pause", "resume", "restart", "rewind", "undo", "no_such_event"]
_values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5),
                    st.lists(st.integers(), max_size=2), st.dictionaries(st.sampled_from(["name", "confidence"]),
                                                                         st.one_of(st.text(max_size=3), st.floats(allow_nan=False)), max_size=2))
_event = st.dictionaries(
    st.sampled_from(["event", "name", "value", "timestamp", "metadata", "text", "policy", "confidence",
                     "entities", "parse_data", "input_channel"]),
    _values, max_size=5,
).flatmap(lambda d: st.sampled_from(_EVENT_TYPES + [None]).map(
    lambda t: {**d, "event": t} if t is not None else d))
_response = st.one_of(
    st.fixed_dictionaries({}, optional={"events": st.one_of(st.lists(_event, max_size=3), _values),
                                        "responses": st.one_of(st.lists(st.one_of(st.dictionaries(st.just("text"), _values), _values), max_size=2), _values)}),
    _values,
)


@hyp_settings(max_examples=400, deadline=None)
@given(_response)
def test_the_event_type_lookup_gives_jsonschemas_verdict(response):
    schema = RemoteAction.action_response_format_spec()
    cls = jsonschema.validators.validator_for(schema)
    assert rasa_speedups.fast_response_check(schema, cls)(response) == cls(schema).is_valid(response)


def test_the_event_type_lookup_accepts_real_responses_and_refuses_wrong_ones():
    schema = RemoteAction.action_response_format_spec()
    check = rasa_speedups.fast_response_check(schema, jsonschema.validators.validator_for(schema))
    assert check({"events": [{"event": "slot", "name": "verified", "value": True, "timestamp": None},
                             {"event": "active_loop", "name": None}, {"event": "followup", "name": "x"}],
                  "responses": [{"text": "好的", "buttons": []}]})
    assert not check({"events": [{"event": "slot", "value": True}]})  # a slot without a name
    assert not check({"events": [{"event": "no_such_event"}]})
    assert not check({"events": [{"event": "user", "parse_data": "not an object"}]})


# ------------------------------------------------ kept connections to the action server

def test_action_calls_reuse_one_connection_and_keep_rasas_answers():
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import ClientResponseError, EndpointConfig

    async def scenario():
        peers = []

        async def webhook(request):
            peers.append(request.transport.get_extra_info("peername"))
            body = await request.json()
            if body.get("fail"):
                return web.json_response({"error": "bad"}, status=400)
            return web.json_response({"echo": body, "auth": request.headers.get("X-Key")})

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        try:
            endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"X-Key": "k"})
            answers = [await endpoint.request(json={"n": i}) for i in range(3)]
            with pytest.raises(ClientResponseError):
                await endpoint.request(json={"fail": True})
            answers.append(await endpoint.request(json={"n": 9}))
            return answers, peers
        finally:
            await runner.cleanup()

    answers, peers = asyncio.run(scenario())
    assert [a["echo"] for a in answers] == [{"n": 0}, {"n": 1}, {"n": 2}, {"n": 9}]
    assert {a["auth"] for a in answers} == {"k"}  # the endpoint's headers still go out
    assert len(set(peers)) == 1  # one kept connection, not one per call


# ------------------------------------------------ deep copies only for debug logs

def _deepcopy_calls_outside_debug_logs(module):
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(module))
    outside = []

    def visit(node, in_debug_log):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute) and f.attr == "debug" and getattr(f.value, "id", "") == "structlogger":
                in_debug_log = True
            if isinstance(f, ast.Attribute) and f.attr == "deepcopy" and getattr(f.value, "id", "") == "copy" \
                    and not in_debug_log:
                outside.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child, in_debug_log)

    visit(tree, False)
    return outside


def test_the_modules_given_log_only_copies_deep_copy_only_for_debug_logs():
    import rasa.core.actions.forms as forms
    import rasa.core.processor as processor

    for module in (processor, forms):
        assert module.copy is rasa_speedups.LogOnlyCopy
        assert _deepcopy_calls_outside_debug_logs(module) == []


def test_log_only_copies_copy_when_debug_logging_is_on():
    import logging

    events = [{"event": "slot", "value": [1, 2]}]
    rasa_logger = logging.getLogger("rasa")
    level = rasa_logger.level
    try:
        rasa_logger.setLevel(logging.INFO)
        assert rasa_speedups.LogOnlyCopy.deepcopy(events) is events
        rasa_logger.setLevel(logging.DEBUG)
        copied = rasa_speedups.LogOnlyCopy.deepcopy(events)
        assert copied == events and copied is not events and copied[0]["value"] is not events[0]["value"]
    finally:
        rasa_logger.setLevel(level)


# ------------------------------------------------ intent features built directly

def test_intent_features_are_rasas_matrix():
    import numpy as np
    import scipy.sparse
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    def message(seed):
        rng = np.random.default_rng(seed)
        m = Message(data={"text": "我下周五还两千"})
        for origin in ("words", "chars"):
            dense_row = rng.integers(0, 3, size=(1, 40))
            m.add_features(Features(scipy.sparse.coo_matrix(dense_row), "sentence", "text", origin))
            m.add_features(Features(scipy.sparse.coo_matrix(rng.integers(0, 2, size=(7, 40))), "sequence", "text", origin))
        return m

    classifier = LogisticRegressionClassifier.__new__(LogisticRegressionClassifier)
    for messages in ([message(1)], [message(2), message(3)]):
        ours = classifier._create_X(messages)
        rasas = scipy.sparse.vstack([
            scipy.sparse.hstack([scipy.sparse.csr_matrix(m.get_sparse_features("text")[1].features),
                                 scipy.sparse.csr_matrix([])]) for m in messages])
        assert ours.shape == rasas.shape and ours.dtype == rasas.dtype == np.float64
        assert (ours.toarray() == rasas.toarray()).all()


def test_request_bodies_carry_the_same_json_value():
    import json
    import math

    value = {"text": "我下周五还两千 </script> \\u2028 😀", "n": [1, 2.5, -0.1, 1e300, None, True],
             "nested": {"a/b": {"c": []}}, "confidence": 0.123456789012345678}
    assert json.loads(rasa_speedups.json_dumps(value)) == value
    with pytest.raises(TypeError):  # what neither can write is still refused
        rasa_speedups.json_dumps({"when": object()})
    assert json.loads(rasa_speedups.json_dumps({"x": 2 ** 70})) == {"x": 2 ** 70}
    assert math.isinf(json.loads(rasa_speedups.json_dumps({"x": float("inf")}))["x"])


# ------------------------------------------------ dialogue states and slot copies

def _conversation(domain):
    from rasa.shared.core.events import ActiveLoop, BotUttered, SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker("+8613800000003", domain.slots)
    for event in [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        UserUttered("你好", {"name": "greet", "confidence": 0.9}),
        ActionExecuted("verify_form"), ActiveLoop("verify_form"), SlotSet("requested_slot", "right_party"),
        BotUttered("请问您是李*浩本人吗？"), ActionExecuted("action_listen"),
        UserUttered("是的", {"name": "affirm", "confidence": 0.95}),
        ActionExecuted("verify_form"), SlotSet("right_party", True), SlotSet("requested_slot", "id_last4"),
        ActionExecuted("action_listen"),
        UserUttered("5336", {"name": "inform_identity", "confidence": 0.99},
                    [{"entity": "id_last4", "value": "5336", "start": 0, "end": 4}]),
        ActionExecuted("verify_form"), SlotSet("id_last4", "5336"), SlotSet("verified", True), ActiveLoop(None),
        ActionExecuted("action_verification_result"),
    ]:
        tracker.update(event)
    return tracker


def test_cached_dialogue_states_are_rasas_and_cannot_be_edited_through():
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted as Executed

    domain = Domain.load("domain.yml")
    tracker = _conversation(domain)
    uncached = original(Domain, "states_for_tracker_history")
    assert uncached is not Domain.states_for_tracker_history
    rule_only = {"slots": ["suggested_plan"], "loops": ["verify_form"]}
    for flags in [dict(), dict(ignore_rule_only_turns=True, rule_only_data=rule_only), dict(omit_unset_slots=True)]:
        expected = uncached(domain, tracker, **flags)
        first = domain.states_for_tracker_history(tracker, **flags)
        assert first == expected and len(expected) > 3
        first[-1].pop("user", None)  # what RulePolicy does to the last state
        first[-1]["prev_action"]["action_name"] = "edited"
        assert domain.states_for_tracker_history(tracker, **flags) == expected
    tracker.update(Executed("action_listen"))
    assert domain.states_for_tracker_history(tracker) == uncached(domain, tracker)
    assert domain.states_for_tracker_history(tracker.copy()) == uncached(domain, tracker)


def test_slot_copies_are_copy_copys():
    import copy
    import copyreg

    from rasa.shared.core.domain import Domain

    for slot in Domain.load("domain.yml").slots:
        slot.value = {"nested": [1]} if slot.type_name == "any" else slot.value
        ours = copy.copy(slot)
        reduced = copyreg.__newobj__(type(slot))
        reduced.__dict__.update(slot.__reduce_ex__(4)[2])
        assert type(ours) is type(slot) and ours.__dict__ == reduced.__dict__ and ours is not slot
        ours.value = "changed"
        assert slot.value != "changed"
