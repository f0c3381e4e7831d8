"""`collectbot campaign …`, `collectbot import-payments`, `collectbot report`.

Kept apart from bot/cli.py, which only registers and dispatches these.
Imports of the database layer happen inside the commands so that
`collectbot --help` stays fast.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Optional

EXIT_OK = 0
EXIT_REJECTED_ROWS = 1
EXIT_BAD_FILE = 2
EXIT_NOT_FOUND = 3

REPO_ROOT = Path(__file__).resolve().parents[2]


def add_commands(sub) -> None:
    p = sub.add_parser("campaign", help="外呼提醒：运行、审批正式通知、定时任务")
    csub = p.add_subparsers(dest="campaign_command", metavar="操作")
    csub.required = True
    r = csub.add_parser("run", help="按逾期阶段发送提醒短信（经合规检查），并发送之前排队的短信")
    r.add_argument("--dry-run", action="store_true", help="只预演：显示将要发送/拦截的数量，不发送、不写入")
    r.add_argument("--no-progress", action="store_true", help="不显示进度条")
    r.add_argument("--config", metavar="文件.yml", help="外呼配置文件（默认取环境变量 COLLECTBOT_CAMPAIGN_FILE）")
    a = csub.add_parser("approve-final", help="主管审批：允许向该账户发送正式通知（本账单周期）")
    a.add_argument("account_id", metavar="账户号", help="不区分大小写")
    a.add_argument("--by", required=True, metavar="用户名", help="审批人（主管用户名）")
    a.add_argument("--note", help="审批备注")
    csub.add_parser("pending", help="列出等待主管审批正式通知的账户")
    t = csub.add_parser("tasks", help="列出人工任务（第三阶段、违约承诺、身份验证协助、退订时的还款承诺）")
    t.add_argument("--all", action="store_true", help="包括已完成的任务")
    sc = csub.add_parser("schedule", help="显示每天自动运行外呼的 cron 配置")
    sc.add_argument("--systemd", action="store_true", help="显示 systemd 定时器（deploy/collectbot-campaign.*）")

    m = csub.add_parser("mark-phone", help="标记号码：非本人/错号（不再发送任何欠款信息），或银行已核实为本人号码")
    m.add_argument("phone", metavar="手机号", help="手机号（+86 开头或 11 位）")
    m.add_argument("--as", dest="kind", required=True,
                   choices=("third_party", "wrong_number", "verified", "clear"),
                   help="third_party / wrong_number：非本人；verified：已核实为本人（提醒可写金额）；clear：撤销以上标记")
    m.add_argument("--by", default="cli", help="操作人")
    m.add_argument("--note", help="备注")

    from bot.db.import_columns import PAYMENTS  # column names only: stays light

    p = sub.add_parser(
        "import-payments",
        help="导入银行还款流水 CSV，更新余额并核对承诺还款",
        description="导入银行还款流水，更新余额并核对承诺还款（先检查整个文件，有错误则不写入；重复导入同一文件不会重复记账）。",
        epilog=PAYMENTS.help_text(),
    )
    p.add_argument("file", metavar="文件.csv", help="要导入的还款流水文件")

    p = sub.add_parser("report", help="催收指标报表（按日期、逾期阶段、渠道）")
    p.add_argument("--from", dest="start", required=True, metavar="年-月-日", help="开始日期（含），如 2026-11-01")
    p.add_argument("--to", dest="end", required=True, metavar="年-月-日", help="结束日期（含），如 2026-11-30")
    p.add_argument("--csv", metavar="文件", help="同时导出 CSV 文件（UTF-8，Excel 可直接打开）")


def dispatch(url: Optional[str], args: argparse.Namespace) -> int:
    if args.command == "import-payments":
        return _import_payments(url, args.file)
    if args.command == "report":
        return _report(url, args.start, args.end, args.csv)
    cmd = args.campaign_command
    if cmd == "run":
        return _run(url, args.dry_run, not args.no_progress, args.config)
    if cmd == "approve-final":
        return _approve(url, args.account_id, args.by, args.note)
    if cmd == "pending":
        return _pending(url)
    if cmd == "tasks":
        return _tasks(url, args.all)
    if cmd == "schedule":
        return _schedule(args.systemd)
    if cmd == "mark-phone":
        return _mark_phone(url, args.phone, args.kind, args.by, args.note)
    raise AssertionError(f"unhandled campaign command {cmd}")  # pragma: no cover


def _run(url: Optional[str], dry_run: bool, progress: bool, config: Optional[str]) -> int:
    import asyncio

    from bot import clock
    from bot.campaign.config import load_settings
    from bot.campaign.runner import CampaignRunner, RasaTrigger
    from bot.core.campaign import CampaignConfigError
    from bot.db.migrate import upgrade
    from bot.settings import get_settings
    from bot.sms.sender import SmsSender, TwilioSmsConfig

    try:
        settings = load_settings(config)
    except (OSError, CampaignConfigError) as exc:
        print(f"错误：外呼配置无效：{exc}", file=sys.stderr)
        return EXIT_BAD_FILE
    upgrade(url)
    sms_config = TwilioSmsConfig.from_env()
    callback = (lambda: f"{sms_config.public_url}/webhooks/twilio_sms/status") if sms_config.public_url else (lambda: None)
    app = get_settings()
    try:  # the templates are measured again with the bank's name and hotline
        runner = CampaignRunner(
            settings,
            db_url=url,
            sender=SmsSender(sms_config, status_callback=callback, db_url=url),
            rasa=RasaTrigger.from_env(),
            bank_name=app.bank_name,
            hotline=app.bank_hotline,
            policy=app.policy,
            progress=sys.stderr if progress else None,
        )
    except CampaignConfigError as exc:
        print(f"错误：外呼配置无效：{exc}", file=sys.stderr)
        return EXIT_BAD_FILE
    summary = asyncio.run(runner.run(clock.now(), dry_run=dry_run))
    if not sms_config.uses_twilio and not dry_run and summary.outcomes["sent"]:
        print("（未配置 Twilio：短信已写入本地发件箱，用 collectbot outbox 查看）")
    lines = summary.lines()
    from bot.voice.campaign import summary_line  # calls counted apart from SMS (issue 17)

    calls = summary_line(summary)
    print("\n".join(lines[:2] + ([calls] if calls else []) + lines[2:]))
    return EXIT_OK


def _approve(url: Optional[str], account_id: str, by: str, note: Optional[str]) -> int:
    from bot import clock
    from bot.campaign.config import load_settings
    from bot.campaign.runner import ApprovalError, approve_final_notice
    from bot.db.account_ids import AmbiguousAccountId, resolve
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope

    upgrade(url)
    try:
        with session_scope(url) as s:
            account_id = resolve(s, account_id) or account_id
            _, created = approve_final_notice(s, account_id, by, clock.today(), load_settings().campaign, note)
    except AmbiguousAccountId as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_BAD_FILE
    except ApprovalError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_NOT_FOUND if "未找到" in str(exc) else EXIT_BAD_FILE
    if created:
        print(f"已审批：账户 {account_id} 的正式通知将在下次外呼运行时发送（审批人 {by}）。")
    else:
        print(f"账户 {account_id} 本周期的正式通知已审批过。")
    return EXIT_OK


def _pending(url: Optional[str]) -> int:
    from bot.campaign.runner import pending_final_approvals
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope

    upgrade(url)
    with session_scope(url) as s:
        rows = pending_final_approvals(s)
    if not rows:
        print("没有等待审批的正式通知。")
        return EXIT_OK
    print(f"等待主管审批正式通知的账户 {len(rows)} 个：")
    for r in rows:
        print(f"  {r['account_id']}  账单到期日 {r['cycle']}  自 {r['since']:%Y-%m-%d %H:%M} 起等待")
    return EXIT_OK


def _tasks(url: Optional[str], include_done: bool) -> int:
    from bot.core.agent_tasks import KIND_LABELS as labels, STATUS_LABELS as status_zh
    from bot.db.migrate import upgrade
    from bot.db.tasks import agent_tasks
    from bot.db.session import session_scope

    upgrade(url)
    with session_scope(url) as s:
        rows = agent_tasks(s, include_done)
    if not rows:
        print("没有待处理的人工任务。")
        return EXIT_OK
    print(f"人工任务 {len(rows)} 个：")
    for account_id, kind, status, text, created in rows:
        print(f"  [{labels.get(kind, kind)}｜{status_zh.get(status, status)}] {account_id}  {created:%Y-%m-%d}  {text}")
    return EXIT_OK


def _schedule(systemd: bool) -> int:
    from bot.campaign.runner import cron_line

    if systemd:
        for name in ("collectbot-campaign.service", "collectbot-campaign.timer"):
            path = REPO_ROOT / "deploy" / name
            print(f"# {path}")
            print(path.read_text(encoding="utf-8"))
        return EXIT_OK
    print("# 每天北京时间 09:30 运行外呼（加入 crontab -e）：")
    print(cron_line(str(REPO_ROOT)))
    return EXIT_OK


def _import_payments(url: Optional[str], path: str) -> int:
    from bot import clock
    from bot.campaign.config import load_settings
    from bot.db.payments import import_payments_csv
    from bot.db.importer import ImportFileError
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope

    upgrade(url)
    try:
        with session_scope(url) as s:
            result = import_payments_csv(s, path, now=clock.now(), cfg=load_settings().reconcile)
    except ImportFileError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_BAD_FILE
    print(f"文件编码：{result.encoding}")
    if result.rejected:
        for error in result.rejected:
            print(str(error), file=sys.stderr)
        print(f"导入取消：{len(result.rejected)} 行有错误，未写入任何数据。修正后重新导入。")
        return EXIT_REJECTED_ROWS
    r = result.reconciled
    print(
        f"导入完成：新增还款 {result.inserted} 笔，共 {result.total_amount:.2f} 元；"
        f"重复（已导入过）{result.duplicates} 笔。"
    )
    if result.reversals:
        print(f"其中冲正（退回已入账还款）{result.reversals} 笔，共 {result.reversed_amount:.2f} 元，已计回欠款余额。")
    if result.reopened:
        print(f"冲正后，已计为履约的承诺 {len(result.reopened)} 项重新按约定日期核对。")
    print(f"承诺还款核对：履约 {r.kept}，部分履约 {r.partially_kept}，违约 {r.broken}。")
    if r.follow_up_accounts:
        print("需跟进的账户：" + "、".join(r.follow_up_accounts))
    for account_id, amount in sorted(result.overpaid.items()):
        print(f"注意：账户 {account_id} 多还 {amount:.2f} 元（余额已为 0）。")
    return EXIT_OK


def _parse_day(text: str) -> date:
    return date.fromisoformat(text.strip())


def _report(url: Optional[str], start: str, end: str, csv_path: Optional[str]) -> int:
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope
    from bot.reports.kpi import compute_kpis, text_lines, to_csv

    try:
        first, last = _parse_day(start), _parse_day(end)
    except ValueError:
        print("错误：日期格式应为 YYYY-MM-DD", file=sys.stderr)
        return EXIT_BAD_FILE
    if last < first:
        print("错误：结束日期早于开始日期", file=sys.stderr)
        return EXIT_BAD_FILE
    upgrade(url)
    with session_scope(url) as s:
        report = compute_kpis(s, first, last)
    print("\n".join(text_lines(report)))
    if csv_path:
        # utf-8-sig: Excel opens it with the right encoding.
        Path(csv_path).write_text(to_csv(report), encoding="utf-8-sig")
        print(f"\nCSV 已写入 {csv_path}")
    return EXIT_OK


def _mark_phone(url: Optional[str], raw_phone: str, kind: str, by: str, note: Optional[str]) -> int:
    from bot.db.marks import mark_phone
    from bot.core.phone import parse_phone
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope

    phone = parse_phone(raw_phone)
    if not phone:
        print(f"错误：无法识别的手机号：{raw_phone}", file=sys.stderr)
        return EXIT_BAD_FILE
    upgrade(url)
    with session_scope(url) as s:
        changed = mark_phone(s, phone, kind, by=by, note=note)
    labels = {"third_party": "非本人", "wrong_number": "错号", "verified": "已核实为本人号码", "clear": "已撤销标记"}
    print(f"{phone}：{labels[kind]}（更新 {changed} 条记录）")
    return EXIT_OK
