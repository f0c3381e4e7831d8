"""The safety net on the registers of issue 18, third pass (2026-12-03).

Phrasings of our own for each form the net learned from
tests/nlu_safety_dev/safety_dev_registers.yml (not that file's sentences),
and the look-alikes each new pattern must leave alone: a benign message read
as crisis costs a person's time and the cardholder's trust, and an opt-out
read where none was meant silences a cardholder who asked a question.
"""
import pytest

from bot.core.safety import CERTAIN, POSSIBLE, assess_crisis, verdict

CERTAIN_CRISIS = [
    # a place with a floor number, a car by the water, lying on the tracks
    "我人在30层的楼顶", "我现在在十八楼的天台", "车就停在河边 我想直接开下去", "我在桥上 准备踩油门", "我躺到铁轨上了",
    # the last message, sorry said through someone, after tomorrow
    "这是最后一次回你们的短信了", "帮我跟我妈说声对不起", "替我向我爸道个歉 说声抱歉",
    "明晚之后你们就找不到我了", "再见了 这个烂透的世界",
    # a place with no debt, the world left, the life handed over
    "我要去一个没有痛苦的地方", "这个世界我不想再待了", "我这条命给你们好了",
    "我已经决定了 今晚做个了断",
    # Cantonese: all given away; dead and nothing to pay
    "我啲衫同电脑已经送晒俾人", "死咗就咩都唔使理",
    # pinyin and chat shorthand
    "真的bxh", "我好想s",
    # English
    "i do not want to be alive anymore", "the rope is ready", "tell my wife that i'm sorry",
]

POSSIBLE_CRISIS = [
    "钥匙和存折全放在桌上了", "密码写在纸上了", "给我儿子的信写好了", "刀一直放在床头",
    "这是我最后一夜了", "今天就动手", "我站在桥上 不会再回家了", "受益人填的是我妈",
    "以后不会再麻烦你们了 我也快不在这里了",
]

# Every new pattern's look-alikes.
NOT_CRISIS = [
    "我在15楼的天台上晾衣服", "我在海边度假 下周回来再还", "在江边吃饭 信号不好", "车停在江边了 等下回电话",
    "我先走一步了 你们慢慢聊", "我在海边玩 不想回去上班了", "桥上堵车 不想再回公司了", "这是我最后一晚值班",
    "今天就动手还钱", "身份证放在抽屉里了 明天发你", "我的保险理赔下来就能还清",
    "我决定今天跟你们做个了断，一次性还清", "这个世界杯我不看了", "我要s码的衣服", "帮我跟客服说声谢谢",
    "这是最后一期了 还完就结清", "我很快就不在这个城市了 要去深圳打工",
]


@pytest.mark.parametrize("text", CERTAIN_CRISIS)
def test_certain_crisis(text):
    found = assess_crisis(text)
    assert found is not None and found.tier == CERTAIN, found
    assert verdict(text).intent == "crisis"


@pytest.mark.parametrize("text", POSSIBLE_CRISIS)
def test_possible_crisis_checks_in(text):
    found = assess_crisis(text)
    assert found is not None, text
    assert verdict(text).intent == "crisis"


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_look_alikes_are_not_crisis(text):
    found = verdict(text)
    assert found is None or found.intent != "crisis", found


def test_a_single_possible_sign_is_not_certain():
    assert assess_crisis("刀一直放在床头").tier == POSSIBLE


# A crisis wins over the opt-out it also contains: 每天电话不停 is not the point.
@pytest.mark.parametrize("text", [
    "欠了一屁股债，每天电话不停，我已经决定今晚做个了断",
    "别再打了 我这条命你们拿去吧",
])
def test_crisis_wins_over_a_complaint_about_calls(text):
    assert verdict(text).intent == "crisis"


@pytest.mark.parametrize("text", [
    "开了免打扰 你们别发了", "请勿打扰", "勿扰", "免打扰谢谢", "每天都发 别再发了",
    "不要天天发了 我发工资就还", "下周就还 别再打了行吗", "以后别往这发了", "别往这个号发短信了",
])
def test_do_not_disturb_and_daily_messages_are_opt_outs(text):
    assert verdict(text).intent == "stop_contact"


@pytest.mark.parametrize("text", ["勿扰模式怎么关", "免打扰功能会不会挡住验证码", "怎么设置免打扰"])
def test_a_question_about_the_phones_do_not_disturb_is_no_opt_out(text):
    found = verdict(text)
    assert found is None or found.intent != "stop_contact", found


@pytest.mark.parametrize("text", ["我不是要退订，想问下怎么还", "不是想退订 我就问下欠多少", "回T是退订吗 我只是想还款",
                                  "T是不是退订的意思"])
def test_saying_it_is_not_an_unsubscribe_or_asking_what_t_means_is_no_opt_out(text):
    found = verdict(text)
    assert found is None or found.intent != "stop_contact", found


@pytest.mark.parametrize("text", ["别大半夜发短信", "能不能不要凌晨打过来 孩子都醒了", "钱在还着呢 别一天催五遍",
                                  "我下周就还，不要一天打三个电话"])
def test_not_at_night_or_not_so_often_with_a_promise_is_an_opt_out_to_ask_about(text):
    found = verdict(text)
    assert (found.intent, found.tier) == ("stop_contact", POSSIBLE), found


@pytest.mark.parametrize("text", ["我早就还了 你们还天天发信息", "十几个网贷天天打电话，给我两个月，回头就还你们"])
def test_daily_messages_told_in_a_story_beside_a_payment_are_no_opt_out(text):
    found = verdict(text)
    assert found is None or found.intent != "stop_contact", found


@pytest.mark.parametrize("text", ["非诚勿扰", "非诚勿扰，真想谈分期再联系我"])
def test_serious_enquiries_only_is_an_opt_out_to_ask_about(text):
    """非诚勿扰 is a stock line of ads: the bot asks rather than recording a stop."""
    found = verdict(text)
    assert (found.intent, found.tier) == ("stop_contact", POSSIBLE), found


def test_serious_enquiries_only_with_a_plain_stop_is_an_opt_out():
    assert verdict("非诚勿扰 别再发了").tier is None


# A crisis only the classifier saw, in the day's ordinary business (a traffic
# jam, a shift, the bus, the gym): its next guess stands. A wish of one's own
# to die keeps it a crisis.
@pytest.mark.parametrize("text", ["我在桥上堵车堵了一个小时", "我要走了，车来了", "我在健身房，练得半死，晚点回", "这是我最后一晚值班"])
def test_everyday_business_explains_a_model_only_crisis(text):
    from bot.core.safety import everyday_context_only

    assert everyday_context_only(text)


def test_a_wish_to_die_is_no_everyday_business():
    from bot.core.safety import everyday_context_only

    assert not everyday_context_only("值班的时候我想去死")
