"""``collectbot`` operator command line.

Exit codes: 0 ok, 1 some CSV rows rejected, 2 unusable input file or usage
error, 3 account not found.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import List, Optional, Sequence

from bot.argparse_zh import ArgumentParser

EXIT_OK = 0
EXIT_REJECTED_ROWS = 1
EXIT_BAD_FILE = 2
EXIT_NOT_FOUND = 3

_BOOL_ZH = {True: "是", False: "否"}
# Agents read the summary; stored codes stay English, labels are Chinese.
_KIND_ZH = {
    "promise_to_pay": "承诺还款",
    "installment": "分期",
    "deferral": "延期还款",
    "fee_waiver": "费用减免",
    "hardship_plan": "困难还款计划",
}
_STATUS_ZH = {
    "booked": "已登记",
    "pending_approval": "待审批",
    "requested": "已申请",
    "kept": "已履约",
    "partially_kept": "部分履约",
    "broken": "已违约",
    "cancelled": "已取消",
    "open": "待处理",
    "claimed": "处理中",
    "resolved": "已解决",
}
_WILLINGNESS_ZH = {"willing": "愿意还款", "unwilling": "不愿还款", "disputes": "有异议", "unknown": "未知"}
_ABILITY_ZH = {"full": "可全额还款", "partial": "可部分还款", "none": "暂无还款能力", "unknown": "未知"}


def _build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(prog="collectbot", description="信用卡催收助手：账户数据管理")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="数据库 URL（默认取环境变量 DATABASE_URL，否则 var/collectbot.db）",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令")
    sub.required = True

    sub.add_parser("migrate", help="把数据库升级到最新结构")

    from bot.db.import_columns import ACCOUNTS  # column names only: stays light

    p = sub.add_parser(
        "import-accounts",
        help="从 CSV 导入/更新账户",
        description="从银行导出的 CSV 导入或更新账户（先检查整个文件，有错误则不写入）。",
        epilog=ACCOUNTS.help_text(),
    )
    p.add_argument("file", metavar="文件.csv", help="要导入的账户文件")
    p.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="跳过有问题的行，导入其余行（默认：有任何错误则整个文件不导入）",
    )

    p = sub.add_parser("show-account", help="查看账户全部信息")
    p.add_argument("account_id", metavar="账户号", help="不区分大小写")
    p.add_argument("--json", action="store_true", help="输出完整 JSON")

    sub.add_parser("seed-demo", help="写入演示账户 DEMO-0001…DEMO-0005")

    p = sub.add_parser("outbox", help="查看本地短信发件箱（未配置 Twilio 时短信写入这里）")
    p.add_argument("--to", metavar="手机号", help="只看发给这个号码的短信")
    p.add_argument("--json", action="store_true", help="输出 JSON")

    p = sub.add_parser("create-user", help="创建坐席工作台用户（agent / trainer / supervisor）")
    p.add_argument("name", metavar="用户名", help="登录用户名")
    p.add_argument("--role", required=True, choices=("agent", "trainer", "supervisor"),
                   help="角色：agent 坐席，trainer 训练师，supervisor 主管")
    p.add_argument("--display-name", help="显示名称（默认同用户名）")
    p.add_argument(
        "--password-stdin", action="store_true", help="从标准输入读取密码（第一行），不交互提示"
    )
    _add_campaign_commands(sub)  # issue 6: bot/campaign/cli.py
    from bot.assessment.cli import add_commands as _add_assessment_commands  # issue 13

    _add_assessment_commands(sub)
    _add_voice_commands(sub)  # issue 17: bot/voice/cli.py

    p = sub.add_parser(
        "consume-events",
        help="从 RabbitMQ 读取 Rasa 事件写入联系记录（生产环境；RABBITMQ_* 环境变量）",
    )
    p.add_argument("--queue", help="队列名（默认取 RABBITMQ_QUEUE，否则 collectbot_events）")
    p.add_argument("--batch-size", type=int, default=100, help="每个事务最多写入的消息数")
    return parser


def _add_campaign_commands(sub) -> None:
    from bot.campaign.cli import add_commands

    add_commands(sub)


def _add_voice_commands(sub) -> None:
    from bot.voice.cli import add_commands

    add_commands(sub)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        raise ValueError("两次输入的密码不一致")
    return first


def _cmd_create_user(url: Optional[str], name: str, role: str, display_name: Optional[str], password_stdin: bool) -> int:
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope
    from console import store
    from console.auth import PasswordPolicyError

    try:
        password = _read_password(password_stdin)
    except (ValueError, EOFError, KeyboardInterrupt) as exc:
        print(f"错误：{exc or '未输入密码'}", file=sys.stderr)
        return EXIT_BAD_FILE
    upgrade(url)
    try:
        with session_scope(url) as s:
            user = store.create_user(s, name, role, password, display_name)
            store.audit(s, None, "create_user", username="cli", detail={"username": user.username, "role": role})
    except (ValueError, PasswordPolicyError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_BAD_FILE
    print(f"已创建用户 {user.username}（{user.role_label}）。")
    return EXIT_OK


def _cmd_migrate(url: Optional[str]) -> int:
    from bot.db.migrate import upgrade

    upgrade(url)
    print("数据库结构已是最新版本。")
    return EXIT_OK


def _cmd_import(url: Optional[str], path: str, skip_bad_rows: bool) -> int:
    from bot import clock
    from bot.db.importer import ImportFileError, import_accounts_csv
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope

    upgrade(url)
    try:
        with session_scope(url) as s:
            result = import_accounts_csv(
                s, path, skip_bad_rows=skip_bad_rows, today=clock.today()
            )
    except ImportFileError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_BAD_FILE

    print(f"文件编码：{result.encoding}")
    for error in result.rejected:
        print(str(error), file=sys.stderr)
    if result.rejected and not skip_bad_rows:
        print(
            f"导入取消：{len(result.rejected)} 行有错误，未写入任何数据。"
            "修正后重新导入，或使用 --skip-bad-rows 只导入正确的行。"
        )
        return EXIT_REJECTED_ROWS
    print(
        f"导入完成：新增 {result.inserted} 个账户，更新 {result.updated} 个账户，"
        f"拒绝 {len(result.rejected)} 行。"
    )
    if result.stage_counts:
        mix = "，".join(f"{stage} {n} 个" for stage, n in result.stage_counts.items())
        print(f"逾期阶段分布：{mix}")
    return EXIT_REJECTED_ROWS if result.rejected else EXIT_OK


def _summary_lines(snap: dict) -> List[str]:
    from bot.core.money import fmt_yuan
    from decimal import Decimal

    acc, holder = snap["account"], snap["cardholder"]
    lines = [
        f"账户 {acc['account_id']}（卡号尾号 {acc['card_last4']}）",
        f"持卡人：{holder['name']}　手机：{holder['phone']}　证件尾号：{holder['id_last4']}",
        f"欠款余额：{fmt_yuan(Decimal(acc['balance']))}　"
        f"最低还款额：{fmt_yuan(Decimal(acc['minimum_due']))}",
        f"到期日：{acc['due_date']}　逾期天数：{acc['days_past_due']}　阶段：{acc['stage']}",
        f"需跟进：{_BOOL_ZH[acc['follow_up']]}　争议处理中：{_BOOL_ZH[acc['open_dispute']]}"
        f"　违约承诺：{acc['broken_promises']} 次",
    ]
    active = [a for a in snap["arrangements"] if a["status"] in ("booked", "pending_approval")]
    lines.append(f"有效安排：{len(active)} 项（共 {len(snap['arrangements'])} 项）")
    for a in active:
        parts = [_KIND_ZH.get(a["kind"], a["kind"]), _STATUS_ZH.get(a["status"], a["status"])]
        if a["amount"]:
            parts.append(fmt_yuan(Decimal(a["amount"])))
        if a["pay_date"]:
            parts.append(f"还款日 {a['pay_date']}")
        if a["months"]:
            parts.append(f"{a['months']} 期")
        lines.append("  - " + "，".join(parts))
    assessment = snap["assessment"]
    if assessment:
        affordable = (
            fmt_yuan(Decimal(assessment["monthly_affordable"]))
            if assessment["monthly_affordable"]
            else "未知"
        )
        lines.append(
            "最新评估：还款意愿 "
            f"{_WILLINGNESS_ZH.get(assessment['willingness'], assessment['willingness'])}，"
            f"还款能力 {_ABILITY_ZH.get(assessment['ability'], assessment['ability'])}，"
            f"每月可还 {affordable}"
        )
    unresolved = [e for e in snap["escalations"] if e["status"] != "resolved"]
    lines.append(f"未结案的人工转接：{len(unresolved)} 件")
    for e in unresolved:
        status = _STATUS_ZH.get(e["status"], e["status"])
        lines.append(f"  - [P{e['priority']}] {e['reason']}（{status}）{e['summary']}")
    active_opt_outs = [o["channel"] for o in snap["opt_outs"] if o["active"]]
    lines.append("已拒绝联系的渠道：" + ("、".join(active_opt_outs) if active_opt_outs else "无"))
    open_claims = [c for c in snap["payment_claims"] if c["status"] == "open"]
    lines.append(f"待核实的已还款声明：{len(open_claims)} 条")
    lines.append(f"联系记录：{len(snap['contact_log'])} 条（完整内容请加 --json）")
    return lines


def _cmd_show(url: Optional[str], account_id: str, as_json: bool) -> int:
    from bot import clock
    from bot.db.account_ids import AmbiguousAccountId, resolve
    from bot.db.migrate import upgrade
    from bot.db.repository import account_snapshot
    from bot.db.session import session_scope

    upgrade(url)
    with session_scope(url) as s:
        try:
            stored = resolve(s, account_id)
        except AmbiguousAccountId as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return EXIT_BAD_FILE
        snap = account_snapshot(s, stored, clock.today()) if stored else None
    if snap is None:
        print(f"未找到账户：{account_id}", file=sys.stderr)
        return EXIT_NOT_FOUND
    if as_json:
        print(json.dumps(snap, ensure_ascii=False, indent=2))
    else:
        print("\n".join(_summary_lines(snap)))
    return EXIT_OK


def _cmd_seed(url: Optional[str]) -> int:
    from bot import clock
    from bot.db.importer import seed_demo
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope

    upgrade(url)
    with session_scope(url) as s:
        rows = seed_demo(s, clock.today())
    print(f"已写入 {len(rows)} 个演示账户：")
    for row in rows:
        print(
            f"  {row['account_id']}  {row['name']}  {row['phone']}  "
            f"余额 {row['balance']}  到期日 {row['due_date']}"
        )
    return EXIT_OK


def _cmd_outbox(url: Optional[str], to: Optional[str], as_json: bool) -> int:
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope
    from bot.db.sms import list_outbox

    upgrade(url)
    with session_scope(url) as s:
        rows = list_outbox(s, to)
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "message_id": r.message_id,
                        "to": r.to_number,
                        "from": r.from_number,
                        "messaging_service_sid": r.messaging_service_sid,
                        "body": r.body,
                        "status_callback": r.status_callback,
                        "created_at": r.created_at.isoformat(),
                    }
                    for r in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return EXIT_OK
    if not rows:
        print("发件箱为空。" if not to else f"没有发给 {to} 的短信。")
        return EXIT_OK
    print(f"发件箱共 {len(rows)} 条短信：")
    for r in rows:
        print(f"[{r.message_id}] {r.created_at:%Y-%m-%d %H:%M:%S} → {r.to_number}")
        for line in r.body.splitlines() or [""]:
            print(f"    {line}")
    return EXIT_OK


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except BrokenPipeError:
        # `collectbot show-account X --json | head`: the reader went away;
        # that is not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _dispatch(args: argparse.Namespace) -> int:
    # Imports happen inside the commands so `collectbot --help` stays fast
    # and works even when the database layer cannot be imported.
    url = args.database_url or None
    if args.command == "migrate":
        return _cmd_migrate(url)
    if args.command == "import-accounts":
        return _cmd_import(url, args.file, args.skip_bad_rows)
    if args.command == "show-account":
        return _cmd_show(url, args.account_id, args.json)
    if args.command == "seed-demo":
        return _cmd_seed(url)
    if args.command == "create-user":
        return _cmd_create_user(url, args.name, args.role, args.display_name, args.password_stdin)
    if args.command == "outbox":
        return _cmd_outbox(url, args.to, args.json)
    if args.command == "consume-events":
        from bot.event_consumer import run_from_settings

        return run_from_settings(url, args.queue, args.batch_size)
    if args.command in ("call-sim", "call"):
        from bot.voice.cli import dispatch as voice_dispatch

        return voice_dispatch(url, args)
    if args.command == "assessment":  # issue 13: bot/assessment/cli.py
        from bot.assessment.cli import dispatch as assessment_dispatch

        return assessment_dispatch(url, args)
    if args.command in ("campaign", "import-payments", "report"):
        from bot.campaign.cli import dispatch

        return dispatch(url, args)
    raise AssertionError(f"unhandled command {args.command}")  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
