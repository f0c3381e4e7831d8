"""The core conversation end to end: real Rasa server, real action server,
SQLite account and tracker databases, messages over /webhooks/rest/webhook,
and what `collectbot show-account` reports afterwards."""
from __future__ import annotations

import pytest

from tests.e2e.servers import REPO, eventually, running_stack
from tests.e2e.support import import_one

pytestmark = pytest.mark.e2e

# A Wednesday; every date below follows from it.
NOW = "2026-11-25T10:00:00+08:00"
# Words that would tell a stranger there is a debt.
DISCLOSING = ("元", "逾期", "信用卡", "欠款", "还款", "账单", "催收")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e")
    with running_stack(workdir, NOW) as s:
        imported = s.collectbot("import-accounts", str(REPO / "tests/fixtures/e2e_accounts.csv"))
        assert imported.returncode == 0, imported.stderr
        yield s


def text(replies) -> str:
    return "\n".join(replies)


def test_verified_cardholder_books_a_promise_once_and_an_installment(stack):
    me = "+8613900000001"
    first = text(stack.say(me, "你好"))
    assert "李*华本人吗" in first
    assert not any(w in first for w in DISCLOSING)

    assert "身份证号码的后四位" in text(stack.say(me, "是的"))
    assert "还可尝试2次" in text(stack.say(me, "后四位是0000"))

    facts = text(stack.say(me, "3521"))
    for expected in ("12,000.00元", "1,200.00元", "2026年10月10日", "已逾期46天", "6688"):
        assert expected in facts

    confirm = text(stack.say(me, "我下周五还三千"))
    assert "2026年12月4日" in confirm and "3,000.00元" in confirm
    assert "已为您登记还款承诺" in text(stack.say(me, "是的"))

    # The same promise confirmed again books nothing new.
    stack.say(me, "我下周五还三千")
    assert "无需重复办理" in text(stack.say(me, "是的"))

    quote = text(stack.say(me, "能分12期吗"))
    for expected in ("每期还款1,072.00元", "总手续费864.00元", "12,864.00元"):
        assert expected in quote
    assert "分期已办理成功" in text(stack.say(me, "好的"))

    account = stack.show_account("E2E-1")
    promises = account["promises"]
    assert [(p["amount"], p["pay_date"], p["status"]) for p in promises] == [("3000.00", "2026-12-04", "booked")]
    installments = [a for a in account["arrangements"] if a["kind"] == "installment"]
    assert [(a["months"], a["monthly_payment"], a["total_fee"]) for a in installments] == [(12, "1072.00", "864.00")]
    assert account["assessment"]["willingness"] == "willing"

    def logged():
        log = stack.show_account("E2E-1")["contact_log"]
        assert any(e["direction"] == "in" and e["text"] == "我下周五还三千" for e in log)
        assert any(e["direction"] == "out" and "分期已办理成功" in e["text"] for e in log)

    eventually(logged, timeout=15.0)  # the contact log is written behind the conversation


def test_third_party_learns_nothing_about_the_debt(stack):
    other = "+8613900000002"
    assert "王*本人吗" in text(stack.say(other, "你好"))
    reply = text(stack.say(other, "我不是他本人 我是他同事"))
    assert "转告机主" in reply
    again = text(stack.say(other, "他到底欠了多少钱"))
    for r in (reply, again):
        assert not any(w in r for w in DISCLOSING), r
        assert "3,500" not in r and "350" not in r
    assert stack.show_account("E2E-2")["arrangements"] == []


def test_unknown_number_gets_no_account_information(stack):
    reply = text(stack.say("+8613999999999", "我欠你们多少钱"))
    assert "无法通过当前号码" in reply
    assert not any(w in reply for w in DISCLOSING)


def test_crisis_gets_support_a_top_priority_escalation_and_no_payment_talk(stack):
    me = "+8613900000003"
    reply = text(stack.say(me, "还不上了 我真的不想活了"))
    assert "12356" in reply
    escalations = stack.show_account("E2E-3")["escalations"]
    assert [(e["reason"], e["priority"]) for e in escalations] == [("crisis", 0)]
    # A person has the conversation now: the bot no longer answers on its
    # own, but every message still reaches the contact log (and the agent).
    assert stack.say(me, "我明天还钱") == []

    def logged():
        log = stack.show_account("E2E-3")["contact_log"]
        assert any(e["direction"] == "in" and e["text"] == "我明天还钱" for e in log)

    eventually(logged, timeout=15.0)  # the contact log is written behind the conversation
    # An opt-out is honoured even while paused (its confirmation is sent
    # through Rasa's HTTP API, which this stack does not open; see
    # tests/e2e/test_handoff.py).
    stack.say(me, "退订")
    opt_outs = stack.show_account("E2E-3")["opt_outs"]
    assert [o["channel"] for o in opt_outs] == ["rest"]


def test_deferral_is_booked_with_the_new_due_date(stack):
    me = "+8613900000004"
    stack.say(me, "在吗")
    stack.say(me, "对 是我")
    assert "5,000.00元" in text(stack.say(me, "660x"))
    confirm = text(stack.say(me, "能不能宽限两周"))
    assert "2026年12月9日" in confirm
    assert "新的还款日为2026年12月9日" in text(stack.say(me, "可以"))
    deferrals = [a for a in stack.show_account("E2E-4")["arrangements"] if a["kind"] == "deferral"]
    assert [(d["new_due_date"], d["status"]) for d in deferrals] == [("2026-12-09", "booked")]


def test_a_request_made_before_verification_goes_on_after_it(stack, tmp_path):
    import_one(stack, tmp_path, "E2E-9,周杰,+8613900000009,4321,1111,6000.00,600.00,2026-11-10")
    me = "+8613900000009"
    first = text(stack.say(me, "我想申请延期还款"))
    assert "周*本人吗" in first and not any(w in first for w in DISCLOSING)
    stack.say(me, "是的")
    after = text(stack.say(me, "4321"))
    # The facts, then straight on with the deferral the cardholder asked for.
    assert "6,000.00元" in after and "请问需要延期多久" in after
    assert "2026年12月9日" in text(stack.say(me, "两周"))
    assert "新的还款日为2026年12月9日" in text(stack.say(me, "可以"))
    deferrals = [a for a in stack.show_account("E2E-9")["arrangements"] if a["kind"] == "deferral"]
    assert [(d["new_due_date"], d["status"]) for d in deferrals] == [("2026-12-09", "booked")]


def test_a_greeting_while_asked_who_they_are_does_not_lose_the_answer(stack, tmp_path):
    """"你好" again while "are you 周*?" was pending is not understood, but the
    "是的" after it answers the question: before, the form stayed rejected,
    the "是的" was a second misunderstanding and a person was called in."""
    import_one(stack, tmp_path, "E2E-10,吴磊,+8613900000010,5678,2222,2000.00,200.00,2026-11-10")
    me = "+8613900000010"
    assert "吴*本人吗" in text(stack.say(me, "你好"))
    stack.say(me, "在吗")
    assert "身份证号码的后四位" in text(stack.say(me, "是的"))
    assert "2,000.00元" in text(stack.say(me, "5678"))
    assert stack.show_account("E2E-10")["escalations"] == []


def verified_new_account(stack, tmp_path, row: str) -> str:
    """A new account (import_one) whose cardholder has verified on the web chat; their id."""
    import_one(stack, tmp_path, row)
    account_id, _name, me, id_last4, _card, balance = row.split(",")[:6]
    stack.say(me, "你好")
    stack.say(me, "是的")
    assert f"{float(balance):,.2f}元" in text(stack.say(me, id_last4))
    return me


def test_a_bare_figure_answers_how_much_will_you_pay(stack, tmp_path):
    """The promise form asks "how much?" with "3000元" as its example; "3000"
    alone is read by the NLU as the ID's last four, so the form was rejected,
    the cardholder told they were already verified and the promise lost."""
    me = verified_new_account(stack, tmp_path, "E2E-13,钱多,+8613900000013,2222,4444,5000.00,500.00,2026-11-05")
    assert "计划还款多少" in text(stack.say(me, "我下周五还"))
    confirm = text(stack.say(me, "3000"))
    assert "已完成身份验证" not in confirm and "3,000.00元" in confirm, confirm
    assert "已为您登记" in text(stack.say(me, "是"))
    (promise,) = stack.show_account("E2E-13")["promises"]
    assert promise["amount"] == "3000.00"


def test_a_bare_count_answers_how_long_a_deferral(stack, tmp_path):
    """The deferral form asks "how long? e.g. 15天"; "15" alone was read as an
    ID's digits, the form rejected and the request lost."""
    me = verified_new_account(stack, tmp_path, "E2E-14,冯雪,+8613900000014,3434,4545,5000.00,500.00,2026-11-05")
    assert "需要延期多久" in text(stack.say(me, "能延期吗"))
    confirm = text(stack.say(me, "15"))
    assert "已完成身份验证" not in confirm and "延期15天" in confirm, confirm
