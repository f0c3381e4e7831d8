"""The safety net, fifteenth round: kinds of crisis wording the round-15
safety development sets (tests/nlu_safety_dev/round15_*.yml: replies to
the bank's messages, regional scripts and dialects, long stories) showed
the net had not seen - the last message of a life, the means in hand, the
next life promised to parents, one's estate and will, the family told not
to worry any more - and the look-alikes those patterns must leave alone,
each in phrasings of our own.
"""
from tests.unit.safety_support import round_tests

CRISIS_BY_KIND = {
    # The last message of a life.
    "last_message": ["这是我这辈子最后发的一条信息", "今生最后一次给你们回的短信"],
    # The means in hand.
    "means_in_hand": ["药已经攥在手里了", "藥都喺我手上"],
    # Ice, a window climbed through.
    "ice_and_window": ["湖上那个冰窟窿我看好了", "今晚从阳台翻出去就都结束了"],
    # Going to the dead.
    "to_the_dead": ["我要去陪我去世的老伴了", "想去陪天上的宝宝"],
    # The next life promised to parents.
    "next_life": ["对不起妈，下辈子再孝顺你", "来世再做你的女儿", "sorry ba ma xiabeizi baoda nimen"],
}

# Ambiguous alone: the bot checks in gently.
POSSIBLE_BY_KIND = {
    "gone_not_back": ["我走了 不会再回来", "等我没了 这账你们找谁"],
    "all_settled": ["月底我把一切事情都了结", "剩下的事我都不管了"],
    "cannot_wait": ["审核就别走了 我等不到结果", "我等不到发工资那天了"],
    "roof_key": ["天台那道门的钥匙我一直带着"],
    "unexplained": ["她问我为什么 我没说", "问我怎么了 我没回答"],
    "estate_will": ["以后找我的遗产要吧", "遗嘱写好了"],
    "no_more_worry": ["以后不用再为我的事操心了", "以后唔使再为我嘅事担心"],
}

LOOK_ALIKES = [
    # a parent's will and estate, a cold's medicine in hand
    "我爸的遗产还没分完 这个月先还一半", "感冒药在手边 吃完就睡",
    # someone else's last message, a trip, waiting for a transfer
    "这是今天最后一条提醒吗", "我走了 去上班了 晚上回来再说", "我等不到下周了 今天就想还清",
    # a job's roof key, a question answered, keys handed over at work
    "物业让我保管天台的钥匙 明天交回去",
    # photos from a cliff, fishing by the reservoir
    "站在悬崖边拍了好多照片 风景太美了",
    # don't worry, I found work
    "找到工作了 以后不用为我担心了 下月开始还",
]

CRISIS_OVER_OPT_OUT = ["别再发短信了 药已经在我手上了", "TD 这是我这辈子最后回的一条短信"]

(test_crisis_is_caught, test_ambiguous_signs_check_in, test_look_alikes_are_no_crisis,
 test_crisis_wins_over_an_opt_out) = round_tests(CRISIS_BY_KIND, POSSIBLE_BY_KIND, LOOK_ALIKES, CRISIS_OVER_OPT_OUT)
