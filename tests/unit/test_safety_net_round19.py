"""The safety net, nineteenth round: what blind round 12 (a development set
since the fifth session of 2026-12-05, once round 13 was frozen) showed - 自鲨
said alone, "everything was stopped, I can be stopped too", "burn paper for
me" as the way to reach the writer; and three false alarms: 笑不活了 (net
slang for laughing hard), "goodbye forever, bank" once the account is
settled, things given away when going back to one's home town. Phrasings of
our own.
"""
import pytest

from bot.core.safety import not_an_opt_out, verdict
from tests.unit.safety_support import round_tests

CRISIS_BY_KIND = {
    "ready_to_die": ["我准备好去死了", "我已经决定去死了", "打算去死"],
    "not_living_on": ["我也不打算再活下去了", "真的不想再继续活下去"],
}
POSSIBLE_BY_KIND = {
    "slang_alone": ["自鲨", "紫砂了"],
    "stopped_too": ["卡被停了 工作也停了 我这个人也该停了", "信用卡停了，我也可以被注销了"],
    "burn_paper_for_me": ["以后有事就给我烧纸吧", "钱的事 到时候帮我烧点纸就行"],
    "phone_into_the_river": ["手机等下我就丢进江里", "说完这些就把手机扔进江里"],
}
LOOK_ALIKES = [
    "笑不活了 你们这个客服真逗", "哈哈哈哈笑得不活了",
    "结清了 永别了某银行 再也不办你们的卡", "终于还清了，拜拜了你们这家银行",
    "家具都送人了 下个月要回老家了 欠款怎么还", "东西都送给邻居了 准备回四川了",
    "卡停了就停了 无所谓", "你去死吧", "准备好去银行了", "不打算再活在别人的眼光里",
    "手机不小心掉河里了 换了个新号", "再发我就把手机扔河里", "卡我剪了扔江里了 怎么还款",
    "我妈的服务可以停了，她已经用不上了",
]

(test_crisis_is_caught, test_ambiguous_signs_check_in, test_look_alikes_are_no_crisis) = round_tests(
    crisis_by_kind=CRISIS_BY_KIND, possible_by_kind=POSSIBLE_BY_KIND, look_alikes=LOOK_ALIKES)


@pytest.mark.parametrize("text", ["哪种都别，滚", "哪一种渠道都甭", "哪种方式都不要"])
def test_no_way_at_all_is_asked_about(text):
    # To "how should we contact you?": the bot asks whether contact should
    # stop altogether rather than record an opt-out or carry on.
    found = verdict(text)
    assert found is not None and found.intent == "stop_contact" and found.tier == "possible"


@pytest.mark.parametrize("text", ["哪种都不要", "哪个都行", "哪种方式都可以"])
def test_a_choice_declined_or_left_open_is_no_opt_out(text):
    assert verdict(text) is None


def test_asking_for_the_account_number_is_no_opt_out():
    # "send" made the classifier think of stopping the texts.
    assert not_an_opt_out("pls send acct no.") and not_an_opt_out("把还款账号发我")


@pytest.mark.parametrize("text", ["我没退订啊，是孩子拿我手机乱回的，帮我恢复", "我从来没有回过T", "不是我退订的 帮我恢复提醒",
                                  "没退订 怎么收不到短信了"])
def test_an_opt_out_denied_or_the_reminders_asked_back_is_none(text):
    # Blind round 11: the SMS channel recorded an opt-out from "I did not
    # unsubscribe"; the classifier's own opt-out on it falls to its next guess.
    from bot.core.sms import is_opt_out

    assert verdict(text) is None and not is_opt_out(text) and not_an_opt_out(text)


@pytest.mark.parametrize("text", ["退订", "我要退订 不想再收到了", "已经退订了还发", "我没说不还 退订"])
def test_an_opt_out_beside_a_denial_of_something_else_is_still_one(text):
    found = verdict(text)
    assert found is not None and found.intent == "stop_contact" and found.tier is None
