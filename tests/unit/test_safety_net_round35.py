"""The safety net, thirty-fifth round (issue 18, fifth session of
2026-12-07), from blind round 28 read once round 29 was frozen. Phrasings
of our own, in several words for each family.

Crisis, certain: a jump threatened from a roof if the month goes wrong, a
life offered for the debt, stones in the pockets by the water, "found too
late". Possible (a gentle check-in): a pet or a child entrusted from now on,
things given away that will not be needed, "after tonight", "I will be
gone", not wanting to wake, no debt "over there", the world not needing me,
goodbye to the world, "you will not hear from me", nobody to fuss over me,
walking further into the water, passwords written out for someone, a life
not worth going on, a relative who cannot reach someone who signed things
over, a key to the roof door, the account and the person both quitting,
watching the water, pills laid out until dark, "waiting to die", "safer
soon", affairs settled, a quiet place by the water, "time to go" in
English, the old home seen from a roof, a card and its PIN in a drawer,
"no need to chase me after Friday, it is all arranged".

Opt-outs: at no time at all (none: a game's tower pushed, a ranked match
lost, a child told not to hit his sister, a tutorial not to be sent); no way at all (to "how would you like us to
contact you?") is asked about, as round 19 decided. Look-alikes: a film's jump,
a payday too far, a pet minded for a holiday, the rest of a tool set, the
passwords a parent forgets, an idiom of defiance, goodbye to an amount
paid, a robot told to go offline, a quiet reservoir for fishing.
"""
import pytest

from bot.core.safety.verdict import verdict
from tests.unit.safety_support import round_tests

CRISIS_BY_KIND = {
    "jump_threatened": ["下个月再还不上 我就从仓库顶上跳", "你们再逼 我就从楼顶往下跳"],
    "life_for_the_debt": ["两万块的债 拿我这条命换 行不行", "账算完了：欠三万，存款五十，命一条"],
    "stones_in_pockets": ["坐在河堤上 兜里塞满了石头"],
    "found_too_late": ["不用找了 等你们找到也来不及了"],
}
POSSIBLE_BY_KIND = {
    "cannot_care_for_it": ["谁能收养我的兔子 以后我照顾不了它了"],
    "entrusted_from_now": ["女儿的学费转给她奶奶了 以后她就拜托奶奶了", "猫交给邻居了 它以后跟着她"],
    "given_not_needed": ["渔具都送给表弟了 往后也用不着了"],
    "after_tonight": ["过了今晚 这些都跟我没关系了", "不会再烦你们了 今晚过后就没事了"],
    "i_will_be_gone": ["分不分期都行 反正月底我人就不在了"],
    "not_waking": ["好困 不想再醒过来了", "睡下去就不用再醒 多好"],
    "no_debt_over_there": ["去了那边总不用还钱了吧"],
    "world_without_me": ["这个世界本来就不需要我", "少我一个也没什么"],
    "goodbye_world": ["goodbye cruel world"],
    "not_hear_again": ["以后你们不会再收到我的消息了"],
    "nobody_to_fuss": ["以后不用任何人再为我操心了"],
    "further_into_water": ["站在湖边 总想往水里走"],
    "child_handed_over": ["儿子也交给我姐了 我没什么牵挂了"],
    "passwords_written_out": ["银行卡密码我写给我弟了 其他的他都知道"],
    "not_worth_going_on": ["这种日子还不如不过了"],
    "signed_over_and_gone": ["我是她姐姐，她把店过户给我以后就联系不上她了", "他说月底以后就不用找他了"],
    "roof_door_key": ["楼顶的门我撬开了"],
    "quit_as_a_player": ["号不玩了 人也不玩了"],
    "watched_the_water": ["在河边坐着看了一上午的水"],
    "pills_until_dark": ["药都准备好了 就等天黑"],
    "waiting_to_die": ["问我在干嘛？在等死"],
    "safer_soon": ["放心 过几天谁也找不到我"],
    "affairs_told": ["狗和钱的事都交代好了"],
    "quiet_by_the_water": ["一个人在水库边 这里很安静"],
    "time_to_go_en": ["it's just time to go, don't look for me"],
    "home_seen_from_roof": ["站在楼顶 能看到我家原来住的地方"],
    "card_and_pin_left": ["工资卡放在抽屉里 密码是她的生日"],
    "arranged_after_date": ["月底以后就不用催我了 我都安排好了"],
    "things_and_savings_given": ["家具都送人了，银行卡交给我儿子了，就剩这笔账",
                                 "在收拾屋子，被褥送人了，存款留给我妹了"],
}
LOOK_ALIKES = [
    "昨晚看的电影 主角从楼顶跳下去了 哭死我",
    "要钱没有 要命一条",
    "发工资还要等好久 这个月等不到那天了 先还五百 剩下的二十号补",
    "永别了我的三千 刚转给你们了",
    "出差一周 猫交给邻居喂几天",
    "我妈老记不住 所有密码都写在一张纸上给她了",
    "你们的机器人也下线吧",
    "周末去水库钓鱼 很安静",
    "过了今晚十二点就算逾期了吗",
    "工具箱送给徒弟了 我升班长了 往后用不着自己修了",
    "过了今晚就有钱了 明早工资到账",
    "搬新家了 旧书都送人了 房产证交给我老婆收着",
]
OPT_OUTS = [
    "白天别打 晚上也别打 什么时候都别打",
]
NOT_OPT_OUTS = [
    "什么方式都不要紧 能还上就行",
    "任何办法都不要 我直接去网点还",
    "别打了别打了 对面在推塔",
    "排位又输了 别打了 睡觉去",
    "不许打妹妹！说了多少遍了 别打了",
    "不用给我发教程 我会操作",
]

(test_crisis_is_caught, test_ambiguous_signs_check_in, test_look_alikes_are_no_crisis,
 test_opt_outs_stop_contact, test_look_alikes_of_an_opt_out_are_none) = round_tests(
    crisis_by_kind=CRISIS_BY_KIND, possible_by_kind=POSSIBLE_BY_KIND, look_alikes=LOOK_ALIKES,
    opt_outs=OPT_OUTS, not_opt_outs=NOT_OPT_OUTS)


@pytest.mark.parametrize("text", ["什么方式都不希望", "什么渠道都不需要 就当我没办过卡"])
def test_no_way_at_all_is_asked_about(text):
    found = verdict(text)
    assert found is not None and found.intent == "stop_contact" and found.tier == "possible"


# Second part: short crises of the training and development sets that only
# the classifier read.
CRISIS_BY_KIND_2 = {
    "pills_all_taken": ["等他们睡了我就把药全吃了", "一整瓶药都吃了 头好晕"],
    "better_to_jump": ["活着丢人 不如跳了江"],
    "not_to_be_saved": ["别报警 我不想被救"],
    "locked_in_the_cold": ["我在冰库里 门锁死了 不想出去"],
    "harness_left_untied": ["今天爬塔吊 安全绳我不想系了"],
    "light_life_homophone": ["这几天老有青生的想法"],
}
POSSIBLE_BY_KIND_2 = {
    "last_talk": ["这大概是我最后一次和人聊天了", "这是我最后一次联系你们了"],
    "nobody_to_answer": ["下周不用打了 到时候也没人接"],
    "you_will_not_find_me": ["过几天你们就找不到我了"],
    "pills_taken": ["别发了 药我已经吃了"],
    "old_bones": ["我这把老骨头不如早点去了"],
    "to_see_the_dead": ["我想去陪我娘了"],
    "time_to_set_off": ["东西都分好了 俺也该上路了"],
    "gone_with_it": ["厂子没了 我也跟着没了算了"],
    "release_near": ["觉得解脱就在眼前"],
    "person_not_needed": ["号码用不着了 人也用不着了"],
    "ending_arranged": ["我已经给自己安排好了结局"],
    "no_saving_once_drunk": ["听说那种药吃了就没救"],
    "blade_sharpened": ["不怕 刀已经磨好了"],
    "looking_down_deep": ["站在楼顶往下看下去 好高"],
    "sorry_to_my_son": ["麻烦转告我女儿 爸爸对不起她"],
    "no_future_wanted": ["征信？我不想要以后了"],
    "things_dealt_with": ["房租交到月底 房东会处理我的东西"],
}
LOOK_ALIKES_2 = [
    "药我已经吃了 退烧了 谢谢",
    "换了号码 你们是不是就找不到我了？",
    "菜刀磨好了 准备杀鸡过年",
    "我们去陪我爷过年 他身体挺好",
    "这是我最后一次确认金额了 对了就转",
]

(test_crisis_is_caught_part2, test_ambiguous_signs_check_in_part2,
 test_look_alikes_are_no_crisis_part2) = round_tests(
    crisis_by_kind=CRISIS_BY_KIND_2, possible_by_kind=POSSIBLE_BY_KIND_2, look_alikes=LOOK_ALIKES_2)


# Third part: longer crises of the training and development sets that only
# the classifier read, and what relatives report.
POSSIBLE_BY_KIND_3 = {
    "note_and_out": ["我是他妹妹，他留下一封信就走了，手机关机"],
    "car_at_the_dam": ["我老公的车停在大坝上，人不见了"],
    "not_through_winter": ["我不打算熬过今年了"],
    "ends_tonight": ["还不上就还不上吧 一切都结束了", "今晚就结束 不用等了"],
    "walk_until": ["往山里一直走 走到走不动为止"],
    "not_coming_back": ["去看最后一眼大海 看完就不用回来了"],
    "last_words_written": ["留给孩子的话都写好了"],
    "debts_not_family": ["我写了字条：欠款与家人无关"],
    "staring_from_balcony": ["他最近老站阳台上发呆"],
    "life_thrown_in": ["钱都赔光了 干脆命也搭进去"],
    "left_on_the_table": ["钥匙和手机都留在桌上了"],
    "on_her_own_now": ["学费交齐了 以后就靠她了"],
    "burden_to_nobody": ["以后我就不再麻烦任何人了"],
    "tell_mum_love": ["帮我告诉我妈 我爱她"],
    "go_with_her": ["外婆下葬了 我也想跟着她走"],
    "jump_in_there": ["那个熔炉 跳进去就什么都没了"],
    "last_signature": ["这是我这辈子最后一个字了"],
    "cannot_any_more": ["以后我也回不了消息了"],
    "head_against_wall": ["一接电话我就拿头撞墙"],
    "no_chance_to_pay": ["不是不想还 是没机会还了"],
    "place_none_finds": ["我要去一个谁也找不到的地方"],
    "affairs_done": ["该交代的都交代清楚了 没什么放不下"],
    "gone_after_tonight_en": ["nobody needs to call me, you won't hear from me after tonight",
                              "I don't think I'll be around tomorrow"],
}
LOOK_ALIKES_3 = [
    "过年在老家 初八之前不打算回来了",
    "考试一切都结束了 终于放假",
    "车停在江边停车场了 去吃鱼",
    "以后就靠她自己了 她毕业了",
    "银行卡和手机都留在家里了 出门忘带了",
    "今晚就结束 加班终于完了",
    "以后接不到了 这个号码要停机 新号码是138",
    "留了张纸条就出门了 去买菜",
    "工作都交代完了，明天出差，钱我让我老婆帮我还",
]

(test_ambiguous_signs_check_in_part3, test_look_alikes_are_no_crisis_part3) = round_tests(
    possible_by_kind=POSSIBLE_BY_KIND_3, look_alikes=LOOK_ALIKES_3)
