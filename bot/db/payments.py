"""`collectbot import-payments`: the bank's payment feed, and reconciliation.

The file (columns account_id/账户号, amount/还款金额, paid_at/还款时间,
reference/流水号; encodings, column names and amounts read like the
account import, through bot/db/csvfile.py) is validated completely before
anything is written (all or nothing, like the account import). Account ids
match without case. A reference already stored for the same account and
amount is a re-delivered payment and is skipped, so importing a file twice
changes nothing; the same reference with other figures is an error.

A negative amount is a **reversal**: the bank took a payment back (it
bounced, was charged back or recalled). It is stored as a payment with a
negative amount under its own reference, puts the amount back on the
balance and on the minimum due (never above the balance: exact when the
payment taken back was at most the minimum due it lowered; the bank's next
account file carries its own figure either way), and may not exceed what
the account has had paid, net of earlier reversals. For
reconciling promises a reversal cancels the newest payments made on or
before it. A promise counted kept (or partially kept) that the payments
left no longer pay is **reopened**: back to ``booked``, with the day and
the reversal's reference in its details, and the reconciliation below
settles it again by its date (broken or partially kept once its date and
grace day have passed, else open); the account is rescored with that as
the reason. Agents see the reversal as an evasion signal with its date and
amount (bot/core/evasion.py), never as a decision.

After the payments are stored and the balances updated, every open promise
is reconciled (bot/core/reconcile.py): kept, partially kept, broken. A broken
(or partially kept) promise puts the account in the follow-up queue
(``accounts.follow_up``) and opens an agent task. Every account touched
(a payment, a reversal, a promise settled) is rescored
(bot/db/assessments.rescore) in the same transaction.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import clock
from bot.core import reconcile
from bot.core.money import fmt_yuan
from bot.core.import_values import parse_amount, parse_day
from bot.db import account_ids, arrangements, assessments
from bot.db.csvfile import RowError, read_text, records
from bot.db.import_columns import PAYMENTS
from bot.db.models import MONEY_MAX_INTEGER_DIGITS, Account, AgentTask, Arrangement, Payment

HEADER = PAYMENTS.keys
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/\-]{0,63}$")
PROMISE = "promise_to_pay"
AMOUNT_RULE = "不是有效金额（最多两位小数，如 1200.00 或 1,200.00；冲正写负数，如 -1200.00）"
MINUS_SIGNS = ("-", "－", "−")


@dataclass(frozen=True)
class PaymentRow:
    line: int
    account_id: str
    amount: Decimal
    paid_at: datetime
    reference: str


@dataclass
class ReconcileResult:
    kept: int = 0
    partially_kept: int = 0
    broken: int = 0
    follow_up_accounts: List[str] = field(default_factory=list)
    settled_accounts: List[str] = field(default_factory=list)  # a promise changed status


@dataclass
class PaymentImportResult:
    inserted: int = 0
    duplicates: int = 0
    rejected: List[RowError] = field(default_factory=list)
    total_amount: Decimal = Decimal("0.00")  # net: reversals subtract
    reversals: int = 0
    reversed_amount: Decimal = Decimal("0.00")
    overpaid: Dict[str, Decimal] = field(default_factory=dict)
    reopened: List[int] = field(default_factory=list)  # promises a reversal took back from kept
    reconciled: ReconcileResult = field(default_factory=ReconcileResult)
    encoding: str = ""  # how the file was decoded, told to the operator


def _parse_paid_at(text: str) -> datetime:
    day_text, _, rest = text.strip().replace("T", " ", 1).partition(" ")
    day = parse_day(day_text)
    if not rest.strip():
        return datetime.combine(day, time(0, 0), tzinfo=clock.SHANGHAI)
    raw = rest.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    value = datetime.fromisoformat(f"{day.isoformat()}T{raw}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=clock.SHANGHAI)  # the bank's feed is in Beijing time
    return value.astimezone(clock.SHANGHAI)


def parse_signed_amount(text: str) -> Decimal:
    """A payment (positive) or a reversal (a leading minus sign)."""
    raw = text.strip()
    if raw[:1] in MINUS_SIGNS:
        return -parse_amount(raw[1:], MONEY_MAX_INTEGER_DIGITS)
    return parse_amount(raw, MONEY_MAX_INTEGER_DIGITS)


def parse_payments_csv(text: str, now: datetime) -> Tuple[List[PaymentRow], List[RowError]]:
    rows: List[PaymentRow] = []
    errors: List[RowError] = []
    seen: Dict[str, int] = {}
    for rec in records(text, PAYMENTS, errors):
        problems = [f"{rec.where[k]}为空" for k in HEADER if not rec[k]]
        amount: Optional[Decimal] = None
        if rec["amount"]:
            try:
                amount = parse_signed_amount(rec["amount"])
            except ValueError:
                problems.append(f"{rec.where['amount']}：{rec['amount']} {AMOUNT_RULE}")
            else:
                if amount == 0:
                    problems.append(f"{rec.where['amount']}：{rec['amount']} 不能为 0")
                    amount = None
        paid_at: Optional[datetime] = None
        if rec["paid_at"]:
            try:
                paid_at = _parse_paid_at(rec["paid_at"])
            except ValueError:
                problems.append(
                    f"{rec.where['paid_at']}：{rec['paid_at']} 不是有效的日期或时间（如 2026-11-21 或 2026/11/21 14:03）"
                )
            else:
                if paid_at > now:
                    problems.append(f"{rec.where['paid_at']}：{rec['paid_at']} 晚于现在")
        reference = rec["reference"]
        if reference and not REFERENCE_RE.match(reference):
            problems.append(f"{rec.where['reference']}：{reference} 只能由字母、数字和 . _ : / - 组成（1–64 位）")
        if reference in seen:
            problems.append(f"{rec.where['reference']}：{reference} 与第 {seen[reference]} 行重复")
        if problems:
            errors.append(RowError(rec.line, "；".join(problems)))
            continue
        seen[reference] = rec.line
        rows.append(PaymentRow(rec.line, rec["account_id"], amount, paid_at, reference))
    return rows, errors


def import_payments_csv(
    s: Session,
    path: Union[str, Path],
    *,
    now: datetime,
    cfg: reconcile.ReconcileConfig = reconcile.ReconcileConfig(),
) -> PaymentImportResult:
    """Validate, store new payments, update balances, reconcile promises.

    Any rejected row: nothing is written (the result lists the errors).
    """
    text, encoding = read_text(path)
    rows, errors = parse_payments_csv(text, now)
    result = PaymentImportResult(rejected=errors, encoding=encoding)
    if not rows and errors:
        return result

    # Checks against the database, still before writing anything. Ids in
    # the file match stored ids without case; payments use the stored one.
    known = account_ids.stored_ids(s, [r.account_id for r in rows])
    existing = {
        p.reference: p
        for p in s.execute(select(Payment).where(Payment.reference.in_([r.reference for r in rows]))).scalars()
    } if rows else {}
    fresh: List[PaymentRow] = []
    for given in rows:
        matches = known.get(account_ids.key(given.account_id), [])
        if given.account_id in matches or len(matches) == 1:
            row = replace(given, account_id=given.account_id if given.account_id in matches else matches[0])
        else:
            reason = f"账户号 {given.account_id} " + (
                f"对应多个仅大小写不同的账户：{'、'.join(matches)}" if matches else "不存在（请先导入账户）"
            )
            result.rejected.append(RowError(given.line, reason))
            continue
        stored = existing.get(row.reference)
        if stored is not None:
            if stored.account_id == row.account_id and stored.amount == row.amount:
                result.duplicates += 1
            else:
                result.rejected.append(
                    RowError(
                        row.line,
                        f"流水号 {row.reference} 已导入过，但那笔是账户 {stored.account_id}、"
                        f"金额 {stored.amount}，与本行不同",
                    )
                )
            continue
        fresh.append(row)
    result.rejected.extend(_reversals_beyond_paid(s, fresh))
    result.rejected.sort(key=lambda e: e.line)
    if result.rejected:
        result.duplicates = 0
        return result

    today = now.astimezone(clock.SHANGHAI).date()
    with s.begin_nested():
        triggers: Dict[str, str] = {}
        for row in fresh:
            s.add(Payment(account_id=row.account_id, amount=row.amount, paid_at=row.paid_at, reference=row.reference))
            account = s.get(Account, row.account_id)
            if row.amount < 0:
                # The money is owed again, and so is the minimum it paid.
                account.balance += -row.amount
                account.minimum_due = min(account.minimum_due - row.amount, account.balance)
                result.reversals += 1
                result.reversed_amount += -row.amount
                triggers[row.account_id] = assessments.TRIGGER_REVERSAL
            else:
                balance, minimum, over = reconcile.apply_payment(account.balance, account.minimum_due, row.amount)
                account.balance, account.minimum_due = balance, minimum
                if over > 0:
                    result.overpaid[row.account_id] = result.overpaid.get(row.account_id, Decimal("0.00")) + over
                triggers.setdefault(row.account_id, assessments.TRIGGER_PAYMENT)
            result.inserted += 1
            result.total_amount += row.amount
        s.flush()
        reversals = defaultdict(list)
        for row in fresh:
            if row.amount < 0:
                reversals[row.account_id].append(row.reference)
        for account_id, references in sorted(reversals.items()):
            reopened = reopen_unpaid_promises(s, account_id, references, today, cfg)
            if reopened:
                result.reopened.extend(reopened)
                triggers[account_id] = assessments.TRIGGER_REVERSAL_REOPENED
        result.reconciled = reconcile_open_promises(s, today, cfg, rescore=False)
        for account_id in result.reconciled.settled_accounts:
            triggers.setdefault(account_id, RECONCILE_TRIGGER)
        for account_id, trigger in sorted(triggers.items()):
            assessments.rescore(s, account_id, trigger, today)
    return result


def _reversals_beyond_paid(s: Session, rows: List[PaymentRow]) -> List[RowError]:
    """A reversal takes back at most what the account has had paid (stored,
    and earlier lines of the file), net of earlier reversals."""
    reversing = {r.account_id for r in rows if r.amount < 0}
    if not reversing:
        return []
    net: Dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for account_id, amount in s.execute(
        select(Payment.account_id, Payment.amount).where(Payment.account_id.in_(sorted(reversing)))
    ).all():
        net[account_id] += amount
    errors: List[RowError] = []
    for row in sorted(rows, key=lambda r: (r.paid_at, r.line)):
        if row.account_id not in reversing:
            continue
        if row.amount < 0 and -row.amount > net[row.account_id]:
            errors.append(RowError(
                row.line,
                f"冲正金额 {fmt_yuan(-row.amount)} 超过账户 {row.account_id} 此前已入账的还款净额 "
                f"{fmt_yuan(net[row.account_id])}（冲正只能退回已入账的还款）",
            ))
            continue
        net[row.account_id] += row.amount
    return errors


def net_of_reversals(payments: List[reconcile.PaymentFacts]) -> List[reconcile.PaymentFacts]:
    """Positive payments with what was reversed taken off: each reversal
    cancels the newest payments made on or before its day."""
    ordered = sorted(payments, key=lambda p: (p.paid_on, p.id))
    left: Dict[int, Decimal] = {p.id: p.amount for p in ordered if p.amount > 0}
    for reversal in (p for p in ordered if p.amount < 0):
        owed = -reversal.amount
        for p in reversed([p for p in ordered if p.amount > 0 and p.paid_on <= reversal.paid_on]):
            if owed <= 0:
                break
            take = min(owed, left[p.id])
            left[p.id] -= take
            owed -= take
    return [replace(p, amount=left[p.id]) for p in ordered if p.amount > 0 and left[p.id] > 0]


RECONCILE_TRIGGER = "reconcile"


def _payment_facts(s: Session, account_ids: List[str]) -> Dict[str, List[reconcile.PaymentFacts]]:
    every: Dict[str, List[reconcile.PaymentFacts]] = defaultdict(list)
    for p in s.execute(select(Payment).where(Payment.account_id.in_(account_ids))).scalars():
        every[p.account_id].append(
            reconcile.PaymentFacts(p.id, p.amount, p.paid_at.astimezone(clock.SHANGHAI).date())
        )
    return every


def _promise_facts(p: Arrangement) -> reconcile.PromiseFacts:
    return reconcile.PromiseFacts(p.id, p.amount, p.pay_date or p.created_at.date(),
                                  p.created_at.astimezone(clock.SHANGHAI).date())


def reopen_unpaid_promises(s: Session, account_id: str, references: List[str], today: date,
                           cfg: reconcile.ReconcileConfig = reconcile.ReconcileConfig()) -> List[int]:
    """After a reversal: the account's promises counted kept or partially
    kept, reconciled again against its payments net of reversals (the same
    allocation as ``reconcile_open_promises``); each that is no longer paid
    as it was goes back to ``booked`` for that reconciliation to settle by
    its date, its details saying when, what it was and which reversal.
    Returns the promises reopened."""
    settled = list(s.execute(
        select(Arrangement).where(Arrangement.kind == PROMISE, Arrangement.account_id == account_id,
                                  Arrangement.status.in_((reconcile.KEPT, reconcile.PARTIALLY_KEPT)))
        .order_by(Arrangement.id)
    ).scalars())
    if not settled:
        return []
    payments = net_of_reversals(_payment_facts(s, [account_id])[account_id])
    outcomes = reconcile.reconcile_promises([_promise_facts(p) for p in settled], payments, today, cfg)
    by_id = {o.promise_id: o for o in outcomes}
    reopened = []
    for promise in settled:
        now_status = by_id[promise.id].status
        if now_status == promise.status or (promise.status == reconcile.PARTIALLY_KEPT and now_status == reconcile.KEPT):
            continue  # still paid as counted (a reversal never pays more)
        arrangements.set_decision(s, promise.id, expected_status=promise.status, status=reconcile.WAITING, details={
            "reopened": {"on": today.isoformat(), "was": promise.status, "by_reversal": references},
        })
        reopened.append(promise.id)
    return reopened


def reconcile_open_promises(
    s: Session, today: date, cfg: reconcile.ReconcileConfig = reconcile.ReconcileConfig(),
    account_ids: Optional[List[str]] = None, rescore: bool = True,
) -> ReconcileResult:
    """Move every booked promise to kept / partially kept / broken when due,
    and (``rescore``) rescore each account whose promise was settled."""
    query = select(Arrangement).where(Arrangement.kind == PROMISE, Arrangement.status == "booked")
    if account_ids is not None:
        query = query.where(Arrangement.account_id.in_(account_ids))
    open_promises = list(s.execute(query).scalars())
    result = ReconcileResult()
    if not open_promises:
        return result
    by_account: Dict[str, List[Arrangement]] = defaultdict(list)
    for promise in open_promises:
        by_account[promise.account_id].append(promise)
    earliest = min(
        min(p.created_at.astimezone(clock.SHANGHAI).date() for p in promises) for promises in by_account.values()
    )
    # Every payment is read, not only those since the earliest promise: a
    # reversal must cancel the payment it took back, however old.
    every = _payment_facts(s, list(by_account))
    payments: Dict[str, List[reconcile.PaymentFacts]] = defaultdict(list)
    for account_id, facts in every.items():
        payments[account_id] = [p for p in net_of_reversals(facts) if p.paid_on >= earliest]
    # Payments already counted for promises that were settled before are
    # not available again: allocate over all promises of the account, the
    # settled ones first (they are earlier), and keep only the open results.
    settled = defaultdict(list)
    for a in s.execute(
        select(Arrangement).where(
            Arrangement.kind == PROMISE,
            Arrangement.account_id.in_(list(by_account)),
            Arrangement.status.in_(("kept", "partially_kept")),
        )
    ).scalars():
        settled[a.account_id].append(a)

    follow: List[str] = []
    for account_id, promises in sorted(by_account.items()):
        facts = [_promise_facts(p) for p in settled[account_id] + promises]
        outcomes = {o.promise_id: o for o in reconcile.reconcile_promises(facts, payments[account_id], today, cfg)}
        for promise in promises:
            outcome = outcomes[promise.id]
            if outcome.status == reconcile.WAITING:
                continue
            promise.status = outcome.status
            if account_id not in result.settled_accounts:
                result.settled_accounts.append(account_id)
            if outcome.status == reconcile.KEPT:
                result.kept += 1
            elif outcome.status == reconcile.PARTIALLY_KEPT:
                result.partially_kept += 1
            else:
                result.broken += 1
            if reconcile.needs_follow_up(outcome.status, cfg):
                account = s.get(Account, account_id)
                account.follow_up = True
                label = "部分履约" if outcome.status == reconcile.PARTIALLY_KEPT else "违约"
                promised = fmt_yuan(promise.amount) if promise.amount is not None else "约定金额"
                key = f"broken_promise:{promise.id}"
                if s.execute(select(AgentTask.id).where(AgentTask.idempotency_key == key)).first() is None:
                    s.add(
                        AgentTask(
                            account_id=account_id,
                            kind="broken_promise",
                            description=(
                                f"承诺{promise.pay_date}还款{promised}，{label}"
                                f"（已还{fmt_yuan(outcome.paid)}），请跟进。"
                            ),
                            status="open",
                            idempotency_key=key,
                        )
                    )
                if account_id not in follow:
                    follow.append(account_id)
    s.flush()
    result.follow_up_accounts = follow
    if rescore:
        for account_id in result.settled_accounts:
            assessments.rescore(s, account_id, RECONCILE_TRIGGER, today)
    return result
