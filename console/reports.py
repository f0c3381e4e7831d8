"""Supervisor reports in the console: ``/reports`` (tables, trend lines,
funnel, heat map and reply-time distribution from console/reports_charts.py)
and ``/reports.csv``, plus the final-notice approvals of the campaign.

Registered by console/app.py (``register``). Supervisor only (the "audit"
permission). The page is rendered on the server: every value is
HTML-escaped here, charts are inline SVG (the CSP forbids inline styles and
scripts, SVG attributes are neither), nothing comes from a CDN.
"""
from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any, Callable, Iterable, List, Optional, Sequence, Tuple

from sanic import response
from sanic.request import Request

from bot import clock
from bot.reports import kpi, labels
from console import reports_charts

REPORT_PERMISSION = "audit"  # supervisors only (console/auth.PERMISSIONS)
APPROVE_PERMISSION = "approve"
DEFAULT_DAYS = 7
MAX_DAYS = 366
FIRST_DAY, LAST_DAY = date(1970, 1, 2), date(9998, 12, 31)
BODY_MARKER = "<!--REPORT-BODY-->"

# One set of names for the page, the CSV and `collectbot report`.
REASON_ZH, KIND_ZH = labels.BLOCKED_REASONS, labels.ARRANGEMENT_KINDS
ESCALATION_ZH, CHANNEL_ZH = labels.ESCALATION_REASONS, labels.CHANNELS


def e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def parse_range(args, today: date) -> Tuple[date, date, Optional[str]]:
    """(start, end, error) from ``?from=&to=``; default: the last 7 days."""
    end, start = today, today - timedelta(days=DEFAULT_DAYS - 1)
    try:
        if args.get("to"):
            end = date.fromisoformat(args.get("to"))
        if args.get("from"):
            start = date.fromisoformat(args.get("from"))
    except ValueError:
        return today - timedelta(days=DEFAULT_DAYS - 1), today, "日期格式应为 YYYY-MM-DD，已显示最近7天。"
    if not (FIRST_DAY <= start <= LAST_DAY and FIRST_DAY <= end <= LAST_DAY):
        # Date arithmetic past year 9999 or before year 1 overflows (issue 16).
        return today - timedelta(days=DEFAULT_DAYS - 1), today, f"日期应在 {FIRST_DAY} 至 {LAST_DAY} 之间，已显示最近7天。"
    if end < start:
        return today - timedelta(days=DEFAULT_DAYS - 1), today, "结束日期早于开始日期，已显示最近7天。"
    if (end - start).days >= MAX_DAYS:
        start = end - timedelta(days=MAX_DAYS - 1)
        return start, end, f"一次最多查询{MAX_DAYS}天。"
    return start, end, None


def bar_chart(items: Sequence[Tuple[str, float, str]], width: int = 420) -> str:
    """Horizontal bars as inline SVG: (label, value, shown text)."""
    if not items:
        return '<p class="muted">无数据</p>'
    top = max(v for _, v, _ in items) or 1
    row_h, label_w = 24, 130
    height = row_h * len(items) + 4
    parts = [
        f'<svg class="chart" role="img" width="{label_w + width + 90}" height="{height}" '
        f'viewBox="0 0 {label_w + width + 90} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value, shown) in enumerate(items):
        y = i * row_h + 2
        w = max(1, int(width * value / top)) if value else 0
        parts.append(f'<text x="0" y="{y + 16}" font-size="13">{e(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="16" fill="#3b7dd8"><title>{e(shown)}</title></rect>')
        parts.append(f'<text x="{label_w + w + 6}" y="{y + 16}" font-size="13">{e(shown)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _dict_cell(d: dict, labels: dict) -> str:
    return "，".join(f"{labels.get(k, k)} {v}" for k, v in d.items()) or "—"


def _seconds(value: Optional[float]) -> str:
    if value is None:
        return "—"
    minutes, seconds = divmod(int(round(value)), 60)
    return f"{minutes}分{seconds:02d}秒" if minutes else f"{seconds}秒"


ROW_HEAD = (
    "<tr><th>日期</th><th>阶段</th><th>渠道</th><th>联系账户</th><th>本人接触率</th><th>验证通过率</th>"
    "<th>承诺还款率</th><th>履约率</th><th>还款安排</th><th>承诺金额</th><th>实际还款</th><th>转人工</th>"
    "<th>退订</th><th>拦截发送</th><th>坐席首次回复（中位）</th></tr>"
)


def _row(r: kpi.KpiRow, first: str) -> str:
    cells = [
        first,
        r.stage if r.stage != "*" else "全部",
        CHANNEL_ZH.get(r.channel, r.channel),
        r.accounts_contacted,
        f"{kpi.pct(r.right_party_rate)}（{r.right_party_contacts}）",
        f"{kpi.pct(r.verification_rate)}（{r.verified}/{r.verification_attempts}）",
        f"{kpi.pct(r.promise_rate)}（{r.promises}）",
        f"{kpi.pct(r.kept_rate)}（{r.promises_kept}/{r.promises_settled}）",
        _dict_cell(r.arrangements, KIND_ZH),
        f"{r.amount_promised:,.2f}",
        f"{r.amount_paid:,.2f}",
        f"{_dict_cell(r.escalations, ESCALATION_ZH)}（{kpi.pct(r.escalation_rate)}）" if r.escalations else "—",
        r.opt_outs,
        _dict_cell(r.blocked, REASON_ZH),
        _seconds(r.median_first_reply_seconds),
    ]
    return "<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>"


def _table(rows: Iterable[kpi.KpiRow], first: Callable[[kpi.KpiRow], str], cls: str = "") -> str:
    body = "".join(_row(r, first(r)) for r in rows)
    return f'<table class="report {cls}"><thead>{ROW_HEAD}</thead><tbody>{body}</tbody></table>'


def report_body(report: kpi.KpiReport, pending: List[dict], csrf: str, can_approve: bool) -> str:
    t = report.total
    parts = [
        '<section class="kpi-cards">',
        *(
            f'<div class="kpi"><span class="kpi-label">{e(label)}</span><span class="kpi-value">{e(value)}</span></div>'
            for label, value in (
                ("联系账户", t.accounts_contacted),
                ("本人接触率", kpi.pct(t.right_party_rate)),
                ("验证通过率", kpi.pct(t.verification_rate)),
                ("承诺还款率", kpi.pct(t.promise_rate)),
                ("履约率", kpi.pct(t.kept_rate)),
                ("承诺金额 / 实际还款", f"{t.amount_promised:,.2f} / {t.amount_paid:,.2f} 元"),
                ("退订", t.opt_outs),
                ("坐席首次回复（中位）", _seconds(t.median_first_reply_seconds)),
            )
        ),
        "</section>",
        reports_charts.charts(report),
        '<section class="charts">',
        "<div><h3>各阶段承诺还款率</h3>"
        + bar_chart([(r.stage, r.promise_rate or 0, kpi.pct(r.promise_rate)) for r in report.by_stage])
        + "</div>",
        "<div><h3>拦截发送（按原因）</h3>"
        + bar_chart([(REASON_ZH.get(k, k), v, str(v)) for k, v in sorted(t.blocked.items(), key=lambda kv: -kv[1])])
        + "</div>",
        "<div><h3>转人工（按原因）</h3>"
        + bar_chart([(ESCALATION_ZH.get(k, k), v, str(v)) for k, v in sorted(t.escalations.items(), key=lambda kv: -kv[1])])
        + "</div>",
        "<div><h3>还款安排（按类型）</h3>"
        + bar_chart([(KIND_ZH.get(k, k), v, str(v)) for k, v in t.arrangements.items()])
        + "</div>",
        "</section>",
        "<h3>按日汇总</h3>",
        _table(report.days + [t], lambda r: str(r.day) if r.day else "合计", "days"),
        "<h3>按逾期阶段</h3>",
        _table(report.by_stage, lambda r: "全期"),
        "<h3>按渠道</h3>",
        _table(report.by_channel, lambda r: "全期"),
        "<h3>明细（日期 × 阶段 × 渠道）</h3>",
        _table(report.rows, lambda r: str(r.day), "detail"),
        "<h3>待审批的正式通知</h3>",
        '<p class="muted">也可在<a href="/approvals">方案审批</a>页查看账户详情并批准或驳回（驳回须填写原因）。</p>',
    ]
    if not pending:
        parts.append('<p class="muted">没有等待审批的正式通知。</p>')
    else:
        parts.append('<table class="report approvals"><thead><tr><th>账户</th><th>账单到期日</th><th>等待自</th><th></th></tr></thead><tbody>')
        for p in pending:
            action = ""
            if can_approve:
                action = (
                    f'<form method="post" action="/reports/approve-final" class="inline">'
                    f'<input type="hidden" name="csrf_token" value="{e(csrf)}">'
                    f'<input type="hidden" name="account_id" value="{e(p["account_id"])}">'
                    '<button type="submit">批准发送正式通知</button></form>'
                )
            parts.append(
                f"<tr><td>{e(p['account_id'])}</td><td>{e(p['cycle'])}</td>"
                f"<td>{e(p['since'].strftime('%Y-%m-%d %H:%M'))}</td><td>{action}</td></tr>"
            )
        parts.append("</tbody></table>")
    return "".join(parts)


def register(app, guarded, page_values, render, _json, _remote) -> None:
    """Add the report routes to the console app (called from console/app.py)."""
    from bot.campaign.config import load_settings
    from bot.campaign.runner import ApprovalError, approve_final_notice, pending_final_approvals
    from console import auth, store
    from console.service import db

    def compute(start: date, end: date):
        def unit(s):
            return kpi.compute_kpis(s, start, end), pending_final_approvals(s)

        return db(unit)

    @app.get("/reports")
    @guarded(REPORT_PERMISSION, page=True)
    async def reports_page(request: Request):
        start, end, error = parse_range(request.args, clock.today())
        report, pending = await compute(start, end)
        values = page_values(request)
        notice = request.args.get("notice") or ""
        page = render(
            "reports.html", start=start.isoformat(), end=end.isoformat(), error=error or "",
            notice=notice[:200], **values,
        )
        body = report_body(report, pending, values["csrf"], auth.allowed(request.ctx.actor.user.role, APPROVE_PERMISSION))
        return response.html(page.replace(BODY_MARKER, body))

    @app.get("/reports.csv")
    @guarded(REPORT_PERMISSION)
    async def reports_csv(request: Request):
        start, end, error = parse_range(request.args, clock.today())
        if error:
            return _json({"error": error}, 400)
        report, _ = await compute(start, end)
        await db(store.audit, request.ctx.actor.user, "export_report",
                 detail={"from": start.isoformat(), "to": end.isoformat()}, remote_addr=_remote(request))
        return response.raw(
            ("\ufeff" + kpi.to_csv(report)).encode("utf-8"),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="kpi-{start}-{end}.csv"'},
        )

    @app.post("/reports/approve-final")
    @guarded(APPROVE_PERMISSION)
    async def approve_final(request: Request):
        account_id = (request.form.get("account_id") or "").strip()
        actor = request.ctx.actor

        def unit(s):
            _, created = approve_final_notice(s, account_id, actor.user.username, clock.today(), load_settings().campaign)
            store.audit(s, actor.user, "approve_final_notice", account_id=account_id,
                        detail={"created": created}, remote_addr=_remote(request))
            return created

        try:
            await db(unit)
        except ApprovalError as exc:
            return response.redirect("/reports?notice=" + _quote(str(exc)))
        return response.redirect("/reports?notice=" + _quote(f"已批准账户 {account_id} 的正式通知，下次外呼运行时发送。"))


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")
