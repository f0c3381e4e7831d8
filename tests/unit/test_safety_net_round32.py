"""The safety net, thirty-second round (issue 18, second session of
2026-12-07). Phrasings of our own, in several words for each family.

From blind round 25 (read once round 26 was frozen): the fear of "doing
something stupid", a colleague or relative who saw the cardholder heading
for the water or a height and cannot reach them, "no need to negotiate
after tonight", "I won't be around either", a last post with belongings
sent off and "you all take care", clothes donated and a deposit given up.
Opt-outs: all collection stopped "towards me and my family", the cardholder
and the family named together (not a request about the family alone),
every channel crossed out (asked first), 退定 with both characters slipped
in a voice transcript. Look-alikes: a platform's "姐妹们救命", a game's 紫砂,
a relative's affairs settled after a death, a clear-out, a last post after
the debt is paid off, a walk to the river to fish, a New Year's wish; "别催了"
with the money arriving tonight, "别打了" in a match given up, an agency
blocked, "不T", a later time to send; and for a crisis only the classifier
heard: fireworks, a job change, a game, "下次一定", a prison term, 上岸, a
cash collection, repayments with no end in sight.
"""
import pytest

from bot.core.safety import not_an_opt_out, verdict
from bot.core.safety.classifier_crisis import everyday_context_only
from bot.core.safety.findings import CERTAIN, POSSIBLE
from tests.unit.safety_support import round_tests

CRISIS_BY_KIND = {
    "afraid_of_harm": ["真怕哪天管不住自己干出傻事来", "我担心自己迟早会做傻事", "最近老怕我一时做出什么傻事"],
    "seen_heading_unreachable": ["我姐电话一直关机 楼下大爷说看见她往江边去了",
                                 "他今天没去上班 手机也打不通 监控拍到他朝大桥那边走"],
    # two different signs of the round together
    "belongings_and_farewell": ["书和电脑都送人了 大家都要好好的", "押金我也不要了 人很快就不在了"],
    # second part: crises the classifier alone had heard in the development sets
    "next_time_not_down": ["昨晚在楼顶站了一个多小时 下次就不一定下来了"],
    "no_face_to_stay": ["欠了一屁股债 我还有啥脸再活在这个世上", "没脸再留在这世上了"],
    "gone_literally": ["我这回是真寄了 字面意思", "字面意思 噶了"],
    "video_and_children": ["孩子交给我妈了 还帮女儿写了几封信 等她长大以后再看"],
    # third part: families only the classifier read in the development sets
    "hotel_window": ["一个人在酒店 窗户都打开了"],
    "gaps_sealed": ["车门车窗的缝都用胶带封死了", "窗缝用毛巾塞好了 炭也买了", "车库卷帘门关好了 车也点火了"],
    "bottle_and_done": ["这整瓶吞完就两清了"],
    "no_sun_tomorrow": ["明天的太阳我见不到了"],
    "goodbyes_sent": ["跟朋友们都发了告别的消息"],
    "one_way_into_sea": ["到了海边就这么往海里走"],
    "rope_hung": ["绳套已经打好了"],
    "cancel_myself": ["卡销了 我把自己也一块注销了"],
    "aconite": ["山上挖了草乌 想吃点草乌算了"],
    "hug_the_explosive": ["实在不行我就抱着煤气罐一起炸了"],
    # fourth part
    "not_fit_to_live": ["像我这样的人本来就不配活着"],
    "reborn_tonight": ["今晚我就去投胎"],
    "bridge_of_the_dead": ["明天就过奈何桥了", "孟婆汤我今晚就去喝"],
    "belt_and_handle": ["腰带绑在暖气管上试过了"],
    "outside_the_railing": ["人已经翻出护栏外面了"],
    "given_to_the_river": ["钱转完我就把自己交给长江"],
    "saved_and_counted": ["安眠药存了三个月 昨晚数了数 差不多够了"],
    "not_to_the_last": ["分期没用 我活不到还完"],
    "me_gone_by_then": ["月底那天的我早就不存在了"],
    "not_by_own_hand": ["出意外没了的人真好 不用自己动手"],
    "own_choice": ["这是我自己的选择 不要怪家里"],
    "thought_a_trip": ["家里都以为我出远门打工 其实是不会回来了"],
    "up_to_the_sky": ["准备搬到天上住了"],
    # fifth part
    "means_bought": ["敌敌畏买好了 放在床底下"],
    "cut_deeper": ["上回没成 下次割深一点"],
    "all_ended_by_me": ["这周就把这条命了结"],
    "no_next_bill": ["我大概等不到下一期账单了"],
    # sixth part
    "counted_enough": ["安眠药我又数过了 差不多够了"],
    "used_on_myself": ["那把刀磨好了 明天就用在自己身上"],
    "poison_herb": ["上山采了点断肠草"],
    "which_pills_painless": ["她一直在网上查什么药吃了没痛苦"],
    "person_vanishes": ["让我这个人彻底消失就清净了"],
    "gone_after_date": ["过年以后我就不存在了"],
    "buried_myself": ["真想把自己埋了"],
}
POSSIBLE_BY_KIND = {
    "seen_heading": ["有人瞧见我爸往水库那边去了"],
    "no_talks_after_tonight": ["熬过今晚以后就不用再跟我谈了", "过了这周就没必要再找我商量了"],
    "wont_be_around": ["到时候我人也不会在了", "你们再打来 人就不在了"],
    "last_post": ["最后一条朋友圈 以后不再更新了"],
    "belongings_off": ["首饰全都留给我妹了"],
    "take_care_all": ["你们都要好好的"],
    # second part
    "stood_at_the_edge": ["在江边站了一整夜"],
    "day_picked": ["那一天已经选好了"],
    "live_to_see": ["不晓得我还能不能熬到过年"],
    "letters_written": ["给爸妈的信都写好了"],
    "next_life_early": ["想提前轮回 这一世就这样吧"],
    "coffin_going": ["⚰️ 马上就去了"],
    "soon_better": ["没事 很快就解脱了"],
    # third part
    "long_sleep": ["好想一睡不醒"],
    "last_one_bye": ["最后一条消息 永别了"],
    "return_early": ["只想早些归真"],
    # fourth part
    "dead_owing_nothing": ["死了也就两清了"],
    "last_sunset": ["这是最后一回看海了"],
    "last_good_night": ["说一声最后的晚安"],
    "meet_god": ["我该去见真主了"],
    "last_instalments": ["后面几期用不着我还了"],
    # fifth part
    "end_it_tonight": ["明天就结束这一切"],
    "there_tonight": ["等会就去那条铁轨"],
    "die_typed_si": ["好想丝了"],
    "taken_by_a_god": ["求老天爷快点来接我走"],
    # sixth part
    "one_step_forward": ["站在楼顶边上 好想往前迈一步"],
}
LOOK_ALIKES = [
    "宝子们救命 这个月账单怎么这么多",
    "家人们快救命 app里找不到分期的按钮",
    "这局又紫砂了 队友一直在公屏骂",
    "我妈去年走了 我们处理她后事的时候把卡也注销了",
    "换季了 旧衣服都捐了",
    "押金不要了 反正要搬家",
    "终于还清上岸了 最后一篇负债笔记 以后不会再更新了",
    "看见我爸往河边走 拎着鱼竿去钓鱼了",
    "新年快乐 你们都要好好的",
    "过了今天就不用再催了 明早就还上",
    # second part
    "婚礼的日子定好了 下个月八号",
    "下次不一定会下来接你了",
    "给孩子录了一段视频 等他长大了再看 是他一岁生日",
    "我挺好的 马上就轻松了 下个月最后一期",
    "在江边站了一下午钓鱼",
    # third part
    "酒店窗户打不开 空调也坏了",
    "这瓶感冒药吃完就好了",
    "明天的太阳很好 适合晒被子",
    "到了海边一直往海里游泳 太爽了",
    "晾衣绳挂好了",
    "信用卡注销了 把自己的手机号也换了",
    "最后一条提醒收到了 谢谢",
    # fourth part
    "早死早超生 这种人",
    "去年那个月的药都没吃 我在攒钱买新药",
    "今年最后一次看日落 明年见",
    "晚安 最后的晚安曲",
    "不用自己动手 师傅上门装",
    "俺都八十了 说不定哪天就去见真主了",
    "死了都要爱",
    # fifth part
    "买好农药给果树打虫",
    "今晚就去江边吃烧烤",
    "想丝袜了",
    "这个会议今天就结束吧",
    "菩萨保佑 来接我的车快到了",
    "app里看不到下个月的账单 怎么回事",
    # sixth part
    "钱数过了 够了 明天去还",
    "这把刀用在自己身上太可惜了 拿来切菜",
    "小孩问哪种药吃了不疼 打针怕疼",
    "我们店的活动今晚一起结束",
]
CRISIS_OVER_OPT_OUT = [
    "过了今晚就不用再打电话了 以后也别打了 我人也不会在了",
]
OPT_OUTS = [
    "请停止对我及家人的一切催收电话",
    "请你们停止联系我本人以及我的家属",
    "转文字：腿定",
    # our own collectors blocked is no agency's
    "你们催收的人天天打电话 我把他们都拉黑了",
    # giving up, said to us, is no match
    "别打了别打了 我投降",
]
NOT_OPT_OUTS = [
    "好了好了别催了 今天肯定转过去",
    "别打了别打了 投降吧 这把没法打",
    "别打了别打了 gg 这局没法玩",
    "在网上找的中介 钱交了人跑了 我把那家的电话拉黑了",
    "白天上班别发 下班以后再发",
]

(test_crisis_is_caught, test_ambiguous_signs_check_in, test_look_alikes_are_no_crisis,
 test_crisis_wins_over_an_opt_out, test_opt_outs_stop_contact, test_look_alikes_of_an_opt_out_are_none) = round_tests(
    crisis_by_kind=CRISIS_BY_KIND, possible_by_kind=POSSIBLE_BY_KIND, look_alikes=LOOK_ALIKES,
    crisis_over_opt_out=CRISIS_OVER_OPT_OUT, opt_outs=OPT_OUTS, not_opt_outs=NOT_OPT_OUTS)


def test_a_crowd_cry_with_a_wish_to_die_stays_a_crisis():
    assert verdict("姐妹们救命 我真的不想活了").intent == "crisis"


def test_a_game_with_an_own_wish_stays_a_crisis():
    assert verdict("排位输了 不想玩了 想紫砂").tier == CERTAIN


def test_a_relatives_affairs_do_not_hide_ones_own():
    assert verdict("处理完我妈的后事 我也该安排我自己的身后事了").intent == "crisis"


def test_seen_heading_for_the_water_and_unreachable_is_certain():
    assert verdict("我哥一直联系不上 有人说看见他往河边走了").tier == CERTAIN


@pytest.mark.parametrize("text", ["❌短信 ❌电话 ❌微信", "🚫电话🚫短信"])
def test_every_channel_crossed_out_is_an_opt_out(text):
    assert verdict(text).intent == "stop_contact"


def test_a_channel_switch_is_no_opt_out():
    found = verdict("❌电话✅微信")
    assert found is None or found.intent != "stop_contact"


def test_three_channels_crossed_out_are_asked_about_first():
    found = verdict("❌短信 ❌电话 ❌微信")
    assert found.tier == POSSIBLE


@pytest.mark.parametrize("text", ["不T", "不退订", "先不退订"])
def test_declining_the_unsubscribe_is_no_opt_out(text):
    assert not_an_opt_out(text)


def test_the_family_alone_with_me_to_be_contacted_is_still_no_opt_out():
    # the cardholder and the family together are an opt-out; the family alone,
    # with the cardholder to be contacted, a complaint about whom we call
    assert verdict("别再打给我爸妈了 有事直接找我本人") is None


@pytest.mark.parametrize("text", [
    "今年最后一天在江边看烟花 祝你们新年快乐",
    "准备跳槽了 下个月工资高一点就能多还点",
    "我的世界里又被苦力怕炸了",
    "下次一定 (狗头)",
    "刚从里面出来 进去那三年的账我妈帮我还了一些",
    "负债五十万 这辈子怕是上不了岸了",
    "钱我准备好了 你们能派人上门收现金吗",
    "每天一睁眼就是还款提醒 看不到头",
])
def test_a_classifier_crisis_with_an_everyday_reading_falls_to_its_next_guess(text):
    assert everyday_context_only(text)


def test_no_end_in_sight_with_an_own_wish_keeps_the_classifier_crisis():
    assert not everyday_context_only("看不到头了 活着没意思")
