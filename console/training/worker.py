"""``python -m console.training.worker RUN_ID``: train a candidate model and
evaluate it next to the current one, writing progress to ``training_runs``.

Started by the console (console/training/runs.py) in its own session; the
database is the one of ``DATABASE_URL``, the paths those of the workbench
settings. Training: ``rasa train`` (the same command as the Makefile, into
the run's directory, never into bot/models); output in ``train.log``.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import console.models  # noqa: F401  (the console's tables: training_runs refers to console_users)
from bot import clock
from bot.db.session import session_scope
from console.training import evaluate, trainlog
from console.training.models import TrainingRun
from bot.settings import REPO_ROOT, WorkbenchSettings

logger = logging.getLogger("console.training.worker")
# Lines of Rasa's training log worth showing as progress.
MILESTONES = (
    ("Starting to train component", "训练组件"),
    ("Finished training component", "组件训练完成"),
    ("Restored component", "使用缓存组件"),
    ("Your Rasa model is trained", "模型训练完成"),
    ("Training NLU model", "训练NLU模型"),
    ("Training Core model", "训练对话模型"),
)


def _update(run_id: int, **values: Any) -> None:
    with session_scope() as s:
        run = s.get(TrainingRun, run_id)
        for key, value in values.items():
            setattr(run, key, value)


def _progress_of(line: str) -> Optional[str]:
    for needle, label in MILESTONES:
        if needle in line:
            detail = line.split(needle, 1)[1].strip(" .:'\"")[:80]
            return f"{label} {detail}".strip()
    return None


def train(run_id: int, cfg: WorkbenchSettings, out_dir: Path) -> Path:
    rasa = Path(sys.executable).with_name("rasa")
    cmd = [str(rasa), "train", "--data", str(cfg.data_dir), "--domain", str(cfg.domain), "--config",
           str(cfg.config), "--out", str(out_dir / "models"), "--fixed-model-name", f"candidate-{run_id}"]
    log_path = out_dir / "train.log"
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    with open(log_path, "w", encoding="utf-8") as log:
        log.write("$ " + " ".join(cmd) + "\n")
        log.flush()
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, encoding="utf-8", errors="replace")
        assert proc.stdout is not None
        last_update = 0.0
        for line in proc.stdout:
            log.write(line)
            log.flush()
            progress = _progress_of(trainlog.strip_ansi(line))
            if progress and time.monotonic() - last_update > 1:
                _update(run_id, progress=f"训练中：{progress}"[:255])
                last_update = time.monotonic()
        code = proc.wait()
    if code != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-1500:]
        raise RuntimeError(f"rasa train 失败（退出码 {code}）：\n{tail}")
    models = sorted((out_dir / "models").glob("*.tar.gz"))
    if not models:
        raise RuntimeError("rasa train 没有生成模型文件。")
    return models[-1]


def run(run_id: int) -> int:
    cfg = WorkbenchSettings.from_env()
    with session_scope() as s:
        row = s.get(TrainingRun, run_id)
        if row is None:
            print(f"no training run {run_id}", file=sys.stderr)
            return 2
        out_dir, current = Path(row.out_dir), Path(row.current_model_path)
    try:
        _update(run_id, status="training", progress="训练中：准备训练数据", pid=os.getpid())
        model = train(run_id, cfg, out_dir)
        _update(run_id, status="evaluating", progress="评估中：当前模型", model_path=str(model))
        current_report = evaluate_model(current, cfg.test_nlu)
        _update(run_id, progress="评估中：候选模型")
        candidate_report = evaluate_model(model, cfg.test_nlu)
        report: Dict[str, Any] = {
            "test_set": str(cfg.test_nlu),
            "current": current_report,
            "candidate": candidate_report,
            "comparison": evaluate.compare(current_report, candidate_report),
        }
        (out_dir / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        _update(run_id, status="succeeded", progress="已完成", report=json.dumps(report, ensure_ascii=False),
                finished_at=clock.now())
        return 0
    except Exception as exc:  # the run must end in a visible state, whatever failed
        logger.exception("training run %s failed", run_id)
        _update(run_id, status="failed", progress="失败", error=str(exc)[-4000:], finished_at=clock.now())
        return 1


# --------------------------------------------------------------------------
# Evaluation with Rasa (console/training/evaluate.py scores the results)
# --------------------------------------------------------------------------


def load_test_examples(test_nlu: Path) -> List[Dict[str, Any]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(test_nlu))
    out = []
    for m in data.intent_examples:
        out.append({
            "text": m.get("text"),
            "intent": m.get("intent"),
            "entities": [[e["start"], e["end"], e["entity"]] for e in m.get("entities") or []],
        })
    return out


async def _predict(model_path: Path, examples: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path))
    results = []
    for ex in examples:
        parsed = await agent.parse_message(ex["text"])
        intent = parsed.get("intent") or {}
        results.append({
            "text": ex["text"],
            "expected": ex["intent"],
            "predicted": intent.get("name"),
            "confidence": intent.get("confidence"),
            "expected_entities": ex["entities"],
            "predicted_entities": [[e["start"], e["end"], e["entity"]] for e in parsed.get("entities") or []
                                   if "start" in e and "end" in e],
        })
    return results


def evaluate_model(model_path: Path, test_nlu: Path) -> Dict[str, Any]:
    examples = load_test_examples(test_nlu)
    results = asyncio.run(_predict(model_path, examples))
    report = evaluate.score(results)
    report["model"] = str(model_path)
    return report


def main(argv: Optional[list] = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not args[0].isdigit():
        print("usage: python -m console.training.worker RUN_ID", file=sys.stderr)
        return 2
    return run(int(args[0]))


if __name__ == "__main__":
    sys.exit(main())
