"""Willing and able, measured: evidence about one account -> two scores,
their bands, the reasons behind them and a segment (issue 13).

Plain Python (no Rasa, web or database imports). ``bot/db/assessments.py``
gathers the evidence from the database, the portfolio simulator
(``bot/assessment/simulator.py``) builds the same evidence from simulated
cardholders, and both call :func:`assess`.

How a score is made. Each score is a log-odds sum: it starts at 0 (a 50 %
guess), every piece of evidence adds or subtracts a fixed weight, and the
sum goes through the logistic function to a score between 0 and 1. Each
weight is written next to the rule that applies it (``_W`` and ``_A``
below) and every applied rule leaves a reason in Chinese for agents, with
its direction. A score with no evidence behind it is *unknown*, whatever
its number: a band is only given when at least one piece of evidence about
that dimension exists.

Bands: ``high`` >= 0.65, ``low`` < 0.35, otherwise ``medium``; ``unknown``
without evidence. Segment: willing = willingness score >= 0.5, able =
ability score >= 0.5, unknown when either band is unknown.

The evidence (all dated, so that ``Evidence.as_of(day)`` gives what was
known on a given day; the learned model trains on exactly that):

- what the cardholder **said**: stated monthly budget, income and expenses
  (told apart by bot/core/stated_means.py), hardship, refusal, dispute
  (``Statement``);
- what they **did**: promises and plans with their outcome, payments
  (reversals included), verification attempts, answers to contact
  (``Promise``, ``PaymentRecord``, ``Verification``, ``Contact``);
- the **account**: balance, minimum due, days past due.

Nothing here is said to the cardholder; reasons are for agents and
supervisors.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Dict, List, Optional, Sequence, Tuple

# Codes stored in the database; labels shown to agents.
HIGH, MEDIUM, LOW, UNKNOWN = "high", "medium", "low", "unknown"
BANDS = (HIGH, MEDIUM, LOW, UNKNOWN)
BAND_LABELS = {HIGH: "高", MEDIUM: "中", LOW: "低", UNKNOWN: "未知"}

WILLING_ABLE = "willing_able"
WILLING_UNABLE = "willing_unable"
UNWILLING_ABLE = "unwilling_able"
UNWILLING_UNABLE = "unwilling_unable"
SEGMENT_UNKNOWN = "unknown"
SEGMENTS = (WILLING_ABLE, WILLING_UNABLE, UNWILLING_ABLE, UNWILLING_UNABLE, SEGMENT_UNKNOWN)
SEGMENT_LABELS = {
    WILLING_ABLE: "愿还且能还",
    WILLING_UNABLE: "愿还但还不起",
    UNWILLING_ABLE: "能还但不愿还",
    UNWILLING_UNABLE: "不愿还且还不起",
    SEGMENT_UNKNOWN: "情况不明",
}

HIGH_AT = 0.65
LOW_BELOW = 0.35

# Statement kinds (what the cardholder said).
BUDGET = "budget"  # what they can pay each month (amount)
INCOME = "income"  # monthly income (amount)
EXPENSES = "expenses"  # monthly essential expenses (amount)
HARDSHIP = "hardship"
REFUSAL = "refusal"
DISPUTE = "dispute"
STATEMENT_KINDS = (BUDGET, INCOME, EXPENSES, HARDSHIP, REFUSAL, DISPUTE)

# Promise / plan outcomes (the arrangement statuses of bot/db/models.py).
KEPT, PARTIAL, BROKEN = "kept", "partially_kept", "broken"
OPEN_STATUSES = ("booked", "pending_approval", "requested")
PROMISE_KINDS = ("promise_to_pay", "installment", "deferral", "hardship_plan")

# How far back behaviour counts (older evidence says little about today).
LOOKBACK_DAYS = 365
RECENT_PAYMENT_DAYS = 60


@dataclass(frozen=True)
class Statement:
    kind: str
    on: date
    amount: Optional[Decimal] = None


@dataclass(frozen=True)
class Promise:
    """A promise to pay or a plan, with its outcome so far."""

    id: int
    kind: str
    status: str
    booked_on: date
    due: Optional[date] = None  # the promised date (first instalment for plans)
    amount: Optional[Decimal] = None
    resolved_on: Optional[date] = None  # when the outcome became known


@dataclass(frozen=True)
class PaymentRecord:
    amount: Decimal
    on: date
    reversed: bool = False  # the bank took it back (bounced, charged back)


@dataclass(frozen=True)
class Verification:
    on: date
    source: str  # the conversation / number it came from
    success: bool


@dataclass(frozen=True)
class Contact:
    on: date
    direction: str  # "out" (we contacted) or "in" (they wrote/answered)
    source: str = ""  # conversation / number
    channel: str = ""


@dataclass(frozen=True)
class WrongPersonClaim:
    on: date
    source: str


@dataclass(frozen=True)
class Evidence:
    account_id: str
    today: date
    balance: Decimal
    minimum_due: Decimal
    days_past_due: int
    statements: Tuple[Statement, ...] = ()
    promises: Tuple[Promise, ...] = ()
    payments: Tuple[PaymentRecord, ...] = ()
    verifications: Tuple[Verification, ...] = ()
    contacts: Tuple[Contact, ...] = ()
    wrong_person: Tuple[WrongPersonClaim, ...] = ()
    # The lowest monthly payment any plan within policy asks (the longest
    # personalised plan, bot/core/policy.py): what the money left after
    # stated expenses is measured against. None: the minimum due instead.
    minimum_plan_payment: Optional[Decimal] = None

    def as_of(self, day: date) -> "Evidence":
        """What was known before ``day`` (events dated ``day`` excluded);
        a promise not yet resolved by then is shown as still open."""
        promises = []
        for p in self.promises:
            if p.booked_on >= day:
                continue
            if p.status not in OPEN_STATUSES and (p.resolved_on is None or p.resolved_on >= day):
                p = replace(p, status="booked", resolved_on=None)
            promises.append(p)
        dpd = max(0, self.days_past_due - (self.today - day).days)
        return replace(
            self,
            today=day,
            days_past_due=dpd,
            statements=tuple(x for x in self.statements if x.on < day),
            promises=tuple(promises),
            payments=tuple(x for x in self.payments if x.on < day),
            verifications=tuple(x for x in self.verifications if x.on < day),
            contacts=tuple(x for x in self.contacts if x.on < day),
            wrong_person=tuple(x for x in self.wrong_person if x.on < day),
        )


@dataclass(frozen=True)
class Reason:
    dimension: str  # "willingness" or "ability"
    weight: float  # log-odds contribution; > 0 raises the score
    text: str  # Chinese, for agents

    @property
    def direction(self) -> str:
        return "+" if self.weight > 0 else "-"

    def as_text(self) -> str:
        return f"{self.text}（{'↑' if self.weight > 0 else '↓'}）"


@dataclass(frozen=True)
class Score:
    value: float
    band: str
    evidence_count: int
    reasons: Tuple[Reason, ...]

    @property
    def band_label(self) -> str:
        return BAND_LABELS[self.band]


@dataclass(frozen=True)
class Assessment:
    account_id: str
    on: date
    willingness: Score
    ability: Score
    segment: str
    features: Dict[str, float] = field(default_factory=dict)

    @property
    def segment_label(self) -> str:
        return SEGMENT_LABELS[self.segment]

    def reason_texts(self) -> List[str]:
        return [r.as_text() for r in self.willingness.reasons + self.ability.reasons]


# --------------------------------------------------------------------------
# Features: numbers about the evidence, shared by the rules and the model
# --------------------------------------------------------------------------

FEATURE_NAMES = (
    "days_past_due",
    "balance",
    "balance_to_minimum",
    "promises_kept",
    "promises_partial",
    "promises_broken",
    "broken_above_budget",
    "promises_open",
    "kept_rate",
    "payments_recent",
    "paid_recent_to_minimum",
    "payments_reversed",
    "refusals",
    "disputes",
    "hardship",
    "stated_budget_known",
    "budget_to_minimum",
    "balance_to_budget_months",
    "income_known",
    "balance_to_income_months",
    "contacts_out",
    "responses_in",
    "response_rate",
    "verified",
    "verification_failures",
)


def _f(value: Optional[Decimal]) -> float:
    return float(value) if value is not None else 0.0


def _latest(statements: Sequence[Statement], kind: str) -> Optional[Statement]:
    found = [s for s in statements if s.kind == kind and s.amount is not None]
    return max(found, key=lambda s: s.on) if found else None


def stated_budget(ev: Evidence) -> Optional[Decimal]:
    """What the cardholder can pay each month: the newest stated budget, else
    stated income minus stated expenses (both needed)."""
    budget = _latest(ev.statements, BUDGET)
    if budget is not None:
        return budget.amount
    income = _latest(ev.statements, INCOME)
    expenses = _latest(ev.statements, EXPENSES)
    if income is None or expenses is None:
        # Income alone says nothing about what is left after rent and food.
        return None
    return max(Decimal(0), income.amount - expenses.amount)


def stated_disposable(ev: Evidence) -> Optional[Tuple[Decimal, Decimal, Decimal]]:
    """(income, expenses, what is left) from the newest stated income and
    expenses; None unless both were said."""
    income = _latest(ev.statements, INCOME)
    expenses = _latest(ev.statements, EXPENSES)
    if income is None or expenses is None:
        return None
    return income.amount, expenses.amount, max(Decimal(0), income.amount - expenses.amount)


def _above_budget(ev: Evidence, p: Promise) -> bool:
    """The promise asked more than the cardholder had said they could pay
    each month by the time it was made."""
    if p.amount is None:
        return False
    said = [s for s in ev.statements if s.kind == BUDGET and s.amount is not None and s.on <= p.booked_on]
    return bool(said) and p.amount > max(said, key=lambda s: s.on).amount


def features(ev: Evidence) -> Dict[str, float]:
    since = ev.today - timedelta(days=LOOKBACK_DAYS)
    promises = [p for p in ev.promises if p.booked_on >= since and p.kind in PROMISE_KINDS]
    kept = sum(1 for p in promises if p.status == KEPT)
    partial = sum(1 for p in promises if p.status == PARTIAL)
    broken = sum(1 for p in promises if p.status == BROKEN)
    above = sum(1 for p in promises if p.status in (BROKEN, PARTIAL) and _above_budget(ev, p))
    open_ = sum(1 for p in promises if p.status in OPEN_STATUSES)
    resolved = kept + partial + broken
    recent = ev.today - timedelta(days=RECENT_PAYMENT_DAYS)
    recent_payments = [p for p in ev.payments if p.on >= recent and not p.reversed and p.amount > 0]
    paid_recent = sum((p.amount for p in recent_payments), Decimal(0))
    reversed_ = sum(1 for p in ev.payments if p.reversed and p.on >= since)
    statements = [s for s in ev.statements if s.on >= since]
    budget = stated_budget(ev)
    income = _latest(ev.statements, INCOME)
    minimum = max(_f(ev.minimum_due), 1.0)
    balance = _f(ev.balance)
    # Days on which we contacted them: a chat's many bot replies are one contact.
    out = len({c.on for c in ev.contacts if c.direction == "out" and c.on >= since})
    # Days on which the cardholder wrote or answered: a long chat is one answer.
    answered_days = {c.on for c in ev.contacts if c.direction == "in" and c.on >= since}
    return {
        "days_past_due": float(ev.days_past_due),
        "balance": balance,
        "balance_to_minimum": balance / minimum,
        "promises_kept": float(kept),
        "promises_partial": float(partial),
        "promises_broken": float(broken),
        "broken_above_budget": float(above),
        "promises_open": float(open_),
        # Laplace-smoothed: no history gives 0.5, not 0 or 1.
        "kept_rate": (kept + 0.5 * partial + 1.0) / (resolved + 2.0),
        "payments_recent": float(len(recent_payments)),
        "paid_recent_to_minimum": _f(paid_recent) / minimum,
        "payments_reversed": float(reversed_),
        "refusals": float(sum(1 for s in statements if s.kind == REFUSAL)),
        "disputes": float(sum(1 for s in statements if s.kind == DISPUTE)),
        "hardship": float(any(s.kind == HARDSHIP for s in statements)),
        "stated_budget_known": float(budget is not None),
        "budget_to_minimum": (_f(budget) / minimum) if budget is not None else 0.0,
        "balance_to_budget_months": (balance / max(_f(budget), 1.0)) if budget is not None else 0.0,
        "income_known": float(income is not None),
        "balance_to_income_months": (balance / max(_f(income.amount), 1.0)) if income is not None else 0.0,
        "contacts_out": float(out),
        "responses_in": float(len(answered_days)),
        "response_rate": (len(answered_days) / out) if out else 0.0,
        "verified": float(any(v.success for v in ev.verifications)),
        "verification_failures": float(sum(1 for v in ev.verifications if not v.success and v.on >= since)),
    }


# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------

# Willingness weights (log-odds).
_W = {
    "kept": 1.0,  # per kept promise, at most 3 counted
    "partial": 0.3,
    "broken": -0.9,  # per broken promise, at most 3 counted
    "open": 0.4,  # a promise made and not yet due: engagement
    "paid_recent": 0.8,
    "reversed": -0.8,
    "refusal": -1.2,  # per refusal, at most 2 counted
    "dispute": -0.5,
    "hardship": 0.3,  # told us about their situation
    "responds": 0.4,
    "silent": -0.7,  # three contacts or more, never an answer
}
# Ability weights (log-odds).
_A = {
    "budget_covers": 1.2,  # stated budget >= minimum due
    "budget_short": -1.0,  # stated budget < minimum due (half with a refusal)
    "budget_zero": -1.6,
    "income_months_low": 0.6,  # balance < 3 months of stated income
    "income_months_high": -0.8,  # balance > 12 months of stated income
    "hardship": -1.0,
    "paid_minimum": 1.0,  # paid >= minimum due in the last 60 days
    "paid_some": 0.4,
    "kept": 0.5,  # kept promises show the money existed
    "partial": -0.4,  # paid some but not all: short, not unwilling
    "reversed": -0.4,
}


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def band_for(value: float, evidence_count: int) -> str:
    if evidence_count == 0:
        return UNKNOWN
    if value >= HIGH_AT:
        return HIGH
    if value < LOW_BELOW:
        return LOW
    return MEDIUM


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f} 元"


def _score(dimension: str, reasons: List[Reason]) -> Score:
    total = sum(r.weight for r in reasons)
    value = round(_logistic(total), 3)
    return Score(value, band_for(value, len(reasons)), len(reasons), tuple(reasons))


def willingness(ev: Evidence, f: Dict[str, float]) -> Score:
    r: List[Reason] = []
    add = lambda w, text: r.append(Reason("willingness", w, text))  # noqa: E731
    if f["promises_kept"]:
        add(_W["kept"] * min(f["promises_kept"], 3), f"已履约承诺/计划 {int(f['promises_kept'])} 次")
    if f["promises_partial"]:
        add(_W["partial"] * min(f["promises_partial"], 3), f"部分履约 {int(f['promises_partial'])} 次")
    # A promise above the budget the cardholder had stated, missed, says more
    # about ability than about willingness: it weighs a third.
    above = min(f["broken_above_budget"], f["promises_broken"])
    plain = f["promises_broken"] - above
    if plain:
        add(_W["broken"] * min(plain, 3), f"承诺未履约 {int(plain)} 次")
    if above:
        add(_W["broken"] / 3 * min(above, 3), f"超出自述可还金额的承诺未履约 {int(above)} 次")
    if f["promises_open"]:
        add(_W["open"], f"有未到期的还款承诺/计划 {int(f['promises_open'])} 项")
    if f["payments_recent"]:
        add(_W["paid_recent"], f"近 {RECENT_PAYMENT_DAYS} 天有还款 {int(f['payments_recent'])} 笔")
    if f["payments_reversed"]:
        add(_W["reversed"] * min(f["payments_reversed"], 2), f"还款被退回 {int(f['payments_reversed'])} 笔")
    if f["refusals"]:
        add(_W["refusal"] * min(f["refusals"], 2), f"明确表示拒绝还款 {int(f['refusals'])} 次")
    if f["disputes"]:
        add(_W["dispute"], "对欠款提出异议")
    if f["hardship"]:
        add(_W["hardship"], "主动说明经济困难")
    if f["responses_in"]:
        add(_W["responds"], f"对联系有回应（{int(f['responses_in'])} 天）")
    elif f["contacts_out"] >= 3:
        add(_W["silent"], f"联系 {int(f['contacts_out'])} 次均无回应")
    return _score("willingness", r)


def ability(ev: Evidence, f: Dict[str, float]) -> Score:
    r: List[Reason] = []
    add = lambda w, text: r.append(Reason("ability", w, text))  # noqa: E731
    budget = stated_budget(ev)
    said_budget = _latest(ev.statements, BUDGET) is not None
    means = stated_disposable(ev)
    if budget is not None and not said_budget and means is not None:
        # No budget said, but income and expenses were: what is left after
        # the expenses against the lowest plan payment the policy allows.
        income, expenses, left = means
        floor = ev.minimum_plan_payment if ev.minimum_plan_payment is not None else ev.minimum_due
        floor_name = "最低分期月供" if ev.minimum_plan_payment is not None else "最低还款额"
        said = f"自述月收入 {_yuan(income)}、每月开销 {_yuan(expenses)}，每月结余 {_yuan(left)}"
        if left <= 0:
            add(_A["budget_zero"], f"{said}，无力还款")
        elif left >= floor:
            add(_A["budget_covers"], f"{said}，不低于{floor_name} {_yuan(floor)}")
        else:
            add(_A["budget_short"], f"{said}，低于{floor_name} {_yuan(floor)}")
    elif budget is not None:
        if budget <= 0:
            add(_A["budget_zero"], "自述目前每月无力还款")
        elif budget >= ev.minimum_due:
            add(_A["budget_covers"], f"自述每月可还 {_yuan(budget)}，不低于最低还款额 {_yuan(ev.minimum_due)}")
        elif f["refusals"]:
            # Said together with a refusal, a low figure is less credible.
            add(_A["budget_short"] / 2, f"自述每月可还 {_yuan(budget)}，低于最低还款额（同时拒绝还款，可信度较低）")
        else:
            add(_A["budget_short"], f"自述每月可还 {_yuan(budget)}，低于最低还款额 {_yuan(ev.minimum_due)}")
    income = _latest(ev.statements, INCOME)
    if income is not None and income.amount > 0:
        months = f["balance_to_income_months"]
        said = f"欠款 {_yuan(ev.balance)}，约为自述月收入 {_yuan(income.amount)}的 {months:.1f} 倍"
        if months < 3:
            add(_A["income_months_low"], said)
        elif months > 12:
            add(_A["income_months_high"], said)
    if f["hardship"] and budget is None:
        add(_A["hardship"], "自述经济困难，尚未说明每月可还金额")
    elif f["hardship"]:
        add(_A["hardship"] / 2, "自述经济困难")
    if f["paid_recent_to_minimum"] >= 1:
        add(_A["paid_minimum"], f"近 {RECENT_PAYMENT_DAYS} 天还款不少于最低还款额")
    elif f["payments_recent"]:
        add(_A["paid_some"], f"近 {RECENT_PAYMENT_DAYS} 天有部分还款")
    if f["promises_kept"]:
        add(_A["kept"], f"已履约承诺/计划 {int(f['promises_kept'])} 次")
    if f["promises_partial"]:
        add(_A["partial"] * min(f["promises_partial"], 2), f"部分履约 {int(f['promises_partial'])} 次（可能资金不足）")
    if f["broken_above_budget"]:
        add(_A["budget_short"] / 2, f"超出自述可还金额的承诺未能履约 {int(f['broken_above_budget'])} 次")
    if f["payments_reversed"]:
        add(_A["reversed"], "有还款被退回（可能账户余额不足）")
    return _score("ability", r)


def segment_of(w: Score, a: Score) -> str:
    if w.band == UNKNOWN or a.band == UNKNOWN:
        return SEGMENT_UNKNOWN
    willing, able = w.value >= 0.5, a.value >= 0.5
    if willing:
        return WILLING_ABLE if able else WILLING_UNABLE
    return UNWILLING_ABLE if able else UNWILLING_UNABLE


def assess(ev: Evidence) -> Assessment:
    f = features(ev)
    w, a = willingness(ev, f), ability(ev, f)
    return Assessment(ev.account_id, ev.today, w, a, segment_of(w, a), f)


def rule_keep_probability(a: Assessment) -> float:
    """Rule-based chance that the next promise or plan is kept: the fallback
    until enough outcomes exist to train a model (bot/assessment/model.py).
    Unknown dimensions count as 0.5."""
    w = a.willingness.value if a.willingness.band != UNKNOWN else 0.5
    ab = a.ability.value if a.ability.band != UNKNOWN else 0.5
    return round(0.05 + 0.9 * w * (0.4 + 0.6 * ab), 3)
