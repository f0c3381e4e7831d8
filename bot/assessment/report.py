"""docs/reports/assessment.md: how well the assessment and the keep model
work, and what the segment treatments change - on SIMULATED portfolios
(bot/assessment/simulator.py). ``collectbot assessment report`` writes it.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from bot.assessment import model as m
from bot.assessment import simulator as sim
from bot.assessment import treatments
from bot.core import assessment as core
from bot.core import evasion

DEFAULT_SEEDS = (11, 12, 13, 14, 15)
DEFAULT_TRAIN_SEEDS = (1, 2, 3)
DEFAULT_ACCOUNTS = 600
DEFAULT_MONTHS = 6
HIDDEN = (core.WILLING_ABLE, core.WILLING_UNABLE, core.UNWILLING_ABLE, core.UNWILLING_UNABLE)


@dataclass
class Results:
    accounts: int
    months: int
    seeds: Sequence[int]
    train_seeds: Sequence[int]
    recovery: List[Dict[str, object]]
    strategies: Dict[str, List[Dict[str, float]]]
    by_segment: Dict[str, Dict[str, List[int]]]  # strategy -> hidden segment -> [kept, promises]
    by_treatment: Dict[str, List[int]]  # assessed segment at offer -> [kept, promises]
    evaluation: Dict[str, object]
    train_rows: int
    signals: Dict[str, List[int]]
    table: Dict[str, treatments.Treatment]


def _mean_sd(values: Sequence[float]) -> str:
    if len(values) < 2:
        return f"{values[0]:.3f}" if values else "-"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def _money_mean_sd(values: Sequence[float]) -> str:
    if len(values) < 2:
        return f"{values[0]:,.0f}"
    return f"{statistics.mean(values):,.0f} ± {statistics.stdev(values):,.0f}"


def run(accounts: int = DEFAULT_ACCOUNTS, seeds: Sequence[int] = DEFAULT_SEEDS,
        train_seeds: Sequence[int] = DEFAULT_TRAIN_SEEDS, months: int = DEFAULT_MONTHS,
        table: Optional[Dict[str, treatments.Treatment]] = None) -> Results:
    table = table or treatments.load()
    # The model learns on portfolios of their own seeds (both strategies, so
    # it sees every kind of offer) and is judged on the evaluation seeds.
    train_rows: List[m.Row] = []
    for seed in train_seeds:
        for strategy in ("fixed", "segment"):
            s = sim.simulate(accounts, seed, strategy, table, months)
            train_rows += m.rows_from_evidence(a.evidence(s.end) for a in s.accounts)
    keep_model = m.KeepModel.train(train_rows, "simulated")

    recovery, test_rows = [], []
    strategies: Dict[str, List[Dict[str, float]]] = {"fixed": [], "segment": []}
    by_segment = {st: {seg: [0, 0] for seg in HIDDEN} for st in strategies}
    by_treatment = {seg: [0, 0] for seg in core.SEGMENTS}
    signals = {code: [0, 0] for code in evasion.SIGNAL_LABELS}  # accounts, of which hidden unwilling
    for seed in seeds:
        for strategy in strategies:
            s = sim.simulate(accounts, seed, strategy, table, months)
            strategies[strategy].append(sim.outcomes(s))
            for acc in s.accounts:
                for p in acc.promises:
                    counts = by_segment[strategy][acc.holder.segment]
                    counts[0] += p.status == core.KEPT
                    counts[1] += 1
                    if strategy == "segment":
                        assessed = acc.promise_meta[p.id][0]
                        by_treatment[assessed][0] += p.status == core.KEPT
                        by_treatment[assessed][1] += 1
            if strategy == "fixed":
                # The assessment is judged under the current plan: its
                # evidence does not depend on the assessment itself.
                rec = sim.segment_recovery(s)
                recovery.append(rec)
                test_rows += m.rows_from_evidence(a.evidence(s.end) for a in s.accounts)
                for acc in s.accounts:
                    for code in {sig.code for sig in evasion.signals(acc.evidence(s.end))}:
                        signals[code][0] += 1
                        signals[code][1] += not acc.holder.willing
    return Results(accounts, months, list(seeds), list(train_seeds), recovery, strategies, by_segment,
                   by_treatment, m.evaluate(keep_model, test_rows), len(train_rows), signals, table)


def render(r: Results, own_history: Optional[str] = None) -> str:
    L: List[str] = []
    add = L.append
    add("# Willing and able: assessment report (issue 13)")
    add("")
    add("> **All figures below are on SIMULATED data** (本报告全部数字均来自模拟数据), produced by the")
    add("> portfolio simulator in `bot/assessment/simulator.py` under the generative model documented there")
    add("> and in `docs/assessment.md`. They show that the code does what it claims *under those assumptions*;")
    add("> they are not evidence about real cardholders. Regenerate with `collectbot assessment report`.")
    add("")
    add(f"Setup: {r.accounts} simulated accounts per portfolio, {r.months} months, contact every "
        f"{sim.CADENCE_DAYS} days. Evaluation seeds {', '.join(map(str, r.seeds))}; the keep model is "
        f"trained on separate seeds {', '.join(map(str, r.train_seeds))} ({r.train_rows} promises and plans "
        "with a known outcome). Figures are mean ± standard deviation over the evaluation seeds.")
    add("")
    if own_history:
        add("## This database")
        add("")
        add(own_history)
        add("")

    add("## 1. Hidden segments recovered by the rules")
    add("")
    add("The rule assessment (`bot/core/assessment.py`) on each account's evidence after "
        f"{r.months} months under the current fixed plan, against the simulator's hidden segment. "
        "*Coverage*: share of accounts given a segment (the rest are 情况不明 / unknown: too little "
        "evidence, mostly cardholders who never answered). *Accuracy*: share right among those given one. "
        "Four segments: chance is about 0.25–0.35. The simulated cardholders state a budget or an income, "
        "never their expenses, so the rule on what is left after stated expenses (against the lowest plan "
        "payment) is not exercised here; unit tests cover it (`tests/unit/test_assessment_stated_means.py`).")
    add("")
    add("| measure | mean ± sd |")
    add("|---|---|")
    add(f"| coverage | {_mean_sd([x['coverage'] for x in r.recovery])} |")
    add(f"| accuracy among covered | {_mean_sd([x['accuracy'] for x in r.recovery])} |")
    add("")
    add("Confusion over all evaluation seeds (rows: hidden segment; columns: assessed):")
    add("")
    add("| hidden \\ assessed | " + " | ".join(core.SEGMENT_LABELS[s] for s in core.SEGMENTS) + " |")
    add("|---|" + "---|" * len(core.SEGMENTS))
    for hidden in HIDDEN:
        cells = [sum(x["confusion"].get((hidden, a), 0) for x in r.recovery) for a in core.SEGMENTS]
        add(f"| {core.SEGMENT_LABELS[hidden]} | " + " | ".join(str(c) for c in cells) + " |")
    add("")

    e = r.evaluation
    add("## 2. Will the promise be kept? The calibrated model against the rules")
    add("")
    add(f"Held-out promises and plans: {e['n']} (kept rate {e['kept_rate']:.3f}). Model: logistic regression, "
        "Platt-calibrated (`bot/assessment/model.py`); rules: `rule_keep_probability` (the fallback used "
        "until the database holds enough outcomes).")
    add("")
    add("| scorer | AUC | Brier score |")
    add("|---|---|---|")
    add(f"| calibrated model | {e['auc']:.3f} | {e['brier']:.3f} |")
    add(f"| rules (fallback) | {e['rule_auc']:.3f} | {e['rule_brier']:.3f} |")
    add("")
    add("Calibration of the model (bins of predicted probability):")
    add("")
    add("| predicted | promises | mean predicted | observed kept rate |")
    add("|---|---|---|---|")
    for row in e["calibration"]:
        add(f"| {row['low']:.1f}–{row['high']:.1f} | {row['n']} | {row['predicted']:.3f} | {row['observed']:.3f} |")
    add("")
    add("By stage (days past due when the promise was made):")
    add("")
    add("| stage | promises | kept rate | mean predicted | model AUC | rules AUC |")
    add("|---|---|---|---|---|---|")
    fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    for stage, row in e["by_stage"].items():
        add(f"| {stage} | {row['n']} | {row['kept_rate']:.3f} | {row['predicted']:.3f} | {fmt(row['auc'])} | "
            f"{fmt(row['rule_auc'])} |")
    add("")

    add("## 3. Treatment by segment against the current fixed stage plan")
    add("")
    add("Same simulated cardholders (same seed) under each strategy. *fixed*: the current stage plan by days "
        "past due (reminder, notice with a 12-month installment, agent call, final notice). *segment*: the "
        "treatment of the account's **assessed** segment (never the hidden one), from the table below.")
    add("")
    add("| strategy | promises and plans | kept | kept rate | broken | recovered (yuan) | recovered share of balance |")
    add("|---|---|---|---|---|---|---|")
    for name, rows in r.strategies.items():
        add(f"| {name} | {_money_mean_sd([x['promises'] for x in rows])} | {_money_mean_sd([x['kept'] for x in rows])} | "
            f"{_mean_sd([x['kept_rate'] for x in rows])} | {_money_mean_sd([x['broken'] for x in rows])} | "
            f"{_money_mean_sd([x['recovered'] for x in rows])} | {_mean_sd([x['recovered_share'] for x in rows])} |")
    diffs_kept = [s["kept"] - f["kept"] for f, s in zip(r.strategies["fixed"], r.strategies["segment"])]
    diffs_rec = [s["recovered"] - f["recovered"] for f, s in zip(r.strategies["fixed"], r.strategies["segment"])]
    wins = sum(1 for k, v in zip(diffs_kept, diffs_rec) if k > 0 and v > 0)
    add("")
    add(f"Segment minus fixed, per seed: kept promises {_money_mean_sd(diffs_kept)}, recovered "
        f"{_money_mean_sd(diffs_rec)} yuan; the segment strategy is ahead on both in {wins} of {len(diffs_kept)} seeds.")
    add("")
    add("Kept rate by hidden segment:")
    add("")
    add("| hidden segment | fixed: kept / promises | segment: kept / promises |")
    add("|---|---|---|")
    for seg in HIDDEN:
        f_, s_ = r.by_segment["fixed"][seg], r.by_segment["segment"][seg]
        rate = lambda c: f"{c[0]}/{c[1]} ({c[0] / c[1]:.2f})" if c[1] else "0/0"  # noqa: E731
        add(f"| {core.SEGMENT_LABELS[seg]} | {rate(f_)} | {rate(s_)} |")
    add("")
    add("Kept rate by treatment (segment strategy; the assessed segment when the offer was made):")
    add("")
    add("| treatment | kept / promises |")
    add("|---|---|")
    for seg in core.SEGMENTS:
        c = r.by_treatment[seg]
        add(f"| {r.table[seg].summary()} | {c[0]}/{c[1]}" + (f" ({c[0] / c[1]:.2f})" if c[1] else "") + " |")
    add("")
    add("## 4. Evasion signals raised (for agents, never decisions)")
    add("")
    add("Accounts showing each signal at the end, summed over the evaluation seeds (fixed plan), and how many of "
        "them are unwilling in the simulator's hidden truth (the unwilling are "
        f"{1 - 0.6:.0%} of the simulated cardholders). A share of 100 % only restates the simulator's assumption "
        "that just the unwilling behave that way; repeated broken promises, on the other hand, mostly flag "
        "cardholders who could not pay what the fixed plan asked. Signals are for an agent to look at and never "
        "decide anything on their own.")
    add("")
    add("| signal | accounts | of which hidden unwilling |")
    add("|---|---|---|")
    for code, (n, unwilling) in r.signals.items():
        share = f"{unwilling / n:.0%}" if n else "-"
        add(f"| {evasion.SIGNAL_LABELS[code]} (`{code}`) | {n} | {unwilling} ({share}) |")
    add("")
    add("## Segment-to-treatment table (configuration: `bot/assessment/treatments.yml`)")
    add("")
    add("| segment | offer | tone | channel | agent call | description |")
    add("|---|---|---|---|---|---|")
    for seg, t in r.table.items():
        add(f"| {core.SEGMENT_LABELS[seg]} (`{seg}`) | {treatments.OFFER_LABELS[t.offer]} | "
            f"{treatments.TONE_LABELS[t.tone]} | {treatments.CHANNEL_LABELS[t.channel]} | "
            f"{'是' if t.agent_call else '否'} | {t.description} |")
    add("")
    return "\n".join(L)


def write(path: Path, **kwargs) -> Results:
    own = kwargs.pop("own_history", None)
    results = run(**kwargs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(results, own), "utf-8")
    return results
