"""Portfolio simulator: simulated cardholders with a hidden willingness and
ability, contacted week by week under a strategy, producing the same
evidence the database holds (statements, promises and plans with their
outcomes, payments, verifications, contacts).

No real portfolio is at hand, so this is what the assessment, the model and
the strategy comparison are measured on. Every figure it produces is on
SIMULATED data and reflects the assumptions below, not the behaviour of
real cardholders.

The generative model
====================

Each cardholder has, hidden:

- **willing** (True with probability ``p_willing`` = 0.6);
- **able** (True with probability ``p_able`` = 0.55): the monthly spare
  money (*capacity*) is 1.2-4 x the minimum due when able, 0-0.7 x when
  not; monthly income is capacity plus expenses (2,500-9,000 yuan);
- a **preferred channel** (SMS, web chat or phone call, equally likely) and
  a **preferred time** (day or evening, equally likely).

The balance is log-normal (median 20,000 yuan), the minimum due 10 % of it
(at least 100 yuan); accounts start 1-60 days past due.

Every 14 days (the same cadence for every strategy) an unpaid account gets
one contact, chosen by the strategy: a channel, a time, a tone (supportive,
standard, firm), whether an agent calls, and an offer (promise of the full
balance, promise of the minimum due, a 12-month standard installment, a
hardship plan at the stated budget over up to 60 months).

- **Answering**: probability 0.30 x 1.8 on the preferred channel (0.7
  otherwise) x 1.3 at the preferred time (0.8 otherwise) x 1.0 when willing
  (0.45 when not); an agent call is answered a little more often by the
  unwilling (x 1.5). At most 0.95.
- **What they say** when they answer: the unwilling refuse (0.45) or,
  after a promise of theirs fell due unpaid, dispute the debt (0.35); the
  willing-but-unable tell of hardship (0.7) and state a budget close to
  their capacity (0.8); the willing-and-able state a budget (0.3);
  anyone states an income (0.25); an unwilling cardholder who states a
  budget understates it (10-50 % of capacity). On first contact the
  cardholder verifies (success), and the unwilling sometimes (0.08) claim
  "wrong person" later from the same number. An answer comes from another
  number with 0.12 for the unwilling (half of those then fail
  verification from it and say nothing more) and 0.02 for the willing.
- **Accepting an offer**: willing 0.85; unwilling 0.25, 0.45 with a firm
  factual notice or an agent call. A cardholder who cannot pay what is
  asked still accepts under a firm tone (0.6: they promise to end the
  call) - the promise that will be broken.
- **Keeping it** (on the promised date, 7 days later; plan instalments
  monthly): when the instalment is within capacity, kept with 0.9 if
  willing, 0.35 if not (0.5 after an agent call); when it is not, a
  willing cardholder still finds the money (family, savings) with 0.1,
  else pays part (the capacity) with 0.6 if willing (0.2 if not),
  otherwise the promise is broken. Plans continue month by month while instalments are
  kept; a missed one breaks the plan.
- **Unprompted payments**: a willing and able cardholder pays the minimum
  due with 0.04 a week anyway. An unwilling cardholder's payment bounces
  (reversed) with 0.05.

Strategies
==========

``fixed``: the current stage plan (bot/core/campaign.py thresholds):
reminder (SMS, standard, promise of the minimum due) from 3 days past due,
notice (SMS, firm, 12-month installment) from 31, agent call (promise of the
minimum due) from 61, final notice (SMS, firm, promise of the full balance)
from 91 - by days past due only, at daytime.

``segment``: the treatment of the account's *assessed* segment
(bot/core/assessment.py on the evidence so far, never the hidden truth)
from the configured table (bot/assessment/treatments.yml).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Dict, List, Optional, Tuple

from bot.core import assessment as core

START = date(2026, 6, 1)
CADENCE_DAYS = 14
CHANNELS = ("sms", "webchat", "call")
TIMES = ("day", "evening")
FEN = Decimal("0.01")


def _money(x: float) -> Decimal:
    return Decimal(str(round(max(0.0, x), 2))).quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass
class Cardholder:
    account_id: str
    willing: bool
    able: bool
    capacity: Decimal  # spare money per month
    income: Decimal
    channel: str
    time: str
    phone: str
    balance: Decimal
    minimum_due: Decimal
    start_dpd: int

    @property
    def segment(self) -> str:
        if self.willing:
            return core.WILLING_ABLE if self.able else core.WILLING_UNABLE
        return core.UNWILLING_ABLE if self.able else core.UNWILLING_UNABLE


@dataclass
class Offer:
    kind: str  # promise_full | promise_minimum | installment | hardship_plan
    channel: str
    time: str
    tone: str
    agent_call: bool
    stage: str = ""


@dataclass
class _Plan:
    promise_id: int
    monthly: Decimal
    next_due: date
    remaining: int
    agent_call: bool


@dataclass
class Account:
    """One simulated account: the hidden cardholder and the evidence so far."""

    holder: Cardholder
    balance: Decimal
    statements: List[core.Statement] = field(default_factory=list)
    promises: List[core.Promise] = field(default_factory=list)
    payments: List[core.PaymentRecord] = field(default_factory=list)
    verifications: List[core.Verification] = field(default_factory=list)
    contacts: List[core.Contact] = field(default_factory=list)
    wrong_person: List[core.WrongPersonClaim] = field(default_factory=list)
    plans: List[_Plan] = field(default_factory=list)
    # (promise id, stage, offer kind, treatment segment) for reporting.
    promise_meta: Dict[int, Tuple[str, str, str]] = field(default_factory=dict)
    tried: List[Tuple[str, str]] = field(default_factory=list)
    answered_on: Optional[Tuple[str, str]] = None
    recovered: Decimal = Decimal("0.00")

    def evidence(self, today: date) -> core.Evidence:
        h = self.holder
        return core.Evidence(
            account_id=h.account_id,
            today=today,
            balance=self.balance,
            minimum_due=min(h.minimum_due, self.balance),
            days_past_due=h.start_dpd + (today - START).days,
            statements=tuple(self.statements),
            promises=tuple(self.promises),
            payments=tuple(self.payments),
            verifications=tuple(self.verifications),
            contacts=tuple(self.contacts),
            wrong_person=tuple(self.wrong_person),
        )


def make_portfolio(n: int, seed: int, p_willing: float = 0.6, p_able: float = 0.55) -> List[Cardholder]:
    rng = random.Random(seed)
    holders = []
    for i in range(n):
        balance = _money(min(200000.0, max(1500.0, rng.lognormvariate(9.9, 0.7))))  # median ~20,000
        minimum = max(Decimal("100.00"), (balance * Decimal("0.1")).quantize(FEN))
        able = rng.random() < p_able
        factor = rng.uniform(1.2, 4.0) if able else rng.uniform(0.0, 0.7)
        capacity = _money(float(minimum) * factor)
        income = capacity + _money(rng.uniform(2500, 9000))
        holders.append(Cardholder(
            account_id=f"SIM-{seed}-{i:05d}",
            willing=rng.random() < p_willing,
            able=able,
            capacity=capacity,
            income=income,
            channel=rng.choice(CHANNELS),
            time=rng.choice(TIMES),
            phone=f"+86139{seed % 100:02d}{i:06d}",
            balance=balance,
            minimum_due=minimum,
            start_dpd=rng.randint(1, 60),
        ))
    return holders


# --------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------


def fixed_plan(acc: Account, today: date, dpd: int) -> Offer:
    """The current stage plan: by days past due only."""
    if dpd >= 91:
        return Offer("promise_full", "sms", "day", "firm", False, "final_notice")
    if dpd >= 61:
        return Offer("promise_minimum", "call", "day", "standard", True, "agent_call")
    if dpd >= 31:
        return Offer("installment", "sms", "day", "firm", False, "notice")
    return Offer("promise_minimum", "sms", "day", "standard", False, "reminder")


def segment_plan(table):
    """Treatment of the assessed segment (``table``: bot/assessment/treatments.load())."""

    def choose(acc: Account, today: date, dpd: int) -> Offer:
        a = core.assess(acc.evidence(today))
        t = table[a.segment]
        if t.channel == "experiment" and acc.answered_on is None:
            untried = [(c, w) for c in CHANNELS for w in TIMES if (c, w) not in acc.tried]
            channel, time = untried[0] if untried else (CHANNELS[len(acc.tried) % 3], TIMES[len(acc.tried) % 2])
        elif t.channel in ("preferred", "experiment") and acc.answered_on is not None:
            channel, time = acc.answered_on
        else:
            channel, time = "sms", "day"
        if t.agent_call:
            channel = "call"
        return Offer(t.offer, channel, time, t.tone, t.agent_call, a.segment)

    return choose


# --------------------------------------------------------------------------
# One contact, one week
# --------------------------------------------------------------------------


class Simulation:
    def __init__(self, holders: List[Cardholder], strategy, seed: int, months: int = 6):
        self.rng = random.Random(seed * 7919 + 1)
        self.accounts = [Account(h, h.balance) for h in holders]
        self.strategy = strategy
        self.end = START + timedelta(days=30 * months)
        self.next_id = 1

    def run(self) -> "Simulation":
        day = START
        step = 0
        while day < self.end:
            for acc in self.accounts:
                self._settle(acc, day)
                if acc.balance <= 0:
                    continue
                self._unprompted(acc, day)
                if step % (CADENCE_DAYS // 7) == 0:
                    self._contact(acc, day)
            day += timedelta(days=7)
            step += 1
        for acc in self.accounts:
            self._settle(acc, self.end)
        self.today = self.end
        return self

    # -- payments and outcomes --------------------------------------------

    def _pay(self, acc: Account, amount: Decimal, on: date) -> Decimal:
        amount = min(amount, acc.balance)
        if amount <= 0:
            return Decimal("0.00")
        acc.payments.append(core.PaymentRecord(amount, on))
        if not acc.holder.willing and self.rng.random() < 0.05:
            acc.payments.append(core.PaymentRecord(-amount, on + timedelta(days=2), reversed=True))
            return Decimal("0.00")
        acc.balance -= amount
        acc.recovered += amount
        return amount

    def _set_status(self, acc: Account, promise_id: int, status: str, on: date) -> None:
        acc.promises = [replace(p, status=status, resolved_on=on) if p.id == promise_id else p for p in acc.promises]

    def _settle(self, acc: Account, today: date) -> None:
        for p in list(acc.promises):
            if p.kind == "promise_to_pay" and p.status == "booked" and p.due is not None and p.due < today:
                called = acc.promise_meta.get(p.id, ("", "", ""))[2] == "call"
                status = self._attempt(acc, min(p.amount, acc.balance), p.due, called)
                self._set_status(acc, p.id, status, p.due + timedelta(days=2))
        for plan in list(acc.plans):
            while plan.next_due < today and plan.remaining > 0 and acc.balance > 0:
                # The first instalment decides the plan's outcome; a later
                # miss ends the plan.
                first = any(p.id == plan.promise_id and p.status == "booked" for p in acc.promises)
                status = self._attempt(acc, min(plan.monthly, acc.balance), plan.next_due, plan.agent_call)
                if first:
                    self._set_status(acc, plan.promise_id, status, plan.next_due + timedelta(days=2))
                if status != core.KEPT:
                    plan.remaining = 0
                    break
                plan.remaining -= 1
                plan.next_due += timedelta(days=30)
            if plan.remaining <= 0 or acc.balance <= 0:
                acc.plans.remove(plan)

    def _attempt(self, acc: Account, ask: Decimal, on: date, agent_call: bool) -> str:
        h = acc.holder
        r = self.rng.random()
        if ask <= h.capacity:
            p = 0.9 if h.willing else (0.5 if agent_call else 0.35)
            if r < p:
                self._pay(acc, ask, on)
                return core.KEPT
            return core.BROKEN
        if h.willing and r < 0.1:
            self._pay(acc, ask, on)  # borrowed from family, used savings
            return core.KEPT
        if h.capacity > 0 and r < (0.6 if h.willing else 0.2):
            self._pay(acc, h.capacity, on)
            return core.PARTIAL
        return core.BROKEN

    def _unprompted(self, acc: Account, today: date) -> None:
        h = acc.holder
        if h.willing and h.able and self.rng.random() < 0.04:
            self._pay(acc, h.minimum_due, today)

    # -- contact ------------------------------------------------------------

    def _contact(self, acc: Account, today: date) -> None:
        h = acc.holder
        if any(p.status == "booked" for p in acc.promises) or acc.plans:
            return  # an arrangement is running: no chasing (as the campaign skips active arrangements)
        dpd = h.start_dpd + (today - START).days
        offer = self.strategy(acc, today, dpd)
        acc.tried.append((offer.channel, offer.time))
        acc.contacts.append(core.Contact(today, "out", "", offer.channel))
        rng = self.rng
        p = 0.30 * (1.8 if offer.channel == h.channel else 0.7) * (1.3 if offer.time == h.time else 0.8)
        p *= 1.0 if h.willing else 0.45
        if offer.agent_call and not h.willing:
            p *= 1.5
        if rng.random() >= min(0.95, p):
            return
        acc.answered_on = (offer.channel, offer.time)
        source = h.phone
        # Someone writes in from another number: the unwilling more often
        # (0.12, and then fail verification from it with 0.5), the willing
        # rarely (0.02: a new phone).
        if rng.random() < (0.02 if h.willing else 0.12):
            source = f"{h.phone[:-4]}{rng.randint(0, 9999):04d}"
            if not h.willing and rng.random() < 0.5:
                acc.contacts.append(core.Contact(today, "in", source, offer.channel))
                acc.verifications.append(core.Verification(today, source, False))
                return
        acc.contacts.append(core.Contact(today, "in", source, offer.channel))
        if not any(v.success for v in acc.verifications):
            acc.verifications.append(core.Verification(today, h.phone, True))
        elif not h.willing and rng.random() < 0.08:
            acc.wrong_person.append(core.WrongPersonClaim(today, h.phone))
            return
        self._say(acc, today)
        if any(s.kind == core.REFUSAL and s.on == today for s in acc.statements):
            return
        self._offer(acc, offer, today)

    def _say(self, acc: Account, today: date) -> None:
        h, rng = acc.holder, self.rng
        says = acc.statements.append
        if not h.willing:
            fell_due = any(p.status in (core.BROKEN, core.PARTIAL) for p in acc.promises)
            if fell_due and rng.random() < 0.35:
                says(core.Statement(core.DISPUTE, today))
            elif rng.random() < 0.45:
                says(core.Statement(core.REFUSAL, today))
            if rng.random() < 0.3:
                says(core.Statement(core.BUDGET, today, _money(float(h.capacity) * rng.uniform(0.1, 0.5))))
        elif not h.able:
            if rng.random() < 0.7:
                says(core.Statement(core.HARDSHIP, today))
            if rng.random() < 0.8:
                says(core.Statement(core.BUDGET, today, _money(float(h.capacity) * rng.uniform(0.85, 1.05))))
        elif rng.random() < 0.3:
            says(core.Statement(core.BUDGET, today, _money(float(h.capacity) * rng.uniform(0.85, 1.05))))
        if rng.random() < 0.25:
            says(core.Statement(core.INCOME, today, h.income))

    def _offer(self, acc: Account, offer: Offer, today: date) -> None:
        h, rng = acc.holder, self.rng
        budget = core.stated_budget(acc.evidence(today))
        minimum = min(h.minimum_due, acc.balance)
        kind = offer.kind
        if kind == "promise_full":
            ask = acc.balance if budget is None or budget >= acc.balance else max(minimum, min(budget, acc.balance))
        elif kind == "promise_minimum":
            ask = minimum
        elif kind == "installment":
            ask = max(minimum, (acc.balance * Decimal("1.072") / 12).quantize(FEN))
        else:  # hardship plan: at the stated budget, up to 60 months, no fee
            floor = (acc.balance / 60).quantize(FEN)
            ask = max(floor, budget if budget is not None and budget > 0 else minimum)
        affordable = ask <= h.capacity
        if h.willing:
            p = 0.85
        else:
            p = 0.45 if (offer.tone == "firm" or offer.agent_call) else 0.25
        if not affordable and offer.tone == "firm":
            p = max(p, 0.6)
        if rng.random() >= p:
            return
        pid = self.next_id
        self.next_id += 1
        is_plan = kind in ("installment", "hardship_plan")
        due = today + timedelta(days=30 if is_plan else 7)
        acc.promises.append(core.Promise(
            id=pid, kind=kind if is_plan else "promise_to_pay", status="booked", booked_on=today, due=due,
            amount=ask,
        ))
        acc.promise_meta[pid] = (offer.stage, kind, offer.channel if not offer.agent_call else "call")
        if is_plan:
            months = 12 if kind == "installment" else 60
            acc.plans.append(_Plan(pid, ask, due, months, offer.agent_call))


def simulate(n: int, seed: int, strategy: str = "fixed", table=None, months: int = 6) -> Simulation:
    holders = make_portfolio(n, seed)
    if strategy == "fixed":
        chooser = fixed_plan
    elif strategy == "segment":
        if table is None:
            from bot.assessment import treatments

            table = treatments.load()
        chooser = segment_plan(table)
    else:
        raise ValueError(f"unknown strategy {strategy!r}")
    return Simulation(holders, chooser, seed, months).run()


def outcomes(sim: Simulation) -> Dict[str, float]:
    """Kept promises and plans, their rate, recovered amount."""
    kept = broken = partial = booked = 0
    for acc in sim.accounts:
        for p in acc.promises:
            booked += 1
            kept += p.status == core.KEPT
            partial += p.status == core.PARTIAL
            broken += p.status == core.BROKEN
    recovered = sum((a.recovered for a in sim.accounts), Decimal("0.00"))
    owed = sum((a.holder.balance for a in sim.accounts), Decimal("0.00"))
    return {
        "promises": booked,
        "kept": kept,
        "partial": partial,
        "broken": broken,
        "kept_rate": kept / booked if booked else 0.0,
        "recovered": float(recovered),
        "recovered_share": float(recovered / owed) if owed else 0.0,
    }


def segment_recovery(sim: Simulation) -> Dict[str, float]:
    """How well the assessment at the end recovers the hidden segments:
    coverage (share of accounts given a segment) and accuracy among those."""
    known = right = 0
    confusion: Dict[Tuple[str, str], int] = {}
    for acc in sim.accounts:
        a = core.assess(acc.evidence(sim.end))
        confusion[(acc.holder.segment, a.segment)] = confusion.get((acc.holder.segment, a.segment), 0) + 1
        if a.segment == core.SEGMENT_UNKNOWN:
            continue
        known += 1
        right += a.segment == acc.holder.segment
    n = len(sim.accounts)
    return {
        "coverage": known / n if n else 0.0,
        "accuracy": right / known if known else 0.0,
        "known": known,
        "confusion": confusion,
    }
