"""Three days of collection work, counted by hand, for the supervisors'
charts (console/reports_charts.py): the console test checks the figures in
the SVG, the browser test renders them and saves screenshots.

Period 2026-11-23 … 2026-11-25 (Shanghai). Stages: K-1 and K-3 are M1,
K-2 is M2, K-4 is M3.

- 11-23: K-1 (SMS) verified and promises (kept); K-2 writes, not verified.
  Contacts 2, right-party 1 (50.0 %), promise 1/1 (100.0 %), kept 1/1.
- 11-24: K-1, K-2, K-3 write; K-2 and K-3 verified; K-3 promises (broken);
  K-2 asks for a person at 10:00, an agent answers at 10:03 (180 s).
  Contacts 3, right-party 2 (66.7 %), promise 1/2 (50.0 %), kept 0/1.
- 11-25: K-1 disputes at 09:00 (answered 09:00:30, 30 s); K-4 complains at
  11:00 (answered 11:45, 2700 s); nobody verified.
  Contacts 2, right-party 0 (0.0 %), no promise rate, no kept rate.

Funnel over the period: contacted 4 → right-party 3 → promised 2 → kept 1.
Heat map: M1 right-party 2, promises 2, hand-overs 1; M2 right-party 1,
hand-overs 1; M3 hand-overs 1. Reply times: one under a minute, one of
1–5 minutes, one of 30–60 minutes.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

NOW = "2026-11-26T10:00:00+08:00"
START, END = "2026-11-23", "2026-11-25"
DUE = {"K-1": date(2026, 11, 5), "K-2": date(2026, 10, 11), "K-3": date(2026, 11, 5), "K-4": date(2026, 9, 1)}
PHONE = {k: f"+861370000010{n}" for n, k in enumerate(sorted(DUE), start=1)}

EXPECTED_CONTACTS = [2, 3, 2]
EXPECTED_FUNNEL = [4, 3, 2, 1]
EXPECTED_CELLS = {  # (stage, outcome): count
    ("M1", "本人接触"): 2, ("M1", "承诺还款"): 2, ("M1", "转人工"): 1,
    ("M2", "本人接触"): 1, ("M2", "承诺还款"): 0, ("M2", "转人工"): 1,
    ("M3", "本人接触"): 0, ("M3", "承诺还款"): 0, ("M3", "转人工"): 1,
}
EXPECTED_REPLIES = {"1分钟内": 1, "1–5分钟": 1, "5–15分钟": 0, "15–30分钟": 0, "30–60分钟": 1, "1–4小时": 0,
                    "4小时以上": 0}


def seed(db_url: str) -> None:
    from bot import clock
    from bot.db.migrate import upgrade
    from bot.db.models import Account, Arrangement, Cardholder, ContactLog, Escalation, VerificationAttempt
    from bot.db.session import session_scope
    from console.models import AuditLog

    def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
        return datetime(2026, 11, day, hour, minute, second, tzinfo=clock.SHANGHAI)

    upgrade(db_url)
    with session_scope(db_url) as s:
        for account_id, due in DUE.items():
            holder = Cardholder(name="持卡人", phone=PHONE[account_id], id_last4="1234")
            s.add(holder)
            s.flush()
            s.add(Account(account_id=account_id, cardholder_id=holder.id, card_last4="0000",
                          balance=Decimal("5000.00"), minimum_due=Decimal("500.00"), due_date=due, follow_up=False))
        s.flush()

        def message(account_id: str, when: datetime) -> None:
            s.add(ContactLog(conversation_id=PHONE[account_id], account_id=account_id, channel="twilio_sms",
                             direction="in", text="…", created_at=when))

        def verified(account_id: str, when: datetime) -> None:
            s.add(VerificationAttempt(conversation_id=PHONE[account_id], account_id=account_id, success=True,
                                      created_at=when))

        def promise(account_id: str, when: datetime, status: str, key: str) -> None:
            s.add(Arrangement(account_id=account_id, kind="promise_to_pay", status=status, amount=Decimal("500.00"),
                              pay_date=date(2026, 11, 24), idempotency_key=key, conversation_id=PHONE[account_id],
                              created_at=when))

        def hand_over(account_id: str, reason: str, when: datetime, answered: datetime) -> None:
            s.add(Escalation(account_id=account_id, conversation_id=PHONE[account_id], channel="twilio_sms",
                             reason=reason, priority=2, status="claimed", created_at=when))
            s.add(AuditLog(username="agent1", action="reply", conversation_id=PHONE[account_id],
                           account_id=account_id, created_at=answered))

        message("K-1", at(23, 9))
        verified("K-1", at(23, 9, 1))
        promise("K-1", at(23, 9, 2), "kept", "c1")
        message("K-2", at(23, 10))
        for account_id in ("K-1", "K-2", "K-3"):
            message(account_id, at(24, 9))
        verified("K-2", at(24, 9, 1))
        verified("K-3", at(24, 9, 1))
        promise("K-3", at(24, 9, 2), "broken", "c2")
        hand_over("K-2", "customer_request", at(24, 10), at(24, 10, 3))
        message("K-1", at(25, 8, 59))
        hand_over("K-1", "dispute_debt", at(25, 9), at(25, 9, 0, 30))
        message("K-4", at(25, 10, 59))
        hand_over("K-4", "complaint", at(25, 11), at(25, 11, 45))
