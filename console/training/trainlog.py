"""The training log as a trainer reads it, and how far a run has got.

``rasa train`` writes for a terminal: colour codes, and Python warnings in
English from the libraries under it (deprecations, "slot auto-fill has been
removed" …) that a trainer can do nothing about. The log file keeps what
Rasa wrote; what the workbench shows is ``readable(log)``: no escape codes,
no warnings (with their indented continuation lines and the
``warnings.warn(`` source line Python prints after them).

``percent`` estimates a run's progress for the progress bar from its status
and the components finished so far (Rasa logs one "Finished training
component" or "Restored component" per trained graph node; the total is the
pipeline plus the policies of the config the run trains with).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import List, Optional

import yaml

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
# "…/site-packages/x.py:12: DeprecationWarning: …", "UserWarning: …"
_WARNING = re.compile(r"\b[A-Z][A-Za-z]*Warning\b:|^\s*warnings\.warn\(|\bis deprecated\b|\bdeprecated and will\b",
                      re.IGNORECASE)
_DONE = ("Finished training component", "Restored component")

# Where each phase starts and ends on the bar (percent).
TRAINING_FROM, TRAINING_TO = 5, 80
EVALUATING_CURRENT, EVALUATING_CANDIDATE = 85, 92


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text or "").replace("\r", "")


def readable(log: str) -> str:
    """The log without colour codes and without Python warnings."""
    out: List[str] = []
    in_warning = False
    for line in strip_ansi(log).split("\n"):
        if _WARNING.search(line):
            in_warning = True
            continue
        # A warning's message goes on in indented lines (and the source line).
        if in_warning and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        in_warning = False
        out.append(line)
    return "\n".join(out)


def components_done(log: str) -> int:
    return sum(1 for line in (log or "").splitlines() if any(mark in line for mark in _DONE))


def components_total(config: Path) -> int:
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return 0
    return len(data.get("pipeline") or []) + len(data.get("policies") or [])


def percent(status: str, progress: str, log: Optional[str], total: int) -> int:
    """0–100 for the progress bar."""
    if status == "succeeded":
        return 100
    if status == "queued":
        return 0
    if status == "evaluating":
        return EVALUATING_CANDIDATE if "候选" in (progress or "") else EVALUATING_CURRENT
    done = components_done(log or "")
    share = min(done / total, 1.0) if total else 0.0
    return int(TRAINING_FROM + (TRAINING_TO - TRAINING_FROM) * share)
