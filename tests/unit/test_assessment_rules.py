"""bot/core/assessment.py and bot/core/evasion.py: hand-computed cases."""
from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.core import assessment as a
from bot.core import evasion as ev

TODAY = date(2026, 11, 25)


def evidence(**kw):
    base = dict(account_id="ACC-1", today=TODAY, balance=Decimal("30000.00"), minimum_due=Decimal("1000.00"),
                days_past_due=20)
    base.update(kw)
    return a.Evidence(**base)


def logistic(x):
    return round(1 / (1 + math.exp(-x)), 3)


def promise(i, status, due, booked=None, amount="1000.00"):
    return a.Promise(id=i, kind="promise_to_pay", status=status, booked_on=booked or due - timedelta(days=7),
                     due=due, amount=Decimal(amount), resolved_on=due + timedelta(days=2) if status != "booked" else None)


def test_no_evidence_is_unknown_not_a_guess():
    result = a.assess(evidence())
    assert result.willingness.band == a.UNKNOWN and result.ability.band == a.UNKNOWN
    assert result.willingness.value == 0.5
    assert result.segment == a.SEGMENT_UNKNOWN
    assert result.willingness.band_label == "未知"


def test_kept_promises_and_payment_are_willing_and_able():
    e = evidence(
        promises=(promise(1, a.KEPT, date(2026, 10, 1)), promise(2, a.KEPT, date(2026, 11, 1))),
        payments=(a.PaymentRecord(Decimal("1200.00"), date(2026, 11, 1)),),
    )
    result = a.assess(e)
    # willingness: 2 kept (+1.0 each) + recent payment (+0.8) = 2.8
    assert result.willingness.value == logistic(2.8) == 0.943
    assert result.willingness.band == a.HIGH
    # ability: paid >= minimum due (+1.0) + kept (+0.5) = 1.5
    assert result.ability.value == logistic(1.5)
    assert result.ability.band == a.HIGH
    assert result.segment == a.WILLING_ABLE
    texts = result.reason_texts()
    assert "已履约承诺/计划 2 次（↑）" in texts
    assert any("近 60 天还款不少于最低还款额" in t for t in texts)


def test_hardship_with_a_small_budget_is_willing_but_unable():
    e = evidence(
        statements=(a.Statement(a.HARDSHIP, date(2026, 11, 20)),
                    a.Statement(a.BUDGET, date(2026, 11, 20), Decimal("300.00"))),
        contacts=(a.Contact(date(2026, 11, 19), "out"), a.Contact(date(2026, 11, 20), "in", "+8613800001111")),
    )
    result = a.assess(e)
    # willingness: hardship told (+0.3) + answered (+0.4) = 0.7
    assert result.willingness.value == logistic(0.7) == 0.668
    assert result.willingness.band == a.HIGH
    # ability: budget below minimum (-1.0) + hardship with a budget (-0.5)
    assert result.ability.value == logistic(-1.5) == 0.182
    assert result.ability.band == a.LOW
    assert result.segment == a.WILLING_UNABLE
    assert any("自述每月可还 300.00 元，低于最低还款额 1,000.00 元" in t for t in result.reason_texts())


def test_refusals_with_income_covering_the_debt_are_able_but_unwilling():
    e = evidence(
        statements=(a.Statement(a.REFUSAL, date(2026, 11, 10)), a.Statement(a.REFUSAL, date(2026, 11, 12)),
                    a.Statement(a.REFUSAL, date(2026, 11, 14)),
                    a.Statement(a.INCOME, date(2026, 11, 10), Decimal("20000.00"))),
    )
    result = a.assess(e)
    # three refusals, at most two counted: -1.2 * 2
    assert result.willingness.value == logistic(-2.4) == 0.083
    assert result.willingness.band == a.LOW
    # balance 30000 / income 20000 = 1.5 months (< 3): +0.6
    assert result.ability.value == logistic(0.6) == 0.646
    assert result.ability.band == a.MEDIUM
    assert result.segment == a.UNWILLING_ABLE
    assert a.stated_budget(e) is None  # income without expenses is no budget


def test_income_minus_expenses_is_the_budget():
    e = evidence(statements=(a.Statement(a.INCOME, date(2026, 11, 1), Decimal("5000.00")),
                             a.Statement(a.EXPENSES, date(2026, 11, 1), Decimal("4500.00"))))
    assert a.stated_budget(e) == Decimal("500.00")
    assert a.assess(e).ability.band == a.LOW  # 500 < minimum 1000 (-1.0); 30000/5000 = 6 months: no income rule


def test_broken_promises_and_silence_lower_willingness():
    e = evidence(
        promises=tuple(promise(i, a.BROKEN, date(2026, 8, 1) + timedelta(days=30 * i)) for i in range(3)),
        contacts=tuple(a.Contact(date(2026, 11, d), "out") for d in (1, 8, 15, 22)),
    )
    result = a.assess(e)
    assert result.willingness.value == logistic(-0.9 * 3 - 0.7)
    assert result.willingness.band == a.LOW
    assert "联系 4 次均无回应（↓）" in result.reason_texts()


def test_rule_keep_probability_orders_segments():
    good = a.assess(evidence(promises=(promise(1, a.KEPT, date(2026, 11, 1)),),
                             payments=(a.PaymentRecord(Decimal("1000.00"), date(2026, 11, 1)),)))
    bad = a.assess(evidence(statements=(a.Statement(a.REFUSAL, date(2026, 11, 1)),)))
    assert a.rule_keep_probability(good) > a.rule_keep_probability(bad)


def test_as_of_hides_later_evidence_and_later_outcomes():
    p = promise(1, a.BROKEN, date(2026, 11, 10), booked=date(2026, 11, 3))
    e = evidence(promises=(p,), payments=(a.PaymentRecord(Decimal("50.00"), date(2026, 11, 20)),),
                 statements=(a.Statement(a.REFUSAL, date(2026, 11, 21)),))
    before = e.as_of(date(2026, 11, 11))
    assert before.promises[0].status == "booked"  # outcome known only on the 12th
    assert before.payments == () and before.statements == ()
    assert before.days_past_due == 20 - 14
    assert e.as_of(date(2026, 11, 3)).promises == ()
    assert e.as_of(date(2026, 11, 13)).promises[0].status == a.BROKEN


# --------------------------------------------------------------------------
# Evasion signals
# --------------------------------------------------------------------------


def codes(e):
    return [s.code for s in ev.signals(e)]


def test_no_signals_on_a_plain_account():
    e = evidence(promises=(promise(1, a.BROKEN, date(2026, 11, 1)),),
                 verifications=(a.Verification(date(2026, 11, 1), "+8613800001111", True),))
    assert ev.signals(e) == []


def test_repeated_broken_promises_names_the_dates():
    e = evidence(promises=(promise(1, a.BROKEN, date(2026, 10, 1)), promise(2, a.BROKEN, date(2026, 11, 1)),
                           promise(3, a.BROKEN, date(2026, 3, 1))))  # outside 180 days
    [sig] = ev.signals(e)
    assert sig.code == ev.REPEATED_BROKEN and sig.on == date(2026, 11, 1)
    assert sig.label == "多次承诺未履约"
    assert "2 次承诺未履约（到期日：2026-10-01、2026-11-01）" in sig.reason


def test_wrong_person_from_a_source_that_verified_before():
    verified = a.Verification(date(2026, 10, 5), "+8613800001111", True)
    claim = a.WrongPersonClaim(date(2026, 11, 12), "+8613800001111")
    [sig] = ev.signals(evidence(verifications=(verified,), wrong_person=(claim,)))
    assert sig.code == ev.WRONG_PERSON_AFTER_VERIFIED and sig.on == date(2026, 11, 12)
    assert "尾号1111" in sig.reason and "2026-10-05" in sig.reason
    assert "13800001111" not in sig.reason  # agents see the last four only
    # From another number, or verified only afterwards: no signal.
    other = a.WrongPersonClaim(date(2026, 11, 12), "+8613900002222")
    assert codes(evidence(verifications=(verified,), wrong_person=(other,))) == []
    later = a.Verification(date(2026, 11, 20), "+8613800001111", True)
    assert codes(evidence(verifications=(later,), wrong_person=(claim,))) == []


def test_changing_numbers_needs_three_sources_in_ninety_days():
    two = (a.Contact(date(2026, 11, 1), "in", "+8613800000001"), a.Contact(date(2026, 11, 5), "in", "+8613800000002"))
    assert codes(evidence(contacts=two)) == []
    old = a.Contact(date(2026, 6, 1), "in", "+8613800000009")
    assert codes(evidence(contacts=two + (old,))) == []
    third = a.Verification(date(2026, 11, 10), "webchat:abcd1234", True)
    [sig] = ev.signals(evidence(contacts=two, verifications=(third,)))
    assert sig.code == ev.CHANGING_NUMBERS and sig.on == date(2026, 11, 10)
    assert "3 个不同号码/会话" in sig.reason


def test_dispute_only_after_a_promise_fell_due():
    p = promise(1, a.BROKEN, date(2026, 11, 10), booked=date(2026, 11, 1))
    late = a.Statement(a.DISPUTE, date(2026, 11, 14))
    [sig] = ev.signals(evidence(promises=(p,), statements=(late,)))
    assert sig.code == ev.DISPUTE_AFTER_DUE and sig.on == date(2026, 11, 14)
    assert "2026-11-10" in sig.reason and "2026-11-14" in sig.reason
    early = a.Statement(a.DISPUTE, date(2026, 10, 20))  # disputed before promising: consistent
    assert ev.DISPUTE_AFTER_DUE not in codes(evidence(promises=(p,), statements=(early, late)))
    kept = promise(1, a.KEPT, date(2026, 11, 10), booked=date(2026, 11, 1))
    assert codes(evidence(promises=(kept,), statements=(late,))) == []


def test_payments_reversed():
    e = evidence(payments=(a.PaymentRecord(Decimal("800.00"), date(2026, 11, 2)),
                           a.PaymentRecord(Decimal("-800.00"), date(2026, 11, 4), reversed=True)))
    [sig] = ev.signals(e)
    assert sig.code == ev.PAYMENTS_REVERSED and sig.on == date(2026, 11, 4)
    assert "2026-11-04 800.00 元" in sig.reason
    assert a.assess(e).features["payments_reversed"] == 1


def test_verification_failing_from_several_sources():
    one = (a.Verification(date(2026, 11, 20), "+8613800000001", False),
           a.Verification(date(2026, 11, 21), "+8613800000001", False))
    assert codes(evidence(verifications=one)) == []
    two = one + (a.Verification(date(2026, 11, 22), "+8613800000002", False),)
    [sig] = ev.signals(evidence(verifications=two))
    assert sig.code == ev.VERIFICATION_FAILING and sig.on == date(2026, 11, 22)
    stale = one + (a.Verification(date(2026, 9, 1), "+8613800000002", False),)
    assert codes(evidence(verifications=stale)) == []


def test_signal_as_dict_has_label_date_reason():
    e = evidence(payments=(a.PaymentRecord(Decimal("-1.00"), date(2026, 11, 4), reversed=True),))
    d = ev.signals(e)[0].as_dict()
    assert d == {"code": "payments_reversed", "label": "还款被退回", "on": "2026-11-04",
                 "reason": "1 笔还款被退回：2026-11-04 1.00 元"}


def test_a_broken_promise_above_the_stated_budget_weighs_on_ability_not_willingness():
    said = a.Statement(a.BUDGET, date(2026, 10, 25), Decimal("400.00"))
    too_much = promise(1, a.BROKEN, date(2026, 11, 1), booked=date(2026, 10, 25))  # asks 1000
    result = a.assess(evidence(statements=(said,), promises=(too_much,)))
    # willingness: one broken above budget, a third of -0.9
    assert result.willingness.value == logistic(-0.3)
    assert "超出自述可还金额的承诺未履约 1 次（↓）" in result.reason_texts()
    # ability: budget below minimum (-1.0) and the missed promise above it (-0.5)
    assert result.ability.value == logistic(-1.5)
    # The same promise with no budget said beforehand counts in full.
    later = a.Statement(a.BUDGET, date(2026, 11, 3), Decimal("400.00"))
    plain = a.assess(evidence(statements=(later,), promises=(too_much,)))
    assert plain.willingness.value == logistic(-0.9)


def test_contacts_count_by_day():
    # Ten bot messages on one day and an SMS on two others: three contacts, no answer yet.
    out = tuple(a.Contact(date(2026, 11, 1), "out") for _ in range(10)) + (
        a.Contact(date(2026, 11, 8), "out"), a.Contact(date(2026, 11, 15), "out"))
    f = a.features(evidence(contacts=out))
    assert f["contacts_out"] == 3 and f["responses_in"] == 0
    assert "联系 3 次均无回应（↓）" in a.assess(evidence(contacts=out)).reason_texts()
