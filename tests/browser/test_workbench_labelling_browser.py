"""The workbench's labelling aids in headless Chromium (issue 12): a trainer
sees identical messages as one item (×3) and labels all three with one key,
never sees a masked verification answer, reads each intent's score and
Chinese description, marks entities with Shift+1/Shift+2, is asked before j
drops an unsaved entity, and adds a labelled message to the test set.
Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import os

import pytest
import yaml

from tests.browser.pages import select_text, shot, sign_in
from tests.console.workbench_support import action, active_loop, running_workbench, slot, ts, user

pytestmark = pytest.mark.e2e

WAIT_MS = 30_000
HELLO = "你好呀在不在"
PROMISE = "我下周五还两千"
SENDERS = ("+8613700000001", "+8613700000002", "webchat-1a2b")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("browser-workbench-labelling")
    day = "2026-11-24"
    first = [
        user(PROMISE, "promise_to_pay", 0.2, ts(day, "09:00", 0),
             ranking=[("promise_to_pay", 0.2), ("request_deferral", 0.18), ("ask_balance", 0.1)]),
        action("verify_form", ts(day, "09:00", 1)),
        active_loop("verify_form", ts(day, "09:00", 1)),
        slot("requested_slot", "id_last4", ts(day, "09:00", 1)),
        action("action_listen", ts(day, "09:00", 2)),
        user("3521", "inform_identity", 0.05, ts(day, "09:01", 0)),
        action("action_listen", ts(day, "09:01", 1)),
    ]
    conversations = {sender: [] for sender in SENDERS}
    conversations[SENDERS[0]] = first
    for n, sender in enumerate(SENDERS):
        conversations[sender] = conversations[sender] + [
            user(HELLO, "greet", 0.4 + n / 100, ts(day, "10:00", n),
                 ranking=[("greet", 0.4 + n / 100), ("ask_is_bot", 0.2)]),
            action("action_listen", ts(day, "10:00", n + 10)),
        ]
    with running_workbench(workdir, conversations, test_set=True) as world:
        yield world


def labels(world):
    from bot.db.session import session_scope
    from console.training import tracker

    with session_scope(world["db"]) as s:
        ids = [e.id for e in tracker.user_events(world["tracker"])]
        return sorted((a.text, a.intent, a.entities) for a in tracker.annotations_by_event(s, ids).values())


def test_trainer_labels_faster_with_groups_hotkeys_and_the_test_set(chromium, world):
    errors, dialogs = [], []
    answer = {"accept": False}
    context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.accept() if answer["accept"] else dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        page.goto(world["url"] + "/workbench/inbox")
        sign_in(page, "trainer1", "/workbench/inbox")
        items = page.locator("#inbox-list li.inbox-item")
        items.first.wait_for(timeout=WAIT_MS)
        texts = [t.strip() for t in page.locator("#inbox-list li .text").all_inner_texts()]
        assert texts == [PROMISE, HELLO]  # three identical messages are one; "3521" (****) is not listed
        assert "×3" in items.nth(1).inner_text()

        # Scores and Chinese descriptions beside the intent choices.
        first = page.locator("ol.intent-choices button").first
        assert first.get_attribute("data-intent") == "promise_to_pay"
        assert "20.0%" in first.inner_text() and "承诺" in first.locator(".desc").inner_text()
        shot(page, "workbench-labelling-1-scores.png", full_page=True)

        # Entity hotkeys: Shift+1 amount, Shift+2 date.
        select_text(page, "两千")
        page.keyboard.press("Shift+Digit1")
        page.locator("#editor .chip.entity", has_text="两千 → amount").wait_for(timeout=WAIT_MS)
        select_text(page, "下周五")
        page.keyboard.press("Shift+Digit2")
        page.locator("#editor .chip.entity", has_text="下周五 → date").wait_for(timeout=WAIT_MS)
        assert page.locator("#editor .unsaved").is_visible()
        shot(page, "workbench-labelling-2-entity-hotkeys.png", full_page=True)

        # j with unsaved entities: asked; "cancel" keeps the message and its entities.
        page.keyboard.press("j")
        assert len(dialogs) == 1 and "没有保存" in dialogs[0]
        assert PROMISE in page.locator("#editor-text").inner_text()
        assert page.locator("#editor .chip.entity").count() == 2
        page.keyboard.press("a")  # saved with both entities; the inbox moves on
        page.locator("#editor-text", has_text=HELLO).wait_for(timeout=WAIT_MS)

        # Label all identical with one key.
        assert page.locator("#label-all").is_checked()
        page.keyboard.press("1")
        page.locator("#editor .editor-status", has_text="共 3 条相同消息").wait_for(timeout=WAIT_MS)
        shot(page, "workbench-labelling-3-label-all.png", full_page=True)
        saved = labels(world)
        assert sorted((t, i) for t, i, _ in saved) == sorted([(PROMISE, "promise_to_pay")] + [(HELLO, "greet")] * 3)
        promise = next(e for t, _, e in saved if t == PROMISE)
        assert [(x["entity"], x["value"]) for x in yaml.safe_load(promise)] == [("date", "下周五"), ("amount", "两千")]

        # Add the labelled promise to the test set ("t").
        items.nth(0).click()
        page.locator("#editor-text", has_text=PROMISE).wait_for(timeout=WAIT_MS)
        page.keyboard.press("t")
        page.locator("#editor .editor-status", has_text="已加入测试集").wait_for(timeout=WAIT_MS)
        written = (world["test_nlu"] / "test_nlu_workbench.yml").read_text(encoding="utf-8")
        assert "- 我[下周五](date)还[两千](amount)" in written
        shot(page, "workbench-labelling-4-test-set.png", full_page=True)

        # j with an unsaved entity, answered "leave": the entity is dropped.
        select_text(page, "我")
        page.keyboard.press("Shift+Digit4")  # months: a wrong entity the trainer abandons
        page.locator("#editor .chip.entity", has_text="我 → months").wait_for(timeout=WAIT_MS)
        answer["accept"] = True
        page.keyboard.press("j")
        page.locator("#editor-text", has_text=HELLO).wait_for(timeout=WAIT_MS)
        assert len(dialogs) == 2
        assert errors == []
    finally:
        context.close()


RAW_LOG = (
    "\x1b[92mTraining NLU model...\x1b[0m\n"
    "/venv/site-packages/rasa/shared/utils/io.py:99: UserWarning: Slot auto-fill has been removed in 3.0.\n"
    "  More info at https://rasa.com/docs/rasa/domain#slots\n"
    "\x1b[1mFinished training component 'JiebaTokenizer'.\x1b[0m\n"
    "Restored component 'CountVectorsFeaturizer' from cache.\n"
)


def test_training_page_shows_a_progress_bar_and_a_clean_log(chromium, world, tmp_path):
    from bot import clock
    from bot.db.session import session_scope
    from console.models import ConsoleUser
    from console.training.models import TrainingRun
    from sqlalchemy import select

    (tmp_path / "train.log").write_text(RAW_LOG, encoding="utf-8")
    with session_scope(world["db"]) as s:
        who = s.execute(select(ConsoleUser.id).where(ConsoleUser.username == "trainer1")).scalar_one()
        # A run in training whose worker is this (living) process.
        run = TrainingRun(status="training", progress="训练中：组件训练完成", user_id=who, out_dir=str(tmp_path),
                          pid=os.getpid(), current_model_path="x", created_at=clock.now())
        s.add(run)
        s.flush()
        run_id = run.id
    context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(world["url"] + "/workbench/training")
        sign_in(page, "trainer1", "/workbench/training")
        row = page.locator(f'#runs-body tr[data-run-id="{run_id}"]')
        row.wait_for(timeout=WAIT_MS)
        bar = row.locator("progress.run-progress")
        value = float(bar.get_attribute("value") or bar.evaluate("p => p.value"))
        assert 5 < value < 80 and "%" in row.inner_text()
        row.locator("button", has_text="查看报告").click()
        log = page.locator("#log-tail")
        log.filter(has_text="Finished training component").wait_for(timeout=WAIT_MS)
        text = log.inner_text()
        assert "Training NLU model..." in text and "[92m" not in text and "[1m" not in text
        assert "Warning" not in text and "More info" not in text
        shot(page, "workbench-labelling-5-training-progress.png", full_page=True)
    finally:
        context.close()
        with session_scope(world["db"]) as s:
            s.get(TrainingRun, run_id).status = "failed"
