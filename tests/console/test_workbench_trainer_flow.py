"""The workbench's labelling aids (issue 12) through the console's HTTP API,
with the console as a real process on a tracker store written by Rasa's
SQLTrackerStore:

- identical messages are one inbox item, labelled all at once (all or none);
- messages that are only masked characters (a verification answer "3521"
  shown as "****") are left out of the inbox;
- the intent ranking comes with scores, every intent and entity with a
  Chinese description; the channel filter offers each channel once and
  web chat matches Rasa's "socketio";
- "add to test set" appends the saved label to the development test set
  (a copy of tests/nlu here), refuses duplicates and training examples, and
  the export then keeps it out of the training data;
- a run's log is shown without colour codes and warnings, with a percent.
"""
from __future__ import annotations

import pytest
import yaml

from tests.console.support import Browser, signed_in
from tests.console.workbench_support import NOW, action, active_loop, running_workbench, slot, ts, user

A, B, C, D = "+8613700000001", "+8613700000002", "webchat-1a2b", "socket-9f8e"
HELLO = "你好呀在不在"  # not in the training data (checked below)
NEW_TEXT = "我这个月先还一半行不行"


def conversations():
    day = "2026-11-24"
    return {
        A: [
            user(HELLO, "greet", 0.41, ts(day, "10:00", 0), channel="twilio_sms",
                 ranking=[("greet", 0.41), ("ask_is_bot", 0.22), ("affirm", 0.11), ("thank", 0.05),
                          ("goodbye", 0.04), ("deny", 0.03)]),
            action("verify_form", ts(day, "10:00", 1)),
            active_loop("verify_form", ts(day, "10:00", 1)),
            slot("account_id", "C-1", ts(day, "10:00", 1)),
            slot("requested_slot", "id_last4", ts(day, "10:00", 1)),
            action("action_listen", ts(day, "10:00", 2)),
            # The bare answer to "身份证后四位?": "****" to a trainer.
            user("3521", "inform_identity", 0.05, ts(day, "10:01", 0), channel="twilio_sms"),
            action("verify_form", ts(day, "10:01", 1)),
            slot("requested_slot", None, ts(day, "10:01", 1)),
            active_loop(None, ts(day, "10:01", 1)),
            action("action_listen", ts(day, "10:01", 2)),
            user(NEW_TEXT, "request_deferral", 0.35, ts(day, "10:02", 0), channel="twilio_sms",
                 ranking=[("request_deferral", 0.35), ("request_installment", 0.33)]),
            action("action_listen", ts(day, "10:02", 1)),
        ],
        B: [
            user(HELLO, "greet", 0.45, ts(day, "11:00", 0), channel="twilio_sms"),
            action("action_listen", ts(day, "11:00", 1)),
        ],
        C: [
            user(" 你好呀在不在 ", "greet", 0.52, ts(day, "12:00", 0), channel="webchat"),
            action("action_listen", ts(day, "12:00", 1)),
        ],
        D: [
            user("在线吗朋友", "greet", 0.9, ts(day, "13:00", 0), channel="socketio"),
            action("action_listen", ts(day, "13:00", 1)),
        ],
    }


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("workbench-flow")
    with running_workbench(workdir, conversations(), test_set=True, current_model=True) as world:
        yield world


@pytest.fixture(autouse=True)
def _database(env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", env["db"])
    monkeypatch.setenv("COLLECTBOT_NOW", NOW)


def event_id(env, sender, text):
    from console.training import tracker

    return next(e.id for e in tracker.events_of(env["tracker"], [sender], types=("user",)) if e.data["text"] == text)


def annotations(env):
    from bot.db.session import session_scope
    from console.training import tracker

    with session_scope(env["db"]) as s:
        ids = [e.id for e in tracker.user_events(env["tracker"])]
        return {k: (a.status, a.intent, a.version) for k, a in tracker.annotations_by_event(s, ids).items()}


def inbox(b: Browser, done: bool = False):
    answer = b.get("/api/workbench/inbox" + ("?include_done=1" if done else ""))
    assert answer.status == 200, answer.body
    return answer.json()["items"]


def test_hello_is_not_in_the_training_data(env):
    # The grouping and test-set tests rely on HELLO and NEW_TEXT being new sentences.
    from console.training import export

    known = export.read_examples(sorted(env["data"].rglob("*.yml")))
    assert export.normalize_text(HELLO) not in known and export.normalize_text(NEW_TEXT) not in known


def test_identical_messages_are_one_item_and_masked_answers_are_left_out(env):
    for who in ("trainer1", "boss"):
        items = inbox(signed_in(env["url"], who))
        texts = [i["text"].strip() for i in items]
        assert texts.count(HELLO) == 1, texts
        hello = next(i for i in items if i["text"].strip() == HELLO)
        assert hello["confidence"] == pytest.approx(0.41)  # the least confident of the group leads
        assert sorted(m["event_id"] for m in hello["group"]) == sorted(
            [event_id(env, A, HELLO), event_id(env, B, HELLO), event_id(env, C, " 你好呀在不在 ")])
        assert all(m["version"] == 0 for m in hello["group"])
        # "3521" answered the ID question: nothing a trainer could label.
        assert event_id(env, A, "3521") not in [i["event_id"] for i in items]
        assert "****" not in texts and "3521" not in texts
        assert next(i for i in items if i["text"] == NEW_TEXT)["group"] == [
            {"event_id": event_id(env, A, NEW_TEXT), "version": 0}]


def test_scores_and_chinese_descriptions_of_every_intent_and_entity(env):
    b = signed_in(env["url"], "trainer1")
    meta = b.get("/api/workbench/meta").json()
    for name in meta["intents"]:
        assert meta["intent_descriptions"].get(name), name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in meta["intent_descriptions"][name])
    for name in meta["entities"]:
        assert meta["entity_descriptions"].get(name), name
    hello = next(i for i in inbox(b) if i["text"].strip() == HELLO)
    assert [(r["name"], r["confidence"]) for r in hello["ranking"]] == [
        ("greet", 0.41), ("ask_is_bot", 0.22), ("affirm", 0.11), ("thank", 0.05), ("goodbye", 0.04)]


def test_channel_filter_offers_each_channel_once_and_web_chat_matches_socketio(env):
    from console.training import tracker

    b = signed_in(env["url"], "trainer1")
    channels = b.get("/api/workbench/meta").json()["channels"]
    labels = list(channels.values())
    assert labels.count("在线聊天") == 1 and labels.count("短信") == 1 and labels.count("电话") == 1
    refs = tracker.refs_of(env["tracker"], [A, B, C, D])
    listed = b.get("/api/workbench/conversations?channel=webchat").json()["items"]
    assert {i["ref"] for i in listed} == {refs[C], refs[D]}
    assert all(i["channel_labels"] == ["在线聊天"] for i in listed)


def test_label_all_identical_is_all_or_none(env):
    b = signed_in(env["url"], "trainer1")
    hello = next(i for i in inbox(b) if i["text"].strip() == HELLO)
    members = hello["group"]
    ids = [m["event_id"] for m in members]
    # One stale version refuses the lot: nothing is written.
    stale = [dict(m) for m in members]
    stale[-1]["version"] = 7
    answer = b.post("/api/workbench/messages/group-annotation",
                    {"members": stale, "status": "labelled", "intent": "greet", "entities": []})
    assert answer.status == 409, answer.body
    assert not set(ids) & set(annotations(env))
    # Messages whose texts differ cannot be labelled together.
    other = {"event_id": event_id(env, A, NEW_TEXT), "version": 0}
    answer = b.post("/api/workbench/messages/group-annotation",
                    {"members": members + [other], "status": "labelled", "intent": "greet", "entities": []})
    assert answer.status == 409 and "不相同" in answer.json()["error"]
    assert not set(ids + [other["event_id"]]) & set(annotations(env))
    # The whole group at once.
    answer = b.post("/api/workbench/messages/group-annotation",
                    {"members": members, "status": "labelled", "intent": "greet", "entities": []})
    assert answer.status == 200, answer.body
    assert answer.json()["saved"] == 3
    saved = annotations(env)
    assert all(saved[i] == ("labelled", "greet", 1) for i in ids)
    assert HELLO not in [i["text"].strip() for i in inbox(b)]  # done: out of the inbox


def test_add_to_test_set_appends_the_saved_label_and_keeps_it_out_of_training(env):
    b = signed_in(env["url"], "trainer1")
    target = env["test_nlu"] / "test_nlu_workbench.yml"
    event = event_id(env, A, NEW_TEXT)
    # Not labelled yet: refused.
    assert b.post(f"/api/workbench/messages/{event}/test-set").status == 409
    assert not target.exists()
    amount = {"start": 6, "end": 8, "entity": "amount"}  # "一半"
    saved = b.post(f"/api/workbench/messages/{event}/annotation",
                   {"status": "labelled", "intent": "promise_to_pay", "entities": [amount], "version": 0})
    assert saved.status == 200, saved.body
    answer = b.post(f"/api/workbench/messages/{event}/test-set")
    assert answer.status == 200, answer.body
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    blocks = {blk["intent"]: blk["examples"] for blk in data["nlu"]}
    assert "- 我这个月先还[一半](amount)行不行" in blocks["promise_to_pay"]
    # Twice: refused, the file unchanged.
    before = target.read_text(encoding="utf-8")
    again = b.post(f"/api/workbench/messages/{event}/test-set")
    assert again.status == 409 and "测试集中已有" in again.json()["error"]
    assert target.read_text(encoding="utf-8") == before
    # The export never trains on it.
    report = b.get("/api/workbench/export").json()
    assert any(x["text"] == NEW_TEXT for x in report["held_out"])
    assert NEW_TEXT not in report["content"]
    # An example the model trains on would measure nothing: refused.
    hello = event_id(env, A, HELLO)
    version = annotations(env).get(hello, (None, None, 0))[2]
    if not version:  # labelled by the group test when it ran first
        assert b.post(f"/api/workbench/messages/{hello}/annotation",
                      {"status": "labelled", "intent": "greet", "entities": [], "version": 0}).status == 200
    (env["data"] / "nlu" / "extra.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - ' + HELLO + "\n", encoding="utf-8")
    try:
        refused = b.post(f"/api/workbench/messages/{hello}/test-set")
        assert refused.status == 409 and "训练数据中已有" in refused.json()["error"]
    finally:
        (env["data"] / "nlu" / "extra.yml").unlink()
    entry = [e for e in audit(env) if e["action"] == "add_to_test_set"]
    assert len(entry) == 1 and entry[0]["detail"]["intent"] == "promise_to_pay"
    # Agents review but do not annotate.
    assert signed_in(env["url"], "agent1").post(f"/api/workbench/messages/{event}/test-set").status == 403


def audit(env):
    from bot.db.session import session_scope
    from console import store

    with session_scope(env["db"]) as s:
        return store.audit_entries(s)


RAW_LOG = (
    "$ rasa train --data data\n"
    "\x1b[92mTraining NLU model...\x1b[0m\n"
    "/venv/lib/python3.10/site-packages/rasa/shared/utils/io.py:99: UserWarning: Slot auto-fill has been removed"
    " in 3.0 and replaced with a new explicit mechanism to set slots.\n"
    "  More info at https://rasa.com/docs/rasa/domain#slots\n"
    "/venv/lib/python3.10/site-packages/tensorflow/x.py:5: DeprecationWarning: `np.bool` is a deprecated alias\n"
    "  warnings.warn(\n"
    "2026-11-25 10:00:01 INFO     rasa.engine.training.hooks  - Starting to train component 'JiebaTokenizer'.\n"
    "2026-11-25 10:00:02 INFO     rasa.engine.training.hooks  - \x1b[1mFinished training component 'JiebaTokenizer'.\x1b[0m\n"
    "2026-11-25 10:00:03 INFO     rasa.engine.training.hooks  - Restored component 'CountVectorsFeaturizer' from cache.\n"
)


def test_training_log_is_clean_and_the_run_has_a_percent(env):
    from bot import clock
    from bot.db.session import session_scope
    from console.models import ConsoleUser
    from console.training.models import TrainingRun
    from sqlalchemy import select

    out = env["workdir"] / "candidates" / "log-run"
    out.mkdir(parents=True)
    (out / "train.log").write_text(RAW_LOG, encoding="utf-8")
    with session_scope(env["db"]) as s:
        who = s.execute(select(ConsoleUser.id).where(ConsoleUser.username == "trainer1")).scalar_one()
        # A training run whose worker is this test process (alive), two components done.
        import os

        run = TrainingRun(status="training", progress="训练中：组件训练完成", user_id=who, out_dir=str(out),
                          pid=os.getpid(), current_model_path="x", created_at=clock.now())
        s.add(run)
        s.flush()
        run_id = run.id
    b = signed_in(env["url"], "trainer1")
    view = b.get(f"/api/workbench/runs/{run_id}").json()
    log = view["log_tail"]
    assert "\x1b" not in log and "[92m" not in log
    assert "Warning" not in log and "deprecated" not in log and "More info" not in log and "warnings.warn" not in log
    assert "Finished training component 'JiebaTokenizer'." in log and "Training NLU model..." in log
    # 2 of the config's 13 pipeline components and policies: just past the start of the bar.
    assert 5 < view["percent"] < 80
    listed = next(r for r in b.get("/api/workbench/runs").json()["runs"] if r["id"] == run_id)
    assert listed["percent"] == view["percent"]
    with session_scope(env["db"]) as s:
        s.get(TrainingRun, run_id).status = "failed"
