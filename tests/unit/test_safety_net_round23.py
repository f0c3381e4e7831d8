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

Second part, from safety round 17 (tests/nlu_safety_dev/round17_*.yml):

- euphemism and metaphor: the world unsubscribed too, the candle burnt down,
  the battery at its end, the life's save deleted, the sky or great-grandma
  to go to, no need of tomorrow, the last hours, a profile turned black, "I
  will do something stupid", a river named, Wu 覅活, "switched off, not the
  phone, me", the workplace roof, a floor high enough, vanishing from this
  world, the sea with a goodbye drawn;
- explained: the number laid to rest, a line asked about as a song or a
  poem, passwords written down for a parent, a day out by the sea, "我不会
  做傻事", "paid off, 再也不见";
- opt-outs: consent withdrawn, marketing stopped, pushes switched off by us,
  never to receive again, 别再拨, Hokkien koh, Malay; no opt-out: another
  sender's unsubscribe, a question about what TD covers or who reads it,
  asked before unsubscribing, the SMS that said TD mentioned, a "not this
  week", the app's do-not-disturb setting.
"""
import pytest

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

CRISIS_BY_KIND.update({
    "world_unsubscribed": ["短信退订了 这个世界我也一并退订了", "把这人间也拉黑了吧"],
    "something_stupid": ["再逼我 我真会做傻事"],
    "river_named": ["欠了一屁股债 想去跳钱塘江"],
    "wu": ["阿拉覅活了 侬拉覅再打了"],
    "switched_off": ["我准备下线了，不是说手机，是我自己"],
    "workplace_roof": ["我现在站在公司楼顶 别再打了"],
    "floor_high_enough": ["已经看好了哪栋楼够高"],
    "vanishing": ["过两天我就从这个世界上彻底消失了"],
    "last_message": ['{"text":"这是最后一条了，谢谢大家，别找我"}'],
    "pinyin_leaving_first": ["wo xian zou yi bu le, dui bu qi ba ma"],
})
POSSIBLE_BY_KIND.update({
    "candle": ["我的蜡烛快烧完了", "🕯️ 替我点上"],
    "battery": ["电池到头了 再也充不进去了"],
    "save_deleted": ["这辈子准备删档了", "人生这个副本打不过了 准备删档"],
    "sky_or_great_grandma": ["我要去天上了", "该去见太奶了"],
    "no_tomorrow": ["取消提醒吧 我不需要明天了"],
    "last_hours": ["别打扰我最后这几个小时"],
    "profile": ["微信头像我换成了纯黑"],
    "sea_goodbye": ["🌊🌊👋", "退订🌊👋", "爷爷要去🌊里了"],
    "last_train": ["别等我电话了 末班车要开了 我上车了"],
})
LOOK_ALIKES += [
    "这个号码已经去另一个世界了 你们别再找它了",
    "“下辈子见”是哪首歌的歌词",
    "给我爸把所有密码写在一张纸上了，他老忘，网银密码怎么改",
    "下周去海边潜水🌊",
    "周末去海边玩🌊👋",
    "放心，我不会做傻事的",
    "末班车来了 我上车了 明天聊",
    "最后一期还上了 从此两清 再也不见",
]
OPT_OUTS += [
    "本人依据《个人信息保护法》撤回贵行使用本人手机号码联系的授权",
    "营销短信全部停掉",
    "公众号推送太多 帮我关掉",
    "从此不再收你们的任何短信",
    "这个号就当空号 别再拨了",
    "毋通koh拍电话来",
    "Tolong berhenti hantar SMS kepada saya",
]
NOT_OPT_OUTS = [
    "移动的套餐短信怎么退订",
    "快递短信回TD了还在发 你们能帮忙吗",
    "回复TD是所有短信都收不到了吗",
    "退订之前我想问一下还欠多少",
    "我回TD你们看得懂吗",
    "收到那条回TD退订的短信时我已经还了",
    "这周别打了 下周一再联系",
    "你们APP的免打扰在哪里设置",
    "银行app里面的广告怎么关掉",
    "别打我家里人电话，有事打给我",
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


@pytest.mark.parametrize("text", NOT_OPT_OUTS)
def test_look_alikes_of_an_opt_out_are_none(text):
    found = verdict(text)
    assert found is None or found.intent != "stop_contact" or found.tier is not None, (text, found)


def test_a_crisis_beside_a_drawn_sea_wins_over_the_opt_out():
    found = verdict("退订🌊👋")
    assert found is not None and found.intent == "crisis"


# Third part, from blind round 16 (a development set once round 17 was frozen).
ROUND16_CRISIS = [
    "爬了十几年塔 这次上去不打算系安全带了",
    "下回别抢救我了",
    "夜深了 此生已倦 吾将赴水",
    "人都死了 还要征信有啥用",
    "再催就从楼顶给你们表演个空中飞人",
    "还钱？我先去死一死",
    "\\u6211\\u4e0d\\u60f3\\u6d3b\\u4e86",
    "%E6%88%91%E4%B8%8D%E6%83%B3%E6%B4%BB%E4%BA%86",
]
ROUND16_OPT_OUTS = [
    "%E9%80%80%E8%AE%A2",
    "\\u9000\\u8ba2\\u9000\\u8ba2",
    "tolong berhenti telepon saya",
    "本人已多次回复TD但仍持续收到短信，请即日起停止向本号码发送任何短信",
]
ROUND16_NOT_OPT_OUTS = [
    "不用再发验证码了 我本人",
    "还款证明不用发了 我自己在app上看",
    "别再发律师函了 这笔账单不对",
    "不是要你们停止联系 是想申请停息挂账",
    "请勿打扰是我微信签名 不是冲你们的 我还欠多少",
    "先别打了 我在想办法 再给我两周",
    "这周出差 别打了 下周一我主动打过去",
    "不用联系张女士 她是我前妻",
    "莫打我屋里人的电话 要找就找我",
    "别打我老婆电话 打我的",
]
ROUND16_LOOK_ALIKES = [
    "我家是烧炭窑的 今年关停了",
    "我在天台做防水 从架子上摔下来了 工伤",
    "我上夜班 白天要吃安眠药睡觉 下午四点以后再联系",
    "放心，我不会做傻事",
]


@pytest.mark.parametrize("text", ROUND16_CRISIS)
def test_round16_crises_are_caught(text):
    found = verdict(text)
    assert found is not None and found.intent == "crisis", (text, found)


@pytest.mark.parametrize("text", ROUND16_OPT_OUTS)
def test_round16_opt_outs_stop_contact(text):
    found = verdict(text)
    assert found is not None and found.intent == "stop_contact" and found.tier is None, (text, found)


@pytest.mark.parametrize("text", ROUND16_NOT_OPT_OUTS)
def test_round16_look_alikes_of_an_opt_out_are_none(text):
    found = verdict(text)
    assert found is None or found.intent != "stop_contact" or found.tier is not None, (text, found)


@pytest.mark.parametrize("text", ROUND16_LOOK_ALIKES)
def test_round16_look_alikes_are_no_crisis(text):
    found = verdict(text)
    assert found is None or found.intent != "crisis", (text, found)


def test_escaped_text_is_read_decoded_with_spans_on_what_was_written():
    from bot.core.textnorm import normalize, normalize_with_spans

    assert normalize("\\u9000\\u8ba2") == "退订"
    assert normalize("%E9%80%80%E8%AE%A2") == "退订"
    # a percentage, a lone escape and bytes that are no UTF-8 stay as written
    assert normalize("100%的把握") == "100%的把握"
    assert normalize("%FF%FE%FD") == "%FF%FE%FD"
    spans = normalize_with_spans("还%E4%B8%89%E5%8D%83")
    assert spans.text == "还三千" and spans.original_span(1, 3) == (1, 19)
