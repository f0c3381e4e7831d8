"""The report of `make bench`: bench/report.md, the charts and the summary
table, written from the measurements alone (results.json), so
`run.py --report-only` rewrites them without measuring. Every sentence here
is computed from the numbers of the run it describes; the dated account of
how each change was found and what it did is bench/history.md, to which
`history_entry` adds one line per run.
"""
from __future__ import annotations

import copy
import statistics
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from bench_config import (BLIND_MACRO_F1, ENTITIES, LEVELS, PATCHES_SWITCH, SAFETY_INTENTS, SECTIONS, TARGETS,
                          VARIANTS, variant_label)
from stack import REPO, rel


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return a / b if a is not None and b else None


# ---------------------------------------------------------------- sections and their dates

# The keys of results.json each section fills (variants live in speed["variants"]).
SECTION_KEYS = {"train": ("train", "model_size_mb"), "nlu": ("nlu",), "core": ("core",),
                "speed": ("speed", "conversations", "accounts"), "profile": ("profile",)}
# What describes the latest run as a whole; every other key belongs to a section.
RUN_KEYS = ("started", "argv", "quick", "machine", "git", "model_ours", "model_stale", "duration_s", "targets")


def measured(res: Dict[str, Any], section: str) -> bool:
    """Whether ``res`` holds figures of ``section``."""
    sp = res.get("speed") or {}
    if section == "speed":
        return bool(sp.get("ours") or sp.get("baseline"))
    if section == "variants":
        return bool(sp.get("variants"))
    if section == "nlu":
        return any(isinstance(d, dict) and d.get("sets") for d in (res.get("nlu") or {}).values())
    return bool(res.get(section))


def run_info(res: Dict[str, Any]) -> Dict[str, Any]:
    """The run a section's figures come from: when, how, on which commit, model and load."""
    m = res.get("machine") or {}
    return {"measured": res.get("started"), "argv": list(res.get("argv") or []), "commit": (res.get("git") or {}).get("commit"),
            "dirty": (res.get("git") or {}).get("dirty"), "model_ours": res.get("model_ours"),
            "load_start": m.get("load_start"), "load_end": m.get("load_end")}


def section_runs(res: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """section -> the run its figures come from. A results.json written before
    sections were dated had all of them from its one run."""
    if "sections" in res:
        return {s: r for s, r in res["sections"].items() if measured(res, s)}
    return {s: run_info(res) for s in SECTIONS if measured(res, s)}


def merge_results(previous: Optional[Dict[str, Any]], current: Dict[str, Any], sections: List[str]) -> Dict[str, Any]:
    """results.json after a run of ``sections``: the sections it measured take
    its figures and its date; every other section keeps the figures and the
    date it had in ``previous``. The run-wide keys (when, argv, machine,
    commit) describe the latest run; ``this_run`` lists what it measured."""
    out = copy.deepcopy(previous) if previous else {}
    runs = section_runs(out) if previous else {}
    for key in RUN_KEYS:
        if key in current:
            out[key] = copy.deepcopy(current[key])
    done = []
    for section in sections:
        if not measured(current, section):
            continue
        if section == "variants":
            out.setdefault("speed", {})["variants"] = copy.deepcopy(current["speed"]["variants"])
        else:
            kept = (out.get("speed") or {}).get("variants") if section == "speed" else None
            for key in SECTION_KEYS.get(section, (section,)):
                if key in current:
                    out[key] = copy.deepcopy(current[key])
            if kept and not current["speed"].get("variants"):
                out["speed"]["variants"] = kept
        runs[section] = run_info(current)
        done.append(section)
    out["sections"] = {s: runs[s] for s in SECTIONS if s in runs}
    out["this_run"] = done
    return out


def section_date(res: Dict[str, Any], section: str) -> str:
    """The date and time (UTC offset dropped) of a section's figures."""
    when = section_runs(res).get(section, {}).get("measured") or res.get("started") or ""
    return when[:16].replace("T", " ")


def targets(res: Dict[str, Any]) -> List[Dict[str, Any]]:
    out = []
    sp = res.get("speed", {})
    ours, base = sp.get("ours"), sp.get("baseline")

    def add(name, value, target, met, shown):
        out.append({"target": name, "value": value, "threshold": target, "met": met, "shown": shown})

    if ours and base:
        r = ratio(ours["levels"]["32"]["throughput_msg_s"], base["levels"]["32"]["throughput_msg_s"])
        add("full stack throughput at 32 conversations ≥ 1.0 × baseline", r, TARGETS["throughput_ratio_32"],
            r is not None and r >= TARGETS["throughput_ratio_32"], f"{r:.2f}×")
        r = ratio(ours["levels"]["1"]["latency_ms"]["p95"], base["levels"]["1"]["latency_ms"]["p95"])
        add("full stack p95 at 1 conversation ≤ 2 × baseline p95", r, TARGETS["p95_ratio_1"],
            r is not None and r <= TARGETS["p95_ratio_1"], f"{r:.2f}×")
    out += nlu_targets(res)
    if ours:
        rss = ours["memory"]["rasa"]["peak_rss_mb_sum"]
        add("Rasa server peak RSS ≤ 1.5 GB", rss, TARGETS["rasa_rss_mb"], rss <= TARGETS["rasa_rss_mb"], f"{rss:.0f} MB")
    tr = res.get("train", {}).get("ours")
    if tr:
        add("training ≤ 10 min on 2 cores", tr["seconds"], TARGETS["train_s"], tr["seconds"] <= TARGETS["train_s"],
            f"{tr['seconds']:.0f} s" + (" (reused)" if tr.get("reused") else ""))
    return out


def nlu_sets(res: Dict[str, Any], kind: str = "ours") -> List[Dict[str, Any]]:
    """The scored sets of one model (measure_nlu.py), development set first."""
    return list(((res.get("nlu") or {}).get(kind) or {}).get("sets") or [])


def nlu_targets(res: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The NLU targets, on our model: the old ones on tests/nlu (labelled
    development), issue 18's on every blind set (macro-F1 by kind of set,
    crisis and stop_contact recall 1.0, benign read as crisis <= 2 %)."""
    out = []

    def add(name, value, target, met, shown):
        out.append({"target": name, "value": value, "threshold": target, "met": met, "shown": shown, "section": "nlu"})

    for s in nlu_sets(res):
        # A blind round that guided choices is a development set now: its
        # row says so, so that a met target there is not read as held out.
        where = s["set"] if not s["blind"] or s.get("held_out", True) else f"{s['set']} [development]"
        rec = {i: s.get(f"{i}_recall") for i in SAFETY_INTENTS}
        known = {i: v for i, v in rec.items() if v is not None}
        rec_shown = ", ".join(f"{i} {v:.2f}" if v is not None else f"{i} –" for i, v in rec.items())
        if not s["blind"]:
            f1 = s["macro_f1"]
            add(f"{where}: intent macro-F1 ≥ {TARGETS['intent_macro_f1']:.2f}", f1, TARGETS["intent_macro_f1"],
                f1 >= TARGETS["intent_macro_f1"], f"{f1:.3f}")
            worst = min((s["entities"].get(e, {}).get("f1", 0.0), e) for e in ENTITIES)
            add(f"{where}: each entity F1 ≥ {TARGETS['entity_f1']:.2f}", worst[0], TARGETS["entity_f1"],
                worst[0] >= TARGETS["entity_f1"], f"lowest {worst[1]} {worst[0]:.3f}")
            if known:
                add(f"{where}: recall 1.0 on crisis and stop_contact", min(known.values()), 1.0,
                    min(known.values()) >= 1.0, rec_shown)
            continue
        target = BLIND_MACRO_F1.get(s["kind"])
        if target is not None:
            add(f"{where}: intent macro-F1 ≥ {target:.2f} ({s['kind']})", s["macro_f1"], target,
                s["macro_f1"] >= target, f"{s['macro_f1']:.3f}")
        if known:
            add(f"{where}: recall 1.0 on crisis and stop_contact", min(known.values()), 1.0,
                min(known.values()) >= 1.0, rec_shown)
        fc = s["false_crisis"]
        add(f"{where}: benign read as crisis ≤ {TARGETS['false_crisis']:.0%}", fc, TARGETS["false_crisis"],
            fc <= TARGETS["false_crisis"], f"{fc:.1%}")
    return out


def fmt(v, spec=".1f", suffix=""):
    return "–" if v is None else f"{v:{spec}}{suffix}"


def summary_rows(res: Dict[str, Any]) -> List[Tuple[str, str, str, str]]:
    """(metric, ours, baseline, ours/baseline)"""
    rows = []
    rows += nlu_summary_rows(res)
    core = res.get("core")
    if core:
        rows.append(("test stories passed", f"{core['stories'] - core['failed']}/{core['stories']}", "n/a", ""))
    sp = res.get("speed", {})
    o, b = sp.get("ours"), sp.get("baseline")
    for c in LEVELS if (o or b) else ():
        lo = o["levels"][str(c)] if o else None
        lb = b["levels"][str(c)] if b else None
        for p in ("p50", "p95", "p99"):
            vo = lo["latency_ms"][p] if lo else None
            vb = lb["latency_ms"][p] if lb else None
            rows.append((f"latency {p} @{c} (ms)", fmt(vo, ".0f"), fmt(vb, ".0f"), fmt(ratio(vo, vb), ".2f", "×")))
        vo = lo["throughput_msg_s"] if lo else None
        vb = lb["throughput_msg_s"] if lb else None
        rows.append((f"throughput @{c} (msg/s)", fmt(vo, ".2f"), fmt(vb, ".2f"), fmt(ratio(vo, vb), ".2f", "×")))
    if o or b:
        mo = o["memory"]["rasa"]["peak_rss_mb_sum"] if o else None
        mb = b["memory"]["rasa"]["peak_rss_mb_sum"] if b else None
        rows.append(("Rasa server peak RSS (MB)", fmt(mo, ".0f"), fmt(mb, ".0f"), fmt(ratio(mo, mb), ".2f", "×")))
        if o:
            rows.append(("action server peak RSS (MB)", fmt(o["memory"]["actions"]["peak_rss_mb_sum"], ".0f"), "n/a", ""))
        so, sb = (o or {}).get("startup_s"), (b or {}).get("startup_s")
        rows.append(("start-up to first answer (s)", fmt(so, ".1f"), fmt(sb, ".1f"), fmt(ratio(so, sb), ".2f", "×")))
    tr = res.get("train", {})
    if tr:
        to, tb = tr.get("ours"), tr.get("baseline")
        rows.append(("training time (s)", fmt((to or {}).get("seconds"), ".0f"), fmt((tb or {}).get("seconds"), ".0f"),
                     fmt(ratio((to or {}).get("seconds"), (tb or {}).get("seconds")), ".2f", "×")))
        mo, mb = res.get("model_size_mb", {}).get("ours"), res.get("model_size_mb", {}).get("baseline")
        rows.append(("model size (MB)", fmt(mo, ".1f"), fmt(mb, ".1f"), fmt(ratio(mo, mb), ".2f", "×")))
    return rows


def nlu_summary_rows(res: Dict[str, Any]) -> List[Tuple[str, str, str, str]]:
    """Macro-F1 per set; on tests/nlu (development) accuracy and entity F1 per
    entity too; safety recalls on tests/nlu and the lowest over the blind sets."""
    so, sb = nlu_sets(res, "ours"), nlu_sets(res, "baseline")
    if not (so or sb):
        return []
    base = {s["set"]: s for s in sb}
    names = [s["set"] for s in so] or [s["set"] for s in sb]
    ours = {s["set"]: s for s in so}
    g = lambda d, k: (d or {}).get(k)  # noqa: E731
    rows = []
    dev = [n for n in names if not (ours.get(n) or base.get(n))["blind"]]
    blind = [n for n in names if n not in dev]
    for n in dev:
        rows.append((f"intent accuracy, {n}", fmt(g(ours.get(n), "accuracy"), ".3f"), fmt(g(base.get(n), "accuracy"), ".3f"), ""))
    for n in dev + blind:
        rows.append((f"intent macro-F1, {n}", fmt(g(ours.get(n), "macro_f1"), ".3f"), fmt(g(base.get(n), "macro_f1"), ".3f"), ""))
    for n in dev:
        for e in ENTITIES:
            eo = (g(ours.get(n), "entities") or {}).get(e, {})
            eb = (g(base.get(n), "entities") or {}).get(e, {})
            rows.append((f"entity F1 {e}, {n}", fmt(eo.get("f1"), ".3f"), fmt(eb.get("f1"), ".3f"), ""))

    def lowest(sets, key, pick=min):
        vals = [s[key] for s in sets if s.get(key) is not None]
        return pick(vals) if vals else None

    for i in SAFETY_INTENTS:
        for n in dev:
            rows.append((f"recall {i}, {n}", fmt(g(ours.get(n), f"{i}_recall"), ".2f"),
                         fmt(g(base.get(n), f"{i}_recall"), ".2f"), ""))
        if blind:
            rows.append((f"recall {i}, lowest of {len(blind)} blind sets",
                         fmt(lowest([ours[n] for n in blind if n in ours], f"{i}_recall"), ".2f"),
                         fmt(lowest([base[n] for n in blind if n in base], f"{i}_recall"), ".2f"), ""))
    if blind:
        hi = lambda d: lowest([d[n] for n in blind if n in d], "false_crisis", max)  # noqa: E731
        rows.append((f"benign read as crisis, highest of {len(blind)} blind sets", fmt(hi(ours), ".1%"), fmt(hi(base), ".1%"), ""))
    return rows


def table(rows, header=("metric", "ours", "baseline", "ours/baseline")) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def plain_table(rows, header=("metric", "ours", "baseline", "ours/baseline")) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt_row = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths))  # noqa: E731
    return "\n".join([fmt_row(header), fmt_row(["-" * w for w in widths]), *map(fmt_row, rows)])


def charts(res: Dict[str, Any], out: Path) -> List[str]:
    """speed.png, profile.png and nlu.png in ``out``, for what was measured; their names."""
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    warnings.filterwarnings("ignore", category=UserWarning, module="matplotlib")
    import matplotlib.pyplot as plt

    made = []
    sp = res.get("speed", {})
    series = [("ours (full stack)", sp.get("ours"), "tab:blue"), ("baseline (stock Rasa)", sp.get("baseline"), "tab:gray")]
    palette = ["tab:green", "tab:orange", "tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan"]
    series += [(f"variant: {variant_label(k)}", v, palette[i % len(palette)]) for i, (k, v) in enumerate(sp.get("variants", {}).items())]
    series = [s for s in series if s[1]]
    if series:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
        for label, data, color in series:
            xs = list(LEVELS)
            axes[0].plot(xs, [data["levels"][str(c)]["latency_ms"]["p95"] for c in xs], marker="o", label=label, color=color)
            axes[0].plot(xs, [data["levels"][str(c)]["latency_ms"]["p50"] for c in xs], marker=".", linestyle=":", color=axes[0].lines[-1].get_color())
            axes[1].plot(xs, [data["levels"][str(c)]["throughput_msg_s"] for c in xs], marker="o", label=label, color=color)
        axes[0].set(xscale="log", yscale="log", xlabel="concurrent conversations", ylabel="latency (ms): p95 solid, p50 dotted",
                    title="REST message latency")
        axes[1].set(xscale="log", xlabel="concurrent conversations", ylabel="messages / s", title="Throughput")
        for ax in axes:
            ax.set_xticks(list(LEVELS))
            ax.set_xticklabels([str(c) for c in LEVELS])
            ax.grid(alpha=0.3)
        axes[1].legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out / "speed.png", dpi=110)
        plt.close(fig)
        made.append("speed.png")
    prof = res.get("profile")
    if prof and prof.get("messages"):
        import load

        # Mean per script step (across the scripted conversations).
        groups: Dict[str, List[dict]] = {}
        for m in prof["messages"]:
            groups.setdefault(f"{m['kind']} {m['step'] + 1}: {load.STEP_LABELS[m['kind']][m['step']]}", []).append(m)
        labels = list(groups)
        parts = list(prof["messages"][0]["parts_ms"])
        colors = ["tab:green", "tab:orange", "tab:red", "tab:purple", "tab:pink", "tab:gray"]
        fig, ax = plt.subplots(figsize=(10, 0.32 * len(labels) + 1.5))
        left = [0.0] * len(labels)
        for p, col in zip(parts, colors):
            vals = [statistics.mean(m["parts_ms"][p] for m in groups[l]) for l in labels]
            ax.barh(labels, vals, left=left, label=p.replace("_", " "), color=col)
            left = [a + b for a, b in zip(left, vals)]
        ax.invert_yaxis()
        ax.set(xlabel="ms (one conversation at a time)", title="Where the time of one message goes (full stack)")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.tick_params(axis="y", labelsize=7)
        fig.tight_layout()
        fig.savefig(out / "profile.png", dpi=110)
        plt.close(fig)
        made.append("profile.png")
    so, sb = nlu_sets(res, "ours"), {s["set"]: s for s in nlu_sets(res, "baseline")}
    if so:
        names = [s["set"] for s in so]
        fig, ax = plt.subplots(figsize=(11, 4))
        x = range(len(names))
        ax.bar([i - 0.2 for i in x], [s["macro_f1"] for s in so], width=0.4, label="ours", color="tab:blue")
        if sb:
            ax.bar([i + 0.2 for i in x], [(sb.get(n) or {}).get("macro_f1", 0) for n in names], width=0.4,
                   label="baseline", color="tab:gray")
        for i, s in enumerate(so):
            target = BLIND_MACRO_F1.get(s["kind"]) if s["blind"] else TARGETS["intent_macro_f1"]
            if target is not None:
                ax.hlines(target, i - 0.45, i + 0.45, color="tab:red", linewidth=1.2, linestyle="--")
        ax.set_xticks(list(x))
        ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
        ax.set(ylim=(0, 1.05), ylabel="intent macro-F1",
               title="Intent macro-F1 per set (tests/nlu: development; the others blind); dashes: targets")
        ax.legend(fontsize=8, loc="lower left")
        fig.tight_layout()
        fig.savefig(out / "nlu.png", dpi=110)
        plt.close(fig)
        made.append("nlu.png")
    return made


# ---------------------------------------------------------------- report.md, section by section


def write_report(res: Dict[str, Any], made: List[str], out: Path) -> str:
    """report.md for the measurements ``res`` (results.json), its charts ``made`` in ``out``."""
    L: List[str] = []
    for section in REPORT_SECTIONS:
        L += section(res, made, out)
    return "\n".join(L)


def header_section(res: Dict[str, Any], made: List[str], out: Path) -> List[str]:
    m = res["machine"]
    return [
        "# Benchmark: 催收助手 vs stock Rasa",
        "",
        f"Generated by bench/run.py{' ' + ' '.join(res['argv']) if res.get('argv') else ''} (what `make bench` runs after "
        f"`setup train`) on {res['started']} "
        f"in {res['duration_s'] / 60:.1f} min. Machine: {m['nproc']} × {m['cpu']}, {m['mem_gb']:.0f} GB; "
        f"load average at start {m['load_start']}, at end {m['load_end']}"
        + (" — **other work was running on the machine: absolute times are inflated and noisy; compare the ratios**." if max(m["load_start"][0], m["load_end"][0]) > 0.7 else "."),
        f"Commit {res['git']['commit']}{' (+ uncommitted changes)' if res['git']['dirty'] else ''}; our model "
        f"`{res.get('model_ours')}`"
        + (f" (older than {', '.join(res['model_stale'][:4])}: a `make bench` would have retrained it first)"
           if res.get("model_stale") else "")
        + f". Raw numbers: {rel(out)}/results.json; run log: bench/history.md.",
        "",
        *sections_dates(res),
        "## Summary",
        "",
        table(summary_rows(res)),
        "",
    ]


def sections_dates(res: Dict[str, Any]) -> List[str]:
    """Which run each section's figures come from: a run of some sections
    (`--only nlu`) keeps the others' figures and dates from earlier runs."""
    runs = section_runs(res)
    if not runs:
        return []
    rows = []
    for s, r in runs.items():
        load = r.get("load_start"), r.get("load_end")
        rows.append((s, (r.get("measured") or "")[:16].replace("T", " "),
                     "run.py " + (" ".join(r.get("argv") or []) or "(full)"),
                     f"{r.get('commit')}{'+dirty' if r.get('dirty') else ''}", f"`{r.get('model_ours')}`",
                     " → ".join(f"{x[0]:.2f}" for x in load if x) or "–"))
    return ["Figures by section (a run of some sections keeps the others' figures and dates from earlier runs):", "",
            table(rows, header=("section", "measured", "by", "commit", "our model", "load average (1 min) start → end")),
            ""]


def target_section_name(t: Dict[str, Any]) -> str:
    if t.get("section"):
        return t["section"]
    return "train" if t["target"].startswith("training") else "speed"


def targets_section(res: Dict[str, Any], made: List[str], out: Path) -> List[str]:
    tg = targets(res)
    if not tg:
        return []
    return ["## Targets", "",
            "Issue 18's NLU targets are checked on every blind held-out set (macro-F1 by kind of set: colloquial "
            f"≥ {BLIND_MACRO_F1['colloquial']:.2f}, noisy ≥ {BLIND_MACRO_F1['noisy']:.2f}, replies ≥ "
            f"{BLIND_MACRO_F1['replies']:.2f}; a set of another kind has the safety targets only); the tests/nlu "
            "lines are the development set's, which choices were tuned against.", "",
            table([(t["target"], t["shown"], "**met**" if t["met"] else "**not met**",
                    section_date(res, target_section_name(t))) for t in tg],
                  header=("target", "measured", "", "figures of")), ""]


def nlu_section(res: Dict[str, Any], made: List[str], out: Path) -> List[str]:
    nlu = res.get("nlu") or {}
    if not nlu:
        return []
    L = ["## NLU quality (development set and blind held-out sets)", ""]
    if not measured(res, "nlu"):
        return L + ["results.json holds NLU figures in the format from before the blind sets (`rasa test nlu` on "
                    "tests/nlu only): run `bench/run.py --only nlu` to score them.", ""]
    so, sb = nlu_sets(res, "ours"), nlu_sets(res, "baseline")
    run = section_runs(res).get("nlu", {})
    blind = [s for s in so if s["blind"]]
    L.append(f"Measured {section_date(res, 'nlu')} by run.py {' '.join(run.get('argv') or []) or '(full)'} "
             f"(bench/measure_nlu.py): ours `{(nlu.get('ours') or {}).get('model')}`"
             + (f", baseline `{nlu['baseline']['model']}`" if (nlu.get("baseline") or {}).get("model") else "")
             + ". Each model parses every message in-process, as the Rasa "
             "server does (for ours: normaliser, classifier, safety net), with scripts/nlu_blind_report.py's own "
             f"functions, on the sets it lists: tests/nlu and {len(blind)} blind set(s). **tests/nlu is a development "
             "set**: choices were tuned against it, so it overstates how a model does on new text. The blind sets were "
             "written from the intent definitions alone, are frozen and are scored here in aggregate only; which of "
             "them guided a choice after being scored is recorded in docs/reports/nlu_blind.md (only the sets marked "
             "held out below are; the others, marked [development], guided choices or were scored repeatedly, so "
             "their targets are met or not as development sets), which also breaks "
             "them down by register and intent. Benign read as crisis = share of the set's non-crisis messages "
             "predicted crisis; entity micro-F1 = exact spans, every entity type together.")
    L.append("")
    skipped = (nlu.get("baseline") or {}).get("skipped")
    if skipped or not sb:
        L.append(f"**The baseline was not scored in this run** ({skipped or 'no baseline figures'}): no baseline "
                 "model was at hand; `make bench`, or `run.py --only nlu` once bench/.work/models/baseline.tar.gz "
                 "exists, scores it.")
        L.append("")
    base = {s["set"]: s for s in sb}
    rows = []
    for s in so:
        for kind, d in (("ours", s), ("baseline", base.get(s["set"]))):
            if not d:
                continue
            rows.append((s["set"] if kind == "ours" else "", kind, d["n"], f"{d['accuracy']:.3f}", f"{d['macro_f1']:.3f}",
                         fmt(d.get("crisis_recall"), ".3f") + f" ({d.get('crisis_support')})",
                         fmt(d.get("stop_contact_recall"), ".3f") + f" ({d.get('stop_contact_support')})",
                         f"{d['false_crisis']:.1%}", fmt(d.get("entity_micro_f1"), ".3f") + f" ({d.get('entity_support')})"))
    L.append(table(rows, header=("set", "model", "messages", "accuracy", "intent macro-F1", "crisis recall (n)",
                                 "stop_contact recall (n)", "benign read as crisis", "entity micro-F1 (n)")))
    L.append("")
    dev = next((s for s in so if not s["blind"]), None)
    if dev:
        bdev = base.get(dev["set"]) or {}
        names = [e for e in ENTITIES if e in dev["entities"] or e in bdev.get("entities", {})]
        names += [e for e in dev["entities"] if e not in names]
        if names:
            L.append(f"Entities on {dev['set']} (exact spans):")
            L.append("")
            models = (dev, bdev) if bdev else (dev,)
            header = ("entity", "ours P", "ours R", "ours F1") + (("baseline P", "baseline R", "baseline F1") if bdev else ())
            L.append(table([(e, *(fmt((d.get("entities") or {}).get(e, {}).get(k), ".3f") for d in models
                                  for k in ("precision", "recall", "f1")), (dev["entities"].get(e) or {}).get("support", 0))
                            for e in names], header=header + ("support",)))
            L.append("")
        for kind, d in (("ours", dev), ("baseline", bdev)):
            if d.get("confused_pairs"):
                L.append(f"Most confused on {dev['set']}, {kind} (true → predicted): " + "; ".join(
                    f"{p['intent']} → {p['predicted']} ×{p['count']}" for p in d["confused_pairs"]) + ".")
                L.append("")
    tr = res.get("train", {}).get("baseline")
    if sb and tr and "misaligned_entity_warnings" in tr:
        L.append(f"The baseline's WhitespaceTokenizer sees each Chinese sentence as one token (Rasa printed "
                 f"{tr['misaligned_entity_warnings']} 'misaligned entity' warnings while training it): its intents "
                 "rest on character n-grams alone, and its entity extractor can only tag whole space-separated "
                 "chunks. Both models are scored against every gold entity (exact spans).")
        L.append("")
    if "nlu.png" in made:
        L += ["![intent macro-F1 per set](nlu.png)", ""]
    return L


def core_section(res: Dict[str, Any], made: List[str], out: Path) -> List[str]:
    core = res.get("core")
    if not core:
        return []
    return ["## Dialogue quality (tests/stories)", "",
            f"{core['stories'] - core['failed']} of {core['stories']} test stories pass end to end "
            f"({100 * core['passed_share']:.0f} %); action-level macro-F1 {fmt(core['action_macro_f1'], '.3f')}."
            + (" Failed: " + ", ".join(core["failed_stories"]) if core["failed_stories"] else ""), ""]


def speed_section(res: Dict[str, Any], made: List[str], out: Path) -> List[str]:
    sp = res.get("speed", {})
    if not sp:
        return []
    conv = res["conversations"]
    L = ["## Speed (REST channel, scripted collection conversations)", "",
         "Each conversation is a distinct cardholder (phone from bench/accounts.csv, "
         f"{res['accounts']} accounts) following one of four scripts in rotation — promise "
         "(你好 → 是的 → ID digits → 我下周五还两千 → 是的 → 谢谢), installment (… → 能分12期吗 → 好的 → 谢谢), "
         "deferral (… → 能不能宽限两周 → 可以 → 谢谢) and hardship (… → 我失业了 手头很紧 → 每个月最多能还三千 → 好的); "
         "each sends its next message after the answer to the previous one. Conversations per level: "
         + ", ".join(f"{c} at {k}" for k, c in conv.items())
         + " concurrent; request timeout 60 s. Our full stack: Rasa server + action server + SQLite account "
         "database + SQL tracker store (SQLite) + contact-log broker; every answer is checked against the "
         "script (verified, quoted, booked). The baseline gets the same texts and sender ids. Ours and the "
         "baseline are up side by side and measured interleaved: each level's conversations are split into "
         "two halves run in ABBA order (ours, baseline, baseline, ours), so both meet the same machine even "
         "when its speed drifts; a level's throughput is all its messages over the summed wall time of its "
         "halves. The variants below run alone, after them.", ""]
    rows = []
    for name, data in [("ours", sp.get("ours")), ("baseline", sp.get("baseline"))] + [
            (f"variant {variant_label(k)}", v) for k, v in sp.get("variants", {}).items()]:
        if not data:
            continue
        for c in LEVELS:
            lv = data["levels"][str(c)]
            lat = lv["latency_ms"]
            rows.append((name, c, lv["messages"], f"{lat['p50']:.0f}", f"{lat['p95']:.0f}", f"{lat['p99']:.0f}",
                         f"{lv['throughput_msg_s']:.2f}", lv["errors"],
                         "n/a" if name == "baseline" else lv["expectation_failures"]))
    if rows:
        L.append(table(rows, header=("stack", "concurrent", "messages", "p50 ms", "p95 ms", "p99 ms", "msg/s", "errors", "off-script")))
        L.append("")
    lost = [(n, d.get("lost_action_calls")) for n, d in [("ours", sp.get("ours"))] + list(sp.get("variants", {}).items()) if d]
    L.append("Off-script = answers that missed the script's expected words (e.g. an empty answer after a failed "
             "action call, or a wrong turn). Action calls the Rasa server gave up on (its log's \"Failed to run "
             "custom action … the actions events are lost\"): " + ", ".join(f"{n} {c}" for n, c in lost) + ".")
    L.append("")
    if "speed.png" in made:
        L += ["![latency and throughput](speed.png)", ""]
    if sp.get("variants"):
        o = sp.get("ours")
        L += ["Variants (levers, same conversations and machine):", ""]
        for k, v in sp["variants"].items():
            r32 = ratio(v["levels"]["32"]["throughput_msg_s"], o["levels"]["32"]["throughput_msg_s"]) if o else None
            p1 = ratio(v["levels"]["1"]["latency_ms"]["p95"], o["levels"]["1"]["latency_ms"]["p95"]) if o else None
            name = f"**{k}**" if variant_label(k) == k else f"**{variant_label(k)}** (`{k}`)"
            L.append(f"- {name} — {VARIANTS.get(k, {}).get('about', '')}: throughput @32 {fmt(r32, '.2f', '×')} ours, "
                     f"p95 @1 {fmt(p1, '.2f', '×')} ours, Rasa RSS {v['memory']['rasa']['peak_rss_mb_sum']:.0f} MB "
                     f"({v['memory']['rasa']['processes']} process(es)), lost action calls {v.get('lost_action_calls')}.")
        L.append("")
        L += patches_paragraph(sp)
        L.append("Each variant runs once per benchmark, after the interleaved pair. With other work on the machine "
                 "the same stack's throughput varied by up to ±50 % between runs (history.md), and by ±15 % between "
                 "minutes on a quiet but shared machine: treat variant ratios below ~1.2× as within noise.")
        L.append("")
    L += voice_paragraph(sp)
    return L


def patches_paragraph(sp: Dict[str, Any]) -> List[str]:
    """What the product's patches to Rasa buy on our own bot: ours, and the
    `rasa-sql-tracker` variant (patches on, Rasa's SQL store: the patches
    alone), each against `stock-rasa-paths` (same bot, COLLECTBOT_RASA_PATCHES=off,
    Rasa's SQL store)."""
    v = sp.get("variants", {}).get("stock-rasa-paths")
    against = [(name, data) for name, data in (
        ("ours (patches on, our tracker store)", sp.get("ours")),
        ("`rasa-sql-tracker` (patches on, Rasa's SQL store: the patches alone)", sp.get("variants", {}).get("rasa-sql-tracker")),
    ) if data]
    if not (v and against):
        return []

    def gains(data: Dict[str, Any]) -> str:
        bits = []
        for c in LEVELS:
            lo, lv = data["levels"][str(c)], v["levels"][str(c)]
            bits.append(f"@{c}: {fmt(ratio(lo['throughput_msg_s'], lv['throughput_msg_s']), '.2f', '×')} the throughput, "
                        f"p95 {lv['latency_ms']['p95']:.0f} → {lo['latency_ms']['p95']:.0f} ms")
        return "; ".join(bits) + (f"; Rasa server peak RSS {v['memory']['rasa']['peak_rss_mb_sum']:.0f} → "
                                  f"{data['memory']['rasa']['peak_rss_mb_sum']:.0f} MB; lost action calls "
                                  f"{v.get('lost_action_calls')} → {data.get('lost_action_calls')}")

    L = [f"**What the patches buy on our own bot**, against *{variant_label('stock-rasa-paths')}* (the same model, "
         f"domain, actions and databases; {PATCHES_SWITCH}=off and Rasa's own SQL tracker store): "
         + " ".join(f"{name}: {gains(data)}." for name, data in against)]
    sw = v.get("patches_switch") or {}
    if sw and not sw.get("read_by"):
        L.append(f"**Caution:** no module of bot/ mentions {PATCHES_SWITCH} in this build, so this variant ran the "
                 "patched code paths: the difference above is the tracker store's alone.")
    elif sw.get("log_lines"):
        L.append(f"The Rasa server of this variant logged: `{sw['log_lines'][0]}`.")
    elif sw:
        L.append(f"{PATCHES_SWITCH} is read by {', '.join(sw['read_by'])}; the variant's Rasa server log did not "
                 "mention it.")
    return [" ".join(L), ""]


def voice_paragraph(sp: Dict[str, Any]) -> List[str]:
    """HOOK — voice: one call turn. Filled by measure_voice.py (speed['voice'])."""
    voice = sp.get("voice")
    L = ["### Voice: one call turn", ""]
    if voice and voice.get("levels"):
        for c, lv in voice["levels"].items():
            lat = lv["latency_ms"]
            L.append(f"- {c} call(s) at once: {lv['turns']} turns, p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms, "
                     f"p99 {lat['p99']:.0f} ms, errors {lv['errors']}, off-script {lv.get('off_script', '–')}.")
        L.append("")
        L.append(voice.get("about", ""))
    else:
        reason = (voice or {}).get("reason") or "results.json has no voice measurement (it is taken with the speed section)"
        L.append(f"Not measured: {reason}. The hook is bench/measure_voice.py (`measure_voice_turn`), called after "
                 "the REST variants; it reports its result here.")
    L.append("")
    return L


def cost_section(res: Dict[str, Any], made: List[str], out: Path) -> List[str]:
    sp = res.get("speed", {})
    o, b = sp.get("ours"), sp.get("baseline")
    tr = res.get("train", {})
    if not (o or tr):
        return []
    L = ["## Cost", ""]
    rows = []
    if o:
        rows.append(("Rasa server peak RSS (VmHWM)", f"{o['memory']['rasa']['peak_rss_mb_sum']:.0f} MB",
                     f"{b['memory']['rasa']['peak_rss_mb_sum']:.0f} MB" if b else "–"))
        rows.append(("action server peak RSS (VmHWM)", f"{o['memory']['actions']['peak_rss_mb_sum']:.0f} MB", "none"))
        rows.append(("start-up until the first answer", f"{o['startup_s']:.1f} s (action server {o['actions_startup_s']:.1f} s, in parallel)",
                     f"{b['startup_s']:.1f} s" if b else "–"))
    if tr:
        to, tb = tr.get("ours"), tr.get("baseline")
        rows.append(("training time (cold cache, `--force`)",
                     f"{to['seconds']:.0f} s" + (" (reused)" if to and to.get("reused") else "") if to and "seconds" in to else "–",
                     f"{tb['seconds']:.0f} s" + (" (reused)" if tb and tb.get("reused") else "") if tb and "seconds" in tb else "–"))
        rows.append(("training peak RSS", f"{to['peak_rss_mb']:.0f} MB" if to and to.get("peak_rss_mb") else "–",
                     f"{tb['peak_rss_mb']:.0f} MB" if tb and tb.get("peak_rss_mb") else "–"))
    ms = res.get("model_size_mb", {})
    rows.append(("model size on disk", fmt(ms.get("ours"), ".1f", " MB"), fmt(ms.get("baseline"), ".1f", " MB")))
    L.append(table(rows, header=("", "ours", "baseline")))
    L.append("")
    return L


def profile_section(res: Dict[str, Any], made: List[str], out: Path) -> List[str]:
    prof = res.get("profile")
    if not (prof and prof.get("messages")):
        return []
    mp = prof["mean_parts_ms"]
    tot = prof["mean_total_ms"]
    L = ["## Where the time goes", "",
         f"{len(prof['messages'])} messages of four scripted conversations, one at a time, through the full stack "
         "started with `--enable-api --auth-token <random>` and a recording proxy in front of the action server. "
         "NLU = the same text through `/model/parse` (median of repeats); action server = the proxied round "
         "trips of that message's action calls; action-response check = Rasa's `jsonschema.validate` of each "
         "captured response, timed in-process; tracker load/save = Rasa's SQLTrackerStore on SQLite with the "
         "conversation's real events, timed in-process; rest = total − all of these (policies, slot "
         "mapping, tracker copies, Sanic, JSON).", "",
         table([(k.replace("_", " "), f"{v:.1f}", f"{100 * v / tot:.0f} %") for k, v in mp.items()]
               + [("**total (mean)**", f"**{tot:.1f}**", "100 %")], header=("part", "mean ms / message", "share")), ""]
    ts = prof["tracker_stores"]
    L.append(f"Action calls per message: {prof['action_calls_per_message']:.2f}; mean request to the action server "
             f"{prof['mean_action_request_kb']:.1f} KB (tracker + domain); round trip {prof['action_proxy_ms_mean']:.1f} ms "
             f"through the proxy, {prof['action_direct_ms_mean']:.1f} ms replayed directly. Rasa's check of one action "
             f"response: {prof['response_check_stock_ms_mean']:.1f} ms as shipped (jsonschema {prof['jsonschema']}), "
             f"{prof['response_check_cached_ms_mean']:.2f} ms with a validator built once.")
    L.append("")
    names = {"sql": "SQL on SQLite with the event broker (as configured)", "sql_no_broker": "SQL on SQLite without a broker",
             "memory": "in-memory", "redis": "Redis"}
    L.append("Tracker store per message (mean load / save): " + "; ".join(
        f"{names.get(k, k)} {v['load_ms']:.1f} / {v['save_ms']:.1f} ms" for k, v in ts.items() if v) + ".")
    L.append("")
    if "profile.png" in made:
        L += ["![profile](profile.png)", ""]
    L += analysis(res)
    return L


def analysis(res: Dict[str, Any]) -> List[str]:
    """The written analysis: computed sentences, so it stays true on a rerun."""
    prof, sp = res["profile"], res.get("speed", {})
    mp, tot = prof["mean_parts_ms"], prof["mean_total_ms"]
    biggest = sorted(mp.items(), key=lambda kv: -kv[1])
    L = ["**Analysis.**", ""]
    L.append(f"- The largest part of a message is **{biggest[0][0].replace('_', ' ')}** "
             f"({100 * biggest[0][1] / tot:.0f} % of {tot:.0f} ms), then {biggest[1][0].replace('_', ' ')} "
             f"({100 * biggest[1][1] / tot:.0f} %).")
    chk = mp.get("action_response_check", 0)
    L.append(f"- Rasa 3.6 as shipped checks every action-server answer with `jsonschema.validate`, which with jsonschema "
             f"{prof['jsonschema']} re-checks the schema itself against the 2020-12 meta-schema on each call: "
             f"{prof['response_check_stock_ms_mean']:.0f} ms per action call on the Rasa server's single event loop. "
             "The product's server builds the validator once (one of its patches to Rasa): "
             f"{prof['response_check_cached_ms_mean']:.2f} ms per call, {chk:.1f} ms per message here (an upper "
             "bound: the product also checks each event against the one schema its type selects, "
             "not all of them).")
    ts = prof["tracker_stores"]
    if ts.get("sql") and ts.get("memory"):
        both = lambda k: ts[k]["load_ms"] + ts[k]["save_ms"]  # noqa: E731
        L.append(f"- The product's SQL tracker store on SQLite costs {both('sql'):.1f} ms per "
                 "message (load + save)"
                 + (f"; Rasa's own SQL store {both('rasa_sql'):.1f} ms, because with an event broker (the contact log) "
                    "its `save` re-reads and re-deserialises the whole stored tracker to find the events to publish"
                    if ts.get("rasa_sql") else "")
                 + (f"; without a broker {both('sql_no_broker'):.1f} ms. " if ts.get("sql_no_broker") else ". ")
                 + f"In memory it is {both('memory'):.1f} ms"
                 + (f", in Redis {both('redis'):.1f} ms" if ts.get("redis") else "")
                 + ". Loading deserialises every event of the session, so the cost grows with the length of the "
                 "conversation (Rasa looks each event's class up by walking all Event subclasses; the product's "
                 "server caches that lookup).")
    L.append(f"- The action server itself answers in {prof['action_direct_ms_mean']:.1f} ms per call (database work "
             f"in worker threads); each call carries the whole tracker (and the domain for form validators only) ({prof['mean_action_request_kb']:.0f} KB), "
             f"and a form turn makes up to {max(len(m['action_calls']) for m in prof['messages'])} calls.")
    try:
        pipeline = [c["name"].split(".")[-1] for c in yaml.safe_load((REPO / "config.yml").read_text("utf-8"))["pipeline"]]
    except Exception:  # the report must not fail on a config being edited
        pipeline = []
    L.append(f"- NLU ({', '.join(pipeline) or 'config.yml pipeline'}) takes {mp.get('nlu', 0):.0f} ms per message.")
    o, b = sp.get("ours"), sp.get("baseline")
    if o and o.get("lost_action_calls"):
        L.append(f"- Under load the Rasa server lost {o['lost_action_calls']} action call(s) in this run (\"Cannot write to "
                 "closing transport\": it reused a pooled connection the action server was closing — Sanic closes idle "
                 "connections after 5 s, aiohttp keeps them 15 s); the cardholder got an empty or wrong answer and the "
                 "action's events were dropped. `SANIC_KEEP_ALIVE_TIMEOUT=30` on the action server removes the race "
                 "(variant `action-keepalive`).")
    vname = next((k for k in ("patched+action-keepalive", "patched") if k in sp.get("variants", {})), None)
    v = sp.get("variants", {}).get(vname) if vname else None
    if v and o and b:
        what = "both fixes" if vname == "patched+action-keepalive" else "the response check fixed"
        L.append(f"- With {what} (`{vname}`): p95 at 1 conversation {v['levels']['1']['latency_ms']['p95']:.0f} ms "
                 f"(ours {o['levels']['1']['latency_ms']['p95']:.0f}, baseline {b['levels']['1']['latency_ms']['p95']:.0f}); "
                 f"throughput at 32 {v['levels']['32']['throughput_msg_s']:.2f} msg/s "
                 f"(ours {o['levels']['32']['throughput_msg_s']:.2f}, baseline {b['levels']['32']['throughput_msg_s']:.2f}), "
                 f"lost action calls {v.get('lost_action_calls', '–')}. The baseline stays faster because it does far less per "
                 "message: one NLU pass and one rule, no action server, no database, no tracker persistence.")
    L.append("")
    return L


def changes_section(res: Dict[str, Any], made: List[str], out: Path) -> List[str]:
    """What the adopted changes measure at on this run; their dated story is history.md's."""
    sp = res.get("speed", {})
    prof = res.get("profile") or {}
    o = sp.get("ours")
    if not o:
        return []
    L = ["## Changes adopted, and what is left", ""]
    L.append("\"ours\" above is the product as shipped, with every change adopted so far. How each was found, what it "
             "measured when it was adopted and what was left open are in bench/history.md (dated entries; the list "
             "of adopted changes is under \"Changes adopted\"). Measured on this run:")
    L.append("")
    variants = sp.get("variants", {})
    stock = variants.get("stock-rasa-paths")
    if stock:
        L.append(f"- the product's patches to Rasa and its tracker store (ours / {variant_label('stock-rasa-paths')}): "
                 f"throughput @32 {fmt(ratio(o['levels']['32']['throughput_msg_s'], stock['levels']['32']['throughput_msg_s']), '.2f', '×')}, "
                 f"p95 @1 {fmt(ratio(o['levels']['1']['latency_ms']['p95'], stock['levels']['1']['latency_ms']['p95']), '.2f', '×')};")
    rsql = variants.get("rasa-sql-tracker")
    if rsql:
        L.append(f"- the product's tracker store alone (ours / `rasa-sql-tracker`, Rasa's own SQL store): throughput @32 "
                 f"{fmt(ratio(o['levels']['32']['throughput_msg_s'], rsql['levels']['32']['throughput_msg_s']), '.2f', '×')}, "
                 f"p95 @1 {fmt(ratio(o['levels']['1']['latency_ms']['p95'], rsql['levels']['1']['latency_ms']['p95']), '.2f', '×')};")
    if prof.get("response_check_stock_ms_mean"):
        L.append(f"- the action-response check with a validator built once: {prof['response_check_stock_ms_mean']:.0f} → "
                 f"{prof['response_check_cached_ms_mean']:.2f} ms per action call;")
    L.append(f"- action calls the Rasa server gave up on: {o.get('lost_action_calls')} (the action server's "
             "`SANIC_KEEP_ALIVE_TIMEOUT=30`).")
    L.append("")
    if prof.get("mean_parts_ms"):
        mp, tot = prof["mean_parts_ms"], prof["mean_total_ms"]
        top = sorted(mp.items(), key=lambda kv: -kv[1])[:3]
        L.append("Left: the largest parts of a message on this run are "
                 + ", ".join(f"{k.replace('_', ' ')} ({100 * v / tot:.0f} %)" for k, v in top)
                 + " (\"Where the time goes\"); history.md's latest entries say what was tried on them.")
        L.append("")
    return L


def reproduce_section(res: Dict[str, Any], made: List[str], out: Path) -> List[str]:
    return ["## How to reproduce", "",
            "`make bench` (= `setup train` then `.venv/bin/python bench/run.py`); `--quick` for development "
            "(fewer conversations, reuses trained models); `--quick --only speed,variants --variants workers2,redis-tracker` to try a "
            "lever against ours and the baseline in the same run; `--only nlu` measures the NLU section alone (the others "
            "keep their figures and dates); `--report-only` rewrites this report from results.json. "
            "Measuring: bench/measure_quality.py, measure_nlu.py, measure_speed.py, measure_profile.py, measure_voice.py; this report: "
            "bench/report.py. Work files (models, databases, server logs) are in bench/.work/ (git-ignored).", ""]


REPORT_SECTIONS = (header_section, targets_section, nlu_section, core_section, speed_section, cost_section,
            profile_section, changes_section, reproduce_section)


# ---------------------------------------------------------------- history.md


HISTORY_HEAD = ("# Benchmark history\n\nOne entry per `make bench` run (appended by bench/run.py) and per "
                "experiment (written by hand). Newest last.\n\n")


def history_entry(res: Dict[str, Any]) -> str:
    """The line a run adds to bench/history.md: its key figures."""
    m = res["machine"]
    done = res.get("this_run")
    if done is not None:  # a merged results.json: only what this run measured
        speed = res.get("speed") or {}
        dropped = {k for s in SECTIONS if s not in done for k in SECTION_KEYS.get(s, ())}
        res = {k: v for k, v in res.items() if k not in dropped}
        if "speed" in done and "variants" not in done:
            res["speed"] = {k: v for k, v in speed.items() if k != "variants"}
        elif "variants" in done and "speed" not in done:
            res["speed"] = {"variants": speed.get("variants", {})}
    sp = res.get("speed", {})
    bits = []
    o, b = sp.get("ours"), sp.get("baseline")
    if o and b:
        bits.append(f"p95@1 {o['levels']['1']['latency_ms']['p95']:.0f}/{b['levels']['1']['latency_ms']['p95']:.0f} ms, "
                    f"msg/s@32 {o['levels']['32']['throughput_msg_s']:.2f}/{b['levels']['32']['throughput_msg_s']:.2f} (ours/baseline)")
    if o:
        bits.append(f"ours lost action calls {o.get('lost_action_calls')}")
    for k, v in sp.get("variants", {}).items():
        bits.append(f"{k}: p95@1 {v['levels']['1']['latency_ms']['p95']:.0f} ms, msg/s@32 {v['levels']['32']['throughput_msg_s']:.2f}, "
                    f"lost {v.get('lost_action_calls')}")
    voice = sp.get("voice") or {}
    if voice.get("levels"):
        first = next(iter(voice["levels"].values()))
        bits.append(f"voice turn p95 {first['latency_ms']['p95']:.0f} ms")
    sets = nlu_sets(res)
    dev = [s for s in sets if not s["blind"]]
    blind = [s for s in sets if s["blind"]]
    if dev:
        bits.append(f"intent macro-F1 {dev[0]['macro_f1']:.3f} on {dev[0]['set']}")
    if blind:
        low = lambda k: min((s[k] for s in blind if s.get(k) is not None), default=None)  # noqa: E731
        bits.append(f"blind sets ({len(blind)}): macro-F1 {min(s['macro_f1'] for s in blind):.3f}–"
                    f"{max(s['macro_f1'] for s in blind):.3f}, lowest recall crisis {fmt(low('crisis_recall'), '.2f')} "
                    f"stop_contact {fmt(low('stop_contact_recall'), '.2f')}, benign read as crisis up to "
                    f"{max(s['false_crisis'] for s in blind):.1%}")
    if res.get("core"):
        bits.append(f"stories {res['core']['stories'] - res['core']['failed']}/{res['core']['stories']}")
    tr = res.get("train", {})
    if tr.get("ours") and not tr["ours"].get("reused"):
        bits.append(f"train {tr['ours']['seconds']:.0f}/{tr['baseline']['seconds']:.0f} s" if tr.get("baseline") else f"train {tr['ours']['seconds']:.0f} s")
    met = targets(res)
    if met:
        bits.append(f"targets met {sum(t['met'] for t in met)}/{len(met)}"
                    + (" (its sections)" if done is not None and set(done) != set(SECTIONS) else ""))
    return (f"- {res['started'][:16].replace('T', ' ')} — run.py {' '.join(res['argv']) or '(full)'} — "
            f"{m['nproc']} × {m['cpu']}, load {m['load_start'][0]:.2f}→{m['load_end'][0]:.2f}, commit {res['git']['commit']}"
            f"{'+dirty' if res['git']['dirty'] else ''}: " + "; ".join(bits) + ".\n")


def append_history(res: Dict[str, Any], path: Path) -> None:
    if not path.exists():
        path.write_text(HISTORY_HEAD, encoding="utf-8")
    with open(path, "a", encoding="utf-8") as f:
        f.write(history_entry(res))
