"""The trainer workbench through the console's HTTP API, with the console as
a real process, a tracker store written by Rasa's SQLTrackerStore, a real
SQLite account database and a stand-in for Rasa's ``PUT /model``.

Filters, masking per role, annotations with stale-version conflicts, tags,
notes, reviews, the NLU export (checked with ``rasa data validate``), test
stories, and the activation gate. The full train → evaluate → activate
cycle with a real ``rasa train`` is in test_workbench_training.py (e2e).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.console.support import REPO, Browser, signed_in
from tests.console.workbench_support import NOW, action, active_loop, bot, pause, running_workbench, slot, ts, user

A, B, C = "+8613700000001", "+8613700000002", "webchat-7f3a"
MISREAD = "我想分期慢慢还"


def conversations():
    d1, d2, d3 = "2026-11-20", "2026-11-24", "2026-11-25"
    return {
        A: [
            action("action_session_start", ts(d1, "10:00", 0), policy=None),
            action("action_listen", ts(d1, "10:00", 1), policy=None),
            user("你好", "greet", 0.91, ts(d1, "10:00", 2)),
            action("verify_form", ts(d1, "10:00", 3)),
            active_loop("verify_form", ts(d1, "10:00", 3)),
            slot("account_id", "C-1", ts(d1, "10:00", 3)),
            slot("requested_slot", "right_party", ts(d1, "10:00", 3)),
            bot("您好，我是星河银行的智能客服助理。请问您是李*华本人吗？", ts(d1, "10:00", 4)),
            action("action_listen", ts(d1, "10:00", 4)),
            user("是我，我叫李明华 手机13700000001", "affirm", 0.62, ts(d1, "10:01", 0)),
            action("verify_form", ts(d1, "10:01", 1)),
            slot("requested_slot", "id_last4", ts(d1, "10:01", 1)),
            action("action_listen", ts(d1, "10:01", 2)),
            user("身份证后四位是3521", "inform_identity", 0.88, ts(d1, "10:02", 0),
                 entities=[{"entity": "id_last4", "start": 7, "end": 11, "value": "3521",
                            "extractor": "RuleEntityExtractor"}]),
            action("verify_form", ts(d1, "10:02", 1)),
            slot("verified", True, ts(d1, "10:02", 1)),
            slot("requested_slot", None, ts(d1, "10:02", 1)),
            active_loop(None, ts(d1, "10:02", 1)),
            action("action_verification_result", ts(d1, "10:02", 2)),
            bot("验证通过。您的账户尾号6688目前欠款12,000.00元。", ts(d1, "10:02", 2)),
            action("action_listen", ts(d1, "10:02", 3)),
            user(MISREAD, "ask_balance", 0.31, ts(d1, "10:03", 0),
                 ranking=[("ask_balance", 0.31), ("request_installment", 0.29), ("promise_to_pay", 0.1)]),
            action("action_state_balance", ts(d1, "10:03", 1), policy="MemoizationPolicy", confidence=0.93),
            action("action_listen", ts(d1, "10:03", 2)),
        ],
        B: [
            user("？？？啥", "nlu_fallback", 0.2, ts(d2, "15:00", 0), channel="twilio_sms"),
            action("action_default_fallback", ts(d2, "15:00", 1)),
            action("action_listen", ts(d2, "15:00", 2)),
            user("转人工", "request_human", 0.97, ts(d2, "15:01", 0), channel="twilio_sms"),
            action("action_escalate", ts(d2, "15:01", 1)),
            pause(ts(d2, "15:01", 1)),
            action("action_listen", ts(d2, "15:01", 2)),
        ],
        C: [
            user("在吗", "greet", 0.95, ts(d3, "09:00", 0), channel="webchat"),
            action("action_listen", ts(d3, "09:00", 1)),
            user("好的", "affirm", 0.97, ts(d3, "09:01", 0), channel="webchat"),
            action("action_listen", ts(d3, "09:01", 1)),
        ],
    }


def open_case(db_url):
    """B asked for a person; the case was resolved by the supervisor."""
    from bot.db import repository
    from bot.db.session import session_scope
    from console.models import ConsoleUser, Resolution
    from sqlalchemy import select

    with session_scope(db_url) as s:
        repository.open_escalation(s, conversation_id=B, account_id="C-2", channel="twilio_sms",
                                   reason="customer_request", priority=2, summary="客户要求人工")
        boss = s.execute(select(ConsoleUser.id).where(ConsoleUser.username == "boss")).scalar_one()
        s.add(Resolution(conversation_id=B, account_id="C-2", outcome="promise", note="", escalation_ids="[]",
                         user_id=boss))


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("workbench")
    with running_workbench(workdir, conversations(), current_model=True, prepare=open_case) as world:
        yield world


@pytest.fixture(autouse=True)
def _database(env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", env["db"])
    monkeypatch.setenv("COLLECTBOT_NOW", NOW)


def refs(env):
    from console.training import tracker

    return tracker.refs_of(env["tracker"], [A, B, C])


def listed(b: Browser, **filters) -> set:
    from urllib.parse import urlencode

    answer = b.get("/api/workbench/conversations" + ("?" + urlencode(filters) if filters else ""))
    assert answer.status == 200, answer.body
    return {item["ref"] for item in answer.json()["items"]}


def user_event_id(env, sender, text):
    from console.training import tracker

    return next(e.id for e in tracker.events_of(env["tracker"], [sender], types=("user",)) if e.data["text"] == text)


def audit(env, action):
    from bot.db.session import session_scope
    from console import store

    with session_scope(env["db"]) as s:
        return [e for e in store.audit_entries(s) if e["action"] == action]


# --- review: filters ------------------------------------------------------------


def test_filters_select_the_right_conversations(env):
    r = refs(env)
    b = signed_in(env["url"], "trainer1")
    assert listed(b) == {r[A], r[B], r[C]}
    assert listed(b, date_from="2026-11-24") == {r[B], r[C]}
    assert listed(b, date_to="2026-11-20") == {r[A]}
    assert listed(b, date_from="2026-11-21", date_to="2026-11-24") == {r[B]}
    assert listed(b, channel="twilio_sms") == {r[B]}
    assert listed(b, channel="webchat") == {r[C]}
    assert listed(b, escalated="1") == {r[B]}
    assert listed(b, escalated="0") == {r[A], r[C]}
    assert listed(b, fallback="1") == {r[B]}
    assert listed(b, fallback="0") == {r[A], r[C]}
    assert listed(b, max_confidence="0.5") == {r[A], r[B]}
    assert listed(b, max_confidence="0.25") == {r[B]}
    assert listed(b, intent="inform_identity") == {r[A]}
    assert listed(b, outcome="promise") == {r[B]}
    assert listed(b, outcome="none") == {r[A], r[C]}
    assert listed(b, escalated="1", channel="rest") == set()
    assert b.get("/api/workbench/conversations?date_from=yesterday").status == 400
    assert b.get("/api/workbench/conversations?max_confidence=2").status == 400


def test_list_item_shows_what_a_trainer_needs(env):
    b = signed_in(env["url"], "trainer1")
    items = {i["ref"]: i for i in b.get("/api/workbench/conversations").json()["items"]}
    item = items[refs(env)[B]]
    assert item["channel_labels"] == ["短信"]
    assert item["escalated"] and item["fallback"]
    assert item["escalation_reasons"] == ["客户要求人工"] and item["outcomes"] == ["客户承诺还款"]
    assert item["min_confidence"] == pytest.approx(0.2)
    assert item["conversation"] == "+86137****0002"


# --- review: conversation view and masking per role ------------------------------------


def test_conversation_view_shows_predictions_entities_and_policies(env):
    b = signed_in(env["url"], "boss")
    detail = b.get(f"/api/workbench/conversations/{refs(env)[A]}").json()
    users = [t for t in detail["turns"] if t["kind"] == "user"]
    assert [u["intent"] for u in users] == ["greet", "affirm", "inform_identity", "ask_balance"]
    assert users[3]["confidence"] == pytest.approx(0.31)
    assert [r["name"] for r in users[3]["ranking"]] == ["ask_balance", "request_installment", "promise_to_pay"]
    assert users[2]["entities"][0]["entity"] == "id_last4" and users[2]["entities"][0]["value"] == "3521"
    actions = [(t["name"], t["policy"]) for t in detail["turns"] if t["kind"] == "action"]
    assert ("action_state_balance", "MemoizationPolicy") in actions
    assert ("verify_form", "RulePolicy") in actions
    assert all(name not in ("action_listen", "action_session_start") for name, _ in actions)
    assert any(t["kind"] == "bot" and "12,000.00元" in t["text"] for t in detail["turns"])


def test_trainers_see_personal_data_masked_agents_and_supervisors_in_full(env):
    ref = refs(env)[A]
    trainer = json.dumps(signed_in(env["url"], "trainer1").get(f"/api/workbench/conversations/{ref}").json(),
                         ensure_ascii=False)
    for secret in ("李明华", "明华", "13700000001", "3521", "6688", A):
        assert secret not in trainer, secret
    assert "+86137****0001" in trainer
    assert "我叫*** 手机***********" in trainer
    assert "身份证后四位是****" in trainer
    assert "12,000.00元" in trainer  # amounts stay
    for who in ("agent1", "boss"):
        detail = signed_in(env["url"], who).get(f"/api/workbench/conversations/{ref}").json()
        full = json.dumps(detail, ensure_ascii=False)
        assert "李明华" in full and "13700000001" in full and "3521" in full and A in full
    # the list and the inbox too
    b = signed_in(env["url"], "trainer1")
    listing = b.get("/api/workbench/conversations").body + b.get("/api/workbench/inbox?include_done=1").body
    assert "13700000001" not in listing and "李明华" not in listing
    assert "3521" not in b.get("/api/workbench/inbox?include_done=1").body


def test_inbox_lists_least_confident_messages_first(env):
    items = signed_in(env["url"], "trainer1").get("/api/workbench/inbox?include_done=1").json()["items"]
    confidences = [i["confidence"] for i in items]
    assert confidences == sorted(confidences)
    assert items[0]["text"] == "？？？啥" and items[1]["text"] == MISREAD
    assert items[1]["ref"] == refs(env)[A]


def test_pages_and_permissions(env):
    trainer = signed_in(env["url"], "trainer1")
    for path in ("/workbench", "/workbench/inbox", "/workbench/training", f"/workbench/conversations/{refs(env)[A]}"):
        page = trainer.get(path)
        assert page.status == 200 and "训练工作台" in page.body, path
    assert Browser(env["url"]).get("/workbench").status == 302
    meta = trainer.get("/api/workbench/meta").json()
    assert meta["masked"] is True and meta["can"] == {"annotate": True, "train": True, "activate": False}
    assert "request_installment" in meta["intents"] and "id_last4" in meta["entities"]
    agent = signed_in(env["url"], "agent1")
    assert agent.get("/api/workbench/meta").json()["can"] == {"annotate": False, "train": False, "activate": False}
    event = user_event_id(env, C, "在吗")
    assert agent.post(f"/api/workbench/messages/{event}/annotation",
                      {"intent": "greet", "version": 0}).status == 403
    assert agent.post("/api/workbench/export").status == 403
    assert trainer.post("/api/workbench/runs/1/activate").status == 403
    # CSRF applies to the workbench like everywhere in the console
    assert trainer.post(f"/api/workbench/messages/{event}/annotation", {"intent": "greet", "version": 0},
                        csrf=False).status == 403


# --- annotate ----------------------------------------------------------------------


def test_annotation_with_a_stale_version_is_refused(env):
    event = user_event_id(env, A, MISREAD)
    t1, t2 = signed_in(env["url"], "trainer1"), signed_in(env["url"], "trainer2")
    first = t1.post(f"/api/workbench/messages/{event}/annotation",
                    {"status": "labelled", "intent": "request_installment", "version": 0})
    assert first.status == 200, first.body
    assert first.json()["version"] == 1
    # the second trainer still has the page from before: based on "no annotation"
    stale = t2.post(f"/api/workbench/messages/{event}/annotation",
                    {"status": "labelled", "intent": "promise_to_pay", "version": 0})
    assert stale.status == 409 and "版本" in stale.json()["error"]
    # after reloading they change it on version 1
    second = t2.post(f"/api/workbench/messages/{event}/annotation",
                     {"status": "labelled", "intent": "promise_to_pay", "version": 1})
    assert second.status == 200 and second.json()["version"] == 2
    # now the first trainer's version 1 is stale
    late = t1.post(f"/api/workbench/messages/{event}/annotation",
                   {"status": "labelled", "intent": "request_deferral", "version": 1})
    assert late.status == 409
    # the second trainer settles it back on version 2
    final = t2.post(f"/api/workbench/messages/{event}/annotation",
                    {"status": "labelled", "intent": "request_installment", "version": 2})
    assert final.status == 200 and final.json()["version"] == 3

    from bot.db.session import session_scope
    from console.training.models import MessageAnnotation
    from sqlalchemy import select

    with session_scope(env["db"]) as s:
        row = s.execute(select(MessageAnnotation).where(MessageAnnotation.event_id == event)).scalar_one()
        assert (row.intent, row.version, row.status, row.text) == ("request_installment", 3, "labelled", MISREAD)
        assert row.predicted_intent == "ask_balance" and row.predicted_confidence == pytest.approx(0.31)
    logged = [e for e in audit(env, "annotate_message") if e["detail"]["event_id"] == event]
    assert [(e["username"], e["detail"]["intent"], e["detail"]["version"]) for e in reversed(logged)] == [
        ("trainer1", "request_installment", 1), ("trainer2", "promise_to_pay", 2),
        ("trainer2", "request_installment", 3)]
    # the conversation view shows the annotation and its version
    detail = t1.get(f"/api/workbench/conversations/{refs(env)[A]}").json()
    shown = next(t for t in detail["turns"] if t.get("event_id") == event)
    assert shown["annotation"]["intent"] == "request_installment" and shown["annotation"]["version"] == 3


def test_annotation_validates_intent_and_entity_spans(env):
    event = user_event_id(env, A, "身份证后四位是3521")
    t = signed_in(env["url"], "trainer1")
    path = f"/api/workbench/messages/{event}/annotation"
    assert t.post(path, {"intent": "no_such_intent", "version": 0}).status == 400
    assert t.post(path, {"intent": "inform_identity", "version": 0,
                         "entities": [{"start": 7, "end": 11, "entity": "account_number"}]}).status == 400
    assert t.post(path, {"intent": "inform_identity", "version": 0,
                         "entities": [{"start": 7, "end": 40, "entity": "id_last4"}]}).status == 400
    assert t.post(path, {"intent": "inform_identity", "version": 0,
                         "entities": [{"start": 5, "end": 9, "entity": "id_last4"},
                                      {"start": 8, "end": 11, "entity": "id_last4"}]}).status == 400
    assert t.post(path, {"intent": "inform_identity"}).status == 400  # no version
    ok = t.post(path, {"intent": "inform_identity", "version": 0,
                       "entities": [{"start": 7, "end": 11, "entity": "id_last4"}]})
    assert ok.status == 200, ok.body
    # stored masked, whoever labels it: the digits never reach the annotation table
    assert ok.json()["text"] == "身份证后四位是****"
    assert ok.json()["entities"] == [{"start": 7, "end": 11, "entity": "id_last4", "value": "****"}]


def test_ignore_a_message(env):
    event = user_event_id(env, B, "？？？啥")
    t = signed_in(env["url"], "trainer1")
    answer = t.post(f"/api/workbench/messages/{event}/annotation", {"status": "ignored", "version": 0})
    assert answer.status == 200 and answer.json()["status"] == "ignored" and answer.json()["intent"] is None
    inbox = t.get("/api/workbench/inbox").json()["items"]
    assert event not in [i["event_id"] for i in inbox]  # done: out of the inbox
    assert t.get("/api/workbench/inbox?include_done=1").json()["items"][0]["annotation"]["status"] == "ignored"


def test_tags_notes_and_reviewed(env):
    r = refs(env)
    t1, t2 = signed_in(env["url"], "trainer1"), signed_in(env["url"], "trainer2")
    base = f"/api/workbench/conversations/{r[B]}"
    assert t1.post(base + "/tags", {"tag": "应转人工"}).json()["tags"] == ["应转人工"]
    assert t2.post(base + "/tags", {"tag": "回复错误"}).json()["tags"] == ["应转人工", "回复错误"]
    assert t2.post(base + "/tags", {"tag": "应转人工"}).json()["tags"] == ["应转人工", "回复错误"]  # no duplicate
    assert t1.post(base + "/tags", {"tag": "回复错误", "remove": True}).json()["tags"] == ["应转人工"]
    assert t1.post(base + "/tags", {"tag": ""}).status == 400
    note = t1.post(base + "/notes", {"text": "客户王芳留了号码13700000002，应该更早转人工"})
    assert note.status == 200
    assert note.json()["text"] == "客户**留了号码***********，应该更早转人工"
    assert t1.post(base + "/reviewed", {"reviewed": True, "version": 0}).json() == {"reviewed": True, "version": 1}
    assert t2.post(base + "/reviewed", {"reviewed": False, "version": 0}).status == 409
    b = signed_in(env["url"], "trainer1")
    assert listed(b, tag="应转人工") == {r[B]}
    assert listed(b, tag="回复错误") == set()
    assert listed(b, reviewed="1") == {r[B]}
    assert r[B] not in listed(b, reviewed="0")
    detail = b.get(base).json()
    assert detail["tags"] == ["应转人工"] and detail["reviewed"] and detail["review_version"] == 1
    assert [n["text"] for n in detail["notes"]] == ["客户**留了号码***********，应该更早转人工"]
    assert {e["detail"]["tag"] for e in audit(env, "tag_conversation")} >= {"应转人工", "回复错误"}
    assert audit(env, "untag_conversation") and audit(env, "review_note") and audit(env, "review_conversation")


# --- close the loop: export and test stories ------------------------------------------


def rasa_validate(data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("rasa")), "data", "validate", "--data", str(data_dir), "--domain",
         str(REPO / "domain.yml"), "--config", str(REPO / "config.yml"), "--fail-on-warnings"],
        cwd=REPO, capture_output=True, text=True, timeout=300, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )


def test_export_writes_valid_deduplicated_masked_training_data(env):
    t = signed_in(env["url"], "trainer1")
    # an example that is already in the training data with the same intent → duplicate
    hello = user_event_id(env, C, "在吗")
    assert t.post(f"/api/workbench/messages/{hello}/annotation", {"intent": "greet", "version": 0}).status == 200
    # the same text as training data under another intent → conflict
    ok = user_event_id(env, C, "好的")
    assert t.post(f"/api/workbench/messages/{ok}/annotation", {"intent": "thank", "version": 0}).status == 200
    # accept the prediction of the identity message keeps its (masked) entity
    ident = user_event_id(env, A, "身份证后四位是3521")
    current = t.get(f"/api/workbench/conversations/{refs(env)[A]}").json()
    version = next(x for x in current["turns"] if x.get("event_id") == ident)["annotation"]
    assert t.post(f"/api/workbench/messages/{ident}/annotation",
                  {"intent": "inform_identity", "version": version["version"] if version else 0}).status == 200
    # a message with a personal name and phone, labelled with an amount entity
    intro = user_event_id(env, A, "是我，我叫李明华 手机13700000001")
    assert t.post(f"/api/workbench/messages/{intro}/annotation",
                  {"intent": "affirm", "version": 0, "entities": []}).status == 200

    preview = t.get("/api/workbench/export").json()
    answer = t.post("/api/workbench/export")
    assert answer.status == 200, answer.body
    report = answer.json()
    assert preview["content"] == report["content"]
    exported = Path(report["file"])
    assert exported == env["data"] / "nlu" / "annotated.yml"
    content = exported.read_text(encoding="utf-8")
    assert content == report["content"]
    for secret in ("李明华", "13700000001", "3521"):
        assert secret not in content
    data = yaml.safe_load(content)
    examples = {block["intent"]: [line[2:] for line in block["examples"].splitlines()] for block in data["nlu"]}
    assert examples["request_installment"] == [MISREAD]
    assert examples["inform_identity"] == ["身份证后四位是[****](id_last4)"]
    assert examples["affirm"] == ["是我，我叫*** 手机***********"]
    assert "greet" not in examples and "thank" not in examples
    assert {"text": "在吗", "intent": "greet"} in report["duplicates"]
    conflict = next(c for c in report["conflicts"] if c["text"] == "好的")
    assert conflict["source"] == "training_data" and "thank" in conflict["intents"] and "affirm" in conflict["intents"]
    assert report["exported"] == 3
    assert audit(env, "export_annotations")[0]["detail"]["exported"] == 3

    # exporting again gives the same file
    assert t.post("/api/workbench/export").json()["content"] == content

    validated = rasa_validate(env["data"])
    assert validated.returncode == 0, validated.stdout[-3000:] + validated.stderr[-3000:]


def test_reviewed_conversation_becomes_a_test_story(env):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    r = refs(env)
    t = signed_in(env["url"], "trainer1")
    base = f"/api/workbench/conversations/{r[A]}"
    assert t.post(base + "/story").status == 409  # not reviewed yet
    event = user_event_id(env, A, MISREAD)
    detail = t.get(base).json()
    if not next(x for x in detail["turns"] if x.get("event_id") == event)["annotation"]:
        assert t.post(f"/api/workbench/messages/{event}/annotation",
                      {"intent": "request_installment", "version": 0}).status == 200
    assert t.post(base + "/reviewed", {"reviewed": True, "version": detail["review_version"]}).status == 200
    answer = t.post(base + "/story")
    assert answer.status == 200, answer.body
    path = Path(answer.json()["file"])
    assert path.parent == env["workdir"] / "stories" and path.name.startswith("test_") and path.suffix == ".yml"
    content = path.read_text(encoding="utf-8")
    assert "3521" not in content and "李明华" not in content
    steps = yaml.safe_load(content)["stories"][0]["steps"]
    intents = [s["intent"] for s in steps if "intent" in s]
    assert intents == ["greet", "affirm", "inform_identity", "request_installment"]  # the corrected intent
    assert {"id_last4": "****"} in next(s for s in steps if s.get("intent") == "inform_identity")["entities"]
    assert {"action": "action_state_balance"} in steps and {"active_loop": "verify_form"} in steps
    assert {"slot_was_set": [{"verified": True}]} in steps
    # Rasa reads it as a story with these events
    domain = Domain.load(str(REPO / "domain.yml"))
    steps_read = YAMLStoryReader(domain).read_from_file(str(path))
    events = steps_read[0].events
    assert [e.intent_name for e in events if isinstance(e, UserUttered)] == intents
    assert "action_verification_result" in [e.action_name for e in events if isinstance(e, ActionExecuted)]


# --- activation gate --------------------------------------------------------------


def _report(not_worse: bool, reasons=()):
    side = {"intent_macro_f1": 0.9, "entity_f1": 0.9, "accuracy": 0.9}
    return json.dumps({"comparison": {"not_worse": not_worse, "worse_reasons": list(reasons),
                                      "intent_macro_f1": {"current": 0.9, "candidate": 0.9, "delta": 0.0},
                                      "entity_f1": {"current": 0.9, "candidate": 0.9, "delta": 0.0},
                                      "accuracy": {"current": 0.9, "candidate": 0.9},
                                      "per_intent": [], "worse_confusions": [], "better_confusions": []},
                       "current": side, "candidate": side})


def _finished_run(env, name, not_worse, reasons=()):
    from bot.db.session import session_scope
    from console.models import ConsoleUser
    from console.training.models import TrainingRun
    from sqlalchemy import select

    model = env["workdir"] / "candidates" / f"{name}.tar.gz"
    model.parent.mkdir(exist_ok=True)
    model.write_bytes(name.encode())
    current = sorted(env["models"].glob("*.tar.gz"))[-1]
    with session_scope(env["db"]) as s:
        trainer = s.execute(select(ConsoleUser.id).where(ConsoleUser.username == "trainer1")).scalar_one()
        run = TrainingRun(status="succeeded", progress="已完成", user_id=trainer, out_dir=str(model.parent),
                          model_path=str(model), current_model_path=str(current),
                          report=_report(not_worse, reasons))
        s.add(run)
        s.flush()
        return run.id, str(model), str(current)


def test_activation_only_by_supervisors_only_when_not_worse_with_one_step_back(env):
    fake = env["fake"]
    boss, trainer = signed_in(env["url"], "boss"), signed_in(env["url"], "trainer1")
    worse_id, _, _ = _finished_run(env, "worse", False, ["意图宏平均F1下降 -0.0200"])
    refused = boss.post(f"/api/workbench/runs/{worse_id}/activate")
    assert refused.status == 409 and "意图宏平均F1下降" in refused.json()["error"]
    assert fake.loaded == []

    good_id, good_model, current = _finished_run(env, "good", True)
    assert trainer.post(f"/api/workbench/runs/{good_id}/activate").status == 403
    answer = boss.post(f"/api/workbench/runs/{good_id}/activate")
    assert answer.status == 200, answer.body
    assert fake.loaded == [good_model]
    assert fake.requests[-1] == {"method": "PUT", "path": "/model", "body": {"model_file": good_model},
                                 "authorised": True}
    state = answer.json()
    assert state["current"] == "good.tar.gz" and state["can_roll_back"] and state["previous"] == Path(current).name

    back = boss.post("/api/workbench/models/rollback")
    assert back.status == 200, back.body
    assert fake.loaded == [good_model, current]
    assert back.json()["current"] == Path(current).name and not back.json()["can_roll_back"]
    assert boss.post("/api/workbench/models/rollback").status == 409  # one step only
    # a candidate evaluated against a model that is no longer current must be re-evaluated
    old_id, _, _ = _finished_run(env, "old", True)
    from bot.db.session import session_scope
    from console.training.models import TrainingRun

    with session_scope(env["db"]) as s:
        s.get(TrainingRun, old_id).current_model_path = "/elsewhere/model.tar.gz"
    assert boss.post(f"/api/workbench/runs/{old_id}/activate").status == 409
    assert [e["action"] for e in audit(env, "activate_model")] == ["activate_model"]
    assert [e["action"] for e in audit(env, "rollback_model")] == ["rollback_model"]
    runs = trainer.get("/api/workbench/runs").json()
    assert {r["id"] for r in runs["runs"]} >= {worse_id, good_id}
    assert next(r for r in runs["runs"] if r["id"] == worse_id)["not_worse"] is False
