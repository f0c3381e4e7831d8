"""The safety net, thirty-first round (issue 18, first session of
2026-12-07). Phrasings of our own; the second part says the same
families in other words.

From blind round 24 (read once round 25 was frozen): medicine gathered a
little at a time from several pharmacies or doctors, "don't talk me out of
it, don't call the police", a relative who reports the cardholder missing
to the police, a payment that is "also a farewell", other debts paid
"another way"; answering a worried bank: "where I am doesn't matter any
more", "still here, for now", pills poured into a palm, keeping a dead
parent company at the grave, a pet's carer named and the writer at peace,
跳河 typed as 跳和. Opt-outs: negative circled letters (🅣🅓), our calls
"switched off", "stop it all this time" and a bare "回0" (asked first), an
unsubscribe "whatever it is". Look-alikes: no way out of the debt itself,
a pet left with a neighbour for a reason given, a dead father's number now
used by the child, a voice assistant setting quiet hours, the automatic
debit unsubscribed, a game's "别打了"; and for a crisis only the
classifier heard: a transfer tonight, a new trade, a line said to someone
else, how to pay, the credit record, "no way to live" as a complaint, a
debt paid off at last, chemotherapy, a husband who died years ago.
"""
import pytest

from bot.core.safety import not_an_opt_out, verdict
from bot.core.safety.classifier_crisis import everyday_context_only
from bot.core.safety.findings import CERTAIN, POSSIBLE
from bot.core.textnorm import normalize
from tests.unit.safety_support import round_tests

CRISIS_BY_KIND = {
    "gathered_medicine": ["这个月去了五家药店 每家只买一盒 都收在抽屉里了",
                          "助眠药一次只给开十粒 我换了三家医院",
                          "医生一次只肯开六片 我已经跑了好几家诊所"],
    "dont_stop_me": ["别劝我了 也不用报警 就是跟你们说一声"],
    "missing_reported": ["我哥昨晚发完消息就失联了 我们已经报警了 你们有他消息马上说",
                         "已经报案了 我妈从早上起就联系不上"],
    # second part: other words of our own
    "missing_filed": ["我弟留了张字条人就不见了 派出所已经立案了"],
}
POSSIBLE_BY_KIND = {
    "no_police": ["钱的事以后不用管了 别报警"],
    "pills_in_palm": ["一把都倒在手心里了"],
    "where_no_matter": ["去哪都不重要了"],
    "still_here_for_now": ["我暂时还在", "人还在，目前还在"],
    "also_farewell": ["这笔钱就当是告别吧"],
    "other_way_to_pay": ["你们的还上了 欠外面的我拿别的办法了结"],
    "grave_company": ["我在我妈葬的那块地 想一直陪她"],
    "carer_named_at_peace": ["以后孩子有我姐带 我也就安心了", "狗狗有邻居照顾 我就放心了"],
    "river_homophone": ["他说想去跳和 电话也不接"],
    # second part: other words of our own
    "no_emergency_call": ["别打120 我就想一个人待着"],
    "where_no_matter_2": ["我在哪儿已经无所谓了", "现在在哪里还有什么要紧的"],
    "alive_for_now": ["暂时还活着", "目前人还在 过几天就不好说了"],
    "pills_counted": ["药片都倒出来了 一颗一颗在数"],
    "free_to_go": ["狗有人养了 我也就放心走了"],
    "into_the_furnace": ["烧了一辈子炉子 哪天我自己也钻进那个炉子算了"],
}
LOOK_ALIKES = [
    "跑了三家药店才买到退烧药",
    "这是诈骗电话吗？我要不要报警",
    "求你们别报警 钱我会还的",
    "手机被偷了 关机了 已经报警了",
    "看不到出路 欠的网贷像个无底洞",
    "这些债我看不到头 能不能分期",
    "猫临时寄养在朋友家 因为我要出差两周",
    "号码以前是我爸在用的 他走了两年了 现在是我在用",
    "清明去爷爷坟前陪他说说话",
    "能用别的方式还款吗 微信行不行",
    "在哪还不重要 重要的是钱我还了",
    "暂时还在外地 下个月回",
    "目前还在",
    "我妈帮忙带孩子 我也放心了",
    "楼上漏水终于有人管了 我就放心了",
    "这顿饭算是告别单身",
    "现在还在",
    "要不要叫120 我爸摔了一跤",
    "钱包丢了 去派出所报了案 卡也挂失了",
]
OPT_OUTS = [
    "🅣🅓",
    "🆃🅳",
    "先把这些催收电话都给我停了",
    "不管写的是啥 退订",
]
NOT_OPT_OUTS = [
    "已为你设置免打扰，晚十一点到早七点",
    "自动还款我已经取消了 以后手动还",
    "别打了别打了 打野又送了三个人头",
]

(test_crisis_is_caught, test_ambiguous_signs_check_in, test_look_alikes_are_no_crisis,
 test_opt_outs_stop_contact, test_look_alikes_of_an_opt_out_are_none) = round_tests(
    crisis_by_kind=CRISIS_BY_KIND, possible_by_kind=POSSIBLE_BY_KIND, look_alikes=LOOK_ALIKES, opt_outs=OPT_OUTS,
    not_opt_outs=NOT_OPT_OUTS)


@pytest.mark.parametrize("text", ["回0", "回复0", "这回给我全部停掉"])
def test_a_bare_reply_zero_or_stop_it_all_is_asked_about_first(text):
    found = verdict(text)
    assert found.intent == "stop_contact" and found.tier == POSSIBLE


def test_a_pet_left_with_only_a_because_is_still_a_farewell():
    assert verdict("猫托给邻居了 因为我照顾不了它了").intent == "crisis"
    assert verdict("猫托给邻居了 因为宿舍不让养") is None


def test_gathered_medicine_is_certain():
    assert verdict("安眠药一次只肯开七片 我跑了四家医院").tier == CERTAIN


@pytest.mark.parametrize("text", [
    "发了工资今晚就转过去",
    "这店下个月关门 我就转行去跑运输了",
    "刚才那句是跟我室友说的 她抢我的零食",
    "我可以如何付款给你们",
    "今天没还的话会不会直接上征信",
    "三次都不批 你们就是不给老百姓活路",
    "才把这笔还完 太高兴了 以后不用找我了",
    "刚查出来要化疗 下个月那期还不上",
    "老伴走了以后店里就我一个人",
])
def test_a_classifier_crisis_with_an_everyday_reading_falls_to_its_next_guess(text):
    assert everyday_context_only(text)


@pytest.mark.parametrize("text", ["刚查出来要化疗 我想死", "老伴走了以后我也想跟着去",
                                  # a long story that ends in a promise or a question keeps its crisis
                                  "一个人去海边坐在礁石上等涨潮，水到脚踝也没动，是保安把我喊回来的。"
                                  "手上现在有三千，跟我姐借的，我今晚就转给你们，剩下的真没有了。",
                                  "最近老觉得活着就是给家里添麻烦，白天上班晚上睡不着，一闭眼就是那些账，"
                                  "先不说这个了，想问一下逾期了会不会直接上征信？"])
def test_an_own_wish_keeps_the_classifier_crisis(text):
    assert not everyday_context_only(text)


def test_an_opt_out_only_the_classifier_heard_from_a_voice_assistant_is_set_aside():
    assert not_an_opt_out("已为你设置勿扰模式，晚上十点至早上七点")
    # what the assistant sent for the writer is the writer's own
    assert verdict("好的，已为你发送：“以后别再打了”").intent == "stop_contact"


def test_negative_circled_letters_are_read_as_letters():
    assert normalize("🅣🅓") == "退订"
    assert normalize("🅰🅱") == "AB"


def test_a_place_not_to_call_with_the_writer_to_be_called_directly_is_no_opt_out():
    # "don't call my work, contact me directly" is a complaint about whom we call
    assert verdict("别打到我店里去 有事直接找我本人") is None
    # the place alone is still asked about
    found = verdict("别打到我单位去")
    assert found.intent == "stop_contact" and found.tier == POSSIBLE
