"""`collectbot import-payments`: the bank's payment feed, and reconciliation.

The file (header ``account_id,amount,paid_at,reference``) is validated
completely before anything is written (all or nothing, like the account
import). A reference already stored for the same account and amount is a
re-delivered payment and is skipped, so importing a file twice changes
nothing; the same reference with other figures is an error.

After the payments are stored and the balances updated, every open promise
is reconciled (bot/core/reconcile.py): kept, partially kept, broken. A broken
(or partially kept) promise puts the account in the follow-up queue
(``accounts.follow_up``) and opens an agent task.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import clock
from bot.core import reconcile
from bot.core.money import fmt_yuan
from bot.db.importer import ImportFileError, RowError, _read_text, csv_records
from bot.db.models import MONEY_MAX_INTEGER_DIGITS, Account, AgentTask, Arrangement, Payment

HEADER = ("account_id", "amount", "paid_at", "reference")
AMOUNT_RE = re.compile(r"^\d{1,%d}(?:\.\d{1,2})?$" % MONEY_MAX_INTEGER_DIGITS)
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/\-]{0,63}$")
PROMISE = "promise_to_pay"


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


@dataclass
class PaymentImportResult:
    inserted: int = 0
    duplicates: int = 0
    rejected: List[RowError] = field(default_factory=list)
    total_amount: Decimal = Decimal("0.00")
    overpaid: Dict[str, Decimal] = field(default_factory=dict)
    reconciled: ReconcileResult = field(default_factory=ReconcileResult)


def _parse_paid_at(text: str) -> datetime:
    raw = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        return datetime.combine(date.fromisoformat(raw), time(0, 0), tzinfo=clock.SHANGHAI)
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    value = datetime.fromisoformat(raw.replace(" ", "T", 1))
    if value.tzinfo is None:
        value = value.replace(tzinfo=clock.SHANGHAI)  # the bank's feed is in Beijing time
    return value.astimezone(clock.SHANGHAI)


def parse_payments_csv(text: str, now: datetime) -> Tuple[List[PaymentRow], List[RowError]]:
    rows: List[PaymentRow] = []
    errors: List[RowError] = []
    seen: Dict[str, int] = {}
    for line, record in csv_records(text, HEADER, errors):
        values = {k: v.strip() for k, v in zip(HEADER, record)}
        problems = [f"missing {k}" for k in HEADER if not values[k]]
        amount: Optional[Decimal] = None
        if values["amount"]:
            if AMOUNT_RE.match(values["amount"]) and Decimal(values["amount"]) > 0:
                amount = Decimal(values["amount"]).quantize(Decimal("0.01"))
            else:
                problems.append(
                    f"amount {values['amount']!r} is not a positive amount with at most 2 decimal places"
                )
        paid_at: Optional[datetime] = None
        if values["paid_at"]:
            try:
                paid_at = _parse_paid_at(values["paid_at"])
            except ValueError:
                problems.append(f"paid_at {values['paid_at']!r} is not an ISO date or date-time")
            else:
                if paid_at > now:
                    problems.append(f"paid_at {values['paid_at']} is in the future")
        reference = values["reference"]
        if reference and not REFERENCE_RE.match(reference):
            problems.append(f"reference {reference!r} must be 1-64 letters, digits or . _ : / -")
        if reference in seen:
            problems.append(f"duplicate reference {reference!r} (first on line {seen[reference]})")
        if problems:
            errors.append(RowError(line, "; ".join(problems)))
            continue
        seen[reference] = line
        rows.append(PaymentRow(line, values["account_id"], amount, paid_at, reference))
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
    rows, errors = parse_payments_csv(_read_text(path), now)
    result = PaymentImportResult(rejected=errors)
    if not rows and errors:
        return result

    # Checks against the database, still before writing anything.
    account_ids = {r.account_id for r in rows}
    known = set(
        s.execute(select(Account.account_id).where(Account.account_id.in_(account_ids))).scalars()
    ) if account_ids else set()
    existing = {
        p.reference: p
        for p in s.execute(select(Payment).where(Payment.reference.in_([r.reference for r in rows]))).scalars()
    } if rows else {}
    fresh: List[PaymentRow] = []
    for row in rows:
        if row.account_id not in known:
            result.rejected.append(RowError(row.line, f"unknown account_id {row.account_id!r}"))
            continue
        stored = existing.get(row.reference)
        if stored is not None:
            if stored.account_id == row.account_id and stored.amount == row.amount:
                result.duplicates += 1
            else:
                result.rejected.append(
                    RowError(
                        row.line,
                        f"reference {row.reference!r} is already stored for account {stored.account_id} "
                        f"with amount {stored.amount}",
                    )
                )
            continue
        fresh.append(row)
    result.rejected.sort(key=lambda e: e.line)
    if result.rejected:
        result.duplicates = 0
        return result

    with s.begin_nested():
        for row in fresh:
            s.add(Payment(account_id=row.account_id, amount=row.amount, paid_at=row.paid_at, reference=row.reference))
            account = s.get(Account, row.account_id)
            balance, minimum, over = reconcile.apply_payment(account.balance, account.minimum_due, row.amount)
            account.balance, account.minimum_due = balance, minimum
            if over > 0:
                result.overpaid[row.account_id] = result.overpaid.get(row.account_id, Decimal("0.00")) + over
            result.inserted += 1
            result.total_amount += row.amount
        s.flush()
        result.reconciled = reconcile_open_promises(s, now.astimezone(clock.SHANGHAI).date(), cfg)
    return result


def reconcile_open_promises(
    s: Session, today: date, cfg: reconcile.ReconcileConfig = reconcile.ReconcileConfig(),
    account_ids: Optional[List[str]] = None,
) -> ReconcileResult:
    """Move every booked promise to kept / partially kept / broken when due."""
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
    start = datetime.combine(earliest, time.min, tzinfo=clock.SHANGHAI)
    payments: Dict[str, List[reconcile.PaymentFacts]] = defaultdict(list)
    for p in s.execute(
        select(Payment).where(Payment.account_id.in_(list(by_account)), Payment.paid_at >= start)
    ).scalars():
        payments[p.account_id].append(
            reconcile.PaymentFacts(p.id, p.amount, p.paid_at.astimezone(clock.SHANGHAI).date())
        )
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
        facts = [
            reconcile.PromiseFacts(p.id, p.amount, p.pay_date or p.created_at.date(), p.created_at.astimezone(clock.SHANGHAI).date())
            for p in settled[account_id] + promises
        ]
        outcomes = {o.promise_id: o for o in reconcile.reconcile_promises(facts, payments[account_id], today, cfg)}
        for promise in promises:
            outcome = outcomes[promise.id]
            if outcome.status == reconcile.WAITING:
                continue
            promise.status = outcome.status
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
    return result
