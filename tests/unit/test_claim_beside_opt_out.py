""""已经还了 别再发了" (issue 18, found in blind round 11's misses): the
opt-out wins the turn and is recorded, as the law asks; before, the payment
said beside it was lost. Now it is recorded as a payment claim for the
agents' check, as action_check_payment records one, and told back only to a
verified cardholder (to anyone else it would confirm a debt). Said as "no
need" ("剛剛繳了 不用再催了") it is no opt-out at all since the nineteenth
round: tests/unit/test_paid_no_need.py.
"""
from bot.actions.escalation import ActionOptOut
from bot.db import repository
from bot.db.session import session_scope
from tests.unit.actions_support import e2e_accounts, make_tracker, run_action  # noqa: F401 (fixture)

PHONE = "+8613900000003"  # account E2E-3 in tests/fixtures/e2e_accounts.csv


def opt_out_tracker(text, model_intent, slots=None):
    tracker = make_tracker(PHONE, text=text, intent="stop_contact", channel="webchat", slots=slots,
                           entities=[{"entity": "amount", "value": "3000"}] if "3000" in text else None)
    tracker.latest_message["safety"] = {"intent": "stop_contact", "tier": None, "rules": [],
                                        "model_intent": model_intent}
    return tracker


def snapshot(today):
    with session_scope() as s:
        return repository.account_snapshot(s, "E2E-3", today)


def test_a_verified_cardholder_is_opted_out_and_the_payment_is_recorded(e2e_accounts, today):
    tracker = opt_out_tracker("我昨天转了3000 别再发了", "already_paid", slots={"verified": True, "account_id": "E2E-3"})
    _, texts = run_action(ActionOptOut(), tracker)
    assert texts[0].startswith("已为您办理退订")
    assert texts[1].startswith("您说已经还款，已为您登记")
    (claim,) = snapshot(today)["payment_claims"]
    assert claim["claimed_text"] == "我昨天转了3000 别再发了" and claim["amount"] == "3000.00"
    with session_scope() as s:
        assert repository.is_opted_out(s, PHONE, "webchat")


def test_unverified_the_claim_is_recorded_but_not_told(e2e_accounts, today):
    _, texts = run_action(ActionOptOut(), opt_out_tracker("已经还了 别再发了", "already_paid"))
    assert len(texts) == 1 and texts[0].startswith("已为您办理退订")
    assert [c["claimed_text"] for c in snapshot(today)["payment_claims"]] == ["已经还了 别再发了"]


def test_a_plain_opt_out_records_no_claim(e2e_accounts, today):
    _, texts = run_action(ActionOptOut(), opt_out_tracker("退订", "stop_contact", slots={"verified": True,
                                                                                       "account_id": "E2E-3"}))
    assert len(texts) == 1 and texts[0].startswith("已为您办理退订")
    assert snapshot(today)["payment_claims"] == []
