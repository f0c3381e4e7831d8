"""A simulated portfolio written into the account database, for demos and
for testing the database path of ``collectbot assessment retrain``
(``collectbot assessment simulate-db``). Refused in production.

What is written per simulated account (ids ``SIM-<seed>-<n>``): the
cardholder and account, arrangements with their outcomes, payments
(reversals as negative amounts), verification attempts, the contact log
(our contacts, their answers, and the intents refusal / dispute / hardship /
wrong person), and the budgets they stated as assessment label rows. Stated
income has no place in the database and is left out.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Dict

from sqlalchemy.orm import Session

from bot.assessment import simulator as sim
from bot.core import assessment as core
from bot.core.clock import SHANGHAI
from bot.db import repository
from bot.db.models import (
    Account,
    Arrangement,
    Assessment,
    Cardholder,
    ContactLog,
    Payment,
    VerificationAttempt,
)

INTENTS = {core.REFUSAL: "refuse_to_pay", core.DISPUTE: "dispute_debt", core.HARDSHIP: "inform_hardship"}


class RefusedInProduction(RuntimeError):
    pass


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def write(s: Session, simulation: sim.Simulation) -> Dict[str, int]:
    """Write the simulation's accounts as of its last day; accounts already
    present are skipped. Returns counts."""
    from bot.secrets import is_production

    if is_production():
        raise RefusedInProduction("simulated accounts are never written to a production database")
    end = simulation.end
    counts = {"accounts": 0, "skipped": 0, "arrangements": 0, "payments": 0}
    for acc in simulation.accounts:
        h = acc.holder
        if s.get(Account, h.account_id) is not None:
            counts["skipped"] += 1
            continue
        known = repository.find_cardholder_by_phone(s, h.phone)
        if known is not None:
            holder_id = known.id
        else:
            holder = Cardholder(name="模拟客户", phone=h.phone, id_last4="0000")
            s.add(holder)
            s.flush()
            holder_id = holder.id
        dpd = h.start_dpd + (end - sim.START).days
        s.add(Account(account_id=h.account_id, cardholder_id=holder_id, card_last4="0000", balance=acc.balance,
                      minimum_due=min(h.minimum_due, acc.balance), due_date=end - timedelta(days=dpd)))
        s.flush()
        for p in acc.promises:
            plan = p.kind in ("installment", "hardship_plan")
            s.add(Arrangement(
                account_id=h.account_id, kind=p.kind, status=p.status,
                amount=None if plan else p.amount, monthly_payment=p.amount if plan else None,
                months=(12 if p.kind == "installment" else 60) if plan else None,
                pay_date=None if plan else p.due, idempotency_key=f"sim:{h.account_id}:{p.id}",
                conversation_id=h.phone, created_at=_at(p.booked_on),
            ))
            counts["arrangements"] += 1
        for n, pay in enumerate(acc.payments):
            s.add(Payment(account_id=h.account_id, amount=pay.amount, paid_at=_at(pay.on, 12),
                          reference=f"sim:{h.account_id}:{n}"))
            counts["payments"] += 1
        for v in acc.verifications:
            s.add(VerificationAttempt(conversation_id=v.source, account_id=h.account_id, success=v.success,
                                      created_at=_at(v.on, 9)))
        for c in acc.contacts:
            s.add(ContactLog(conversation_id=c.source or h.phone, account_id=h.account_id, channel=c.channel or "sms",
                             direction=c.direction, text="（模拟）", created_at=_at(c.on, 9)))
        for claim in acc.wrong_person:
            s.add(ContactLog(conversation_id=claim.source, account_id=h.account_id, channel="sms", direction="in",
                             text="（模拟）打错了", intent="wrong_person", created_at=_at(claim.on, 11)))
        budget = None
        for st in sorted(acc.statements, key=lambda x: x.on):
            if st.kind in INTENTS:
                s.add(ContactLog(conversation_id=h.phone, account_id=h.account_id, channel="sms", direction="in",
                                 text="（模拟）", intent=INTENTS[st.kind], created_at=_at(st.on, 11)))
            elif st.kind == core.BUDGET:
                budget = st.amount
                s.add(Assessment(account_id=h.account_id, willingness="unknown", ability="partial",
                                 monthly_affordable=Decimal(budget), conversation_id=h.phone,
                                 created_at=_at(st.on, 11)))
        counts["accounts"] += 1
    s.flush()
    return counts
