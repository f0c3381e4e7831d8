"""Will this promise or plan be kept? A calibrated model learned from
outcomes, with the rule-based fallback until enough outcomes exist.

One row per promise or plan whose outcome is known (kept = 1; partially
kept or broken = 0): the features of bot/core/assessment.py on the evidence
as it stood when the promise was made (``Evidence.as_of`` the day after
booking, without the promise itself: what was said in that conversation
counts, what happened later does not), plus the promise's own terms (what
it asks against the minimum due and against the stated budget, its kind,
the stage).

The model is a logistic regression (scikit-learn; features log1p-scaled
and standardised) calibrated with Platt scaling by 3-fold cross-validation
(``CalibratedClassifierCV``), so that "0.7" means about 7 in 10 such
promises were kept. (A gradient-boosted ensemble gave the same AUC on the
simulated portfolios and trains several times slower.) Until ``MIN_OUTCOMES`` outcomes
with at least ``MIN_PER_CLASS`` of each class exist, ``train`` refuses and
callers keep using ``bot.core.assessment.rule_keep_probability``.
"""
from __future__ import annotations

import pickle
import threading
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from bot import settings
from bot.core import assessment as core
from bot.core.policy import stage_for

MIN_OUTCOMES = 200
MIN_PER_CLASS = 20
MODEL_VERSION = 1
STAGES = ("M0", "M1", "M2", "M3", "M3+")
KINDS = ("promise_to_pay", "installment", "hardship_plan", "deferral")
TERM_FEATURES = ("ask_to_minimum", "ask_to_budget", "ask_above_budget", "stage_rank") + tuple(
    f"kind_{k}" for k in KINDS
)
FEATURE_NAMES = core.FEATURE_NAMES + TERM_FEATURES
RESOLVED = (core.KEPT, core.PARTIAL, core.BROKEN)
MODEL_FILE_ENV = settings.ASSESSMENT_MODEL_ENV
REPO_ROOT = Path(__file__).resolve().parents[2]


def model_path() -> Path:
    """Where ``collectbot assessment retrain`` saves the model (never committed)."""
    return Path(settings.assessment_model_file() or REPO_ROOT / "var" / "assessment" / "keep_model.pkl")


@dataclass(frozen=True)
class Row:
    features: Tuple[float, ...]
    kept: int
    stage: str
    rule_probability: float
    account_id: str


def evidence_at_booking(ev: core.Evidence, promise: core.Promise) -> core.Evidence:
    before = ev.as_of(promise.booked_on + timedelta(days=1))
    return replace(before, promises=tuple(p for p in before.promises if p.id != promise.id))


def row_features(ev: core.Evidence, kind: str, amount, f: Optional[Dict[str, float]] = None) -> Tuple[float, ...]:
    f = f if f is not None else core.features(ev)
    minimum = max(float(ev.minimum_due), 1.0)
    ask = float(amount) if amount is not None else minimum
    budget = core.stated_budget(ev)
    stage = stage_for(ev.days_past_due)
    terms = (
        ask / minimum,
        (ask / max(float(budget), 1.0)) if budget is not None else 0.0,
        float(budget is not None and ask > float(budget)),
        float(STAGES.index(stage)),
    ) + tuple(float(kind == k) for k in KINDS)
    return tuple(f[name] for name in core.FEATURE_NAMES) + terms


def rows_from_evidence(evidences: Iterable[core.Evidence]) -> List[Row]:
    rows: List[Row] = []
    for ev in evidences:
        for p in ev.promises:
            if p.status not in RESOLVED:
                continue
            at = evidence_at_booking(ev, p)
            f = core.features(at)
            w, a = core.willingness(at, f), core.ability(at, f)
            rule = core.rule_keep_probability(core.Assessment(at.account_id, at.today, w, a, core.segment_of(w, a), f))
            rows.append(Row(row_features(at, p.kind, p.amount, f), int(p.status == core.KEPT),
                            stage_for(at.days_past_due), rule, ev.account_id))
    return rows


class NotEnoughOutcomes(ValueError):
    pass


class KeepModel:
    def __init__(self, estimator, n_train: int, trained_on: str):
        self.estimator = estimator
        self.n_train = n_train
        self.trained_on = trained_on
        self.version = MODEL_VERSION

    @classmethod
    def train(cls, rows: Sequence[Row], trained_on: str, seed: int = 0) -> "KeepModel":
        y = np.array([r.kept for r in rows])
        positives = int(y.sum())
        if len(rows) < MIN_OUTCOMES or min(positives, len(rows) - positives) < MIN_PER_CLASS:
            raise NotEnoughOutcomes(
                f"需要至少 {MIN_OUTCOMES} 条已知结果（履约与未履约各至少 {MIN_PER_CLASS} 条），"
                f"现有 {len(rows)} 条（履约 {positives} 条）"
            )
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import FunctionTransformer, StandardScaler

        # Every feature is a count or a non-negative ratio: log1p tames the
        # long tails (balances, ratios) before scaling.
        base = make_pipeline(FunctionTransformer(np.log1p), StandardScaler(),
                             LogisticRegression(C=1.0, max_iter=2000, random_state=seed))
        model = CalibratedClassifierCV(base, method="sigmoid", cv=3)
        model.fit(np.array([r.features for r in rows]), y)
        return cls(model, len(rows), trained_on)

    def predict(self, rows: Sequence[Row]) -> np.ndarray:
        return self.estimator.predict_proba(np.array([r.features for r in rows]))[:, 1]

    def predict_one(self, ev: core.Evidence, kind: str = "promise_to_pay", amount=None) -> float:
        """Chance that a new promise (by default of the minimum due) made
        today would be kept."""
        x = np.array([row_features(ev, kind, amount if amount is not None else ev.minimum_due)])
        return float(self.estimator.predict_proba(x)[0, 1])

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(self))
        tmp.replace(path)

    @staticmethod
    def load(path: Path) -> Optional["KeepModel"]:
        """The saved model, or None (no file, or another version): the
        caller then uses the rules. Only load files this program wrote:
        pickle runs code."""
        try:
            model = pickle.loads(Path(path).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        if not isinstance(model, KeepModel) or getattr(model, "version", None) != MODEL_VERSION:
            return None
        return model


# --------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------


def auc(y: Sequence[int], p: Sequence[float]) -> Optional[float]:
    y = list(y)
    if len(set(y)) < 2:
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, list(p)))


def calibration_table(y: Sequence[int], p: Sequence[float], bins: int = 10) -> List[Dict[str, float]]:
    """Equal-width bins of predicted probability: count, mean predicted,
    observed kept rate."""
    table = []
    y_arr, p_arr = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    for i in range(bins):
        lo, hi = i / bins, (i + 1) / bins
        mask = (p_arr >= lo) & ((p_arr < hi) if i < bins - 1 else (p_arr <= hi))
        n = int(mask.sum())
        if n:
            table.append({"low": lo, "high": hi, "n": n, "predicted": float(p_arr[mask].mean()),
                          "observed": float(y_arr[mask].mean())})
    return table


def brier(y: Sequence[int], p: Sequence[float]) -> float:
    y_arr, p_arr = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    return float(np.mean((p_arr - y_arr) ** 2))


def evaluate(model: Optional[KeepModel], rows: Sequence[Row]) -> Dict[str, object]:
    """AUC, Brier score and calibration of the model (and of the rules) on
    ``rows``, overall and by stage."""
    y = [r.kept for r in rows]
    rule = [r.rule_probability for r in rows]
    pred = list(model.predict(rows)) if model is not None else rule
    by_stage = {}
    for stage in STAGES:
        idx = [i for i, r in enumerate(rows) if r.stage == stage]
        if not idx:
            continue
        ys = [y[i] for i in idx]
        by_stage[stage] = {
            "n": len(idx),
            "kept_rate": sum(ys) / len(ys),
            "predicted": float(np.mean([pred[i] for i in idx])),
            "auc": auc(ys, [pred[i] for i in idx]),
            "rule_auc": auc(ys, [rule[i] for i in idx]),
        }
    return {
        "n": len(rows),
        "kept_rate": sum(y) / len(y) if y else 0.0,
        "auc": auc(y, pred),
        "rule_auc": auc(y, rule),
        "brier": brier(y, pred) if y else None,
        "rule_brier": brier(y, rule) if y else None,
        "calibration": calibration_table(y, pred),
        "by_stage": by_stage,
    }


# --------------------------------------------------------------------------
# The saved model, cached by file modification time
# --------------------------------------------------------------------------

_cache_lock = threading.Lock()
_cache: Dict[str, Tuple[float, Optional[KeepModel]]] = {}


def current() -> Optional[KeepModel]:
    """The model ``retrain`` saved last, or None (rules then)."""
    path = model_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    with _cache_lock:
        cached = _cache.get(str(path))
        if cached is None or cached[0] != mtime:
            cached = (mtime, KeepModel.load(path))
            _cache[str(path)] = cached
        return cached[1]


def rows_from_database(session, today: date) -> List[Row]:
    """Training rows from the project's own arrangements and payments."""
    from bot.db.assessments import accounts_with_outcomes, load_evidence

    return rows_from_evidence(
        ev for ev in (load_evidence(session, a, today) for a in accounts_with_outcomes(session)) if ev is not None
    )
