"""Evasion and fraud signals for agents (issue 13).

Signals are **observations for a person to look at, never decisions**: no
rule here blocks, escalates, changes a treatment or is said to the
cardholder. Each signal names what was seen, when, and why it matters, in
Chinese for agents and supervisors. Plain Python over the same
``Evidence`` as bot/core/assessment.py.

The signals:

- ``repeated_broken_promises``: two or more promises or plans broken in
  the look-back window (180 days);
- ``wrong_person_after_verified``: "this is not me / wrong number" said
  from a number or conversation that had passed identity verification for
  this account before;
- ``changing_numbers``: the cardholder reached us from three or more
  different numbers/conversations within 90 days;
- ``dispute_after_promise_due``: a dispute raised only after a promise's
  date had passed unpaid, with no dispute before that promise was made;
- ``payments_reversed``: a payment was taken back (bounced, charged back);
- ``verification_failing_multiple_sources``: identity verification for
  this account failed from two or more different numbers/conversations
  within 30 days.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Dict, List

from bot.core.assessment import BROKEN, DISPUTE, KEPT, PARTIAL, Evidence

REPEATED_BROKEN = "repeated_broken_promises"
WRONG_PERSON_AFTER_VERIFIED = "wrong_person_after_verified"
CHANGING_NUMBERS = "changing_numbers"
DISPUTE_AFTER_DUE = "dispute_after_promise_due"
PAYMENTS_REVERSED = "payments_reversed"
VERIFICATION_FAILING = "verification_failing_multiple_sources"

SIGNAL_LABELS: Dict[str, str] = {
    REPEATED_BROKEN: "多次承诺未履约",
    WRONG_PERSON_AFTER_VERIFIED: "已核实号码声称非本人",
    CHANGING_NUMBERS: "频繁更换联系号码",
    DISPUTE_AFTER_DUE: "承诺到期未还后才提出异议",
    PAYMENTS_REVERSED: "还款被退回",
    VERIFICATION_FAILING: "多个来源身份核实失败",
}
# Shown with every signal: what it is for.
NOT_A_DECISION = "仅供坐席参考，不构成对客户的任何决定，不得向客户提及。"

BROKEN_WINDOW_DAYS = 180
BROKEN_MIN = 2
NUMBERS_WINDOW_DAYS = 90
NUMBERS_MIN = 3
VERIFY_WINDOW_DAYS = 30
VERIFY_SOURCES_MIN = 2


@dataclass(frozen=True)
class Signal:
    code: str
    on: date  # when it was (last) observed
    reason: str  # Chinese, for agents

    @property
    def label(self) -> str:
        return SIGNAL_LABELS[self.code]

    def as_dict(self) -> Dict[str, str]:
        return {"code": self.code, "label": self.label, "on": self.on.isoformat(), "reason": self.reason}


def _mask(source: str) -> str:
    """Agents see which source, not the full number: last four characters."""
    return f"尾号{source[-4:]}" if len(source) > 4 else source


def signals(ev: Evidence) -> List[Signal]:
    found: List[Signal] = []
    today = ev.today

    # 1. Repeated broken promises.
    since = today - timedelta(days=BROKEN_WINDOW_DAYS)
    broken = sorted(
        (p for p in ev.promises if p.status == BROKEN and (p.due or p.booked_on) >= since),
        key=lambda p: p.due or p.booked_on,
    )
    if len(broken) >= BROKEN_MIN:
        dates = "、".join((p.due or p.booked_on).isoformat() for p in broken)
        found.append(Signal(
            REPEATED_BROKEN, broken[-1].due or broken[-1].booked_on,
            f"近 {BROKEN_WINDOW_DAYS} 天内 {len(broken)} 次承诺未履约（到期日：{dates}）",
        ))

    # 2. "Wrong person" from a source that verified before.
    for claim in sorted(ev.wrong_person, key=lambda c: c.on):
        earlier = [v for v in ev.verifications if v.success and v.source == claim.source and v.on <= claim.on]
        if earlier:
            first = min(v.on for v in earlier)
            found.append(Signal(
                WRONG_PERSON_AFTER_VERIFIED, claim.on,
                f"{claim.on.isoformat()} 从{_mask(claim.source)}声称打错人/非本人，"
                f"但该来源曾于 {first.isoformat()} 通过本账户身份核实",
            ))
            break

    # 3. Changing numbers.
    window = today - timedelta(days=NUMBERS_WINDOW_DAYS)
    first_seen: Dict[str, date] = {}
    for c in ev.contacts:
        if c.direction == "in" and c.source and c.on >= window:
            first_seen[c.source] = min(c.on, first_seen.get(c.source, c.on))
    for v in ev.verifications:
        if v.success and v.source and v.on >= window:
            first_seen[v.source] = min(v.on, first_seen.get(v.source, v.on))
    if len(first_seen) >= NUMBERS_MIN:
        ordered = sorted(first_seen.items(), key=lambda kv: kv[1])
        found.append(Signal(
            CHANGING_NUMBERS, ordered[-1][1],
            f"近 {NUMBERS_WINDOW_DAYS} 天从 {len(ordered)} 个不同号码/会话联系："
            + "、".join(f"{_mask(s)}（{d.isoformat()}起）" for s, d in ordered),
        ))

    # 4. Dispute raised only after a promise fell due unpaid.
    disputes = sorted(s.on for s in ev.statements if s.kind == DISPUTE)
    if disputes:
        for p in sorted(ev.promises, key=lambda p: p.due or p.booked_on):
            if p.due is None or p.status in (KEPT,):
                continue
            unpaid_after_due = p.status in (BROKEN, PARTIAL) or p.due < today
            later = [d for d in disputes if d > p.due]
            before = [d for d in disputes if d <= p.booked_on]
            if unpaid_after_due and later and not before:
                found.append(Signal(
                    DISPUTE_AFTER_DUE, later[0],
                    f"{p.booked_on.isoformat()} 承诺于 {p.due.isoformat()} 还款，到期未足额还款，"
                    f"{later[0].isoformat()} 才首次对欠款提出异议",
                ))
                break

    # 5. Payments reversed.
    reversed_ = sorted((p for p in ev.payments if p.reversed), key=lambda p: p.on)
    if reversed_:
        found.append(Signal(
            PAYMENTS_REVERSED, reversed_[-1].on,
            f"{len(reversed_)} 笔还款被退回："
            + "、".join(f"{p.on.isoformat()} {abs(p.amount):,.2f} 元" for p in reversed_),
        ))

    # 6. Verification failing from several sources.
    vwin = today - timedelta(days=VERIFY_WINDOW_DAYS)
    failed: Dict[str, date] = {}
    for v in ev.verifications:
        if not v.success and v.on >= vwin:
            failed[v.source] = max(v.on, failed.get(v.source, v.on))
    if len(failed) >= VERIFY_SOURCES_MIN:
        ordered = sorted(failed.items(), key=lambda kv: kv[1])
        found.append(Signal(
            VERIFICATION_FAILING, ordered[-1][1],
            f"近 {VERIFY_WINDOW_DAYS} 天从 {len(ordered)} 个不同号码/会话核实身份失败："
            + "、".join(f"{_mask(s)}（{d.isoformat()}）" for s, d in ordered),
        ))
    return found
