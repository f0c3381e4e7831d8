"""The supervisors' charts, rendered on the server as inline SVG (issue 12):
daily trend lines, the funnel contacted → verified → promised → kept, the
stage × outcome heat map, and the distribution of first agent reply times.

Every figure comes from the one KPI report (bot/reports/kpi.py), so a chart
and the table beside it cannot disagree. No script and no style attribute
(the console's CSP forbids both); SVG presentation attributes are neither.
Every text is HTML-escaped. Nothing is fetched from a CDN.
"""
from __future__ import annotations

import html
from typing import Any, List, Optional, Sequence, Tuple

from bot.reports import kpi, labels

PALETTE = ("#3b7dd8", "#12b76a", "#f79009", "#d92d20", "#7a5af8")
GRID = "#e4e7eb"
INK = "#344054"
MUTED = "#667085"
# First agent reply times, in buckets a supervisor reads (upper bound in seconds, label).
REPLY_BUCKETS: Tuple[Tuple[Optional[float], str], ...] = (
    (60, "1分钟内"),
    (5 * 60, "1–5分钟"),
    (15 * 60, "5–15分钟"),
    (30 * 60, "15–30分钟"),
    (60 * 60, "30–60分钟"),
    (4 * 3600, "1–4小时"),
    (None, "4小时以上"),
)


def e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _svg(width: int, height: int, label: str, body: List[str], cls: str) -> str:
    return (
        f'<svg class="chart {cls}" role="img" aria-label="{e(label)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{e(label)}</title>'
        + "".join(body) + "</svg>"
    )


def _empty() -> str:
    return '<p class="muted">无数据</p>'


def _count_top(value: float) -> float:
    """An axis maximum for counts whose four grid steps are round whole
    numbers (3 → 4, 37 → 40)."""
    return 4 * max(1.0, _nice_top(value / 4))


def _nice_top(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    step = 1.0
    while step * 10 <= value:
        step *= 10
    for m in (1, 2, 5, 10):
        if m * step >= value:
            return m * step
    return 10 * step


# --------------------------------------------------------------------------
# Trend lines
# --------------------------------------------------------------------------


def line_chart(days: Sequence[str], series: Sequence[Tuple[str, Sequence[Optional[float]]]], label: str,
               percent: bool = False, width: int = 560, height: int = 220, cls: str = "trend") -> str:
    """One line per series over the days; a missing value (no denominator
    that day) breaks the line instead of pretending 0. ``percent``: values
    are fractions, the axis runs 0–100 %."""
    if not days or not any(v is not None for _, values in series for v in values):
        return _empty()
    left, right, top, bottom = 48, 24, 12, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = 1.0 if percent else _count_top(max(v for _, values in series for v in values if v is not None))
    n = len(days)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / peak)

    body: List[str] = []
    for k in range(5):  # grid and axis labels
        v = peak * k / 4
        shown = f"{v * 100:.0f}%" if percent else f"{v:g}"
        body.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{width - right}" y2="{y(v):.1f}" stroke="{GRID}"/>')
        body.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end" fill="{MUTED}">{e(shown)}</text>')
    every = max(1, (n + 7) // 8)
    for i, day in enumerate(days):
        if i % every == 0 or i == n - 1:
            body.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" font-size="11" text-anchor="middle" '
                        f'fill="{MUTED}">{e(day[5:])}</text>')
    for s, (name, values) in enumerate(series):
        color = PALETTE[s % len(PALETTE)]
        run: List[str] = []
        runs: List[List[str]] = []
        for i, v in enumerate(values):
            if v is None:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(f"{x(i):.1f},{y(v):.1f}")
            shown = kpi.pct(v) if percent else f"{v:g}"
            body.append(f'<circle class="point" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{color}">'
                        f'<title>{e(days[i])} {e(name)} {e(shown)}</title></circle>')
        if run:
            runs.append(run)
        for points in runs:
            if len(points) > 1:
                body.append(f'<polyline class="line" data-series="{e(name)}" points="{" ".join(points)}" '
                            f'fill="none" stroke="{color}" stroke-width="2"/>')
        lx = left + s * 130
        body.append(f'<rect x="{lx}" y="{height - 18}" width="12" height="12" fill="{color}"/>')
        body.append(f'<text x="{lx + 16}" y="{height - 8}" font-size="12" fill="{INK}">{e(name)}</text>')
    return _svg(width, height, label, body, cls)


def trend_charts(report: kpi.KpiReport) -> str:
    days = [r.day.isoformat() for r in report.days if r.day]
    rows = [r for r in report.days if r.day]
    contacts = line_chart(days, [("联系账户", [float(r.accounts_contacted) for r in rows])], "每日联系账户",
                          cls="trend contacts")
    rates = line_chart(
        days,
        [("本人接触率", [r.right_party_rate for r in rows]),
         ("承诺还款率", [r.promise_rate for r in rows]),
         ("履约率", [r.kept_rate for r in rows])],
        "每日本人接触率、承诺还款率、履约率", percent=True, cls="trend rates",
    )
    return (f'<div class="chart-box"><h3>每日联系账户</h3>{contacts}</div>'
            f'<div class="chart-box"><h3>每日比率趋势</h3>{rates}</div>')


# --------------------------------------------------------------------------
# Funnel
# --------------------------------------------------------------------------


def funnel_steps(total: kpi.KpiRow) -> List[Tuple[str, int]]:
    """Contacted → right-party (verified) → promised → kept, from the total row."""
    return [
        ("联系账户", total.accounts_contacted),
        ("本人接触（身份已核实）", total.right_party_contacts),
        ("承诺还款", total.promises),
        ("按时履约", total.promises_kept),
    ]


def funnel_chart(total: kpi.KpiRow, width: int = 560) -> str:
    steps = funnel_steps(total)
    if not steps[0][1]:
        return _empty()
    row_h, label_w = 40, 170
    height = row_h * len(steps) + 8
    bar_w = width - label_w - 120
    top = steps[0][1]
    body: List[str] = []
    for i, (name, count) in enumerate(steps):
        y = 4 + i * row_h
        w = max(2.0, bar_w * count / top) if count else 0
        x = label_w + (bar_w - w) / 2
        prev = steps[i - 1][1] if i else None
        share = "" if prev is None else f"（上一步的 {kpi.pct(count / prev) if prev else '—'}）"
        body.append(f'<text x="0" y="{y + 24}" font-size="13" fill="{INK}">{e(name)}</text>')
        body.append(f'<rect class="step" data-count="{count}" x="{x:.1f}" y="{y + 6}" width="{w:.1f}" height="26" '
                    f'fill="{PALETTE[i % len(PALETTE)]}"><title>{e(name)} {count}{e(share)}</title></rect>')
        body.append(f'<text x="{label_w + bar_w + 8}" y="{y + 24}" font-size="13" fill="{INK}">{count}'
                    f'{e(" " + share[1:-1]) if share else ""}</text>')
    return _svg(width, height, "转化漏斗：联系 → 本人接触 → 承诺 → 履约", body, "funnel")


# --------------------------------------------------------------------------
# Stage × outcome heat map
# --------------------------------------------------------------------------


def heatmap_cells(report: kpi.KpiReport) -> Tuple[List[str], List[str], List[List[int]], List[int]]:
    """(stage labels, outcome labels, counts, contacted per stage): per stage,
    the right-party contacts, promises, each arrangement kind, hand-overs
    and opt-outs of the period."""
    kinds = sorted({k for r in report.by_stage for k in r.arrangements if k != kpi.PROMISE})
    columns = ["本人接触", "承诺还款"] + [labels.label(labels.ARRANGEMENT_KINDS, k) for k in kinds] + ["转人工", "退订"]
    stages, counts, contacted = [], [], []
    for r in report.by_stage:
        stages.append(labels.label(labels.STAGES, r.stage))
        counts.append([r.right_party_contacts, r.promises] + [r.arrangements.get(k, 0) for k in kinds]
                      + [sum(r.escalations.values()), r.opt_outs])
        contacted.append(r.accounts_contacted)
    return stages, columns, counts, contacted


def _heat(fraction: float) -> str:
    """White → deep blue."""
    f = max(0.0, min(1.0, fraction))
    r, g, b = (int(255 + (c - 255) * f) for c in (11, 92, 173))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap_chart(report: kpi.KpiReport) -> str:
    stages, columns, counts, contacted = heatmap_cells(report)
    if not stages:
        return _empty()
    cell_w, cell_h, label_w, head_h = 78, 30, 90, 28
    width, height = label_w + cell_w * len(columns) + 4, head_h + cell_h * len(stages) + 4
    peak = max((v for row in counts for v in row), default=0) or 1
    body: List[str] = []
    for j, name in enumerate(columns):
        body.append(f'<text x="{label_w + cell_w * j + cell_w / 2:.0f}" y="18" font-size="12" text-anchor="middle" '
                    f'fill="{INK}">{e(name)}</text>')
    for i, stage in enumerate(stages):
        y = head_h + cell_h * i
        body.append(f'<text x="0" y="{y + 20}" font-size="12" fill="{INK}">{e(stage)}（{contacted[i]}）</text>')
        for j, value in enumerate(counts[i]):
            x = label_w + cell_w * j
            fill = _heat(value / peak)
            ink = "#ffffff" if value / peak > 0.55 else INK
            body.append(f'<rect class="cell" data-stage="{e(stage)}" data-outcome="{e(columns[j])}" data-count="{value}" '
                        f'x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}">'
                        f'<title>{e(stage)} · {e(columns[j])}：{value}</title></rect>')
            body.append(f'<text x="{x + cell_w / 2 - 1:.0f}" y="{y + 19}" font-size="12" text-anchor="middle" '
                        f'fill="{ink}">{value}</text>')
    return _svg(width, height, "逾期阶段 × 结果", body, "heatmap")


# --------------------------------------------------------------------------
# First reply times
# --------------------------------------------------------------------------


def reply_histogram(seconds: Sequence[float]) -> List[Tuple[str, int]]:
    counts = [0] * len(REPLY_BUCKETS)
    for value in seconds:
        for i, (upper, _) in enumerate(REPLY_BUCKETS):
            if upper is None or value < upper:
                counts[i] += 1
                break
    return [(name, counts[i]) for i, (_, name) in enumerate(REPLY_BUCKETS)]


def reply_time_chart(seconds: Sequence[float], width: int = 560, height: int = 220) -> str:
    if not seconds:
        return _empty()
    buckets = reply_histogram(seconds)
    left, bottom, top = 36, 40, 12
    plot_w, plot_h = width - left - 8, height - top - bottom
    peak = _count_top(max(c for _, c in buckets))
    slot = plot_w / len(buckets)
    body: List[str] = []
    for k in range(5):
        v = peak * k / 4
        y = top + plot_h * (1 - v / peak)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="{MUTED}">{v:g}</text>')
    for i, (name, count) in enumerate(buckets):
        h = plot_h * count / peak
        x = left + slot * i + 6
        y = top + plot_h - h
        body.append(f'<rect class="bucket" data-bucket="{e(name)}" data-count="{count}" x="{x:.1f}" y="{y:.1f}" '
                    f'width="{slot - 12:.1f}" height="{h:.1f}" fill="{PALETTE[0]}"><title>{e(name)}：{count}</title></rect>')
        if count:
            body.append(f'<text x="{x + (slot - 12) / 2:.1f}" y="{y - 3:.1f}" font-size="11" text-anchor="middle" '
                        f'fill="{INK}">{count}</text>')
        body.append(f'<text x="{x + (slot - 12) / 2:.1f}" y="{top + plot_h + 16}" font-size="11" text-anchor="middle" '
                    f'fill="{MUTED}">{e(name)}</text>')
    return _svg(width, height, "坐席首次回复时长分布", body, "replies")


def charts(report: kpi.KpiReport) -> str:
    """Every chart of the page, in the order a supervisor reads them."""
    return "".join([
        '<section class="charts">',
        trend_charts(report),
        f'<div class="chart-box"><h3>转化漏斗</h3>{funnel_chart(report.total)}</div>',
        f'<div class="chart-box"><h3>逾期阶段 × 结果</h3>{heatmap_chart(report)}'
        '<p class="muted">格内为期间内的账户数或笔数，颜色越深越多；阶段后括号内为联系账户数。</p></div>',
        f'<div class="chart-box"><h3>坐席首次回复时长分布（{len(report.first_reply_seconds)} 次转人工）</h3>'
        f"{reply_time_chart(report.first_reply_seconds)}</div>",
        "</section>",
    ])
