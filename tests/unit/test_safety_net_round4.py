"""The safety net, fourth round (issue 18): kinds of wording the dev sets'
misses named, each in phrasings of our own (none is a dev-set sentence nor a
line of bot/data/nlu/safety_more.yml), the look-alikes the new patterns must
leave alone, the "possible" opt-out the bot asks about, and a classifier-only
opt-out of low confidence that is asked about instead of recorded.
"""
import pytest
from rasa.shared.nlu.constants import INTENT, TEXT

from bot.actions.escalation import possible_opt_out
from bot.core.safety import CERTAIN, POSSIBLE, assess_crisis, is_stop_request, verdict
from bot.nlu.keyword_override import LOW_CONFIDENCE
from tests.unit.actions_support import make_tracker
from tests.unit.safety_support import overridden, parametrize_by_kind, round_tests

CRISIS_BY_KIND = {
    "slang": ["干脆去紫砂吧", "我打算紫砂了", "自鲨算了"],
    "harm_done": ["我又割了手腕", "手臂上的伤口又多了几道", "腿上又划了好几道口子", "刚吞了整瓶的药",
                  "吃了五十片安眠药", "吃了几十颗药了"],
    "debtor_gone": ["以后就再也没人欠你们钱了", "不会再有人欠你们的钱了"],
    "if_alive": ["月底还你们，要是到时候我还活着", "如果我还能活到下个月就还"],
    "life_going": ["核对什么身份，我命都快没了", "人都快要没了还问这个"],
    "sorry_and_going": ["对不起全家人，我先走一步", "替我跟我妈说句对不起，我走了", "对不起各位 我先走了"],
    "no_ties": ["这世上我已经没什么牵挂了", "下辈子再见吧", "晚安，是永远的晚安"],
    "cantonese": ["做人真係冇意思", "我真系捱唔住喇", "唔想再捱落去", "我諗住聽日就走"],
    "way_out": ["我死了是不是就一了百了", "我还是死了好", "我不在了对家里都好", "欠的钱一命抵一命",
                "想开着车直接冲下去"],
    "at_hand_and_signs": ["刀就在我手上", "门窗我都封好了", "血一直在流", "喝了好多酒又吃了药",
                          "等火车开过来我就跳下去", "保险受益人写好了，赔的钱够还"],
    "emoji": ["💊💊💊", "🔪🔪🔪 晚安", "💊 我去睡了 别找我"],
    "beyond_the_misses": ["我不想再存在了", "给我妈的信写好了，放在抽屉里", "以后我女儿就拜托你们了",
                          "最后跟大家说声谢谢", "这些钱这辈子是还不起了，下辈子", "我走了，永远都不会再回来",
                          "所有的事情都安排好了"],
    "english": ["gonna unalive myself", "i keep thinking about ending things", "i really don't want to exist",
                "my insurance will cover the debt once i'm dead", "i want to go to sleep and never wake up",
                "i wrote a note for my wife", "got my pills ready here", "i just want it all to be over",
                "i've said all my goodbyes", "took a handful of pills", "there is no point anymore",
                "everyone will be better off", "tell my parents i love them"],
}

# Two different signs, or one plain enough: escalated at once, no check-in.
CERTAIN_CASES = ["对不起全家人，我先走一步", "我又割了手腕", "以后就再也没人欠你们钱了", "干脆去紫砂吧",
                 "做人真係冇意思", "💊💊💊"]

# What the new patterns must leave alone.
LOOK_ALIKES = [
    "我先走一步，你们慢慢吃", "先走一步了，下次再聊", "紫砂壶泡茶最好", "我收藏了一把紫砂壶",
    "医生给我开了一板药", "我刚吃了一板消炎药", "吃了一整瓶酸奶", "吃了几十颗瓜子",
    "我还清了，以后不欠你们了", "下辈子再说这种事吧哈哈", "晚安，明天见",
    "你们别再去找我爸妈了", "我活着一天就还一天", "做饭的时候切到手了，血一直在流",
    "还款的事都安排好了", "i took a bunch of photos", "there is no point arguing", "我明天回来",
]

STOP_BY_KIND = {
    "named_first": ["这样的短信我不想再收到", "通知我不想再看到了", "我不想收到这种短信"],
    "lists": ["把我从你们的短信名单里删掉", "把我移出提醒列表", "从发送列表里把我去掉"],
    "reminder_off": ["退掉所有的提醒", "把提醒给我关掉", "关停短信通知"],
    "third_parties": ["别再找我老婆了", "不要联系我公司", "你们再打给我爸试试", "不要去骚扰我同事"],
    "threat": ["再联系我就投诉你们", "再找我一次我就报警"],
    "blocked": ["我把你们设为骚扰号码了", "我已经把你们的号码标记成骚扰了", "加进你们的黑名单吧"],
    "english": ["no more reminders thanks", "i don't want your texts", "do not want any more messages",
                "please stop your calls"],
    "beyond_the_misses": ["我不想再接到还款电话", "请停止call我", "这个号我已经屏蔽了"],
}

POSSIBLE_STOP = ["提醒我不需要", "这些提醒我都不需要", "不用提醒了", "这些短信我不要"]

STOP_LOOK_ALIKES = ["提醒照发吧，我需要", "短信继续发没关系", "提醒收到了，谢谢", "我的名单在哪里看",
                    "stop the car", "屏蔽词是什么意思"]


(test_crisis_is_caught,) = round_tests(CRISIS_BY_KIND)


@pytest.mark.parametrize("text", CERTAIN_CASES)
def test_plain_or_doubled_signs_are_certain(text):
    assert assess_crisis(text).tier == CERTAIN


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alikes_are_no_crisis(text):
    found = verdict(text)
    assert found is None or found.intent != "crisis", (text, found)


def test_a_third_party_opt_out_is_no_visit_to_the_dead():
    # "去找我爸妈" is also going to one's late parents; after 别再 it is not.
    assert verdict("你们别再去找我爸妈了").intent == "stop_contact"


def test_a_sorry_to_everyone_is_not_read_as_somebody_elses_story():
    # 所有人 contains 有人 ("someone"), which once explained the classifier's crisis away.
    assert verdict("对不起所有人 我先走一步了").intent == "crisis"


@parametrize_by_kind(STOP_BY_KIND)
def test_every_new_kind_of_opt_out_stops_at_once(kind, text):
    assert is_stop_request(text), (kind, text)
    found = verdict(text)
    assert found.intent == "stop_contact" and found.tier is None


@pytest.mark.parametrize("text", POSSIBLE_STOP)
def test_declining_the_reminders_is_a_possible_opt_out_the_bot_asks_about(text):
    found = verdict(text)
    assert found.intent == "stop_contact" and found.tier == POSSIBLE, (text, found)
    # The SMS channel records opt-outs before Rasa: not on a maybe.
    assert not is_stop_request(text)


@pytest.mark.parametrize("text", STOP_LOOK_ALIKES)
def test_opt_out_look_alikes_are_left_to_the_classifier(text):
    assert verdict(text) is None, text


# ---- a classifier-only opt-out of low confidence -------------------------


def _override(text, intent, confidence, config=None):
    ranking = [{"name": intent, "confidence": confidence}, {"name": "out_of_scope", "confidence": 1 - confidence}]
    return overridden(text, ranking, config).as_dict(only_output_properties=True)


def _tracker_of(data):
    tracker = make_tracker("+8613900000009", text=data[TEXT], intent=data[INTENT]["name"])
    if "safety" in data:
        tracker.latest_message["safety"] = data["safety"]
    return tracker


def test_a_low_confidence_classifier_opt_out_is_asked_about_not_recorded():
    data = _override("我的电脑又坏了", "stop_contact", 0.51)
    assert data[INTENT]["name"] == "stop_contact"
    assert data["safety"]["tier"] == POSSIBLE and data["safety"]["rules"] == [LOW_CONFIDENCE]
    assert possible_opt_out(_tracker_of(data))


def test_a_sure_classifier_opt_out_still_stops_at_once():
    data = _override("这个号码以后就别再用了", "stop_contact", 0.93)
    assert data[INTENT] == {"name": "stop_contact", "confidence": 0.93}
    assert "safety" not in data
    assert not possible_opt_out(_tracker_of(data))


def test_a_net_confirmed_opt_out_stops_at_once_however_unsure_the_classifier():
    data = _override("别再给我发短信了", "stop_contact", 0.40)
    assert data["safety"]["tier"] is None
    assert not possible_opt_out(_tracker_of(data))


def test_the_confirmation_threshold_comes_from_the_config():
    assert _override("我的电脑又坏了", "stop_contact", 0.6, {"opt_out_confirm_below": 0.5}).get("safety") is None
    assert _override("我的电脑又坏了", "stop_contact", 0.6, {"opt_out_confirm_below": 0.7})["safety"]["tier"] == POSSIBLE


def test_a_low_confidence_crisis_is_not_touched_by_the_opt_out_rule():
    data = _override("我真的好绝望", "crisis", 0.4)
    assert data[INTENT]["name"] == "crisis" and data["safety"]["tier"] == "model"
