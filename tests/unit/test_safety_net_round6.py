"""The safety net, sixth round (issue 18): kinds of crisis wording the
round-4 blind sets showed the net had not seen (round 4 became a development
set with this round; round 5 is the held-out one), each in phrasings of our
own, none a sentence of any test set, and the look-alikes each kind must
leave alone: a plain "kill me" about a fee, a bridge in a holiday photo, money
that will not last until payday, settling the account once and for all.
"""
import pytest
from rasa.shared.nlu.constants import INTENT

from bot.core.safety import assess_crisis, everyday_context_only, verdict
from tests.unit.safety_support import overridden, round_tests

CRISIS_BY_KIND = {
    "end_it": ["这周末我就做个了断", "欠这么多，不如做一个了断", "想好了，今天就了结吧"],
    "burden_anyone": ["我不想再拖累谁了", "活着只会连累人，不想再害人了", "我不想再拖累任何人"],
    "place_described": ["大桥上面风好大", "我在楼顶，这里好安静", "铁道边上没有人", "江边好黑，风挺冷的",
                        "天台上风景真美"],
    "last_look": ["想最后再看一眼我女儿", "最后看一次这个城市"],
    "not_lasting": ["分期就算了，我估计撑不到明年", "人怕是熬不过这个月了", "要是那时候我还在的话再说吧",
                    "如果我还活着的话，下个月还"],
    "sorry_by_proxy": ["替我跟我爸说声对不起", "帮我和孩子说句我爱他", "帮我同阿妈讲声对不住"],
    "going_tonight": ["钱的事就这样吧，我今晚就走了"],
    "last_day": ["今天是我最后一天了，别回我", "明天是我人生的最后一天"],
    "no_future": ["我不想再面对明天了"],
    "next_life": ["这辈子欠的，来世再报", "下辈子再报答我妈"],
    "english": ["life has no meaning anymore", "no money, life is meaningless", "kill me now"],
    # From the round-6 safety dev set's kinds (risk without the usual
    # words), in our own words:
    "if_something_happens": ["要是我哪天出了什么事，这张卡别找我妈", "持卡人去世的话欠款会不会算到我儿子头上"],
    "not_here_then": ["过了这个周末就没人用这个号了", "我的日子已经定在月底了", "趁我还在，把账算清楚吧",
                      "下个月的账单别寄了，没人收了", "i'm not gonna be here by friday"],
    "place_checked": ["天台的门今天没锁", "几层楼才算够高", "水库底下的水挺静的",
                      "车库里门窗都关好了，发动机一直开着", "药房跑了好几家，第六盒了，今晚应该够了"],
    "afterlife_address": ["要找我就去殡仪馆找吧", "到阎王那里去收吧"],
    "arrangements": ["帮我转告我老婆，存折密码是她生日", "会有人来处理我的东西的，你们找我弟",
                     "给邻居留了纸条，过两天帮忙报警开门", "照片都烧了，日记也烧了"],
    "tried_before": ["上次洗了胃被救回来，下次不会让他们发现了"],
    "own_way": ["放心，这笔账我会用自己的方式了结", "人生gg了，今晚logout", "我爸走了好几年，今晚我就去陪他"],
    "how_to_go": ["想知道怎样才能走得不那么难看", "查了好久哪种方法最不疼"],
    "insurance_mine": ["意外险已经买满两年了，身故赔的钱够还你们了"],
    # Two signs in one message are no longer ambiguous; and a crisis wins
    # over the opt-out the same message asks for.
    "with_opt_out": ["每天打电话烦死了，别打了，我不想再拖累谁了，今晚就做个了断"],
}

LOOK_ALIKES = [
    # fees and forms: hyperbole, not a wish
    "kill me now, this annual fee is a joke, waive it", "kill me now 这利息也太高了",
    # a bridge or a roof with something ordinary to do there
    "桥上风景不错，拍了几张照片发朋友圈", "楼顶风好大，我在收衣服", "江边散步风挺大的",
    # money, not the person, not lasting
    "工资撑不到月底", "钱怕是撑不到发工资", "我撑不到发工资那天就没钱了",
    # settling the account once and for all
    "今天跟你们做个了断，一次性还清", "和过去做个了断，换个工作重新开始",
    # looking again at a paper
    "最后再看一次账单，没问题就付",
    # leaving for a trip
    "明天我就走了，回老家过年", "我下班就走了，明天再聊",
    # someone else's thanks and sorry, said in person
    "我跟我妈说了，她会帮我还一部分",
    # the last day of a job or an offer
    "今天是我最后一天上班", "明天是我在这家公司的最后一天",
    # leaving town, paying up first; goodbye to the card itself
    "下个月去外地打工了，走之前把卡还清", "准备移民了，再也不回来了，走之前一次性结清",
    "永别了我的信用卡，最后一笔今天还清了",
    # a film, the news, a patient: somebody else's story
    "看了一部剧，女主最后跳河了，哭死我了", "我们科今天抢救了一个吃了整瓶安眠药的病人，分期我同意",
    # charcoal for the grill, pesticide on the farm
    "周末烧烤，木炭能用积分换吗", "农药钱化肥钱都是赊的，秋收后一起还",
    # a relative's policy or payout
    "给我妈买的意外险，受益人能写我吗", "我爸上个月走了，他的寿险理赔下来就还",
    # hounded to death, asking for time; abuse aimed at the caller
    "快被你们逼死了，再给我两周时间吧", "想死呀你，成日打嚟",
    "给我分期吧，不然真要了我的老命了",
]

# What the look-alike explanations must not explain away.
STILL_CRISIS = [
    "明天去农资店买瓶百草枯", "买了两包木炭和一卷胶带，老板问我是不是去烧烤",
    "村里以前有人喝农药走的，我现在懂他了", "就这样吧，我去一个没有人催债的地方",
    "农药家里还有两瓶，够用了",
]

OPT_OUTS = ["以后有事找我律师，唔好直接聯絡我", "褪订", "stop ah, dun msg me anymore", "毋通閣敲電話來啦",
            "以后寄信就好，短信电话都不用了", "我不想再接到你们任何人的电话了"]


test_crisis_is_caught, test_look_alikes_are_no_crisis, test_opt_outs_stop_contact = round_tests(
    CRISIS_BY_KIND, look_alikes=LOOK_ALIKES, opt_outs=OPT_OUTS)


def test_two_new_signs_together_are_certain():
    finding = assess_crisis("我不想再拖累谁了，今晚就做个了断")
    assert finding.tier == "certain"
    assert {"end_it", "burden_anyone"} <= set(finding.rules)


def test_kill_me_alone_is_only_a_possible_crisis():
    # Alone it is checked on gently; about a fee it is the fee request.
    assert assess_crisis("kill me now").tier == "possible"
    assert verdict("kill me now, these late fees, can you waive them") is None


@pytest.mark.parametrize("text", ["别打到我单位去，求你们了", "上班时间别打，说了多少遍", "不要打去我家里"])
def test_calls_restricted_to_a_place_or_time_are_an_opt_out_to_ask_about(text):
    found = verdict(text)
    assert (found.intent, found.tier) == ("stop_contact", "possible"), text


@pytest.mark.parametrize("text", ["别打到我公司，打我手机就好", "上班时间别打游戏", "别打到我单位去，打我电话就行"])
def test_a_call_restriction_that_names_another_way_or_is_no_call_is_no_opt_out(text):
    assert verdict(text) is None, text


@pytest.mark.parametrize("text,intent", [("好，谢了", "thank"), ("晚安，下了", "goodbye"), ("不想", "deny"),
                                         ("你好啊，我来了", "greet")])
def test_the_detectors_flag_alone_on_a_short_ordinary_reply_is_no_crisis(text, intent):
    message = overridden(text, [{"name": intent, "confidence": 0.8}], risk={"crisis": 0.85, "stop_contact": 0.0})
    assert message.get(INTENT)["name"] == intent


def test_the_detectors_flag_stands_on_a_longer_message_or_an_unread_one():
    # Longer than a short reply: still a crisis to check in on.
    message = overridden("谢谢你们 这是我最后一次回复你们了", [{"name": "thank", "confidence": 0.8}],
                         risk={"crisis": 0.9, "stop_contact": 0.0})
    assert message.get(INTENT)["name"] == "crisis"
    # Short, but the classifier could not read it: the flag stands.
    message = overridden("好想自煞", [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "out_of_scope", "confidence": 0.2}],
                         risk={"crisis": 0.95, "stop_contact": 0.0})
    assert message.get(INTENT)["name"] == "crisis"


def test_an_unsure_classifier_crisis_the_detector_does_not_back_falls_to_the_next_guess():
    ranking = [{"name": "crisis", "confidence": 0.6}, {"name": "inform_income", "confidence": 0.3}]
    message = overridden("我收入不固定，好的时候一万，差的时候几千", ranking, risk={"crisis": 0.1, "stop_contact": 0.0})
    assert message.get(INTENT)["name"] == "inform_income"
    assert message.get("safety")["rules"] == ["models_disagree"]


@pytest.mark.parametrize("confidence,risk", [(0.95, 0.1), (0.6, 0.5)])
def test_a_classifier_crisis_stays_when_it_is_sure_or_the_detector_backs_it(confidence, risk):
    ranking = [{"name": "crisis", "confidence": confidence}, {"name": "inform_hardship", "confidence": 0.05}]
    message = overridden("我想用这种方式把债还了", ranking, risk={"crisis": risk, "stop_contact": 0.0})
    assert message.get(INTENT)["name"] == "crisis"
    assert message.get("safety")["tier"] == "model"


@pytest.mark.parametrize("text", STILL_CRISIS)
def test_an_explanation_does_not_reach_strong_means_or_ones_own_wish(text):
    found = verdict(text)
    assert found is not None and found.intent == "crisis", text


@pytest.mark.parametrize("text", ["给我老公买的那份寿险，保额能加吗", "我是他姐姐，他去外地了，我不是他本人",
                                  "我戒赌了，这是最后一次，下个月开始按时还", "给我分期吧，不然要了我的老命"])
def test_a_crisis_only_a_model_saw_is_explained_by_these_everyday_contexts(text):
    assert everyday_context_only(text), text


@pytest.mark.parametrize("text", ["谢谢你们，这是最后一次回复了", "我就是个拖累，我走了她们能拿到保险金",
                                  "我妈走了三年了，我这就去陪她", "最后一次还款还了两百，剩下的就当我欠这个世界的",
                                  "公司倒了，老婆走了，让他们领保险金是我唯一能为这个家做的事"])
def test_a_relatives_death_or_a_last_payment_does_not_explain_a_crisis_away(text):
    assert not everyday_context_only(text) or (verdict(text) is not None and verdict(text).intent == "crisis"), text
