"""The safety net, twenty-third round (issue 18, eighth session of
2026-12-05): kinds blind round 15 (a development set since that session)
showed the net missing or misreading, in phrasings of our own.

- a tree or a beam found to hang from; pills gathered at several
  pharmacies; nobody answering the phone after tonight; a life restarted or
  a rebirth wished for; two of these together are certain;
- a bank SMS pasted back into a reply: its 回T退订 is the bank's line, not
  the cardholder's opt-out (bot.core.safety.quoted); the reply after it
  still counts, a bare "T" included;
- "停止以任何方式联系我" stops contact with the cardholder, even when the
  family is named too.
"""
from bot.core.safety import verdict
from bot.core.safety.quoted import own_words
from tests.unit.safety_support import overridden, round_tests

CRISIS_BY_KIND = {
    "tree_or_beam": ["活着没意思 找根房梁挂上算了", "我去后山找棵歪脖子树吊上得了", "撑不住了 寻思找个梁吊起来完事"],
    "two_signs": ["跑了三家药店买了一大堆药 明早你们再打就没人接了"],
}
POSSIBLE_BY_KIND = {
    "no_answer": ["过了今晚 你们再打估计就没人接了", "以后打这个电话应该没有人接了"],
    "pills_gathered": ["去了好几家药房才凑够药"],
    "rebirth": ["好想人生重开", "不如早点重新投胎", "这日子 找棵歪脖子树的心都有"],
}
LOOK_ALIKES = [
    "找棵树把吊床挂上 周末去露营",
    "我明天出差 打电话应该没人接 发短信吧",
    "手机要停机了 以后打这个号没人接了 新号码加微信",
    "跑了好几家药店买布洛芬 都卖完了",
    "人生重开模拟器真好玩",
    "吊车吊起来算了 这活今天干不完",
]
OPT_OUTS = [
    "请从现在起停止以任何方式联系我",
    "停止用任何形式联络我和我的家人",
    "【某银行】您的信用卡已逾期，请尽快还款。回T退订 —— T",
    "引用：“【XX银行】您的账单已逾期，请尽快处理，回复TD退订” TD",
]

(test_crisis_is_caught, test_ambiguous_signs_check_in, test_look_alikes_are_no_crisis,
 test_opt_outs_stop_contact) = round_tests(
    crisis_by_kind=CRISIS_BY_KIND, possible_by_kind=POSSIBLE_BY_KIND, look_alikes=LOOK_ALIKES, opt_outs=OPT_OUTS)

PASTED = "【XX银行】您尾号1234的信用卡已逾期30天，欠款3,200元，请尽快还款，详询客服。回T退订"


def test_a_pasted_bank_sms_is_not_the_cardholders_opt_out():
    """The reply after the paste is what the cardholder said."""
    for reply in ("—— 好的 明天还", " 这笔我上周就还了", "——我到底还欠多少", ""):
        assert verdict(PASTED + reply) is None, reply


def test_the_classifier_keeps_the_reply_after_a_paste():
    """The pipeline answers the promise, not an opt-out the bank's line made."""
    message = overridden(PASTED + " —— 好的 明天还", [
        {"name": "promise_to_pay", "confidence": 0.8}, {"name": "stop_contact", "confidence": 0.1}])
    assert message.get("intent")["name"] == "promise_to_pay"


def test_own_words_leaves_text_without_a_paste_alone():
    for text in ("别再发了", "【温馨提示】我明天还", "回T退订 T"):
        assert own_words(text) == text
    assert own_words("(1/2)【XX银行】张*丰您好，请与我行联系。(2/2)回T退订 —— T") == "T"


def test_a_crisis_after_a_paste_is_a_crisis():
    found = verdict(PASTED + " —— 不用催了 过了今晚就没人接这个电话了")
    assert found is not None and found.intent == "crisis"


def test_family_named_beside_any_way_is_still_an_opt_out():
    """The family named too does not make it a complaint about whom we call."""
    found = verdict("请你们停止以任何方式联系我，也不要再打给我家里任何人，有事我自己去网点")
    assert found is not None and found.intent == "stop_contact"
