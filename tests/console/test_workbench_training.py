"""The whole loop with real Rasa: annotate → export → train a candidate
(``rasa train`` in the background) → evaluate candidate and current model on
the held-out set → a supervisor activates it on a running Rasa server
(``rasa run --enable-api --auth-token``, ``PUT /model``) → one step back.

The small data change: a held-out example the current model gets wrong is
found first; five paraphrases of it (never the test text itself: the export
refuses held-out examples) are labelled with the right intent from real
conversations. The candidate's report must differ exactly there.

Slow (a training run and two Rasa model loads): e2e stage. Uses the newest
model of bot/models read-only as the current model; trains only into a
temporary directory.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.console.support import REPO, Browser, free_port, running_console
from tests.console.workbench_support import (
    NOW,
    account_database,
    action,
    copy_training_data,
    ts,
    user,
    write_tracker_store,
)

pytestmark = pytest.mark.e2e

MODEL_DIR = REPO / os.environ.get("COLLECTBOT_E2E_MODEL", "bot/models")
TOKEN = "workbench-e2e-rasa-token-0123456789"
PARAPHRASES = ("嗯，{}", "{}啊", "那个{}", "{}。", "就是{}")


def rasa_get(base: str, path: str) -> dict:
    with urllib.request.urlopen(f"{base}{path}?token={TOKEN}", timeout=30) as r:
        return json.loads(r.read().decode("utf-8"))


def rasa_parse(base: str, text: str) -> dict:
    req = urllib.request.Request(f"{base}/model/parse?token={TOKEN}", data=json.dumps({"text": text}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read().decode("utf-8"))


@pytest.fixture(scope="module")
def current_model():
    models = sorted(MODEL_DIR.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        pytest.fail(f"no trained model in {MODEL_DIR} (make train)", pytrace=False)
    return models[-1]


@pytest.fixture(scope="module")
def rasa_server(tmp_path_factory, current_model):
    workdir = tmp_path_factory.mktemp("workbench-rasa")
    (workdir / "endpoints.yml").write_text("# in-memory tracker store, no action server\n", encoding="utf-8")
    (workdir / "credentials.yml").write_text("rest:\n", encoding="utf-8")
    port = free_port()
    log = open(workdir / "rasa.log", "w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("rasa")), "run", "--enable-api", "--auth-token", TOKEN, "--model",
         str(current_model), "--port", str(port), "--endpoints", str(workdir / "endpoints.yml"), "--credentials",
         str(workdir / "credentials.yml")],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError("rasa run exited:\n" + (workdir / "rasa.log").read_text()[-3000:])
            try:
                if rasa_get(base, "/status").get("model_file"):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("rasa run did not come up:\n" + (workdir / "rasa.log").read_text()[-3000:])
            time.sleep(1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def target(current_model):
    """A held-out example the current model misreads."""
    from console.training import worker

    report = worker.evaluate_model(current_model, REPO / "tests" / "nlu")
    errors = [e for e in report["errors"] if e["predicted"] not in (None, "nlu_fallback")] or report["errors"]
    if not errors:
        pytest.skip("the current model gets every held-out example right: nothing to correct")
    return {**errors[0], "current_report": report}


def test_train_evaluate_activate_and_roll_back(tmp_path, current_model, rasa_server, target):
    workdir = tmp_path
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "COLLECTBOT_NOW")}
    db_url = account_database(workdir)
    os.environ["DATABASE_URL"] = db_url
    os.environ["COLLECTBOT_NOW"] = NOW
    tracker_url = f"sqlite:///{workdir / 'tracker.db'}"
    texts = [p.format(target["text"]) for p in PARAPHRASES]
    events = []
    for i, text in enumerate(texts):
        events += [user(text, target["predicted"], 0.4, ts("2026-11-24", "11:00", i * 2)),
                   action("action_listen", ts("2026-11-24", "11:00", i * 2 + 1))]
    write_tracker_store(tracker_url, {"webchat-train-1": events})
    data = copy_training_data(workdir)
    env = {"DATABASE_URL": db_url, "COLLECTBOT_NOW": NOW, "RASA_URL": rasa_server, "RASA_API_TOKEN": TOKEN,
           "TRACKER_STORE_URL": tracker_url, "WORKBENCH_DATA_DIR": str(data),
           "WORKBENCH_STORIES_DIR": str(workdir / "stories"), "WORKBENCH_MODELS_DIR": str(MODEL_DIR),
           "WORKBENCH_CANDIDATES_DIR": str(workdir / "candidates")}
    try:
        with running_console(workdir, env) as url:
            trainer, boss = Browser(url), Browser(url)
            assert trainer.login("trainer1").status == 302 and boss.login("boss").status == 302

            # label the paraphrases with the right intent and export them
            inbox = trainer.get("/api/workbench/inbox").json()["items"]
            assert sorted(i["text"] for i in inbox) == sorted(texts)
            for item in inbox:
                saved_label = trainer.post(f"/api/workbench/messages/{item['event_id']}/annotation",
                                           {"intent": target["expected"], "version": 0})
                assert saved_label.status == 200, saved_label.body
            exported = trainer.post("/api/workbench/export").json()
            assert exported["exported"] == len(texts), exported

            # train in the background, progress visible while it runs
            started = trainer.post("/api/workbench/runs")
            assert started.status == 200, started.body
            run_id = started.json()["id"]
            assert started.json()["current_model"] == current_model.name
            assert trainer.post("/api/workbench/runs").status == 409  # one at a time
            seen = set()
            deadline = time.monotonic() + 900
            while True:
                run = trainer.get(f"/api/workbench/runs/{run_id}").json()
                seen.add((run["status"], run["progress"].split("：")[0]))
                if run["status"] in ("succeeded", "failed"):
                    break
                assert time.monotonic() < deadline, run
                time.sleep(0.5)
            assert run["status"] == "succeeded", (run.get("error"), run.get("log_tail"))
            assert ("training", "训练中") in seen and ("evaluating", "评估中") in seen
            assert "Your Rasa model is trained" in run["log_tail"]
            candidate_file = workdir / "candidates" / str(run_id) / "models" / f"candidate-{run_id}.tar.gz"
            assert candidate_file.is_file()
            assert not any(p.name.startswith("candidate-") for p in MODEL_DIR.iterdir())

            # the report: current model as evaluated independently, candidate differs where the data changed
            report = run["report"]
            current = target["current_report"]
            assert report["current"]["intent_macro_f1"] == pytest.approx(current["intent_macro_f1"])
            assert report["current"]["examples"] == current["examples"] == report["candidate"]["examples"]
            assert target["text"] in [e["text"] for e in report["current"]["errors"]]
            assert target["text"] not in [e["text"] for e in report["candidate"]["errors"]]
            row = next(r for r in report["comparison"]["per_intent"] if r["intent"] == target["expected"])
            assert row["candidate"]["recall"] > row["current"]["recall"]
            pair = (target["expected"], target["predicted"])
            before = {(c["expected"], c["predicted"]): c["count"] for c in report["current"]["confusions"]}
            after = {(c["expected"], c["predicted"]): c["count"] for c in report["candidate"]["confusions"]}
            assert after.get(pair, 0) < before[pair]
            comparison = report["comparison"]
            assert comparison["not_worse"] == (comparison["intent_macro_f1"]["delta"] >= -1e-9
                                               and comparison["entity_f1"]["delta"] >= -1e-9)

            # activation: trainers may not; a supervisor may when it is not worse
            assert trainer.post(f"/api/workbench/runs/{run_id}/activate").status == 403
            activated = boss.post(f"/api/workbench/runs/{run_id}/activate")
            status_after = rasa_get(rasa_server, "/status")
            if not comparison["not_worse"]:
                assert activated.status == 409
                assert Path(status_after["model_file"]).name == current_model.name
                return
            assert activated.status == 200, activated.body
            assert Path(status_after["model_file"]).name == candidate_file.name
            assert rasa_parse(rasa_server, target["text"])["intent"]["name"] == target["expected"]

            # one step back
            back = boss.post("/api/workbench/models/rollback")
            assert back.status == 200, back.body
            assert Path(rasa_get(rasa_server, "/status")["model_file"]).name == current_model.name
            assert rasa_parse(rasa_server, target["text"])["intent"]["name"] == target["predicted"]
            assert boss.post("/api/workbench/models/rollback").status == 409
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
