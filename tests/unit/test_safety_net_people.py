"""The safety net, third round (issue 18): the forms real people's replies use.

Phrasings of our own for every form the issue names (methods, places,
farewells, giving things away, "not worth living", no future, the debt after
death, English, traditional, Cantonese, emoji; opt-outs as SMS conventions,
do-not-disturb, daily complaints, traditional, English), each one the net
missed before this round, and the look-alikes its new patterns must leave
alone. None of them is a sentence of the dev sets (checked when written).
"""
from pathlib import Path

import pytest

from bot.core.normalize import find_entities
from bot.core.safety import (
    CERTAIN,
    POSSIBLE,
    assess_crisis,
    everyday_context_only,
    figure_of_speech_only,
    is_stop_request,
    keyword_intent,
    not_an_opt_out,
    verdict,
)
from tests.unit.safety_support import round_tests
from tests.unit.test_nlu_annotations import _examples, _parse

CRISIS_BY_FORM = {
    "methods": [
        "我想去跳搂", "想割碗", "烧碳的东西我都买齐了", "碳已经准备好了，就今晚",
        "刚刚吞了成板的药", "我想喝杀虫剂", "我想跳崖", "干脆饿死自己算了", "想tl", "药我早就存下了",
    ],
    "places": [
        "我现在就在顶楼", "人现在就在大坝上", "学校顶楼我爬上来了，不打算下去了",
        "骑车过江的时候想连人带车冲下去", "开到江边了，油门一直踩着", "我已经站在大坝上了",
    ],
    "farewells": [
        "过了今晚你们就找不着我了", "以后不用催了，我走了", "今晚过后不用再等我了",
        "帮我孝顺我爸妈", "别为我难过，忘了我吧", "我的葬礼不用办", "老伴走了两年了，我也该去陪她了",
        "你们明天来收尸吧", "这条贱命你们拿去",
    ],
    "giving_away": [
        "我的吉他和相机都送给室友了，反正以后也用不上", "游戏机全给我堂弟了，反正我也带不走",
    ],
    "not_worth_living_and_burden": [
        "我活着就是给家里添麻烦", "没了我，爸妈能过得好一点", "活着只会连累家里人",
        "没有我他们会过得好些",
    ],
    "no_future": [
        "我真的不知道明天还要不要睁开眼", "真希望永远不会醒", "今天是我最后一天了",
        "看不到以后了，人生已经完了",
    ],
    "debt_after_death": [
        "我要是死了，这些卡的钱谁来还", "我哪天没了，欠款是不是就一笔勾销了",
    ],
    "traditional": [
        "我想跳摟", "燒碳的工具都備好了", "我現在就在頂樓", "過了這個月你們就找不著我了",
    ],
    "cantonese": [
        "我啱啱食咗成板藥", "冇咗我，阿爸阿媽會好過啲", "聽日之後你哋唔使再搵我",
    ],
    "english": [
        "there is nothing left to live for", "everyone would be better off if I was gone",
        "I wrote letters to my kids", "I'm at the cliff and not coming back", "I'm done. bye",
        "I might drown myself tonight", "I'm just a burden to my family",
    ],
    "emoji": ["👋🌉", "🌉 bye", "🌉😴"],
    # what writing the training data showed the net still missed
    "second_pass": [
        "查了一下吃多少颗药才够", "麻绳我已经挂好了", "全市最高那座桥，我想从那跳", "我想开车去撞大货车",
        "三天没吃东西了，以后也不打算吃", "我在南京长江大桥上", "给家里人都留好了信", "我把要说的话都写下了",
        "过两天就找不到我了", "燃气灶的阀门我打开了", "看着江水，想走下去", "我这样活着就是一个笑话",
        "我要是没了，就能一笔勾销了吧", "goodbye cruel world", "I am going to take all the meds", "I'm sitting on the ledge",
    ],
    # a third probe of fresh phrasings
    "third_pass": [
        "这个月还不上，我就从公司楼上下去", "我已经在顶层的窗户边坐了很久了", "我在铁路桥下面，火车快来了",
        "微信支付宝都注销了，跟这个世界两清", "楼下的人看着好小，我想跳", "这辈子对不起的人太多，没脸再活",
        "孩子以后就拜托给你们了", "你们以后也不用打了，我去另一个地方了", "活着对谁都没好处", "不会再有明天了",
        "人死债消，对吧", "i dont see the point anymore", "nobody would care if i disappeared", "🏢⬇️👋",
        "我唔想再做人", "我想一個人靜靜地離開", "真的好累，想永远休息",
    ],
}

# One soft sign is a gentle check-in; two of them are no longer ambiguous.
@pytest.mark.parametrize("text", [
    "没有任何盼头", "我不中用了", "人死了信用卡的钱谁还", "就当我已经死了吧", "I won't be around much longer",
])
def test_one_soft_sign_checks_in_first(text):
    found = assess_crisis(text)
    assert found is not None and found.tier == POSSIBLE, (text, found)


@pytest.mark.parametrize("text", [
    "我的东西都送给朋友了，以后也用不着了",
    "这日子我一天也不想过了，没一点盼头",
])
def test_two_soft_signs_are_certain(text):
    found = assess_crisis(text)
    assert found is not None and found.tier == CERTAIN, (text, found)


def test_a_crisis_that_also_says_stop_is_handled_as_crisis():
    # "不用催了" is an opt-out on its own; with "我不在了" it is a farewell.
    assert keyword_intent("以后都不用催了，我不在了") == "crisis"


STOP_BY_FORM = {
    "sms_conventions": ["已拉黑了", "已拉黑，勿回"],
    "do_not_disturb": ["不想再被你们打扰", "不希望被骚扰，谢谢"],
    "threat_if_again": ["再发一条我就打12378", "再打一次我直接报警", "再发一条试试"],
    "daily_complaint": [
        "每天都收到你们的催收短信", "你们每天早中晚三条短信，客人都看到了，麻烦停掉",
    ],
    "whom": ["别再往家里打电话了", "别再往厂里打电话了"],
    "traditional": ["每天都收到你們的簡訊", "別再往家裡打電話了"],
    "english": ["plz stop msging me now", "plz stop", "stop ringing me"],
    "third_pass": ["我要投诉，你们每天发短信，立刻停止", "我已经把你们设置成骚扰电话了", "请删除我的联系方式"],
    "second_pass": ["让我清净几天吧", "再打我父母我就投诉", "請勿再傳送訊息", "别再往她手机上发短信了"],
}

STOP = [(form, text) for form, texts in STOP_BY_FORM.items() for text in texts]


@pytest.mark.parametrize("form,text", STOP)
def test_every_form_of_opt_out_is_an_opt_out(form, text):
    assert keyword_intent(text) == "stop_contact", (form, text, verdict(text))


BENIGN = [
    # chores and waiting up high or on a bridge
    "我站在桥上等朋友", "我在天台接人，一会回你", "我在楼顶修水管",
    # an old phone handed on, a relative's debt, leftovers of a debt
    "换了新手机，旧的送给我爸了", "我把旧衣服都送人了", "人死了信用卡欠款家里要还吗，我爸去世了",
    "以后不用再催了，我已经还了",
    # figures of speech
    "累死了，刚下班", "笑死，你们这机器人", "手机死机了", "这利息要命啊", "热死了",
    # everyday goodbyes
    "我先走了，回头再说", "晚安", "拜拜", "bye",
    # English that is not a crisis
    "I'm done with the payment", "I'm at the bank now",
    # everyday reasons and places the second pass guards
    "我在天台上抽根烟", "东西都送人了，搬家了", "手机送人了，换了个号", "这几天没吃饭，没胃口，不想吃",
    "我在医院，刚吃了一板药", "反正以后也用不上这张卡了，帮我注销", "我在坝上草原玩", "我在楼顶花园",
    "我现在在天桥上，马上到", "今天是我最后一天上班", "我又没有不想活",
    # and the third
    "我在楼顶办公室上班", "我在铁路局上班，火车快来了", "你就从楼上下去吧", "我想安静地离开这家公司",
    "等保险理赔下来我就能还清", "我想跳槽",
]


test_crisis_is_caught, test_look_alikes_are_no_crisis = round_tests(CRISIS_BY_FORM, look_alikes=BENIGN)


NOT_AN_OPT_OUT = [
    "退订之后会影响我的征信吗", "TD会不会影响我还款", "你们的短信收到了", "每天都收到你们的短信，我已经在还了",
    "还款链接能再发一次吗", "别催了我明天就还", "我被拉黑了吗", "再发一遍验证码", "钱已经转过去了，不用再催了",
    "马上停下来听我说", "立刻停止扣款",
]


@pytest.mark.parametrize("text", NOT_AN_OPT_OUT)
def test_questions_and_requests_about_messages_are_no_opt_out(text):
    assert not is_stop_request(text), text


# The training data written for this round: every crisis and opt-out in it
# is caught by pattern as well (the net, not the model, is the guarantee),
# none of its look-alikes is, and their entity annotations are the rule
# extractor's.
PEOPLE = Path(__file__).resolve().parents[2] / "bot" / "data" / "nlu" / "safety_people.yml"


def test_the_people_data_agrees_with_the_net():
    disagree = []
    for intent, example in _examples(PEOPLE):
        text, _ = _parse(example)
        forced = keyword_intent(text)
        if intent in ("crisis", "stop_contact") and forced != intent:
            disagree.append((intent, text, forced))
        if intent not in ("crisis", "stop_contact") and forced in ("crisis", "stop_contact"):
            disagree.append((intent, text, forced))
    assert disagree == []


def test_the_people_look_alikes_are_annotated_as_the_extractor_finds():
    wrong = []
    for intent, example in _examples(PEOPLE):
        text, annotated = _parse(example)
        if [(s.entity, s.value, s.start) for s in find_entities(text)] != annotated and intent not in ("crisis", "stop_contact"):
            wrong.append(example)
    assert wrong == []


# A crisis only the classifier saw falls to its next guess when the text
# explains it away: medicine as a cost, fate as a sigh, English idioms, a
# grandparent who passed, a move; a wish of one's own to follow keeps it.
@pytest.mark.parametrize("text", [
    "胃不舒服该吃什么药", "医生开的药太贵了，医保报不了多少", "我命苦啊，摊上这种事", "I'm dying to know how much I owe",
    "I'm dead tired, let's talk later",
])
def test_medicine_fate_and_idioms_are_figures_of_speech(text):
    assert figure_of_speech_only(text), text


@pytest.mark.parametrize("text", ["我奶奶前年走了，挺想她的", "我要出国了，以后这个号就不用了"])
def test_a_grandparent_or_a_move_explains_a_model_only_crisis(text):
    assert everyday_context_only(text), text


@pytest.mark.parametrize("text", ["奶奶去年走了，我也想走", "爷爷走了，我也想去陪他", "I'm dying, help"])
def test_a_wish_to_follow_is_never_explained_away(text):
    assert not everyday_context_only(text) and not figure_of_speech_only(text), text


# An opt-out only the classifier saw is something else when the message is
# about a new number, a code, the card, a plan or the ID digits; a real
# opt-out is never explained away.
@pytest.mark.parametrize("text", [
    "我换了新号，以后打这个", "验证码别再让我输了", "千万别冻结我的卡", "那个方案我不要了", "身份证后四位我发过了",
])
def test_numbers_codes_cards_and_plans_are_no_opt_out(text):
    assert not_an_opt_out(text), text


@pytest.mark.parametrize("text", ["别再给我打电话了", "别发了", "退订"])
def test_a_real_opt_out_is_never_explained_away(text):
    assert not not_an_opt_out(text), text


@pytest.mark.parametrize("text", ["楼顶的菜该浇水了", "在桥上等老婆下班"])
def test_chores_up_high_and_waiting_explain_a_model_only_crisis(text):
    assert everyday_context_only(text), text


def test_waiting_for_rescue_up_high_stays_a_crisis():
    assert keyword_intent("我在天台上，等人来救我") == "crisis"
    assert not everyday_context_only("我在天台上，等人来救我")


@pytest.mark.parametrize("text", ["我家猫前天没了，难受", "旧书都捐给图书馆了", "屋顶漏水了找谁修", "桥上的风景真好"])
def test_pets_donations_and_repairs_explain_a_model_only_crisis(text):
    assert everyday_context_only(text), text
