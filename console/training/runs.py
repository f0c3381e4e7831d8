"""Candidate models: start a training run, follow it, activate or roll back.

A run is trained and evaluated by a separate process
(``python -m console.training.worker RUN_ID``, its own session so it
outlives a console restart) into ``<candidates dir>/<run id>/``; it writes
its progress and report to ``training_runs``. One run at a time (the
machine trains with every core).

The current model is the one last activated here, otherwise the newest
``*.tar.gz`` of the models directory (what ``rasa run --model bot/models``
loads). Activation replaces the model of the running Rasa server through
its authenticated HTTP API (``PUT /model`` with a local ``model_file``), and
only when the candidate's evaluation is not worse; a rollback puts back the
model that was there before the last activation (one step).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

from sqlalchemy.orm import Session

from bot import clock
from console import store
from console.models import ConsoleUser
from console.store import ConsoleError, UserView
from console.training import tracker, trainlog
from console.training.models import ModelActivation, TrainingRun
from bot.settings import REPO_ROOT, WorkbenchSettings

ACTIVE = ("queued", "training", "evaluating")
STATUS_LABELS = {"queued": "排队中", "training": "训练中", "evaluating": "评估中", "succeeded": "已完成",
                 "failed": "失败"}


def newest_model(models_dir: Path) -> Optional[Path]:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime) if models_dir.is_dir() else []
    return models[-1] if models else None


def current_model(s: Session, cfg: WorkbenchSettings) -> Optional[Path]:
    last = tracker.last_activation(s)
    if last is not None and Path(last.model_path).is_file():
        return Path(last.model_path)
    return newest_model(cfg.models_dir)


def _alive(pid: Optional[int]) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A finished child we started is a zombie until reaped: reap it.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def _reap_dead(s: Session) -> None:
    for run in tracker.runs_in(s, ACTIVE):
        if run.pid and not _alive(run.pid):
            run.status = "failed"
            run.error = (run.error or "") + "训练进程意外退出。"
            run.finished_at = clock.now()


def start_run(s: Session, cfg: WorkbenchSettings, user: UserView, remote_addr: Optional[str] = None) -> Dict[str, Any]:
    _reap_dead(s)
    busy = next((r.id for r in tracker.runs_in(s, ACTIVE)), None)
    if busy:
        raise ConsoleError(f"已有训练任务（#{busy}）在进行中，请等它结束。", 409)
    current = current_model(s, cfg)
    if current is None:
        raise ConsoleError("找不到当前模型，无法对比评估。", 409)
    run = TrainingRun(status="queued", progress="排队中", user_id=user.id, out_dir="", current_model_path=str(current),
                      created_at=clock.now())
    s.add(run)
    s.flush()
    out_dir = cfg.candidates_dir / str(run.id)
    out_dir.mkdir(parents=True, exist_ok=True)
    run.out_dir = str(out_dir)
    log = open(out_dir / "worker.log", "ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "console.training.worker", str(run.id)],
        cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    log.close()
    run.pid = proc.pid
    store.audit(s, user, "train_candidate", remote_addr=remote_addr,
                detail={"run_id": run.id, "current_model": str(current)})
    s.flush()
    return run_view(s, run, cfg=cfg)


def run_view(s: Session, run: TrainingRun, with_report: bool = False,
             cfg: Optional[WorkbenchSettings] = None) -> Dict[str, Any]:
    """A run for the page: status, progress in words and in percent (the
    bar), and with ``with_report`` the comparison and the readable log."""
    user = s.get(ConsoleUser, run.user_id)
    log_path = Path(run.out_dir) / "train.log" if run.out_dir else None
    # The log is read only while it matters: for the percent of a run in
    # training, and for the one run a trainer opened.
    log = None
    if log_path is not None and log_path.is_file() and (with_report or run.status == "training"):
        log = log_path.read_text(encoding="utf-8", errors="replace")
    total = trainlog.components_total((cfg or WorkbenchSettings.from_env()).config) if run.status == "training" else 0
    view = {
        "id": run.id,
        "status": run.status,
        "status_label": STATUS_LABELS.get(run.status, run.status),
        "progress": run.progress,
        "user": user.display_name if user else None,
        "created_at": run.created_at.isoformat() if run.created_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "model": Path(run.model_path).name if run.model_path else None,
        "current_model": Path(run.current_model_path).name if run.current_model_path else None,
        "error": trainlog.readable(run.error) if run.error else run.error,
        "percent": trainlog.percent(run.status, run.progress, log, total),
    }
    report = json.loads(run.report) if run.report else None
    if report:
        view["not_worse"] = report["comparison"]["not_worse"]
        view["summary"] = {k: report["comparison"][k] for k in ("intent_macro_f1", "entity_f1")}
    if with_report:
        view["report"] = report
        if log is not None:
            view["log_tail"] = trainlog.readable(log)[-3000:]
    return view


def list_runs(s: Session, limit: int = 20, cfg: Optional[WorkbenchSettings] = None) -> List[Dict[str, Any]]:
    _reap_dead(s)
    runs = tracker.recent_runs(s, limit)
    return [run_view(s, r, cfg=cfg) for r in runs]


def get_run(s: Session, run_id: int, cfg: Optional[WorkbenchSettings] = None) -> Dict[str, Any]:
    _reap_dead(s)
    run = s.get(TrainingRun, run_id)
    if run is None:
        raise ConsoleError("找不到该训练任务。", 404)
    return run_view(s, run, with_report=True, cfg=cfg)


def models_state(s: Session, cfg: WorkbenchSettings) -> Dict[str, Any]:
    last = tracker.last_activation(s)
    current = current_model(s, cfg)
    return {
        "current": current.name if current else None,
        "can_roll_back": bool(last is not None and last.kind == "activate" and last.previous_model_path
                              and Path(last.previous_model_path).is_file()),
        "previous": Path(last.previous_model_path).name if last is not None and last.previous_model_path else None,
        "history": [
            {"kind": a.kind, "model": Path(a.model_path).name, "run_id": a.run_id,
             "at": a.created_at.isoformat() if a.created_at else None}
            for a in tracker.recent_activations(s, 10)
        ],
    }


def check_activation(s: Session, cfg: WorkbenchSettings, run_id: int) -> Dict[str, Any]:
    """What activating run ``run_id`` would do, or a refusal."""
    run = s.get(TrainingRun, run_id)
    if run is None:
        raise ConsoleError("找不到该训练任务。", 404)
    if run.status != "succeeded" or not run.report or not run.model_path:
        raise ConsoleError("该候选模型尚未完成训练和评估。", 409)
    report = json.loads(run.report)
    if not report["comparison"]["not_worse"]:
        raise ConsoleError("候选模型比当前模型差，不能上线：" + "；".join(report["comparison"]["worse_reasons"]), 409)
    if not Path(run.model_path).is_file():
        raise ConsoleError("候选模型文件已不存在。", 409)
    current = current_model(s, cfg)
    if current is not None and str(current) != run.current_model_path:
        raise ConsoleError("当前模型在评估之后已更换，请重新训练并评估候选模型。", 409)
    return {"model_path": run.model_path, "previous": str(current) if current else None}


def record_activation(s: Session, user: UserView, kind: str, model_path: str, previous: Optional[str],
                      run_id: Optional[int], remote_addr: Optional[str] = None) -> None:
    s.add(ModelActivation(kind=kind, run_id=run_id, model_path=model_path, previous_model_path=previous,
                          user_id=user.id, created_at=clock.now()))
    store.audit(s, user, "activate_model" if kind == "activate" else "rollback_model", remote_addr=remote_addr,
                detail={"run_id": run_id, "model": model_path, "previous": previous})


def check_rollback(s: Session) -> Dict[str, Any]:
    last = tracker.last_activation(s)
    if last is None or last.kind != "activate" or not last.previous_model_path:
        raise ConsoleError("没有可以退回的上一个模型（只能退回一步）。", 409)
    if not Path(last.previous_model_path).is_file():
        raise ConsoleError("上一个模型的文件已不存在。", 409)
    return {"model_path": last.previous_model_path, "previous": last.model_path}
