"""`collectbot assessment …`: retrain, report, recompute, show.

Kept apart from bot/cli.py, which only registers and dispatches these.
Heavy imports (scikit-learn, the database layer) happen inside the
commands so that `collectbot --help` stays fast.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_NOT_FOUND = 3

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REPORT = REPO_ROOT / "docs" / "reports" / "assessment.md"


def add_commands(sub) -> None:
    p = sub.add_parser("assessment", help="还款意愿与能力评估：重新训练、报告、重新评估、查看")
    asub = p.add_subparsers(dest="assessment_command", metavar="操作")
    asub.required = True
    r = asub.add_parser("retrain", help="用本库已有的承诺/计划履约结果重新训练履约预测模型（结果不足时继续使用规则）")
    r.add_argument("--model", metavar="文件", help="模型保存位置（默认取 COLLECTBOT_ASSESSMENT_MODEL，否则 var/assessment/keep_model.pkl）")
    rep = asub.add_parser("report", help="在模拟数据上评估（AUC、校准、分阶段、分群策略对比），写入报告")
    rep.add_argument("--out", metavar="文件.md", help=f"报告文件（默认 {DEFAULT_REPORT.relative_to(REPO_ROOT)}）")
    rep.add_argument("--accounts", type=int, default=600, help="每个模拟组合的账户数（默认 600）")
    rep.add_argument("--seeds", default="11,12,13,14,15", help="评估用随机种子，逗号分隔（默认 11,12,13,14,15）")
    rep.add_argument("--months", type=int, default=6, help="模拟月数（默认 6）")
    rc = asub.add_parser("recompute", help="按现有证据重新评估账户并保存（不指定账户则全部）")
    rc.add_argument("account_id", nargs="?", metavar="账户号", help="不区分大小写")
    sd = asub.add_parser("simulate-db", help="写入模拟账户组合（SIM- 开头，演示与测试用；生产环境拒绝执行）")
    sd.add_argument("--accounts", type=int, default=300, help="账户数（默认 300）")
    sd.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
    sd.add_argument("--strategy", choices=("fixed", "segment"), default="segment", help="模拟所用策略（默认 segment）")
    mx = asub.add_parser("mix", help="主管报表：分群构成变化、按分群（处置方式）的履约率、风险信号账户数")
    mx.add_argument("--days", type=int, default=56, help="回看天数（默认 56，按周）")
    sh = asub.add_parser("show", help="查看账户的评估、理由与风险信号（仅供坐席参考）")
    sh.add_argument("account_id", metavar="账户号", help="不区分大小写")
    sh.add_argument("--history", type=int, default=0, metavar="N", help="同时显示最近 N 次评估")


def dispatch(url: Optional[str], args) -> int:
    command = args.assessment_command
    if command == "retrain":
        return _retrain(url, args.model)
    if command == "report":
        return _report(url, args.out, args.accounts, args.seeds, args.months)
    if command == "recompute":
        return _recompute(url, args.account_id)
    if command == "simulate-db":
        return _simulate_db(url, args.accounts, args.seed, args.strategy)
    if command == "mix":
        return _mix(url, args.days)
    if command == "show":
        return _show(url, args.account_id, args.history)
    raise AssertionError(f"unhandled assessment command {command}")  # pragma: no cover


def _own_history(url: Optional[str]) -> str:
    from bot import clock
    from bot.assessment import model as m
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope

    upgrade(url)
    with session_scope(url, read_only=True) as s:
        rows = m.rows_from_database(s, clock.today())
    kept = sum(r.kept for r in rows)
    saved = m.current()
    state = (f"a model trained on {saved.trained_on} data ({saved.n_train} outcomes) is in use"
             if saved is not None else "the rule-based fallback is in use")
    return (f"This database holds {len(rows)} promises and plans with a known outcome ({kept} kept); "
            f"the model needs at least {m.MIN_OUTCOMES} (at least {m.MIN_PER_CLASS} of each outcome). "
            f"Keep probabilities stored for accounts: {state}.")


def _retrain(url: Optional[str], model_file: Optional[str]) -> int:
    from bot import clock
    from bot.assessment import model as m
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope

    upgrade(url)
    with session_scope(url, read_only=True) as s:
        rows = m.rows_from_database(s, clock.today())
    try:
        trained = m.KeepModel.train(rows, "database")
    except m.NotEnoughOutcomes as exc:
        print(f"未训练：{exc}。继续使用规则评估。")
        return EXIT_OK
    evaluation = m.evaluate(trained, rows)
    path = Path(model_file) if model_file else m.model_path()
    trained.save(path)
    auc = evaluation["auc"]
    print(f"已训练并保存到 {path}：{len(rows)} 条结果，履约率 {evaluation['kept_rate']:.1%}，"
          f"训练集 AUC {auc:.3f}（样本内，仅供参考；样本外评估见 collectbot assessment report）。")
    return EXIT_OK


def _report(url: Optional[str], out: Optional[str], accounts: int, seeds: str, months: int) -> int:
    from bot.assessment import report

    try:
        seed_list = [int(x) for x in seeds.split(",") if x.strip()]
    except ValueError:
        print(f"错误：种子必须是整数，逗号分隔：{seeds}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not seed_list or accounts < 50 or months < 1:
        print("错误：至少一个种子、至少 50 个账户、至少 1 个月", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        own = _own_history(url)
    except Exception as exc:  # the report is about simulated data; the database part is optional
        own = f"(This database could not be read: {type(exc).__name__}.)"
    path = Path(out) if out else DEFAULT_REPORT
    results = report.write(path, accounts=accounts, seeds=seed_list, months=months, own_history=own)
    e = results.evaluation
    print(f"报告已写入 {path}（模拟数据）：模型 AUC {e['auc']:.3f}，规则 AUC {e['rule_auc']:.3f}。")
    return EXIT_OK


def _resolve(s, account_id: str) -> Optional[str]:
    from bot.db.account_ids import resolve

    return resolve(s, account_id)


def _recompute(url: Optional[str], account_id: Optional[str]) -> int:
    from bot import clock
    from bot.core.assessment import SEGMENT_LABELS
    from bot.db import assessments
    from bot.db.account_ids import AmbiguousAccountId
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope

    upgrade(url)
    with session_scope(url) as s:
        if account_id is None:
            counts = assessments.recompute_all(s, clock.today(), trigger="cli")
            mix = "，".join(f"{SEGMENT_LABELS[k]} {v} 个" for k, v in sorted(counts.items()))
            print(f"已重新评估 {sum(counts.values())} 个账户：{mix or '无账户'}")
            return EXIT_OK
        try:
            stored = _resolve(s, account_id)
        except AmbiguousAccountId as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        if stored is None:
            print(f"未找到账户：{account_id}", file=sys.stderr)
            return EXIT_NOT_FOUND
        view = assessments.recompute_assessment(s, stored, clock.today(), trigger="cli")
    print("\n".join(lines(view)))
    return EXIT_OK


def lines(view) -> list:
    from bot.core.assessment import BAND_LABELS, SEGMENT_LABELS
    from bot.core.evasion import NOT_A_DECISION

    out = [
        f"账户 {view.account_id} 评估（{view.as_of.isoformat()}）：{SEGMENT_LABELS[view.segment]}",
        f"还款意愿：{BAND_LABELS[view.willingness_band]}（{view.willingness_score:.2f}）　"
        f"还款能力：{BAND_LABELS[view.ability_band]}（{view.ability_score:.2f}）",
    ]
    if view.keep_probability is not None:
        source = "模型" if view.scorer == "model" else "规则"
        out.append(f"下一次承诺履约可能性：{view.keep_probability:.0%}（{source}）")
    if view.reasons:
        out.append("理由：")
        out += [f"  {'↑' if r['direction'] == '+' else '↓'} [{'意愿' if r['dimension'] == 'willingness' else '能力'}] {r['text']}"
                for r in view.reasons]
    else:
        out.append("理由：暂无证据")
    if view.signals:
        out.append(f"风险信号（{NOT_A_DECISION}）：")
        out += [f"  ! {sig['on']} {sig['label']}：{sig['reason']}" for sig in view.signals]
    return out


def _show(url: Optional[str], account_id: str, history: int) -> int:
    from bot import clock
    from bot.core.assessment import SEGMENT_LABELS
    from bot.db import assessments
    from bot.db.account_ids import AmbiguousAccountId
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope

    upgrade(url)
    with session_scope(url) as s:
        try:
            stored = _resolve(s, account_id)
        except AmbiguousAccountId as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        if stored is None:
            print(f"未找到账户：{account_id}", file=sys.stderr)
            return EXIT_NOT_FOUND
        view = assessments.latest(s, stored) or assessments.recompute_assessment(s, stored, clock.today(), trigger="cli")
        past = assessments.history(s, stored, history) if history else []
    print("\n".join(lines(view)))
    if past:
        print("历次评估：")
        for h in past:
            print(f"  {h.created_at:%Y-%m-%d %H:%M} 意愿 {h.willingness_score:.2f} 能力 {h.ability_score:.2f} "
                  f"{SEGMENT_LABELS[h.segment]}（{assessments.trigger_label(h.trigger) or '-'}）")
    return EXIT_OK


def _mix(url: Optional[str], days: int) -> int:
    from bot import clock
    from bot.assessment.overview import overview
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope

    if not 1 <= days <= 365:
        print("错误：回看天数须在 1 到 365 之间", file=sys.stderr)
        return EXIT_BAD_INPUT
    upgrade(url)
    with session_scope(url, read_only=True) as s:
        data = overview(s, clock.today(), days)
    labels = [seg["label"] for seg in data["segments"]]
    print("分群构成（账户数）：")
    print("日期        " + "  ".join(labels))
    for point in data["mix"]:
        counts = [str(point["counts"][seg["code"]]) for seg in data["segments"]]
        print(f"{point['day']}  " + "  ".join(c.rjust(len(label) * 2) for c, label in zip(counts, labels)))
    print("按分群（处置方式）的履约率：")
    for row in data["kept_by_segment"]:
        rate = f"{row['kept'] / row['resolved']:.1%}" if row["resolved"] else "—"
        print(f"  {row['label']}：{row['kept']}/{row['resolved']}（{rate}）　处置：{row['treatment'] or '—'}")
    print(f"风险信号（当前账户数；{data['not_a_decision']}）：")
    for sig in data["signals"]:
        print(f"  {sig['label']}：{sig['accounts']}")
    return EXIT_OK


def _simulate_db(url: Optional[str], accounts: int, seed: int, strategy: str) -> int:
    from bot.assessment import demo, simulator
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope

    if not 1 <= accounts <= 20000:
        print("错误：账户数须在 1 到 20000 之间", file=sys.stderr)
        return EXIT_BAD_INPUT
    simulation = simulator.simulate(accounts, seed, strategy)
    upgrade(url)
    try:
        with session_scope(url) as s:
            counts = demo.write(s, simulation)
    except demo.RefusedInProduction as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"已写入模拟账户 {counts['accounts']} 个（跳过已有 {counts['skipped']} 个）、还款安排 {counts['arrangements']} 项、"
          f"还款 {counts['payments']} 笔（模拟数据，账户号以 SIM- 开头）。")
    return EXIT_OK
