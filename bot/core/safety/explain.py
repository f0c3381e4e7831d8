"""What explains a crisis sign away: somebody else's story, a debt paid off,
a move, a chore, a relative's death or policy, a complaint, a deadline, an
everyday context; and the writer's own wish that keeps a sign a sign."""
from __future__ import annotations

import re
from typing import List, Tuple

from bot.core.safety.crisis_rules import CRISIS_POSSIBLE, _FAMILY
from bot.core.safety.findings import HYPERBOLE_ONLY
from bot.core.safety.views import _matching, _views

# Someone else's death in the news, a drama or the neighbourhood (有人跳楼了)
# is no sign about the writer, unless the writer wants the same.
_ABOUT_OTHERS = re.compile(r"新闻|电视剧|电影|小说|听说|据说|(?<!所)(?<!没)有人|(我们|俺们)村|老汉|剧本杀|论文|课题|防治|别人|主角|邻居|同事|小区里?|网上说"
                            r"|(一|这|那)部(剧|片)|纪录片|男主|女主|里面(那个|的人)|有个(女仔|男仔|女的|男的|人|女孩|男孩|学生)|病人|患者|抢救了")
_STORY = re.compile(r"新闻|电视剧|电影|小说|剧本杀|论文|防治|劝(她|他)|(闺蜜|朋友|同学|室友|同事).{0,12}(说|讲)|(一|这|那)部(剧|片)|纪录片|男主|女主|主角|里面(那个|的人)|病人|患者|抢救了|有个(女仔|男仔|女的|男的|女孩|男孩|学生)")
_OTHERS_ONLY_RULES = {"explicit", "method", "method_word", "method_forms", "harm_done", "place_intent", "place_checked", "cannot_go_on",
                      "place", "place_now", "english", "not_live", "want_die", "r11_certain", "r21_certain"}
_FIRST_PERSON_WISH = re.compile(r"我(也|都|真|好|就)*(想|要|打算|准备|会|差点)(?!告|去告|投诉|投訴|举报|舉報|检举|报警|去县|去市|去法院|起诉)|自己|(懂|理解|明白)(他|她)(了|为什么)|(跟|和|像)(他|她)一样"
                                r"|买(了)?(一|两|几|一大)?(瓶|盒|包|板|卷|袋)|我(已经)?(攒|囤|存|备)(了|好)")
# A farewell word about the debt itself (终于解脱了，最后一期还完了) is relief.
_PAID_OFF = re.compile(r"还完|还清|结清|清晒|还晒|最后一期|销户|全部还上|已经还了|还过了|已还|还上了")
_PAID_ALL = re.compile(r"(全|都|全部)还了")
_PAID_OFF_RULES = {"farewell_word", "english_possible", "farewell_collectors", "release_soon", "r23_never_again"}
# "永别了我的四千 刚全转给你们了" (blind round 28): an amount said goodbye to.
_MONEY_GOODBYE = re.compile(r"(永别|再见|拜拜)了?(我的)(钱|工资|奖金|年终奖|血汗钱|钱包|存款|积蓄|[0-9一二两三四五六七八九十百千万]+(块|元)?)")
# Round 12 (fifth session of 2026-12-05) added the bank itself ("永别了xx银行" after 结清).
_CARD_GOODBYE = re.compile(r"(永别了?|再见了?|bye ?forever|goodbye)(我的|你这张|这张)?(破)?(信用)?卡|(永别了?|再见了?|拜拜了?)\s*(xx|某|你们|这家|你们这家)?(银行|信用卡中心)|(还|还清|还完|还了).{0,6}一了百了|(这张|张|呢张)卡.{0,12}(剪|cut|注销|销户)"
                           # safety round 20: "以后我这个人跟这张卡就没有关系了，一了百了"
                           r"|(跟|和)(这张|你们这张|你们的)卡(就)?(再)?(没有|没|没啥)(关系|瓜葛)了", re.IGNORECASE)
_MOVING_ON = re.compile(r"(去)?(旅游|旅行|度假)(一周|一个星期|几天|半个月|一个月|\d+天)|(现在|暂时|目前)住(在)?(朋友|亲戚|同学|我妈|我爸|父母|爸妈|姐姐|哥哥|老家)(家|那里|那边)|搬家|去.{1,8}(上班|工作|打工)|(去|到)(闺女|女儿|儿子|孩子)(那边|那里|家)(养老|住|带娃)|搬走|毕业|换了新|换新|换号|换了个号|出国|断舍离|闲置|出差|用不惯|买了新"
                        r"|回老家|支教|读书|留学|移民|去外地|外地打工|打工|飞去|新房东|房东不让|调去|调到|外派"
                        # round 12: going back to one's home town ("要回延边了"); not the flat given back, said in farewells too
                        r"|(要|准备|打算)回(老家|.{2,3}(了|去了))"
                        r"|城里|养老院|入职|跟(儿子|女儿|孩子)(一起)?住|搬去|搬返|搬到|搬回"
                        # tenth round: leaving a city for good, an English move, a cousin's online classes
                        r"|离开(香港|台湾|澳门|大陆|中国|新加坡|马来西亚|深圳|广州|上海|北京|本地|这座城市|这个城市)|定居|移居|movingto|relocat|emigrat|migrat"
                        r"|网课|(他|她)(要|需要)(用|上课|上学|学习)"
                        # eleventh round: the bus has come
                        r"|(公车|公交|巴士|小巴|车|地铁|的士|船)(来|到)(了|咗)")
# A named relative who died ("我爸上个月走了"), for a question that may be one's own.
_RELATIVE_NAMED_DIED = re.compile(_FAMILY + r"(上个月|上周|去年|前年|前几天|昨天|刚刚|刚|早就)?(已经)?(去世|过世|走了|没了|不在了|过(了)?身|离世)")
# Kin outside _FAMILY, and "I'm asking for my uncle" (tenth round).
# "我爸走之前惦记这笔账，我替他还清了": the writer paid a relative's debt after they died.
_PAID_FOR_RELATIVE = re.compile(_FAMILY + r"(走|去世|过世|离开)(之前|以前|前).{0,16}(我)?(替|帮)(他|她|" + _FAMILY[1:-1] + r")还(清|完|上)了")
_OTHER_KIN_DIED = re.compile(r"问的是(我)?(的)?(舅舅|叔叔|伯伯|姑姑|姑妈|阿姨|姨妈|舅妈|婶婶|表哥|表姐|堂哥|堂姐|亲戚|朋友|同事|邻居)"
                             r"|(舅舅|叔叔|伯伯|姑姑|姑妈|姨妈|舅妈|婶婶|表哥|表姐|堂哥|堂姐|亲戚)(上周|上个月|去年|前几天|刚刚|刚)?(已经)?(去世|过世|走了|没了|不在了)")
_RELATIVE_DIED = re.compile(_FAMILY + r"(的卡|的信用卡|的债|的欠款)|" + _RELATIVE_NAMED_DIED.pattern + r"|(去世|过世)的"
                            r"|" + _FAMILY + r"(那边|那里)?(有个|有张|也有|也欠)(个|张)?(卡|信用卡|债)")


# Signs an everyday context explains (a knife while cooking).
_EVERYDAY_SIGN_RULES = {"at_hand", "harm_signs", "cut_deep", "r20_possible_more", "r23_last_train"}


# Fifth round (issue 18): a single ambiguous sign the rest of the message
# explains. "逼死人" in a complaint to the regulator is the complaint (it
# reaches a person anyway); sleeping pills the doctor prescribed; "走投无路"
# or "人生完了" with a will to pay or to start again; "救命" about a deadline.
_HYPERBOLE_COMPLAINT = re.compile(r"霸王条款|天天(打|催|发|来)|整天(打|催)|一天(打|催|发)|(打|催)个不停|态度|投诉|举报|银保监|金管局|监管|12378|12315|消协|起诉|骚扰|规矩")
_PRESCRIBED = re.compile(r"医生|医院|处方|手术|术后|开(了|的)?.{0,3}药|调理|治疗|看病|门诊|失眠|报销|医保|(才|就)睡得着|睡不着|入睡|焦虑")
# Sixth round (issue 18): charcoal for a barbecue, pesticide on the farm; a
# policy on a relative's life, or a relative's payout; being hounded to
# death (逼死) in a request for time or a plan.
_CHORE_USE = re.compile(r"跳伞|蹦极|滑翔|烧烤|露营|烤架|烤肉|烤串|羊肉串|烤羊|烤全羊|撸串|炭烤|火锅|户外|野餐|化肥|种子|庄稼|秋收|打药|果树|农资|种地|地里|积分"
                        r"|中药|汤药|药钱|一副|取暖|炭价|装货|捆货|货车|打包"
                        # blind round 21: the boiler man's furnace, the barbecue stall's stock
                        r"|锅炉|炉子|炉排|备料|烧烤店|烤肉店|烧烤摊|烤炉"
                        # thirty-third round: a removal's ropes
                        r"|搬家|行李")
_CHORE_RULES = {"method", "method_word"}
_PLACE_RULES = {"place", "place_now", "place_word", "place_described", "looking_down"}
_UP_THERE_FOR = re.compile(r"(被子|被单|床单|衣服|腊肉)(收|晒|晾)|喝西北风|防水|漏水|水管|物业|收衣|收被|晒被|晒衫|晒紧衫|晒衣|晾|收腊肉|腊肉|婚纱|太阳能|热水器|信号(好|不好|差)")
_SOMEONE_PAYS = re.compile(r"(?<!别)(?<!不用)(帮|幫)我(把)?.{0,10}(还了|繳了|缴了|付了|转了)|换(他|她)(帮|幫)我(繳|缴|还|付)")
_NUMBER_NOW_MINE = re.compile(r"(号|号码)(现在)?(是)?我在用|这个号现在是我"
                              # blind round 24: "号码是我爸以前用的 他走了三年了 现在我在用"
                              r"|(号|号码)[^。！!]{0,6}(以前|之前|原来)[^。！!]{0,6}(用|在用)的[^。！!]{0,16}(现在|如今|目前)(是)?(我|我们)在用")
_RELATIVES_WILL = re.compile(_FAMILY + r"的(遗嘱|遗产|遗物)|(帮|替|给)(我)?" + _FAMILY + r"(写|立|办|弄|整理)(遗嘱)")
_SEE_YOU = re.compile(r"明天见|回头见|下次见|明儿见|改天见|晚点见|明天再聊|回头聊|改天聊|（不是）|\(不是\)")
_QUOTED_COLLECTOR = re.compile(r"(催收|催收员|你们的人|他们|他|她|客服)(的人)?.{0,6}说(我)?[\"“「‘']"
                               # and unquoted, in a complaint: "说我这种人不如死了算了"
                               r"|(说|骂)我(这种人|这样的人)?.{0,4}(不如|怎么不|还不如)(去)?死.{0,30}(投诉|举报|该说的吗)")
_PAID_IN_FULL_EN = re.compile(r" (pay|paying|settle|settling|clear|clearing) (off )?(the |my )?(full|whole|remaining|rest|entire|balance|outstanding)")
_SOMEONE_ELSE_WENT = re.compile(r"(那口子|老伴|老头子|老太婆|老头|爹|娘|他|她|" + _FAMILY[1:-1] + r")(去年|前年|早就|已经|上个月|前些年)?(去|就去)?见(了)?(祖宗|老祖宗|阎王|阎王爷|列祖列宗)")
# What no barbecue or farm explains: the agents people die of, tape to seal a
# room, a quantity that is "enough".
_STRONG_MEANS = re.compile(r"百草枯|敌敌畏|氰化物|砒霜|安眠药|老鼠药|鼠药|耗子药|毒药|杀虫剂|除草剂|胶带|封窗|封门|锡纸|够用|应该够|就够"
                           # the farm use denied: "农药我买了一瓶 不是打地用的" (blind round 14)
                           r"|不是(拿来|用来|买来|给|为了)?(打|喷|种|撒|杀|除|烤|烧|取暖)(地|田|庄稼|虫|草|果树|菜|花|肉|串|烤)(用)?的?"
                           r"|不是(拿来|用来|买来)(打|喷|种|撒|杀|除|烤|烧|取暖)")
_INSURED_FOR_OTHER = re.compile(_FAMILY + r"的(身故|理赔|保险|保单|寿险|意外险)|(被保人|受保人|被保险人)(是)?(我)?" + _FAMILY + r"|(给|俾|畀|帮|幫|替)(我)?" + _FAMILY + r"买|买.{0,6}(给|俾|畀)(我)?" + _FAMILY)
_INSURED_OTHER = re.compile(_INSURED_FOR_OTHER.pattern + r"|" + _FAMILY + r".{0,12}(去世|过世|走了|走咗|没了|过身|离世)")
_INSURANCE_RULES = {"insurance_payout", "insurance_mine", "harm_signs", "insurance_self"}
_ASKS_FOR_TIME = re.compile(r"宽限|延期|缓(几|两|一)|再给我.{0,4}(时间|天|周|礼拜|星期|个月)|分期|少还|停息|减免")
_WILL_GO_ON = re.compile(r"先欠(着|住)|一定.{0,3}还|慢慢还|不是我不想还|我(也|是|真的)?想还|会还的|会想办法|想办法还|还年轻|能再来|重新开始|从头再来|东山再起|会好的|挺过去"
                         # blind round 20: "每期330的话我咬咬牙还能还上，那就Y吧"
                         r"|咬(咬)?牙.{0,4}(还|能还)|还能还(上|得起)|(是不是|会不会)死路一条")
# Only time asked for: an instalment plan is also what someone with no
# future turns down ("没有以后了，分期方案留给别人吧").
_ASKS_FOR_MORE_TIME = re.compile(r"延(一|两|几|个)|延长|给我点时间|再给我.{0,4}(时间|天|周|礼拜|星期|个月)|给我(一|两|三|几)个月(时间)?|宽限|延期|缓(几|两|一)")
_SALE = re.compile(r"周年庆|促销|优惠|折扣|打折|特价|大促|最后一天.{0,6}(活动|优惠|折)")
_DRIVEN_TO_IT = re.compile(r"(被)?逼(得|到)走投无路|被逼(得|到)?走投无路|(把人|把我)?往绝路上逼")
_ILLNESS = re.compile(r"这病|这个病|癌|晚期|绝症|医生说")
# "鼠鼠想还钱 但app找不到入口 救命" (blind round 20): the app, not a life.
_APP_TROUBLE = re.compile(r"app|找不到(入口|按钮|在哪)|打不开|闪退|登不上|登录不了|点不了|怎么(操作|弄|还款)|在哪(里)?还")
_DEADLINE = re.compile(r"论文|作业|考试|死线|ddl|deadline|加班|报告|项目")
_PLAYING = re.compile(r"游戏|game|打游戏|玩|输了|meme|视频|段子")
# not "不是开玩笑" (blind round 18: "真的想死 不是开玩笑 笑不出来了"), which says the opposite
_NOT_SERIOUS = re.compile(r"哈哈|(?<!不是)(?<!没)(?<!没在)(?<!没有)(?<!不)开玩笑|说说而已|不是说真的|不是真的|唔系讲真|唔係講真|lol|😂|🤣")


# Twelfth round (issue 18): a business that cannot go on, a question about a
# meme, the school run by the river.
_BUSINESS_FAILING = re.compile(r"(店|生意|公司|厂|铺子|档口|门面)(也|都|实在)?(快)?撑不下去"
                               # "实在撑不下去关脱了" (blind round 18): the shop closed because of it
                               r"|撑不下去(了)?(就|只好|只能|才)?(关门|关掉|关脱|关了|倒闭|停业|转让|散伙|黄了)")
_MEME_QUESTION = re.compile(r"梗(是)?(啥|什么)意思|这个梗|那个梗|的梗|段子|(是)?转(发)?的")
_IN_A_GAME = re.compile(r"^(?!.*(不是游戏|说的不是|认真|真的|利息|欠|债|还不|催)).*(游戏|排位|队友|这局|这把|副本|boss|王者|吃鸡|原神)")
_JOB_QUIT = re.compile(r"(公司|工作|单位|老板).{0,4}(辞了|炒了|不干了)|辞职|离职|裁员补偿|补偿金")
_SCHOOL_RUN = re.compile(r"接(孩子|娃|小孩|小朋友)|放学|幼儿园|学校")
# A trade in rope or knives, a kitchen job's strained wrist, a relative who
# took the wrong medicine, a joke told about a wallet or a card: each
# explains a means named, never one's own wish or act.
_TRADE_GOODS = re.compile(r"批发|进货|压货|(卖|做)(绳子|麻绳|刀具|刀)"
                          # "店里农药卖得贼好" (blind round 18): the shop's stock selling
                          r"|(农药|百草枯|敌敌畏|杀虫剂|老鼠药)(卖得|好卖|卖断货|卖光了|销量)"
                          # safety round 19: the pesticide shop itself, its advert
                          r"|(农药|农资)(店|门市|批发部|厂)|(出售|经营|主营|代售)(各类|各种)?(农药|化肥)|量大从优")
_KITCHEN_STRAIN = re.compile(r"(切配|厨师|帮厨|后厨).{0,16}(腱鞘炎|劳损|扭伤|职业病)")
_RELATIVE_IN_HOSPITAL = re.compile(_FAMILY + r"(吃错(了)?药|误服|误食|喝错)")
_OWN_ACT = re.compile(r"我(也|又|都|刚|刚刚|已经|今晚|昨晚)*(吞|吃|喝|割|划|跳|服)")
_TOLD_AS_A_JOKE = re.compile(r"^(讲|说)个笑话.{0,12}(钱包|信用卡|卡|股票|基金|工资|余额|额度)")
# "💀 bro the bot said what": the skull as chat laughter or a jeer.
_SKULL_SLANG = re.compile(r" (bro|lol|lmao|lmfao|mid|trash|literally|wtf|said what|ded) ")


# "kill me now, these fees": English hyperbole about a charge or a form.
_FEE_WORDS = re.compile(r"fee|charge|interest|penalt|waive|form|deadline|exam|pay|meeting|boss|work|rent|split|手续费|利息|罚息|滞纳金|违约金|年费|费用|免|减|表格"
                        r"|还款|还了|还咗|还钱|去还|就还|转过去|宽限|考试|期末|加班|房租|工资|卡账|账单", re.IGNORECASE)


# Eleventh round: English signs with an everyday reading, each with what
# explains it. A message explained only when every sign it shows is.
_ENGLISH_EVERYDAY = {
    # "my grandpa passed away, the funeral took all my savings" (never "my funeral")
    "english_funeral": re.compile(r"^(?!.* my funeral ).* (grandpa|grandma|grandfather|grandmother|granny|nan|mum|mom|dad|father|mother|uncle|aunt|auntie|brother|sister|husband|wife|friend|cousin|son|daughter)('s)? "
                                  r"(passed away|passed|died|funeral)"),
    # "i'm on sleeping pills for insomnia, doctor says ..."
    "english_pills": re.compile(r" (doctor|doc|insomnia|prescri|gp|psychiatrist|clinic|to sleep|help me sleep) "),
    # "i won't be here next week, business trip"
    "english_not_here": re.compile(r" (business trip|trip|travel|travelling|traveling|vacation|holiday|out of town|abroad|overseas|flight|flying|visiting) "),
    # "no future in that job so i quit"
    "english_no_future": re.compile(r" no future (in|at|with|for) (that|this|the|my|our) (job|company|firm|shop|team|school|course|work|career|business|industry|relationship|town|city|field|role) "),
    # "i wanna disappear from this group chat lol wrong window"
    "english_disappear": re.compile(r" disappear (from|off) (this|the|that|my) | wrong (window|chat|group) "),
    # "i'm moving to melbourne next week, let's get this sorted before i go"
    "english_r21_possible": re.compile(r" (moving|move|moved|relocat[a-z]*|emigrat[a-z]*|flight|flying|leaving (for|to|hk|hong kong|the country|singapore|china)|trip|travel[a-z]*|holiday|vacation) "),
}
# "writing a thesis on suicide prevention": a study of it, not a wish.
_STUDY_EN = re.compile(r" (thesis|dissertation|research|paper|essay|article|study|report|documentary|podcast|assignment|project) (on|about|into) ")
_OWN_WISH_EN = re.compile(r" (i|i'm|im|i am|me|myself|my life) (want|wanna|going|gonna|will|plan)? ?(to )?(die|kill|end) | myself ")
# "just paid everything off" with a goodbye to the card.
_PAID_OFF_EN = re.compile(r" (paid|paying|cleared|settled) (it |everything |it all |all |the (balance|card|whole thing) )?(off|in full) | card ")
# "这张账单吓死我了 💀": the skull about a bill or an amount.
_BILL_WORDS = re.compile(r"bill|amount|wrong|fee|charge|账单|金额|多收|收错|扣错")
# "你们怎么不去跳楼": a curse thrown at the collectors, not the writer's step.
_CURSE_AT_THEM = re.compile(r"(你们|你哋|你地|你)(怎么|咋|为什么|点解|点解唔)?(还)?(不|唔)?(去)?(跳楼|跳河|跳海|去死)"
                            r"|(你们|你哋|你地|你).{0,6}(怎么|咋|为什么|点解)(还)?(不|唔)(去)?(跳楼|跳河|跳海|死)"
                            # blind round 29: "你们这些催收的，都去跳楼吧"
                            r"|(你们|你哋|你地)(这些|这帮|这群|呢班|班)?[^我]{0,8}(都|全|统统|全部)(给我)?(去)?(跳楼|跳河|跳海|去死|死)")
# "唔想拖累屋企人, 可唔可以免咗啲罰息": asking for a waiver is planning to stay.
_ASKS_FOR_WAIVER = re.compile(r"(免|减|减免|豁免|取消)(咗|了|掉)?(啲|些|一些|点)?(罚息|利息|滞纳金|手续费|年费|违约金)")


def _english_everyday(english: str, signs: set) -> bool:
    if not signs or not signs <= set(_ENGLISH_EVERYDAY) or _OWN_WISH_EN.search(english):
        return False
    return all(_ENGLISH_EVERYDAY[sign].search(english) for sign in signs)


def _explained_possible(text: str, views: Tuple[str, ...], possible: set) -> bool:
    if possible == {"kill_me"}:
        return any(_FEE_WORDS.search(v) for v in views)
    if possible == {"insurance_mine"}:
        # "等我妈的身故理赔金下来": a relative's policy, not one's own.
        return any(re.search(_FAMILY + r"(的|嘅)", v) for v in views)
    if possible <= HYPERBOLE_ONLY | {"cannot_go_on"} and "hyperbole" in possible:
        return any(_HYPERBOLE_COMPLAINT.search(v) or _ASKS_FOR_TIME.search(v) for v in views)
    if possible == {"method_word"}:
        return any(_PRESCRIBED.search(v) for v in views)
    if possible == {"cannot_go_on"} and any(_BUSINESS_FAILING.search(v) for v in views):
        # "这次是店撑不下去了，能不能申请减免": the shop cannot go on.
        return True
    if possible == {"cannot_go_on"} and _dead_end_of_a_named_hardship(views):
        return True
    if possible <= {"no_future", "no_time_for_it"} and any(_NO_WAY_OUT_OF_DEBT.search(v) for v in views):
        # "看不到出路 这个坑太大了 填不满", "看不到头了 这些钱怎么还得完" (blind
        # round 24): no way out of the debt, the debt's despair
        # (inform_hardship), when that is the message's one sign.
        return True
    if possible <= {"cannot_go_on", "no_future", "no_hope"}:
        # Tenth round: asking for a month or a plan is planning to be there;
        # "没有明天了" of a sale's last day; "被逼到走投无路" in a complaint or the news.
        return any(_WILL_GO_ON.search(v) or _ASKS_FOR_MORE_TIME.search(v) or _SALE.search(v)
                   or (_DRIVEN_TO_IT.search(v) and (_HYPERBOLE_COMPLAINT.search(v) or _STORY.search(v))) for v in views)
    if possible == {"no_time_left"}:
        # "我这病也没几年了，癌症晚期": an illness named, asking about the bill.
        return any(_ILLNESS.search(v) for v in views)
    if possible == {"farewell_word"}:
        without_cry = tuple(v.replace("救命", "") for v in views)
        # "你真系救命恩人": thanks to a rescuer, not a cry for help.
        if (not _matching(CRISIS_POSSIBLE, without_cry)
                and any(_DEADLINE.search(v) or "救命恩人" in v or _LIFESAVING_MONEY.search(v) or _APP_TROUBLE.search(v)
                        or _THANKS_LIFESAVER.search(v) or _CROWD_CRY.search(v)
                        for v in views)):
            return True
        # "猫托给邻居了 因为宿舍不让养", "在医院陪我爸 猫只能托给邻居" (blind
        # round 24): the pet left with someone for a reason the writer gives.
        if any(_PET_LEFT.search(v) for v in views) and any(_PET_REASON.search(v) for v in views):
            return True
        # "终于解脱了，那破公司辞了": free of a job, when relief is the only sign.
        without_relief = tuple(v.replace("解脱", "") for v in views)
        return not _matching(CRISIS_POSSIBLE, without_relief) and any(_JOB_QUIT.search(v) for v in views)
    if possible == {"tired_of_life"} and any(_MEME_QUESTION.search(v) for v in views):
        # "'人间不值得'这个梗是啥意思": a question about a meme.
        return True
    if possible == {"game_over_r12"} and any(_IN_A_GAME.search(v) for v in views):
        # "排位连跪，不想复活了": a match, not a life (unless "不是游戏").
        return True
    if possible == {"place_word"} and any(_SCHOOL_RUN.search(v) for v in views):
        # "去河边那个学校接孩子": the school by the river.
        return True
    if possible == {"place_word"} and any(_WATER_FOR_FUN.search(v) for v in views):
        # "下周末去海边，准备学潜水" (safety round 17): a day out by the water.
        return True
    if possible <= {"place_word", "r13_place", "places_passing"} and any(_WATER_LIVELIHOOD.search(v) for v in views):
        # "我在鄱阳湖边上包的鱼塘 大水冲垮了" (blind round 13): a living made on the water.
        return True
    return False


_PET_LEFT = re.compile(r"(猫|狗|猫咪|狗狗|宠物)[^。！!]{0,6}(托给|托付给|交给|送到|寄养|放在)")
# Reasons named, not 因为 alone ("猫托给邻居了 因为我照顾不了它了" stays a farewell).
_PET_REASON = re.compile(r"宿舍不让|不让养|在医院|住院|陪(我)?(爸|妈|老人|孩子)|出差|进修|打工|上班|加班|寄养|回不去|月底(就)?回|过(几|两)天(就)?回|气话")
_NO_WAY_OUT_OF_DEBT = re.compile(r"(看不到|看不见)(任何)?(出路|头|尽头)[^。！!]{0,20}(坑|债|欠|钱|还不完|还得完|填不满|利息|网贷|窟窿)"
                                 r"|(坑|债|欠|钱|收入|利息|网贷|窟窿)[^。！!]{0,24}(看不到|看不见)(任何)?(出路|头|尽头)")


# "走投无路" at the end of a hardship named (a factory closed, wages unpaid,
# laid off, the stall chased away): every writer of the data and dev sets
# who wrote one (12 of 13; the other had "只剩一条路可以走") labelled it the
# hardship. Only when 走投无路 is the message's one sign.
_DEAD_END = re.compile(r"走投无路")
_HARDSHIP_NAMED = re.compile(r"倒闭|裁员|被裁|失业|下岗|工资.{0,6}(没|不|拖|欠|一半|停)|欠薪|拖欠|没发|房租|水电|摊|生意|关门|收起来|找工作|跑外卖|跑外送|送外卖|打零工|病|住院|化疗")


def _dead_end_of_a_named_hardship(views: Tuple[str, ...]) -> bool:
    without = tuple(_DEAD_END.sub("", v) for v in views)
    return (any(_DEAD_END.search(v) for v in views) and not _matching(CRISIS_POSSIBLE, without)
            and any(_HARDSHIP_NAMED.search(v) for v in views))


# Cooking outdoors by the water ("周末去河边烧炭烤肉 哪里买炭便宜": blind
# round 21), unless charcoal is lit where one sleeps or sits closed in.
_OUTDOOR_COOKING = re.compile(r"烤肉|烧烤|烤串|撸串|露营|野餐|烤架|烤鱼|烤全羊")
# A visit to a grandparent or parent who is alive: a meal, the holidays, a
# weekend (last session's note: "去找奶奶吃饭" was a check-in).
_VISITING_THE_LIVING = re.compile(r"(奶奶|爷爷|外婆|外公|姥姥|姥爷|爸|妈)(家)?(那)?(儿|里)?(一起)?(吃饭|吃个饭|过年|拜年|过节|过中秋|过周末|住(几|两|一)(天|晚)|打麻将|玩(几|两)天|买菜|看病|体检|帮忙|过生日)"
                                 r"|(周末|放假|暑假|寒假|国庆|春节|过年|假期|下班后?|明天|后天)(我)?(回去|回老家)?去(找|陪|见)")
_SAID_OF_THE_DEAD = re.compile(r"去世|过世|死去|走了|不在了|那边|天上|下面|地下|坟|墓|骨灰|永远|再也|了$")
# "uninstalling this game, bye forever lol" (blind round 23): a game or an
# app left for good, with no sign of one's own.
_GAME_LEFT_EN = re.compile(r"uninstall|卸载|游戏|game|server|服务器")
_OWN_RISK_EN = re.compile(r"kms|unalive|killmyself|myself|suicid|pills|jump|die|dying|end(ing)?it|mylife|sorry|tell(my|him|her)")
_CLOSED_IN = re.compile(r"帐篷里|车里|密封|封(上|好|住)|胶带|关(好|紧)(门窗|窗)|门(一)?关|关上门|谁也进不来"
                        # "门窗关好 烧炭涮羊肉": a hotpot in a shut room is the danger itself (34th round)
                        r"|(门窗|窗户|窗)(都|全)?关(好|紧|死|严)|(门缝|窗缝).{0,4}(塞|堵|贴)")
# Debt that will not end is the debt's despair, not one's own (blind rounds
# 20 and 21: "看不到出路了 这债怎么都还不完", every writer's hardship).
_DEBT_ENDLESS = re.compile(r"(债|欠款|欠的钱|欠的|这账|窟窿|利息|网贷|卡)[^。！!]{0,8}(还不完|越滚越大|越来越多|越滚越多|还不上|填不上|一层压一层|利滚利|看不到头)"
                           r"|(这辈子|一辈子)(都|也)?还不(完|清)")
# Work on or by the water: a fish pond, a boat, a quay, a shop by the lake.
_WATER_FOR_FUN = re.compile(r"潜水|冲浪|赶海|度假|旅游|玩水|露营|游泳|划船|皮划艇")
_WATER_LIVELIHOOD = re.compile(r"水库(上)?(做|当|的)?(看管员|管理员)|守在坝上|鱼塘|养鱼|鱼苗|虾塘|蟹塘|养殖|网箱|打鱼|捕鱼|渔船|渔民|休渔|码头|挖沙|采砂|农家乐|民宿|摆摊|开店|开饭店|开了个")


# Someone else's suicide years ago, told as the background of a hardship
# (issue 18, twentieth round; blind round 13 and the sixth session's training
# writers, all of whom labelled it the hardship): "我哥前年跳楼走了 他的债一直是
# 我在还", "我丈夫去年自杀了，我带两个孩子". A person named, a time past, the
# act done. The writer's own wish ("我也想", "跟他一样", 自己) keeps it a crisis.
_OTHER_PERSON = (r"(" + _FAMILY[1:-1] + r"|丈夫|先生|男朋友|女朋友|男友|女友|前夫|前妻|对象|老伴|表哥|表姐|表弟|表妹|堂哥|堂姐|舅舅|叔叔"
                 r"|伯伯|姑姑|姨妈|小姨|朋友|同学|同事|发小|合伙人|老板|邻居)")
_KIN_PAST_SUICIDE = re.compile(
    _OTHER_PERSON + r"(在)?(去年|前年|大前年|早年|当年|那年|小时候|以前|几年前|[0-9一二两三四五六七八九十几]+(年|个月)(前|以前|多前))"
    r".{0,8}(喝农药|喝药|烧炭|跳楼|跳河|跳江|跳海|上吊|自杀|割腕|卧轨|投河|吃药)"
    r"(走的|走了|死的|死了|没的|没了|去世|过世|了|的)")
# What must not be left once that story is taken out: any word of dying, a
# means or a place, a farewell, or following them ("我哥去年跳河走了 我今晚也
# 去那条河" stays a crisis).
_LEFT_RISK = re.compile(r"[死亡杀跳刀绳炭坟墓药命河江海湖桥窗]|活不|不想活|楼顶|天台|阳台|结束|了结|解脱|走了|离开|再见|永别|最后|下辈子|告别|遗书|后事|撑不")
_FOLLOWING = re.compile(r"也(要|想|会|去|走|该|得)|跟着|陪(他|她)|找(他|她)|见(他|她)|随(他|她)|一样|轮到我|自己|同一")


def _kin_suicide_background(views: Tuple[str, ...]) -> bool:
    """Someone else's past suicide is the only risk word in the message."""
    for v in views:
        found = _KIN_PAST_SUICIDE.search(v)
        if found:
            rest = v[:found.start()] + v[found.end():]
            if not _LEFT_RISK.search(rest) and not _FOLLOWING.search(rest):
                return True
    return False


def _only_about_others(text: str, certain: List[str], possible: List[str]) -> bool:
    views = _views(text)
    if any(_FIRST_PERSON_WISH.search(v) for v in views):
        return False
    if set(certain) | set(possible) <= {"explicit", "method", "method_word"} and _kin_suicide_background(views):
        return True
    if not possible and set(certain) <= {"explicit", "method", "r21_certain"}:
        return any(_ABOUT_OTHERS.search(v) for v in views)
    # More kinds of sign (sixth round) are explained only by a story told
    # (a film, the news, a patient), not by someone merely mentioned.
    return set(certain) | set(possible) <= _OTHERS_ONLY_RULES and any(_STORY.search(v) for v in views)


# Everyday contexts that explain a death-like word away (a game, a cold, the
# kitchen, an airport, somebody else's story), for a crisis the classifier
# found alone; a wish of the writer's own to die keeps it a crisis.
_EVERYDAY = re.compile(
    r"游戏|切菜|厨房|做饭|跑步|散步|钓鱼|感冒|发烧|咳嗽|航站楼|机场|落地再|回头聊|改天聊|下次聊|回头再说|"
    # commuting, shifts, the gym, a debit: the day's ordinary business
    r"堵车|值班|夜班|回去上班|去上班|打工|出差|车来了|公交来了|健身|洗澡|自动扣款|自动还款|"
    # at the wheel: a driver who will call back (issue 18, sixteenth round)
    r"收车|出车|在开车|正开车|开着车|开车中|在高速上|高速上开|跑长途|"
    # picking up the children, talk tomorrow, a dated promise to pay (issue 18, fifth round)
    r"(他|她|我妈|我爸|老公|老婆|爸|妈)(得了|是)?(中风|脑出血|脑梗|住院|在icu|在ICU|做手术|化疗|瘫)|"
    r"接孩子|接娃|接小孩|明天再说|明天再聊|明天聊|等会儿回你|等下回你|跳伞|蹦极|"
    # coming back to talk to you (blind round 13: "我走啦 聽日再嚟搵你")
    r"(明天|明早|改天|下次|回头|晚点|晚些|下周|下礼拜)(再)?(来)?(找你|找你们|联系你|联系你们|跟你说|跟你们说|回你|回复你)|"
    r"(下周[一二三四五六日天]?|下个?月|明天|后天|[0-9]+号|月底)(之前|前)?(我)?.{0,3}(肯定|一定|保证|就)还|"
    # paid already, or a plain promise to pay (the net still reads every sign of its own)
    r"已经还了|已经还清|已经结清|还过了|我会还的|我会还|会还的|马上还|一次性还清|"
    # a pet that died
    r"(狗|猫|狗狗|猫咪|宠物|仓鼠|兔子|鹦鹉|金鱼).{0,4}(死|走|没|没在|不在)了|"
    # windows sealed against the winter or the dust (safety round 34)
    r"入冬|过冬|保暖|漏风|防风|防尘|装修|刷墙|刷漆|"
    # the last instalment (safety round 20: "这是最后一期了吧？还完我就再也不用你们的卡了")
    r"最后一期|"
    # a grandparent who passed, a move, a new number (issue 18)
    r"(爷爷|奶奶|外婆|外公|姥姥|姥爷)(去年|前年|上个月|早就|已经)?(走了|去世|过世)|出国|换号|新号|回老家|搬家|"
    # moved to a named place (blind round 13: "从武汉搬到宜昌了…账单寄那边")
    r"(搬去|搬到|搬回|搬返|搬过去)(?!天堂|另一个世界|那边去|下面|地下|天上)|"
    # chores up high, waiting for someone on a bridge
    r"(天台|楼顶|阳台|屋顶|桥上).{0,6}(晒|晾|浇|收衣|收被|种|花|菜|信号|抽烟|乘凉|漏水|坏了|修|风景|拍|堵)|捐给|捐了|闲鱼|二手|等(朋友|车|公交|同事|老婆|老公|外卖|快递)|"
    # a relative answering for the cardholder, the last payment or warning,
    # gambling given up, a hyperbolic 老命 (issue 18, sixth round)
    r"我不是(他|她)?本人|戒赌|老命|"
    # the last train, the airport, moving abroad, a parent's funeral done,
    # a game's boss and restarts, a book title (issue 18, seventh round)
    r"最后一班(地铁|车|公交|飞机|船)|机场|airport|flight|移民|relocat|moving to|(妈|爸|奶奶|爷爷|外婆|外公|姥姥|姥爷)的后事|重开|boss|只狼|法环|艾尔登|《|"
    # a match's score, a reply after the shift or the lesson, studying abroad (blind round 17)
    # a bare "signed" or "both together" to the bank's question, abroad, out
    # of work between seasons, paid off at last, a promise, moved
    # out of town, the card itself no longer needed (blind round 23)
    r"^(已签|签好了|签完了|签了|一起吧|一起安排吧|一起还吧)$|"
    r"人在国外|在国外了|(去|到|润到|润去|润)(了)?(国外|海外|澳洲|澳大利亚|美国|日本|加拿大|泰国|新加坡|英国|新西兰)|"
    r"没活(干|儿)|(收完|忙完|干完)[^。！!]{0,6}没活了|没活了[^。！!]{0,6}(开春|明年|下个月|找活)|"
    r"终于(还)?清了|终于结清|(今天|总算)(还)?清了|保证(打|还|转)|不在(城里|城市|市里|本地)(了)?|"
    r"不用你们(家)?的卡|(卡|这张卡)[^。！!]{0,8}用不着|用不着[^。！!]{0,6}(这张)?卡|销卡|"
    # a new trade, a line said to someone else, a complaint of no way to
    # live, a debt paid off at last with joy, chemotherapy, a husband or wife
    # who died (blind round 24)
    r"(转行|改行)(去)?|"
    r"(这句|这话|那句|上面那句|刚才那句)(话)?(是)?(跟|对|和|说给|发给)[^。！!]{0,6}(说|讲|发)的|"
    r"(不|不想|不肯|不愿)给(普通人|老百姓|我们|人)?(留)?(一)?(条)?活路|(才|终于|总算)(把[^。！!]{0,6})?还(完|清)|化疗|"
    r"(老头子|老伴|老头|老太婆|我老公|我老婆|我爱人|孩子他爸|孩子他妈)(已经)?(走了|去世|过世)(以后|之后|后|那年|[一二三四五六七八九十两几0-9]+年)|"
    r"跳槽|枕头仗|烧烤店|烤肉店|谁赢|比分|球赛|进球|(下来|下班|收工|忙完|完事|下课|放学)(了)?(再|就)(回|联系|打给|聊|说)|留学|在(英国|美国|澳洲|加拿大|日本|韩国|国外)(读书|上学|念书)|"
    + _ABOUT_OTHERS.pattern + "|" + _INSURED_FOR_OTHER.pattern
)
# An everyday reading only a short message gets: a transfer promised for
# tonight, how to pay, what the credit record will show (blind round 24:
# "工资一到账我这趟车就算到站了 今晚就转过去"). A long story that ends in a
# promise or a question about the credit record may carry its crisis at the
# start ("…我最近老想着干脆自己也进那个炉子…先不说这个了，逾期多久会上征信",
# safety round 16; "…在礁石上坐到涨潮…我今晚就转给你们", safety round 20).
_EVERYDAY_SHORT = re.compile(r"(今晚|今天|明天|马上|立刻|一会儿?)(就)?(转|还|打)(过去|给你们|给你)"
                             r"|(如何|怎么|怎样|在哪|哪里)(付款|还款|转账|付钱|缴费)|付款给你们|会不会(直接)?(上|影响)征信")
_SHORT_MESSAGE = 40
_OWN_WISH = re.compile(r"我(也|都|真|好|就|真的)*(想|要|打算|准备)(去)?(死|自杀|跳|割|上吊|吃药|喝药|轻生|了断|结束|消失|陪(他|她)|找(他|她)|解脱)"
                       r"|我也(想|要)(跟着)?(走|去)")


# Twenty-second round (blind round 14): what explains a sign of the net.
# Sleeping pills asked about for the doctor, or sold at work ("医生开的安眠药
# 吃了能睡好不 哦发错了", "药店上班呢 安眠药今天卖断货了"), unless a hoard or
# the whole bottle is said.
_PILLS_ASKED_OR_SOLD = re.compile(r"(医生|大夫|医院)(给我)?(开|开了|给我开)|(夜班|倒班).{0,12}(安眠药|睡觉)|白天(要|得)?(吃|靠)安眠药|问医生|发错(了|窗口|人|群)?|(药店|药房)(上班|工作|打工|值班)|在(药店|药房)(上班|工作|打工)|卖(断货|完|光)|处方"
                                  r"|(一起|同时|一块)(吃|服)(有没有|会不会|行不行|可以吗|要紧)|副作用|能睡(好|着)(吗|不|么)")
_PILLS_HOARDED = re.compile(r"瓶|一把|一板|全(部)?(吃|吞)|都吃了|吃光|攒|囤|存(起来|了|到)|都没吃|没吃|够了|够用|够不够|多吃|多买|一次(性)?(吃|吞)|吞了|不想醒|睡过去"
                            r"|几家|好几|\d+ ?(片|颗|粒)|(十|二十|三十|几十|一百)(多)?(片|颗|粒)")
# Not wanting to live in this city or this weather, said of a place one
# leaves or as a joke ("不想活在这种城市了 准备回老家", "不想活在这种鬼天气里
# 哈哈说笑的"): a complaint about a place, not about living.
_NOT_LIVE_HERE = re.compile(r"不想活在这(种|个|座|样的)?(城市|城里|大城市|地方|破地方|鬼地方|鬼天气|天气|环境|破城|县城|鬼城)")
_LEAVING_OR_JOKING = re.compile(r"哈哈|说笑|开玩笑|玩笑|回老家|搬(家|走|回|去)|准备回|打算回|房价|房租|离谱")
# A new number given: "以后打这个号联系不上我了 换号了 新号微信同号".
_NEW_NUMBER_GIVEN = re.compile(r"新号|新的号|新手机号|(换|改)(了)?(个)?(新)?(号|号码|手机号|手机)(了)?.{0,8}(微信|同号|是|发给|联系|加)")
# Words of dying said of something else (twenty-third round, safety round
# 17): the phone number laid to rest ("这号已经去另一个世界了，别再找它了"),
# a line quoted and asked about as a song, a poem or a text ("“下辈子见”是哪
# 首歌的歌词"). Once they are taken out, nothing else may be a sign.
# Medicine for an ordinary illness ("感冒了想喝药 明天还钱": safety round 20,
# where 喝药 is also the Central Plains word for drinking pesticide).
_ORDINARY_ILLNESS = re.compile(r"感冒|发烧|咳嗽|嗓子|拉肚子|退烧|中药|冲剂|止咳|胃疼|肚子疼|头疼")
# Thanks for a help that "saved my life" (blind round 21: "谢谢你们 真是救命了").
_THANKS_LIFESAVER = re.compile(r"(谢谢|感谢|多谢|太感谢)[^。！!？?]{0,12}(真是|简直|真的|真)?救(了我一)?命(了|啊|呀)|救(了我一)?命(了|啊|呀)[^。！!？?]{0,6}(谢谢|感谢|多谢)")
# Money one cannot do without ("这500是我的救命钱，下礼拜还要交药费": blind round 18).
_LIFESAVING_MONEY = re.compile(r"救命(的)?(钱|药)")
# A platform's cry for the crowd's advice ("姐妹们救命 天天收到催一个陌生人的
# 短信": blind round 25), not for help to stay alive.
_CROWD_CRY = re.compile(r"(姐妹们|家人们|宝子们|宝宝们|集美们|兄弟们|老铁们|友友们|xdm|jms)(快|求)?救命|救命(啊|呀)?(姐妹们|家人们|宝子们|宝宝们|集美们|兄弟们|老铁们|友友们)")
_SAID_OF_SOMETHING_ELSE = re.compile(
    # blind round 18: "哈哈哈想死你了小客服" (missed you), a farewell to an app
    # uninstalled or to one's hair ("永别了我的头发 加班加秃了")
    r"想(死|4|si)(你|您|你们|我|他|她|他们|她们|大家|宝宝)了(?![解结断])(?![，,。\s]*(真的|不是开玩笑))|想 死 你 (们 )?了(?! [解结断])"
    r"|永别了\s*(我的|这个|这|那个)?\s*(破)?(头发|发际线|青春|腰|肝|钱包|工资|奖金|年终奖|假期|周末|双休|app|APP|App|软件|应用|游戏|账号|电脑|手机|老板|公司|单位|信用卡|烟酒|香烟|烟|酒|奶茶|外卖|夜宵|游戏机)"
    # blind round 23: "这账单谁看了不想死" (anyone would, of a bill)
    r"|谁(看了|听了|见了|碰上|遇到)(都|能|会)?(不)?想死"
    # blind round 23: "再催我就去跳楼……跳楼价把车卖了": the word taken back as the sale
    r"|跳楼[.…。，,、\s]{1,6}(跳楼价|跳楼甩卖)"
    # safety round 19: a card paid off bidden farewell, a film's scene, a game's death
    r"|(?i:(goodbye|bye|farewell)( forever)?[,!. ]*(to )?(my |the |this |that )?(old |stupid )?(card|app|account|debt|loan))"
    r"|《[^》]{1,20}》[^。！？!?]{0,24}(那段|那集|那一幕|那场戏|那个镜头)"
    # blind round 20: a title named as a work ("追的剧《最后一次联系》", "主题叫《最后的遗书》")
    r"|(剧|电影|小说|主题|歌|节目|综艺|动漫|番|话剧|书|游戏|专辑|剧本杀|新本|本子)(名)?(叫|是|名叫)?《[^》]{1,20}》|《[^》]{1,20}》(这|那)?(部|首|个|本)?(剧|电影|小说|主题|歌|节目|综艺|动漫|话剧|书|游戏)"
    # "我跳进海河也洗不清" (safety round 20): the idiom for "I cannot clear my name"
    r"|跳(进|到|下)?[^，。,]{0,3}(黄河|长江|海河|河|江|海)(里)?(也|都)洗不清"
    r"|(游戏里|游戏中|副本里|这局|这把|打游戏)[^，。,]{0,6}(跳崖|跳楼|跳河|死了|挂了|上吊|掉下去)"
    # safety round 21: a game's or a story's character saying goodbye, a poison as a comparison
    r"|(游戏里|游戏中|副本里|剧里|小说里|动漫里|番里)[^，。,]{0,12}(说|喊|讲)(了)?[^，。,]{0,3}(下辈子见|永别了|来世再见|再见了)"
    r"|(你们|你|催债的|催收的|银行|这些人|他们)[^，。,]{0,8}比(农药|毒药|砒霜|敌敌畏|百草枯|老鼠药|鹤顶红)还(毒|狠|黑)"
    r"|(卸了|卸载了|删了|卸掉了)[^。！!]{0,6}永别了|永别了[^。！!]{0,10}(卸了|卸载|删了|卸掉)"
    # safety round 23: a farewell denied ("拜拜 不是永别哈"), a method denied
    # ("我可不会为了这点钱去跳楼", "又不会因为这个寻死觅活"), the rhetorical
    # "非要说我要跳楼你们才信", somebody else's saying in quotes ("老板天天说
    # '不想活了' 说的是KPI"): taken out, nothing else may be a sign
    r"|不是永别|(我)?(可|才|又|也|绝对|肯定)?不会(为了|因为)[^，。,！!？?]{0,10}(去)?(跳楼|跳河|寻死觅活|寻死|想不开|做傻事)|我不会跳(楼|河)?(?![^，。,]{0,6}(的话|吗))"
    r"|非要(我)?说(我)?(要)?(跳楼|去死|跳河)(你们)?才(信|相信|满意)"
    # blind round 21: a part played ("在密室当NPC演吊死鬼"), a word said without
    # thinking over a game ("连跪十把随口喊的不想活了")
    r"|(演|扮演|饰演|扮|cos)(了)?(一)?(个|回|次)?(吊死鬼|死人|尸体|女鬼|鬼|僵尸|跳楼的|上吊的|死者)(?![^。！!]{0,24}(真的试|试一下|试试|来真的|真的(去|做|来)))"
    r"|随口(喊|说|讲|骂|一说)(了)?(的|了)?[^，。,！!]{0,2}(不想活了?|想死|去死|活不下去)"
    # (not a post on 朋友圈 quoted: the writer's own words, blind round 26)
    r"|(老板|同事|领导|朋友(?!圈)|室友|同学)(?![^，。,]{0,4}(朋友圈|动态|微博|发帖|留言|签名))[^，。,]{0,4}(说|喊|挂在嘴边)[\"“「‘'][^\"”」’']{1,12}[\"”」’']"
    r"|(号|号码|手机号|这张卡|这个手机|这手机)[^，。,！!？?]{0,6}(已经|就|要|我要)?(让它|把它|它)?(去(了)?另一个世界|长眠|入土(为安)?|下葬|安息|办(个|一个)?葬礼)"
    r"|[“\"「『‘][^”\"」』’]{1,16}[”\"」』’][^，。,]{0,4}(是)?(哪首歌|哪首诗|什么歌|歌词|诗句|出自|台词|下一句|上一句|课文|书名|歌名)"
    # blind round 19: "歌词是‘站在楼顶看夕阳’那首叫啥": the line named as a song's first
    r"|(歌词|台词|诗句|那句歌)(是|里|有|叫|就是)?[“\"「『‘'][^”\"」』’']{1,16}[”\"」』’'](那首|这首|的歌|是哪|叫啥|叫什么)")
# Blind round 19: the interest, not the life, that cannot be borne ("利息真
# 的扛不住了 求减免"), with relief asked for; hope given up but holding on
# ("每天都很丧 看不到希望 但我会撑着 就是现在真没钱").
_MONEY_TOO_HEAVY = re.compile(r"(利息|罚息|月供|房贷|车贷|还款|欠款|债|账单|开销|费用|手续费|年费|滞纳金)[^，。,]{0,6}(扛|撑|熬|顶|挺)不(住|下去)")
_WILL_HOLD_ON = re.compile(r"我(会|还会|还得|得|要|还要|能|一定会)(撑|挺|坚持|扛)(着|住|下去|过去)")
# Passwords written down for a parent who forgets them: "给我妈把所有密码写
# 在一张纸上了，她老记不住" (safety round 17).
_PASSWORDS_FOR_A_PARENT = re.compile(r"记不住|老忘|总忘|忘了密码|怎么改|改密码|修改密码")
# A method named in a lesson (blind round 17: "我在给学生讲氰化物 上课呢 下了
# 课再聊"): the teacher's subject, unless a hoard or an own wish is said.
_TEACHING = re.compile(r"给(学生|孩子们|同学们|高[一二三]|初[一二三])(讲|上课)|上课|讲课|课上|备课|教案|这(节|堂)课|(化学|生物|实验|安全)课|那一章|课本|教材|教化学|教生物|(化学|生物)老师")
# The tools of a trade given away on giving the trade up (blind round 17:
# "我把摊子和推车都送给我表哥了 城管天天撵 不摆了").
_TRADE_GIVEN_UP = re.compile(r"(摊子|摊位|推车|三轮|档口|铺子|店面|工具|设备|货车|渔船|机器).{0,20}(不摆了|收摊|不干了|不做了|关店|关门|转让|不开了|改行|不跑了)"
                             r"|(不摆了|收摊|不干了|不做了|关店|转让|不开了|改行|不跑了).{0,20}(摊子|摊位|推车|三轮|档口|铺子|店面|工具|设备|货车|渔船|机器)")
# "No such day" said of a day off cancelled, with the payment moved (safety
# round 18: "你说的那个调休日没有那一天了 假期取消了 我改成周一还").
_DAY_CANCELLED = re.compile(r"调休|假期|放假|节假日|取消了|改成|改到|改期|挪到")
# Safety round 18's look-alikes: a cut while cooking ("切菜划了一道口子 打字慢"),
# a blade bought on the card and asked about ("买剃须刀片刷的卡 这笔在不在本期账
# 单里"), the last contact because the debt is paid off ("这应该是我最后一次和你
# 们联系了，因为下月就全部结清了").
_KITCHEN_CUT = re.compile(r"(切菜|切肉|切水果|做饭|削(苹果|水果|皮)|杀鱼|剁(肉|排骨|馅))[^，。,]{0,6}(划|切|割|剁)(了|到|破|伤)")
_CUT_ON_PURPOSE = re.compile(r"自己|故意|手腕|又(割|划|切)|想(割|划)")
_BOUGHT_ON_THE_CARD = re.compile(r"(买|购买|网购|下单)[^，。,]{0,10}(刷的卡|刷卡|刷的|的钱)|这笔(消费|账|钱)?(在不在|是不是|算不算|能不能|怎么)"
                                 # safety round 20: a line of the statement, owned or disputed
                                 r"|账单(上|里)(有)?一笔|(药店|五金店|超市)(的)?消费|商户(名)?是|明细上写的是")
# A place named as an address ("江边那个网点", "过了大桥右手边那个": safety round 20).
_PLACE_AS_ADDRESS = re.compile(r"(江边|河边|桥边|大桥|海边|湖边)(那个|那家|的|旁边的|边上的)?(网点|营业厅|支行|银行|超市|市场|小区|学校|公园|饭店|药店)"
                               r"|过了(大桥|桥)(右|左)(手边|边)")
# "系统里已经没有我这个人了" after the account is closed (safety round 20).
_CLOSED_ACCOUNT = re.compile(r"(系统|名单|数据库)(里|中)?(应该|照理说)?(已经)?(就)?没有我(这个人)?了")
_LAST_BECAUSE_PAID = re.compile(r"因为.{0,10}(结清|还清|还完|全部还上|都还了)")
# The phone not answered (the "unreachable" sign's words for it).
_NO_ANSWER = re.compile(r"没人接|没有人接|没人回|没人应")
# Why the phone will not be answered, said beside it (twenty-third round):
# "我明天出差 打电话应该没人接", "手机要停机了 以后打没人接".
_PHONE_AWAY = re.compile(r"出差|上班|下班|加班|办公室|座机|前台|店里|公司电话|夜班|开会|手术|飞机|高铁|火车|出国|出海|下井|进山|没信号|信号不好|停机|销号|换号|关机|静音|在外地|住院|考试|值班|上课")
# Death's-head emoji in a game: "游戏又gg了 💀💀 等我打完这把".
_GAME_ROUND = re.compile(r"游戏|打完这把|这把|排位|上分|开黑|王者|吃鸡|原神|lol|掉分|连跪")
# Thirty-second round (blind round 25): everyday reasons for the round's
# single signs. Clothes given away at a change of season or a clear-out, a
# deposit left behind at a move ("押金不要了 那房子太破 换地方住了"); a last
# post after the debt is paid off ("上岸了 最后一篇负债笔记 不再更新");
# somebody seen walking to the river to fish; "姐妹们都要好好的" as a New
# Year's wish. (A game's 紫砂, "排位又紫砂了 队友全在骂", is _IN_A_GAME's.)
_CLEAR_OUT = re.compile(r"换季|清理|清一清|收拾|整理|断舍离|穿不下|不合身|小了|旧(衣服|手机|书|家具|东西)|太旧|太破|换地方住|换个地方住|换房"
                        r"|搬家|搬新家|搬屋|搬走|退租|新房子|新家")
_DEBT_FREE = re.compile(r"上岸|还清|还完|结清|无债|清零|毕业|考上|找到工作|重新开始")
_OUTING = re.compile(r"钓鱼|散步|遛狗|遛弯|跑步|游泳|拍照|看烟花|放烟花|烧烤|乘凉|看日出|看日落|骑车|锻炼|野餐")
# The family settling a dead relative's affairs ("我爸上个月走了 … 我们处理
# 他身后事的时候一起交的": blind round 25).
_THEIR_AFFAIRS = re.compile(r"(处理|办|料理|办理|操办)(完)?(他|她|我爸|我妈|我父亲|我母亲|老人|老爷子|老太太|爷爷|奶奶|外婆|外公|我老公|我老婆)(的)?(身后事|后事|丧事)")
_OWN_AFFAIRS = re.compile(r"(我|自己)(自己)?的(身后事|后事)|(安排|准备|交代)(好)?(我|自己)")
_WISHES = re.compile(r"新年|快乐|节日|生日|加油|晚安|明天见|下次见|再聊|发财|顺利|健康|平安")

# Thirty-fourth round (blind round 27, read once round 28 was frozen): the
# 冬至 hotpot on charcoal and the brazier before a house comes down; fishing
# or herding by the river and back later ("去河边钓鱼了 今天不回来吃饭了");
# a "永别" said to a boyfriend one has left; a husband gone off to trade
# who does not come back.
_HOTPOT_OR_BRAZIER = re.compile(r"涮(羊肉|肉|锅)|铜锅|炭盆|火盆|烤火")
_BY_THE_WATER_FOR = re.compile(_OUTING.pattern + r"|钓了|放羊|放牛|放鸭|赶鸭|洗衣服|割草")
_BACK_LATER = re.compile(r"回头再说|回头聊|不回来吃(饭|晚饭|午饭)|(饭|晚饭|午饭)不回来吃|回来再|晚点回|明天再")
_PARTED_FROM = re.compile(r"(跟|和|与)(他|她|前任|前男友|前女友|渣男|那个男的|那个女的)永别")
_BREAK_UP = re.compile(r"分手|离婚|分了|前任|前男友|前女友|渣男")
_MOVING_HOUSE = re.compile(r"搬家|搬新家|搬屋|搬走|退租|新房子|新家|换地方住|换个地方住|换房")
# A task or a trip that ends, not a life ("考试一切都结束了 终于放假", "今晚就
# 结束 加班终于完了", "过年在老家 初八之前不打算回来了").
_TASK_DONE = re.compile(r"考试|加班|放假|比赛|活动|项目|下班|会议|演出|促销|优惠|装修|疗程|培训")
_TRIP_BOUNDED = re.compile(r"之前|以前|过年|春节|出差|老家|暂时|这几天|周末|打工|上班|定居|留学|工作")
_CHILDHOOD = re.compile(r"小时候|从小|以前常|那时候常")
# Thirty-fifth round (blind round 28): payday too far off, part paid now and
# the rest on a date ("这个月等不到那天，15号先还800，剩下的20号补上").
_PAID_BEFORE_PAYDAY = re.compile(r"等不到(那天|发工资|发薪).{0,24}(先还|先付|先转|先交)|(先还|先付|先转).{0,12}(剩下|余下)的?.{0,8}(号|月底|补)")
_SPOUSE_AWAY = re.compile(r"(老公|老婆|男人|丈夫|媳妇|前夫|前妻)[^。！!]{0,16}(做生意|打工|出国|回国|跑了|跟人跑)[^。！!]{0,8}不回来")

