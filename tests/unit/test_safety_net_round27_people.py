"""The safety net, twenty-seventh round, second and third parts (issue 18,
fourth session of 2026-12-06), from safety round 23 (development sets
written blind and committed as written: round23_negation.yml and
round23_others.yml), in phrasings of our own.

Second part, "said, unsaid, taken back": a plan behind a question or a
promise (本人身故的话 … 这周就把事情办了), "I don't know what I'd do", the way
out thought through in detail, a moment's wish that comes ever more often,
"would anyone notice if I disappeared?", the bank's roof "see you on the
news", "I will go and die holding your messages"; explained: a farewell
denied, a method denied, the rhetorical "must I say I'll jump before you
believe me", somebody else's saying in quotes, a meme reposted; opt-outs: a
stop asked to be registered again, 再 typed as 在, calls from "different
numbers" refused.

Third part, "the people around": a relative, a friend, a neighbour, a nurse
or the police reporting the cardholder's danger now - at the water's edge
or on a roof being talked down, in hospital after an overdose, a note
found, things given away, affairs settled, a farewell to the family, a
spouse told to remarry, a pet and the last money handed over - which the
net had set aside as "about somebody else"; not: the news, or a rescue the
writer's own crew made; opt-outs: a pause of every contact asked through a
social worker, a number removed from the system.
"""
import pytest

from bot.core.safety import is_stop_request
from tests.unit.safety_support import round_tests

CRISIS_BY_KIND = {
    "plan_behind_question": ["本人身故的话信用卡还用还吗 我打算这两天就把事情办了"],
    "bank_roof": ["下午我就上你们大楼的天台 热搜上见"],
    "die_with_the_messages": ["我就要攥着你们的催款短信去死"],
    "at_the_edge_reported": ["我是她姐 她现在坐在桥上 警察在劝 你们别再打了",
                             "我是他爸 他在海边 鞋都脱了 我们拦不住"],
    "overdose_reported": ["这边是县医院 患者吞药送来的 还在洗胃 家属说先别联系他"],
    "note_found": ["孩子写的遗shu我们看到了 这几天全家轮流守着他"],
    "farewell_reported": ["老公说我下班到家就见不到他了", "他转账给我 备注写着以后别等我了",
                          "他在群里说了句有缘再见 然后人就联系不上了", "我媳妇说今天是最后一次给妈打电话"],
    "things_settled": ["他这几天一直在交代事情", "她把衣服都送人了 门也敲不开", "他让我带着孩子改嫁"],
    "said_to_others": ["我舍友说他想死 两天没出门了", "病人一直说不想活了 已经安排专人陪护"],
    "means_carried": ["我爸拎着一瓶敌敌畏出门了 电话也不接", "朋友买了木炭和胶带 问他干嘛也不说"],
}
POSSIBLE_BY_KIND = {
    "dont_know_what_id_do": ["你们再打 我真不知道自己会干出什么事来"],
    "before_i_go": ["我走之前问下 这笔欠款会不会落到我女儿头上"],
    "thought_through": ["最近一直在想怎么结束 想得越来越具体", "双相停药三个月了"],
    "moment_more_often": ["就一瞬间想消失 但这种念头越来越多"],
    "disappear_noticed": ["我消失了 会有人发现吗"],
}
LOOK_ALIKES = [
    "拜拜 不是永别哦 下周还来问分期",
    "我才不会为了这点钱去跳楼 要告就去告",
    "又不会因为欠你们钱就寻死觅活 该还的我会还",
    "领导天天说“不想活了” 说的是业绩 我问还款账号",
    "朋友圈那句“人间不值得”是转的段子",
    "新闻里有人在大桥上被消防劝下来了",
    "我们消防队今天在楼顶劝下来一个小伙子 忙完才看到短信",
    "我妈在河边洗衣服 手机没带",
]
OPT_OUTS = [
    "我的意思是别在发了",
    "上次说好登记不再联系 结果还在打 麻烦再登记一次",
    "不要再换不同的号码打给我了",
    "我是社工 受他委托转告 请暂停电话和短信联系",
    "请把这个号从你们的系统里移除",
]
NOT_OPT_OUTS = [
    "能不能暂停催收两个月 让我缓一缓",
    "暂停催收会不会影响征信",
    "我是这个号码的新机主 不认识这个人 把号码从你们系统里删掉吧",
]


(test_crisis_is_caught, test_ambiguous_signs_check_in, test_look_alikes_are_no_crisis,
 test_opt_outs_stop_contact, test_look_alikes_of_an_opt_out_are_none) = round_tests(
    crisis_by_kind=CRISIS_BY_KIND, possible_by_kind=POSSIBLE_BY_KIND, look_alikes=LOOK_ALIKES, opt_outs=OPT_OUTS,
    not_opt_outs=NOT_OPT_OUTS)


def test_strangers_blocked_do_not_hide_a_stop_to_us():
    assert is_stop_request("别再换号码打了 陌生号码我一律挂")
