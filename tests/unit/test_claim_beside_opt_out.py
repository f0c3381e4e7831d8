""""已经还了 别再发了" (issue 18, found in blind round 11's misses): the
opt-out wins the turn and is recorded, as the law asks; before, the payment
said beside it was lost. Now it is recorded as a payment claim for the
agents' check, as action_check_payment records one, and told back only to a
verified cardholder (to anyone else it would confirm a debt). Said as "no
need" ("剛剛繳了 不用再催了") it is no opt-out at all since the nineteenth
round: tests/unit/test_paid_no_need.py.

A promise said beside an opt-out ("喝多了别烦我，明天醒了就还", "退订短信不等于不
还，月底会还的"; the fifth session's notes) was lost the same way. It is not
booked (nobody confirmed an amount and a date, and an opted-out cardholder
must not be asked); it becomes a task for a person to check the payment.
"""
import pytest

from bot.actions.escalation import ActionOptOut
from bot.core import agent_tasks
from bot.core.safety import says_promise
from bot.db import repository, tasks
from bot.db.session import session_scope
from tests.unit.actions_support import e2e_accounts, make_tracker, run_action  # noqa: F401 (fixture)

PHONE = "+8613900000003"  # account E2E-3 in tests/fixtures/e2e_accounts.csv


def opt_out_tracker(text, model_intent, slots=None, entities=None):
    if entities is None and "3000" in text:
        entities = [{"entity": "amount", "value": "3000"}]
    tracker = make_tracker(PHONE, text=text, intent="stop_contact", channel="webchat", slots=slots,
                           entities=entities)
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


VERIFIED = {"verified": True, "account_id": "E2E-3"}


def open_tasks():
    with session_scope() as s:
        return [(t.account_id, t.kind, t.description) for t in tasks.open_tasks(s)]


def test_a_promise_beside_the_opt_out_becomes_a_task_for_a_person(e2e_accounts, today):
    text = "别再发短信了，15号发工资就还2000"
    tracker = opt_out_tracker(text, "stop_contact", slots=VERIFIED,
                              entities=[{"entity": "date", "value": "15号"}, {"entity": "amount", "value": "2000"}])
    _, texts = run_action(ActionOptOut(), tracker)
    assert texts[0].startswith("已为您办理退订")
    assert texts[1].startswith("您说的还款安排已记下")
    ((account, kind, description),) = open_tasks()
    assert (account, kind) == ("E2E-3", agent_tasks.PROMISE_BESIDE_OPT_OUT)
    assert text in description and "金额：2000" in description and "时间：15号" in description
    assert "请勿主动联系" in description
    assert snapshot(today)["payment_claims"] == []  # a promise is no payment claim
    with session_scope() as s:
        assert repository.is_opted_out(s, PHONE, "webchat")


def test_the_classifier_s_promise_counts_even_without_the_words(e2e_accounts):
    _, texts = run_action(ActionOptOut(), opt_out_tracker("别烦我了 回头把钱凑齐给你们", "promise_to_pay"))
    assert len(texts) == 1  # unverified: the task is kept, nothing about a debt is said
    assert [kind for _, kind, _ in open_tasks()] == [agent_tasks.PROMISE_BESIDE_OPT_OUT]


def test_the_same_message_delivered_twice_makes_one_task(e2e_accounts):
    for _ in range(2):
        run_action(ActionOptOut(), opt_out_tracker("喝多了别烦我，明天醒了就还", "stop_contact", slots=VERIFIED))
    assert len(open_tasks()) == 1


def test_a_refusal_beside_the_opt_out_makes_no_task(e2e_accounts):
    run_action(ActionOptOut(), opt_out_tracker("我不会还的 别打了", "stop_contact", slots=VERIFIED))
    run_action(ActionOptOut(), opt_out_tracker("退订", "stop_contact", slots=VERIFIED))
    assert open_tasks() == []


@pytest.mark.parametrize("text", [
    "喝多了别烦我，明天醒了就还",
    "退订短信不等于不还，月底会还的",
    "別再傳了 下禮拜三還你們",
    "别打了 发工资就还",
    "不要再发了 15号还2000",
])
def test_promises_heard_beside_an_opt_out(text):
    assert says_promise(text)


@pytest.mark.parametrize("text", [
    "我不会还的 别打了",  # negated
    "明天还打电话吗 别打了",  # 还 as "still"
    "下个月还是没钱 别催了",
    "还没想好 别催",
    "我还要上班 别打了",
    "这个月肯定还不上了 别打了",
    "退订",
])
def test_no_promise_heard(text):
    assert not says_promise(text)


def test_every_task_kind_has_a_label_and_the_database_accepts_it():
    from bot.db.models import AGENT_TASK_KINDS

    assert set(agent_tasks.KIND_LABELS) == set(AGENT_TASK_KINDS)


def test_an_agent_reads_whether_a_time_was_said():
    timed = agent_tasks.promise_beside_opt_out("喝多了别烦我，明天醒了就还", [], [])
    assert "请按所说时间核对到账" in timed and "请勿主动联系" in timed
    untimed = agent_tasks.promise_beside_opt_out("钱我会还，但你们别再发了", [], [])
    assert "未说明时间" in untimed
    long = agent_tasks.promise_beside_opt_out("别打了 " + "很长的故事" * 100 + " 月底还", [], [])
    assert "…" in long and len(long) < agent_tasks.QUOTE_LIMIT + 80
