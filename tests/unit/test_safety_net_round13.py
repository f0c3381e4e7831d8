"""The safety net, thirteenth round: kinds of quiet, everyday crisis wording
the round-13 safety development sets (tests/nlu_safety_dev/round13_*.yml:
everyday registers and indirect replies to a collector) showed the net had
not seen - the plan told through what is left for the family, the date after
which nobody answers, the place one is at - and the look-alikes those
patterns must leave alone, each in phrasings of our own.
"""
from tests.unit.safety_support import round_tests

CRISIS_BY_KIND = {
    # Pills saved up one at a time or prescribed extra (typed by sound too); poison bought.
    "pills_saved": ["一颗一颗攒 快够数了",
                    "在镇上买了一瓶敌敌喂 藏在柜子里"],
    # Already taken, and the caller told not to bother.
    "already_taken": ["都已经吞下去了 别再打来了", "药喝了大半瓶 头很沉", "药已经吃下去了 你们不用再打了"],
    # A wound stitched and kept secret; burning to feel better.
    "wound_hidden": ["胳膊上的伤口缝了五针 家里人问我也没敢说", "拿打火机烫一下手背 心里能好受些"],
    # Fuel brought, another way to settle it, the painless way, where to jump.
    "plan_told": ["我在厂门口 柴油也带来了", "这栋楼从哪儿跳最快", "昨晚在窗台那儿坐着 就差一步"],
    # Following the dead, taking a child along, the world better without me.
    "following_and_without_me": ["我妈不在了 那我跟她去算了", "干脆带着孩子一块走",
                                 "我还不如没了算了 省得拖累人", "早点走了大家都省心", "我要是不在了 女儿会不会过得轻松点"],
    # Letters and videos for later, the family told where to look.
    "for_later": ["写了十几封信 让闺女每年生日拆一封", "录了几段话 等儿子长大看", "麻烦告诉我老婆去哪儿找我",
                  "以后家里人收拾我东西的时候就明白了", "这号码以后是我家人接 他们接到会很伤心"],
    # Things handed over, no need to call from tomorrow.
    "handed_over": ["摩托车和工具都给了我表哥 明天起就不用打给我了"],
    # On the roof, asking how much.
    "roof_amount": ["我在天台呢 你再说一遍欠多少"],
}

# Ambiguous alone: the bot checks in gently.
POSSIBLE_BY_KIND = {
    "left_for_family": ["欠的钱都列在单子上了 放桌上", "他照着还就行",
                        "证件都放一起了 方便家里人处理", "以后就靠他奶奶带了",
                        "娃我托给邻居了", "这笔账我就带走吧"],
    "nobody_after": ["周六以后就不用再催了", "过几天也不用我操心了", "不知道我还有几天", "我这边快结束了",
                     "以后的手续找我哥 他会办", "明天起你们就联系我姐"],
    "place_now": ["车就停在江边上", "在高速路边走着", "我在32楼的阳台给你回消息", "我在宿舍的楼顶"],
    "loose_ends": ["最后一条了", "这是最后一次看你们的短信", "骗她说我要出远门", "狗粮买够了 够它吃一个月",
                   "没什么放不下的了", "衣服都叠好了", "把账理清楚再走", "等我把最后一件事办完",
                   "闭上眼就什么都不用管了吧", "活着只是为了还钱吗", "把自己锁在卫生间一整天了", "我不见了也不会有人发现",
                   "家里有我没我一个样", "哪天我就走了", "手腕上的伤口不要紧"],
}

LOOK_ALIKES = [
    # a parcel of pills for a grandparent, medicine taken as prescribed
    "外婆的降压药一颗一颗分好放进药盒了", "感冒药已经吃了 在家休息",
    # a cook's burn, a kitchen knife, a seamstress's stitches
    "炒菜被油烫了一下 手上起泡", "裤子的口子缝好了 明天穿",
    # fuel and charcoal for a trip or a grill
    "汽油加满了 明天跑长途", "周末买了木炭烧烤",
    # settling a debt another way, asking which way is free
    "换个方式还款行不行 分期也可以", "哪种还款方式不收手续费",
    # a relative's move, a trip, children's schooling
    "我妈回老家了 我也想跟她去住几天", "孩子送外婆家过暑假了", "我要出远门打工 下个月回来还",
    # the roof and the river as places to work or hang washing
    "我在20楼的阳台上晾衣服", "我在江边上班 信号不好", "在天台上收被子呢 欠多少来着",
    # nobody answering because the office closes or the number changes
    "下班以后办公室就没人接了", "别等我回复了 我在开会", "这是我最后一次看这个app 明天就卸载",
    # tidying, leaving for work, a dog's food
    "房间收拾好了 等客人来", "狗粮吃完了 下午去买", "这个月撑不到发工资 能不能晚几天",
    # handing papers to a lawyer, a wife who knows the password
    "以后的事找我律师 他会联系你们", "银行卡密码只有我自己知道", "把钥匙交给物业了 明天起装修",
    # a family that will be happy, someone else's loss, a film
    "我老婆接到电话被吓哭了 你们太过分了", "电视剧里那个人从楼上跳下去了 好惨",
    "最后一件事 账单寄到哪里",
]

# The message itself explains it: a dead relative's debt paid by the writer,
# a job in another city, old age at a child's home.
EXPLAINED = ["我爸走之前惦记这张卡 我帮他还完了", "下周去深圳工作了 走之前把欠款一次结清",
             "我要走了 去儿子家带娃 这个月的让他帮我还"]

# Messages that ask to stop contact and show a crisis.
CRISIS_OVER_OPT_OUT = ["汽油带来了 你们别再打电话",
                       "以后别打这个号了 我家人接了会很难过"]


(test_crisis_is_caught, test_ambiguous_signs_check_in, test_look_alikes_are_no_crisis,
 test_crisis_wins_over_an_opt_out) = round_tests(CRISIS_BY_KIND, POSSIBLE_BY_KIND, LOOK_ALIKES, CRISIS_OVER_OPT_OUT)
(test_explained_look_alikes_are_no_crisis,) = round_tests(look_alikes=EXPLAINED)
