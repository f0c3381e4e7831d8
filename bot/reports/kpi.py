"""Supervisor KPIs per day, delinquency stage and channel.

Plain Python over the period's rows, which bot/db/kpi.py reads (no web
imports, no queries here). Definitions, so that
a supervisor can recount any number by hand:

- **day**: the Shanghai calendar day of the event;
- **stage**: the account's delinquency bucket (M0…M3+) on that day, from its
  current due date; "-" when the event has no account;
- **channel**: the channel of the message / escalation / opt-out / block;
  for verification attempts and arrangements, the channel of their
  conversation (from the contact log), else "unknown"; payments "-".

Per (day, stage, channel):

- ``accounts_contacted``: distinct accounts with a message either way
  (outbound ones only if delivered: not blocked, suppressed or failed);
- **right-party contact** (one definition, here and nowhere else: the
  page, the CSV and ``collectbot report`` all read it from this module): a
  contacted account whose identity was verified in that bucket, by any
  means — the ID digits (a successful verification attempt), the bank app's
  signed token in the web chat (the bot records it as a successful
  verification when the token identifies the cardholder), an agent's
  confirmation in the console (audit action ``confirm_identity``), or an
  arrangement booked for the account (nothing is booked for an unverified
  caller). ``right_party_contacts`` = |contacted ∩ identified|,
  ``right_party_rate`` = that / accounts_contacted;
- ``verification_rate``: accounts verified / accounts with any
  verification attempt;
- ``promise_rate``: right-party contacts who booked a promise to pay /
  right-party contacts; ``promises`` counts the same accounts;
- ``kept_rate``: promises booked that day now kept / those already settled
  (kept + partially kept + broken);
- ``arrangements`` by kind; ``amount_promised`` (promises booked) and
  ``amount_paid`` (payments received, channel "-");
- ``escalations`` by reason (every hand-over), ``escalation_rate`` =
  contacted accounts with a hand-over / accounts_contacted; ``opt_outs``;
  ``blocked`` sends by reason (the guard's log and agent replies refused by
  the guard);
- ``median_first_reply_seconds``: for escalations opened that day, the time
  to the first agent reply in the console.

No rate can exceed 100 %: every rate is ``share(part, whole)`` =
|part ∩ whole| / |whole| over sets of accounts (or of promises), so its
numerator is a subset of its denominator by construction.

Totals are recomputed from the underlying sets (an account contacted on two
channels counts once in the total), never by adding rates.
"""
from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Dict, List, Optional, Set, Tuple

from sqlalchemy.orm import Session

from bot import clock
from bot.core.policy import days_past_due, stage_for
from bot.db.kpi import KpiFacts, kpi_facts
from bot.db.sms import NOT_DELIVERED
from bot.reports import labels

SETTLED = ("kept", "partially_kept", "broken")
NO_STAGE = "-"
NO_CHANNEL = "-"
UNKNOWN_CHANNEL = "unknown"
PROMISE = "promise_to_pay"

Key = Tuple[date, str, str]


@dataclass
class Bucket:
    contacted: Set[str] = field(default_factory=set)
    verify_attempted: Set[str] = field(default_factory=set)
    verified: Set[str] = field(default_factory=set)
    confirmed: Set[str] = field(default_factory=set)  # by an agent, or by booking an arrangement
    promised: Set[str] = field(default_factory=set)
    escalated: Set[str] = field(default_factory=set)
    promise_status: Dict[int, str] = field(default_factory=dict)
    arrangements: Counter = field(default_factory=Counter)
    amount_promised: Decimal = Decimal("0.00")
    amount_paid: Decimal = Decimal("0.00")
    escalations: Counter = field(default_factory=Counter)
    opt_outs: int = 0
    blocked: Counter = field(default_factory=Counter)
    first_reply_seconds: List[float] = field(default_factory=list)

    def merge(self, other: "Bucket") -> None:
        self.contacted |= other.contacted
        self.verify_attempted |= other.verify_attempted
        self.verified |= other.verified
        self.confirmed |= other.confirmed
        self.promised |= other.promised
        self.escalated |= other.escalated
        self.promise_status.update(other.promise_status)
        self.arrangements.update(other.arrangements)
        self.amount_promised += other.amount_promised
        self.amount_paid += other.amount_paid
        self.escalations.update(other.escalations)
        self.opt_outs += other.opt_outs
        self.blocked.update(other.blocked)
        self.first_reply_seconds.extend(other.first_reply_seconds)


def share(part: Set[Any], whole: Set[Any]) -> Optional[float]:
    """|part ∩ whole| / |whole| (None when ``whole`` is empty): never above 1."""
    return None if not whole else round(len(part & whole) / len(whole), 4)


def identified(b: "Bucket") -> Set[str]:
    """Accounts whose identity was verified by any means (the definition of
    a right-party contact, with ``contacted``): ID digits or app token
    (verification attempts), an agent's confirmation, a booked arrangement."""
    return b.verified | b.confirmed


def right_party(b: "Bucket") -> Set[str]:
    return b.contacted & identified(b)


@dataclass(frozen=True)
class KpiRow:
    day: Optional[date]  # None: total over the period
    stage: str
    channel: str
    accounts_contacted: int
    right_party_contacts: int
    right_party_rate: Optional[float]
    verification_attempts: int
    verified: int
    verification_rate: Optional[float]
    promises: int
    promise_rate: Optional[float]
    promises_settled: int
    promises_kept: int
    kept_rate: Optional[float]
    arrangements: Dict[str, int]
    amount_promised: Decimal
    amount_paid: Decimal
    escalations: Dict[str, int]
    escalation_rate: Optional[float]
    opt_outs: int
    blocked: Dict[str, int]
    median_first_reply_seconds: Optional[float]

    @classmethod
    def from_bucket(cls, day: Optional[date], stage: str, channel: str, b: Bucket) -> "KpiRow":
        rp = right_party(b)
        settled = {i for i, st in b.promise_status.items() if st in SETTLED}
        kept = {i for i in settled if b.promise_status[i] == "kept"}
        promised_rp = b.promised & rp
        return cls(
            day=day,
            stage=stage,
            channel=channel,
            accounts_contacted=len(b.contacted),
            right_party_contacts=len(rp),
            right_party_rate=share(rp, b.contacted),
            verification_attempts=len(b.verify_attempted),
            verified=len(b.verified & b.verify_attempted),
            verification_rate=share(b.verified, b.verify_attempted),
            promises=len(promised_rp),
            promise_rate=share(b.promised, rp),
            promises_settled=len(settled),
            promises_kept=len(kept),
            kept_rate=share(kept, settled),
            arrangements=dict(sorted(b.arrangements.items())),
            amount_promised=b.amount_promised,
            amount_paid=b.amount_paid,
            escalations=dict(sorted(b.escalations.items())),
            escalation_rate=share(b.escalated, b.contacted),
            opt_outs=b.opt_outs,
            blocked=dict(sorted(b.blocked.items())),
            median_first_reply_seconds=(
                statistics.median(b.first_reply_seconds) if b.first_reply_seconds else None
            ),
        )


@dataclass
class KpiReport:
    start: date
    end: date
    rows: List[KpiRow]  # per (day, stage, channel), sorted
    days: List[KpiRow]  # per day, all stages and channels
    by_stage: List[KpiRow]  # per stage over the period
    by_channel: List[KpiRow]  # per channel over the period
    total: KpiRow
    # Every first agent reply time of the period (seconds, sorted): the
    # distribution the supervisors' chart shows beside the median.
    first_reply_seconds: List[float] = field(default_factory=list)


class _Collector:
    """Counts the period's facts (bot/db/kpi.py) into buckets; reads nothing itself."""

    def __init__(self, facts: KpiFacts) -> None:
        self.facts = facts
        self.buckets: Dict[Key, Bucket] = defaultdict(Bucket)
        self.due = facts.due_dates
        self.account_of_phone = facts.account_of_phone
        self.channel_of_conversation: Dict[str, str] = {}

    def day(self, at: datetime) -> date:
        return at.astimezone(clock.SHANGHAI).date()

    def stage(self, account_id: Optional[str], day: date) -> str:
        due = self.due.get(account_id) if account_id else None
        return NO_STAGE if due is None else str(stage_for(days_past_due(due, day)))

    def bucket(self, at: datetime, account_id: Optional[str], channel: Optional[str]) -> Bucket:
        d = self.day(at)
        return self.buckets[(d, self.stage(account_id, d), channel or UNKNOWN_CHANNEL)]

    def collect(self, t0: datetime, t1: datetime) -> None:
        f = self.facts
        # Messages (and which channel each conversation is on).
        for m in f.messages:
            self.channel_of_conversation.setdefault(m.conversation_id, m.channel)
            if not (t0 <= m.created_at < t1):
                continue
            if m.direction == "out" and m.status in NOT_DELIVERED:
                continue
            account_id = m.account_id or self.account_of_phone.get(m.conversation_id)
            if account_id:
                self.bucket(m.created_at, account_id, m.channel).contacted.add(account_id)
        # Verification.
        for v in f.verifications:
            account_id = v.account_id or self.account_of_phone.get(v.conversation_id)
            if not account_id:
                continue
            b = self.bucket(v.created_at, account_id, self.channel_of_conversation.get(v.conversation_id))
            b.verify_attempted.add(account_id)
            if v.success:
                b.verified.add(account_id)
        # Arrangements.
        for a in f.arrangements:
            b = self.bucket(a.created_at, a.account_id, self.channel_of_conversation.get(a.conversation_id or ""))
            b.arrangements[a.kind] += 1
            b.confirmed.add(a.account_id)  # booked only for a verified cardholder
            if a.kind == PROMISE:
                b.promised.add(a.account_id)
                b.promise_status[a.id] = a.status
                if a.amount is not None:
                    b.amount_promised += a.amount
        # Payments.
        for account_id, amount, at in f.payments:
            self.bucket(at, account_id, NO_CHANNEL).amount_paid += amount
        # Escalations and the first agent reply to each.
        for e in f.escalations:
            b = self.bucket(e.created_at, e.account_id, e.channel)
            b.escalations[e.reason] += 1
            if e.account_id:
                b.escalated.add(e.account_id)
            first = next((r for r in f.agent_replies.get(e.conversation_id, ()) if r >= e.created_at), None)
            if first is not None:
                b.first_reply_seconds.append((first - e.created_at).total_seconds())
        # Opt-outs.
        for phone, channel, at in f.opt_outs:
            self.bucket(at, self.account_of_phone.get(phone), channel).opt_outs += 1
        # Blocked sends: the guard's log, and agent replies the guard refused.
        for account_id, channel, reason, at in f.blocks:
            self.bucket(at, account_id, channel).blocked[reason] += 1
        # Identity confirmed by an agent in the console.
        for entry in f.identity_confirmations:
            if entry.account_id:
                channel = self.channel_of_conversation.get(entry.conversation_id or "")
                self.bucket(entry.created_at, entry.account_id, channel).confirmed.add(entry.account_id)
        for entry in f.blocked_replies:
            reason = (entry.detail or {}).get("reason") or "unknown"
            channel = self.channel_of_conversation.get(entry.conversation_id or "")
            self.bucket(entry.created_at, entry.account_id, channel).blocked[reason] += 1


def compute_kpis(s: Session, start: date, end: date) -> KpiReport:
    if end < start:
        raise ValueError("end date is before start date")
    t0 = datetime.combine(start, time.min, tzinfo=clock.SHANGHAI)
    t1 = datetime.combine(end + timedelta(days=1), time.min, tzinfo=clock.SHANGHAI)
    c = _Collector(kpi_facts(s, t0, t1))
    c.collect(t0, t1)
    rows = [KpiRow.from_bucket(d, st, ch, b) for (d, st, ch), b in sorted(c.buckets.items())]

    def rollup(key_of) -> Dict[Any, Bucket]:
        out: Dict[Any, Bucket] = defaultdict(Bucket)
        for key, b in c.buckets.items():
            out[key_of(key)].merge(b)
        return out

    days = [KpiRow.from_bucket(d, "*", "*", b) for d, b in sorted(rollup(lambda k: k[0]).items())]
    stages = [KpiRow.from_bucket(None, st, "*", b) for st, b in sorted(rollup(lambda k: k[1]).items())]
    channels = [KpiRow.from_bucket(None, "*", ch, b) for ch, b in sorted(rollup(lambda k: k[2]).items())]
    total_bucket = Bucket()
    for b in c.buckets.values():
        total_bucket.merge(b)
    return KpiReport(start, end, rows, days, stages, channels, KpiRow.from_bucket(None, "*", "*", total_bucket),
                     sorted(total_bucket.first_reply_seconds))


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

CSV_COLUMNS = (
    ("day", "日期"),
    ("stage", "逾期阶段"),
    ("channel", "渠道"),
    ("accounts_contacted", "联系账户数"),
    ("right_party_contacts", "本人接触数"),
    ("right_party_rate", "本人接触率"),
    ("verification_attempts", "身份验证账户数"),
    ("verified", "验证通过数"),
    ("verification_rate", "验证通过率"),
    ("promises", "承诺还款账户数"),
    ("promise_rate", "承诺还款率"),
    ("promises_settled", "已到期承诺数"),
    ("promises_kept", "履约承诺数"),
    ("kept_rate", "履约率"),
    ("arrangements", "还款安排（按类型）"),
    ("amount_promised", "承诺金额"),
    ("amount_paid", "实际还款金额"),
    ("escalations", "转人工（按原因）"),
    ("escalation_rate", "转人工率"),
    ("opt_outs", "退订数"),
    ("blocked", "拦截发送（按原因）"),
    ("median_first_reply_seconds", "坐席首次回复中位时长（秒）"),
)


RATE_COLUMNS = frozenset({"right_party_rate", "verification_rate", "promise_rate", "kept_rate", "escalation_rate"})
# Codes shown by name in the readable CSV (bot/reports/labels.py).
DICT_LABELS = {
    "arrangements": labels.ARRANGEMENT_KINDS,
    "escalations": labels.ESCALATION_REASONS,
    "blocked": labels.BLOCKED_REASONS,
}


def _cell(value: Any) -> str:
    """Machine form: codes, fractions, ``code=n`` lists."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def _readable_cell(name: str, value: Any) -> str:
    """What the supervisor page shows: names, percentages, 元 amounts."""
    if name in RATE_COLUMNS:
        return pct(value)
    if name == "stage":
        return "全部" if value == "*" else labels.label(labels.STAGES, value)
    if name == "channel":
        return "全部" if value == "*" else labels.label(labels.CHANNELS, value)
    if name in DICT_LABELS:
        return labels.counts(DICT_LABELS[name], value) if value else "—"
    if name == "median_first_reply_seconds":
        return "—" if value is None else str(int(round(value)))
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return _cell(value)


def row_values(row: KpiRow, codes: bool = False) -> List[str]:
    values = []
    for name, _ in CSV_COLUMNS:
        value = getattr(row, name)
        if name == "day":
            values.append(value.isoformat() if value else "合计")
        else:
            values.append(_cell(value) if codes else _readable_cell(name, value))
    return values


def to_csv(report: KpiReport, codes: bool = False) -> str:
    """The detail rows and the total. Chinese headers always; the values as
    the page shows them (names, percentages with one decimal), or with
    ``codes=True`` as codes and fractions for a program to read."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([zh for _, zh in CSV_COLUMNS])
    for row in report.rows:
        writer.writerow(row_values(row, codes))
    writer.writerow(row_values(report.total, codes))
    return out.getvalue()


def pct(value: Optional[float]) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def text_lines(report: KpiReport) -> List[str]:
    """The report for ``collectbot report``: Chinese names (bot/reports/labels.py)
    and percentages with their counts, as the supervisor page shows them."""
    t = report.total
    lines = [
        f"催收指标报表 {report.start} 至 {report.end}",
        f"联系账户 {t.accounts_contacted}，本人接触 {t.right_party_contacts}（{pct(t.right_party_rate)}），"
        f"验证通过率 {pct(t.verification_rate)}（{t.verified}/{t.verification_attempts}），"
        f"承诺还款率 {pct(t.promise_rate)}（{t.promises}），"
        f"履约率 {pct(t.kept_rate)}（{t.promises_kept}/{t.promises_settled}）",
        f"承诺金额 {t.amount_promised:,.2f} 元，实际还款 {t.amount_paid:,.2f} 元；退订 {t.opt_outs}；"
        f"坐席首次回复中位时长 {'—' if t.median_first_reply_seconds is None else f'{t.median_first_reply_seconds:.0f} 秒'}",
    ]
    if t.arrangements:
        lines.append("还款安排：" + labels.counts(labels.ARRANGEMENT_KINDS, t.arrangements))
    if t.escalations:
        lines.append(f"转人工（{pct(t.escalation_rate)}）：" + labels.counts(labels.ESCALATION_REASONS, t.escalations))
    if t.blocked:
        lines.append("拦截发送：" + labels.counts(labels.BLOCKED_REASONS, t.blocked))
    lines.append("")
    lines.append("日期        阶段  渠道        联系  本人接触率  验证通过率  承诺还款率  履约率  拦截")
    for r in report.rows:
        lines.append(
            f"{r.day}  {labels.label(labels.STAGES, r.stage):<4}  {labels.label(labels.CHANNELS, r.channel):<8}  "
            f"{r.accounts_contacted:>4}  {pct(r.right_party_rate):>9}  {pct(r.verification_rate):>9}  "
            f"{pct(r.promise_rate):>9}  {pct(r.kept_rate):>6}  {sum(r.blocked.values()):>4}"
        )
    return lines
