"""Safety nets that must not depend on a statistical model: crisis and opt-out.

A missed self-harm message is the worst thing this product can do and a
missed opt-out breaks the law, so these patterns override whatever the
intent classifier said (bot/nlu/keyword_override.py), and the SMS channel
honours an opt-out with them before Rasa sees the message (bot/core/sms.py).
They are recall-first: a false crisis costs a caring question and maybe a
person's time; a missed one can cost a life.

Crisis comes in two tiers:

- ``certain``: explicit intent to die or harm oneself, a method with intent
  (a bottle of pills saved up, standing on a roof), a farewell with
  finality, giving one's things away, "not worth living", in Chinese,
  traditional characters, pinyin or English. The bot gives the hotline and
  hands over to a person at top priority.
- ``possible``: ambiguous despair (活着好累, 撑不下去了, 一切都结束吧), a method
  or place word without intent, 不想活 as hyperbole (忙得不想活). The bot
  checks in gently (are you safe? the hotline, a person if they want one)
  instead of carrying on; two different ambiguous signs in one message
  count as certain.

Emoji speak too: a means or a place of dying drawn as emoji (💊 🔪 🌉) with a
goodbye (👋 😴, 再见) or with another of them is certain.

Every pattern is matched on the text as the classifier reads it
(bot.core.textnorm: traditional → simplified, full-width → half-width,
emoji to words), with spaces and punctuation removed, and on the raw text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, List, Optional, Pattern, Tuple

from bot.core import textnorm

# The net reads each message in several views, and the SMS channel and the
# NLU pipeline both ask about the same text: normalise each text once.
normalize = lru_cache(maxsize=1024)(textnorm.normalize)

CERTAIN = "certain"
POSSIBLE = "possible"
# The parse-data key where the NLU override says what the net did.
SAFETY_KEY = "safety"


@dataclass(frozen=True)
class CrisisFinding:
    """What the crisis net saw: its tier and the patterns that matched."""

    tier: str  # CERTAIN or POSSIBLE
    rules: Tuple[str, ...]


# --------------------------------------------------------------------------
# Views of the text
# --------------------------------------------------------------------------

_PUNCT_OR_SPACE = re.compile(r"[\s\W_]+", re.UNICODE)
# ASCII words are kept out of textnorm's pinyin expansion for the opt-out
# view: "td是什么意思" is a question about the word, not an opt-out.
_ASCII_WORD = re.compile(r"[A-Za-z0-9'’+$]+")


def _compact(text: str) -> str:
    return _PUNCT_OR_SPACE.sub("", text or "").lower()


def _normalized_keeping_ascii(text: str) -> str:
    """textnorm's normalisation of everything but ASCII words."""
    out: List[str] = []
    pos = 0
    for match in _ASCII_WORD.finditer(text):
        if match.start() > pos:
            out.append(normalize(text[pos:match.start()]))
        out.append(match.group(0))
        pos = match.end()
    if pos < len(text):
        out.append(normalize(text[pos:]))
    return "".join(out)


@lru_cache(maxsize=512)
def _views(text: str, expand_pinyin: bool = True) -> Tuple[str, ...]:
    """Compact forms of the raw and the normalised text (deduplicated).

    The opt-out net does not read textnorm's pinyin expansion (td → 退订
    anywhere in a sentence): only its own whole-message conventions.
    """
    text = text or ""
    forms = [text, _normalized_keeping_ascii(text)]
    if expand_pinyin:
        forms.append(normalize(text))
    seen: List[str] = []
    for form in forms:
        compact = _compact(form)
        if compact not in seen:
            seen.append(compact)
    return tuple(seen)


@lru_cache(maxsize=512)
def _spaced(text: str) -> str:
    """The normalised text with punctuation as single spaces, for rules that
    need to see where a sentence starts (照顾好我妈 as a farewell, not 为了照顾好我妈)."""
    return " " + _PUNCT_OR_SPACE.sub(" ", normalize(text or "")).strip().lower() + " "


@lru_cache(maxsize=512)
def _english(text: str) -> str:
    """Lower-case words separated by single spaces, apostrophes kept."""
    text = normalize(text or "").lower().replace("’", "'")
    return " " + re.sub(r"[^a-z0-9']+", " ", text).strip() + " "


def _rules(pairs: Iterable[Tuple[str, str]]) -> Tuple[Tuple[str, Pattern[str]], ...]:
    return tuple((name, re.compile(pattern)) for name, pattern in pairs)


# --------------------------------------------------------------------------
# Crisis
# --------------------------------------------------------------------------

# 着 in traditional text stays 著 (both are simplified characters too).
_ZHE = "[着著]"
# Method nouns: alone they are only a sign; saved up, bought or swallowed
# they are a plan.
_METHOD_NOUN = "(安眠药|安定片|安定药|镇静药|农药|老鼠药|鼠药|耗子药|毒药|氰化物|砒霜|杀虫剂|敌敌畏|百草枯|除草剂|木炭(?!.{0,2}(涨|价|生意))|(?<!木)炭(?!烤|火|涨|价)|绳子|绳索|刀片|煤气(?![费灶表公罐])|一瓶药|一整瓶药|一把药)"
_HOARD = "(攒|存|储|囤|屯|买好|买了|备好|备了|准备好|准备了|准备|吃了|吞了|喝了|全吃|全部吃|一次吃|一口气吃|都吃|吃掉|吞下|一瓶|一整瓶|一大瓶|挂好|系好|绑好)"
_HIGH_PLACE = ("(天台|楼顶|顶楼|屋顶|楼顶上|天台上|窗台|窗户外|窗外|阳台外|阳台边上|桥上|大桥上|立交桥上|桥栏|桥边|桥度|铁轨|铁道|轨道上|悬崖"
               # issue 18, third round: more high places and edges
               "|楼顶边|天台边|女儿墙|高楼顶|大楼顶|高架桥上|天桥上|跨江大桥|江桥上|大坝上|山顶上|崖边|悬崖边|海堤上)")
# Doing chores up there is no crisis: 我在天台收衣服.
_PLACE_CHORE = ("(?!(上)?(收|晒|晾|乘凉|抽烟|抽|吃饭|吃|喝|种|信号|打电话|玩|散步|喝茶|看风景|堵|塞车|塞車|等(朋友|车|公交|同事|老婆|老公|外卖|快递|你)|接人|拍照|遛|钓|开车|坐车|部|局|上班|工作|开会|干活|搬|修|装"
                "|花园|餐厅|酒吧|咖啡|健身|泳池|派对|看(日出|日落|星星|风景|夜景|烟花|月亮)|马上到|快到|过马路|走路|骑车|跑步|办公|宿舍|家|房间|教室|仓库|食堂))")
_WATER = "(江边|河边|海边|湖边|江里|河里|海里|湖里|水库边|江堤|河堤)"
_FAMILY = "(妈|爸|弟|弟弟|哥|姐|妹妹|妈妈|爸爸|我妈|我爸|老妈|老爸|父母|爸妈|孩子|娃|女儿|儿子|老婆|老公|家人|家里人|奶奶|爷爷|外婆|姥姥|阿爷|阿嫲|阿婆|阿公|阿妈|阿爸|老豆|老母)"
_BELONGINGS = "(东西|遗物|财产|存款|积蓄|家当|衣服|首饰|手表|手机|电脑|吉他|游戏机|相机|戒指|项链|猫|狗|宠物|房子|车子|所有)"

CRISIS_CERTAIN = _rules([
    ("explicit", r"自杀|轻生|寻死|自尽|自我了断|了结自己|了断自己|自己了断|结束自己|结束生命|结束我的生命|结束我自己"
                 r"|自残|伤害自己|弄死自己|杀了自己|杀死自己|捅自己|割自己|拿刀.{0,4}自己|想zs|要zs|去zs|zisha|buxianghuo|bxhl|qingsheng|想die|要die|去die|wanttodie"
                 # pinyin mixed in and homophone typos (字杀, 不想或了, 活不下区)
                 r"|把自己(结束|了结|解决|弄死|杀)|自行了断|一死百了|我(这种人|这样的人)?(就|真的|真)?(该|应该|只配|活该)(去)?死(?!心|机|板|磕|的)|(恨不得|巴不得)(自己|我)?(去)?死"
                 r"|只有(去)?死(才|才能)|死(是|才是)(最好|唯一)的|(唯一|最后)的(出路|办法)(就)?是死|死咗就唔使|活不过(今晚|今天|明天|这个月)"
                 r"|^wxs$|(想|要|去)s(了|啊)?$|(?<![a-z])(想|要|去)s(?![a-z码号])|(?<![a-z])bxh(?![a-z])"
                 r"|(想|要|去)si(?![a-z])|xiangsi(le|a)|bu(xiang)?(yao|zai)?huo(le)|不想(要|再)?huo|自sha|zisha|tiao(楼|河|江|海)|跳lou"
                 r"|字杀|自沙|自刹|子杀|不想(或|伙|火|获)(了|下去)|活不下(区|趣|曲|取)"),
    ("not_live", r"(?<![得活])(?<!没有)(?<!没)不想活|(?<!得)不想再活|活不下去|活不成了|不打算活|(?<!活)不活了|活够了|没法活|没脸活"
                 r"|不愿(意)?(再)?活|不配活|没脸(再)?活|不值得活|没资格活|不想(再)?活在这个世界|唔想(再)?活|活唔落去|(不想|唔想)(再)?生存"
                 r"|活着.{0,6}不值得|为(什么|啥)(还)?要?活(着|下去)|(找不到|没有|没了|失去了|不知道).{0,4}活下去的(理由|意义|动力|勇气)"
                 r"|不配(有明天|拥有明天|活在)|存在(本身)?(就)?(是)?(个|一个)?错误|不该(出生|存在|来到这个世界)"
                 r"|(没有|没|毫无)(任何|什么)?(可|好|值得)?(的)?留恋|不该活(着|下去)|这辈子就(到这|到此|这样结束)|这辈子到此为止"),
    ("want_die", r"(?<!得)(?<!得我)(?<!笑到)(?<!笑到我)(好|真|很|只)?想死(?!你|您|了你|人|(呀|啊|咩|吗|嗎|呢)你)|想去死|要去死|只能去死|(?<![你们])就去死"
                 r"|我去死|(今晚|今天|明天|明晚|今日|等下|一会|待会)(就)?去死|想死咗|死咗算|死了(他|它)?算(啦|了|吧)|去死好了|死了算了|死了拉倒|一死了之|不如(去)?死|死了干净|死给你们看|拿命(抵|还|来还)"
                 r"|以死谢罪|一了百了|(用|以)命(还|抵)|命来(还|抵)|(怎么|怎样|如何|用什么)(去)?(死|自杀)|死法|死得不痛|不痛(苦)?的死法|我死了(?!也不|都不|也要|也会)|(?<![人他她妈爸])死了就不用还|死(了|咗)就(什么|啥|乜)?都?(不用|唔使)(还|管|理)"
               # the life itself handed over, the world left: 这条命你们拿去, 这个世界我不待了
               r"|(这条|我的|我这条)命.{0,4}(拿去|拿走|给你们)|(这个)?世界.{0,3}我?不(想)?(再)?(待|呆)了|不想(再)?(待|呆)在这个世界"
               r"|决定(了)?(今晚|今天|明天|明晚)?(就)?(要)?(做(个|一个)?)?(了断|了结)(自己)?(了|吧)?$"),
    ("method", r"跳楼(?!价|大甩卖|甩卖|清仓|促销|大促)|跳河|跳江|跳海|跳湖|跳桥|跳下去|跳下楼|跳出去|从.{1,8}跳(下|出)"
               r"|割腕|割脉|上吊|投河|投江|投海|投湖|被车撞死|撞死(我)?自己|(想|要)(去)?撞车|吊死|卧轨|烧炭|喝农药|喝药|吞药|服毒|吃安眠药|吞安眠药|开煤气|开了煤气|煤气开了"
               r"|" + _METHOD_NOUN + r".{0,6}" + _HOARD + "|" + _HOARD + r".{0,6}" + _METHOD_NOUN
               + r"|药.{0,4}吃下去|洗胃|割了(几|一|两)?(刀|下)|手腕.{0,6}(血|割|划)|药都攒|药.{0,3}(攒|存|囤|储)(了|咗|起来|够)|药.{0,8}(储|攒|存|囤)(埋|起|好|够|齐)|(药|片|粒).{0,10}够数|(攒|存|囤|储)(了)?(很多|好多|一堆|一些|不少|一大堆)?(的)?药|药(都|全|全部)(吃|吞)(了|掉|下|完|光)|刀.{0,4}在手边|刀已经|绳子(已经)?(挂|系|绑)|绳(子|索)?(已经|都)(挂|系|绑|打)好"),
    ("place", r"(站在|站到|站上|爬上|爬到|坐在|蹲在|躺在|翻过|翻到)(了)?" + _HIGH_PLACE + _PLACE_CHORE
              + r"|(我在|我现在在|现在在|已经在|人在|一个人在|我到了|已经到了|^在|喺)([0-9一二三四五六七八九十几]+(楼|层)的?)?" + _HIGH_PLACE + _PLACE_CHORE
              + r"|(站在|坐在|蹲在|一个人站在|一个人坐在)" + _WATER),
    # Being there and wanting to go down, or asking which is highest.
    ("place_intent", r"(" + _WATER + r"|桥|河堤|江堤|站台|铁轨).{0,12}(想|要|准备|就)(走|跳|飞|行)?下去"
                     r"|从.{0,8}(楼|天台|楼顶|窗户)(上)?(飞|跳|冲)下去|从.{0,8}桥(上)?(飞|跳|冲)?下去|飞下去|跳落(去|嚟)"
                     r"|(去|到)" + _WATER + r".{0,8}不(会)?(再)?回来|哪(座|个|栋)(桥|楼).{0,3}最高|最高的(桥|楼)"
                     r"|(站台|铁轨).{0,12}(车|火车|地铁).{0,3}来了.{0,3}(我)?就(下去|跳|冲)"
                     r"|(" + _WATER + r"|江边|桥上|悬崖).{0,12}(往前开|开下去|冲下去|踩油门|开进去)"
                     r"|(躺在|躺到|睡在|趴在)(了)?(铁道|铁轨|轨道)"
                     r"|(去|到)(一个)?(没有|没)(人)?(催债|债|痛苦|烦恼)的地方"),
    # Car, smoke, starving, burning oneself: methods the list above lacks.
    ("method_more", r"车库.{0,12}(发动着|没(打算|想)?熄火|不熄火)|不(打算|想|准备)(再)?踩刹车|(想|要)(一头|直接)?撞(上|向)?(护栏|大树|大车|桥墩)"
                    r"|不(打算|想|准备)再吃(东西|饭)?了|(烟头|打火机|开水).{0,4}烫自己|(烫|划|烧|掐|撞)(伤)?(了)?自己(的)?(手|胳膊|腿|头)?"
                    r"|盯着.{0,6}刀|刀.{0,4}手腕|手腕.{0,4}刀|划了(一|几|两)?(道|刀|下)|又划了"
                    r"|药.{0,6}(攒|存|囤|数|准备|备|买)(够|好|齐|起来)|(攒|存|囤)(起来)?.{0,4}(终于)?够了|攒够|少吃.{0,4}攒"
                    r"|(吞|吃)了(一堆|一把|一瓶|整瓶|很多|好多|一大把)(的)?药|(食晒|吃光).{0,3}药|药.{0,3}(食晒|吃光)|(药|片)(一颗一颗|一片一片).{0,4}数"),
    # The debt ends with the person.
    ("debt_dies", r"(债|钱|欠款|这笔账).{0,6}(跟着我|和我|随我|跟我)(一起)?(走|消失|入土|带走|死|进棺材)"
                  r"|人(死|没)了.{0,3}债(也)?(就)?(清|没|了|一笔勾销)|(拿|用|以)(我)?(的)?(这条|条)?(烂)?命(去|来)?(还|抵)"),
    ("farewell", r"遗书|遗言|后事.{0,4}(安排|交代|准备|处理)|安排好(了)?后事|身后事|离开这个世界|离开人世|告别这个世界"
                 r"|再见了?(这个)?.{0,4}世界(?!杯)|这个世界再见|永别|诀别|最后一次(和|跟|给|与|同)?(你们)?(联系|说话|讲话|讲嘢|讲东西)|最后一次(跟你们说|和你们说|给你们发|回(你们)?(的)?(消息|信息|短信))"
                 r"|(替我|帮我)(跟|和|向|对)" + _FAMILY + r".{0,4}(说声|说|道)(个|声)?(抱歉|对不起|再见)"
                 r"|(帮我|替我|拜托.{0,4}|麻烦.{0,4}|以后|你们)照顾好?" + _FAMILY
                 + r"|(?<![要得会能想在去了为来着没])照顾好(我)?" + _FAMILY
                 + r"|(再也|永远)(联系不到|找不到|见不到|听不到|不会见到|不会再见到|不会再听到)(我)"
                 + r"|(我走了|我走后|我不在了|我没了)(以后|之后)|等我(走了|不在了|没了)"
                 + r"|下辈子见|来世再见|对不起.{0,8}(下辈子|来世|来生)|不想再醒|不要再醒|不用再醒|不会再醒|别再醒|睡过去就不(要)?醒"
                 + r"|一睡不醒|一睡不起|再也不醒|永远睡|长眠不醒|睡.{0,6}不(再)?醒|永远的解脱|永远解脱"
                 + r"|看不到(明天|明年)|明天的太阳我看不到|(写好|立好|准备好|留好|写了)(了)?遗嘱|遗嘱.{0,3}(写好|立好|准备好|留好)"
                 + r"|(在)?天上等我|天堂见|去天堂|去另一个世界|另一个世界见"
                 # no longer here, can no longer be reached
                 + r"|我(也|就|已经|早就|都|马上就|很快就)不在(人世|了)|我不在人世|没有我这个人|(就|马上|很快)(要)?没有我了"
                 + r"|(明天|以后|从此|今后|马上|很快|(今晚|今天|今日|明天|明晚)(之后|以后|过后)|过了(今晚|今天))(你们|谁|任何人|大家)?(就|都|也)?(再也)?(联系不到|找不到|见不到)我|(以后|再也|永远|从此)(你们|大家|你|他们)?(都)?不会再(听到|见到|收到|看到|联系到|找到)我|谁都找不到的地方"
                 + r"|告别信|绝笔|最后一封信|不会(再)?醒(来)?了|永远(地)?离开|(和|跟|向)(这个)?世界.{0,3}(说再见|告别|道别)|我(走|死)(了)?(以后|之后|后)|(安排好|处理好|交代好)(了)?(我)?(再|就)走|以后(我)?(就)?照顾不了(他|她|你|你们|他们|孩子|我妈|我爸|爸妈|家里)"
                 # goodbyes to everyone, thanks for all this time
                 + r"|((跟|和|向)(所有|每个)(朋友|人|亲人)|(跟|和|向)(家里|家人|爸妈|父母|女朋友|男朋友)).{0,3}(说了|道了|告了)(再见|别)"
                 + r"|(每个|所有)(朋友|人|亲人).{0,4}(都)?(发了|说了)(谢谢|再见|对不起)"
                 + r"|(一直以来|这段时间|这些年|这么多年).{0,8}(照顾|包容|关照|帮助).{0,6}再见|再见.{0,6}(谢谢|感谢).{0,10}(一直以来|这段时间|这些年|这么多年)"
                 + r"|(不|别)(要)?(再)?醒来就好|不(想|要)再睁(开)?眼|(结束|了结|死)的?(地方|日子|方式|时间).{0,4}(选好|定好|找好|想好)"
                 + r"|(去)?陪(我)?(去世|过世|死去|走了)的"),
    ("give_away", r"(?<![旧新])" + _BELONGINGS + r"(?:(?!旧|新).){0,6}(都|全|全部|已经|都已经|也)(送人|送给|分给|分掉|留给|送掉|托付|转给|分晒|送晒|派晒|送了人|分了人)|(孩子|娃|猫|狗|宠物|爸妈|我妈|我爸|家人).{0,5}托付给|身后(的)?(东西|事)"),
    ("not_worth", r"活" + _ZHE + r"(真|真的|已经|都|也|实在)?(没|没有|有什么|有啥|还有什么|还有啥|毫无|一点)(什么|啥)?(意思|意义|用|盼头|希望|价值|劲)"
                  r"|活" + _ZHE + r"(干嘛|干什么|干啥|做什么|有什么用|就是(个)?(拖累|累赘|多余|浪费|折磨))"
                  r"|活" + _ZHE + r"对(谁|大家|任何人|家里|家人)(都)?(没|没有)(好处|用处|意义|价值)"
                  r"|活" + _ZHE + r"(真|真的|已经|都|也|实在)?(没|没有|毫无)任何(意思|意义|价值|希望)"
                  r"|活下去(的)?(意义|理由|勇气)(都)?没|没有活下去的|没(有)?(理由|勇气|意义)活下去|没必要活"
                  r"|(没有我|没我|我不在了|少了我|我消失了|我死了|我走了)(以后|之后)?.{0,8}(都)?(会|能|就|也)?(过得)?(更好|好过|轻松|解脱|清净)"
                  r"|我(死了|消失了|不在了|走了|没了).{0,4}(也)?(不会|没)(有)?人(会)?(在乎|在意|发现|关心|难过)"
                  r"|从这个世界(上)?消失|(这个)?世界(上)?没有我"),
    # ---- issue 18, third round: the facets the people's replies showed ----
    # Methods in typos and Cantonese (跳搂, 割碗, 烧碳, 食咗成樽药), and more
    # poisons and ways.
    ("method_forms", r"跳(搂|篓)|割(碗|婉|豌)|烧碳|碳.{0,8}(点着|点上|烧起来|买好|准备好|备好|已经点)|(想|要|去)tl(?![a-z])"
                     r"|(吃|吞|食|喝)(了|咗|完)?((成|整)(樽|瓶|板|盒)|一(整)?(樽|瓶|大把))(的)?(安眠)?(药|片)"
                     r"|跳崖|跳井|投井|跳轨|跳地铁|自焚|(淹|闷|饿|勒|毒|烧)死(我)?自己|喝(了)?(敌敌畏|百草枯|毒药|杀虫剂|消毒液|老鼠药|耗子药)"
                     r"|吃(了)?(老鼠药|耗子药|毒药)|吞(了)?(刀片|玻璃|电池)|割喉|抹脖子"
                     r"|药.{0,6}(早就|已经|都)(攒|存|囤|准备|备)(下|了|好|够)|药.{0,4}备下了"
                     r"|(查|搜|百度|问|打听).{0,12}(吃)?多少(片|颗|粒)?(的)?(药|安眠药).{0,4}(才)?(够|会死|能死)|吃多少(片|颗|粒)?(安眠)?药(才)?(够|会死|能死)"
                     r"|(麻绳|粗绳).{0,6}(买|准备|备|挂|系)|跳(落|下|进)(海|河|江|湖)|(想|要)(开车|骑车)?(去)?撞(上|向)?(护栏|大树|大车|大货车|货车|卡车|火车|桥墩)"
                     r"|([一二三四五六七八九十两几]+|好几)天没吃(饭|东西).{0,8}(不打算|不准备|不想再|再也不)(吃)"
                     r"|最高(的|那)(栋|座|个)?(楼|桥).{0,4}(下去|跳)|(想|要)从.{0,10}(楼顶|天台|楼上|窗户|阳台|桥上)(跳)?下去"
                     r"|woxiangsi|woyaosi|xiangqusi|buxianghuo|(煤气|燃气)(灶)?(的)?(管子|阀门|管|开关).{0,4}(拔|打开|开着|开了)"
                     r"|(江水|河水|海水|湖水).{0,10}(想|要)(下去|走进去|跳|走下去)"
                     r"|(我就|我干脆|我今天就|我今晚就)从.{0,8}(楼上|楼顶|天台|窗户|阳台|桥上)(跳)?下去(?!拿|取|买|接|吃|找|看|等|开|送)"),
    # Being up there now (我现在就在楼顶), and not coming down.
    ("place_now", r"(我|人)(现在|已经|此刻|这会儿|正)?(就|已经|正)?(在|坐在|站在|蹲在|爬上|爬到|到了|来到)(了)?([0-9一二三四五六七八九十几]+(楼|层)的?)?"
                  + _HIGH_PLACE + _PLACE_CHORE
                  + r"|(天台|楼顶|顶楼|屋顶|桥上|窗台|阳台边|崖边|悬崖).{0,15}(不想|不会|不打算|不准备)(再)?下(来|去)"
                  + r"|(桥|江|河|海|湖|悬崖).{0,16}(连人带车)?(冲|跳|栽|扎)下去|连人带车.{0,4}(冲|开|栽)"
                  + r"|(江边|河边|海边|湖边|桥上|悬崖|水库).{0,12}油门"
                  + r"|(我|人)(现在|已经|此刻|正)?(就|已经|正)?在.{0,4}(大桥|江桥|铁桥|桥|大坝|楼顶|天台|顶楼|悬崖|崖)(上|边)" + _PLACE_CHORE),
    # Dying as a threat at the door: come and collect the body.
    ("threat_die", r"收尸|(给|替)我(办|准备)后事|死在你们(银行|公司|门口|面前)|(就|直接)死(在)?(你们)?(银行|公司)?(门口|面前|楼下)"
                   r"|做鬼(也)?(不会)?(放过|缠着)你们|(这条|我的|我这条)(烂|贱|破|老)命(?<!要了我的老命)"),
    # No tomorrow: eyes that need not open again.
    ("no_tomorrow", r"(要不要|还要不要|该不该)(再)?睁(开)?眼|不想(再)?睁(开)?眼|永远不(要|想|会)?(再)?醒|不想(再)?(见到|看到)(明天|明早)的太阳"
                    r"|(今晚|今天|今夜)(就)?(是)?(我)?(的)?(人生|生命)?(中)?(的)?最后一(晚|天|夜)(了)?$"),
    # Alive only as a burden; better off without me (没了我, 好点).
    ("burden", r"活" + _ZHE + r"(就是|只会|只是|也是|都是)(在)?(给.{0,8})?(个|一个)?(拖累|连累|累赘|负担|多余|添乱|添麻烦|浪费|折磨|害人|拖后腿|错误|笑话)"
               r"|(没有我|没我|没了我|少了我|要是没有我|如果没有我|我不在了|我走了|我死了|我没了)(以后|之后)?.{0,10}(会|能|就|也|反而)?(过得)?(更好|好过|好点|好一点|好些|轻松|解脱|清净|舒服|幸福|开心)"
               r"|(没有我|没我|没了我|少了我|要是没有我|如果没有我).{0,10}(就)?不用(再|这么)?(操心|受累|受苦|担心|为难|受罪|还债)"),
    # What becomes of the debt once I am dead: the writer's own death.
    ("debt_after_death", r"我(要是|如果|万一|哪天|要)?(死了|没了|不在了|死掉|走了|消失了)(以后|之后|的话)?.{0,12}(债|账|钱|欠款|卡|这笔).{0,10}"
                         r"(谁(来)?还|还(要|用|得)还|不用还|会不会|怎么办|找谁|一笔勾销|就没了|清了|算了)"
                         r"|我(要是|如果|万一|哪天|要)?(死了|没了|不在了|死掉)(以后|之后|的话)?.{0,8}(一笔勾销|不用还|就清了|能不能不还)"),
    # Goodbyes: not to be found after a time (找不着, 过了这个月), no more
    # chasing because I am gone, the funeral, forget me.
    ("farewell_more", r"(以后|从此|今后|再也|永远|过了(今晚|今天|明天|这个月|这周|这几天|这阵子|月底)|(今晚|今天|明天|明晚)(之后|以后|过后))"
                      r".{0,4}(你们|谁|任何人|大家)?(就|都|也)?(再也)?(联系不(到|上)|找不(到|着|著)|见不(到|着|著))我"
                      r"|(过几天|过两天|过些天|再过几天|没几天|很快|马上)(你们)?(就)?(再也)?(联系不(到|上)|找不(到|着|著)|见不(到|着|著))我"
                      r"|(就)?没(有)?(我)?这个人了|(给|跟)(每个人|所有人|大家|家里人|家人).{0,4}(都)?留(了|好|好了|下)(话|信|言|遗言)"
                      r"|(想说的话|要说的话|想对.{0,6}说的话)(都)?(录|写|留)(在|好|了|下)"
                      r"|(今晚|今天|明天|明晚|今日|今夜)(之后|以后|过后)?.{0,4}(就)?不用(再)?(找|催|联系|打给|打电话给|等)我"
                      r"|(以后|从此|再也)(就|都|也)?不用(再)?(催|找|打|联系)(了|我了|我)?.{0,6}我(已经|就|都)?(不在|没|走)了"
                      r"|(替我|帮我)(孝顺|照顾|陪|看好)|(别|不要|不用)(为我|替我)(难过|伤心|哭)|忘了我吧|把我忘了|就当没有我这个(人|儿子|女儿)"
                      r"|原谅我(的)?(选择|离开|不孝)|(跟|和)这个世界(两清|没关系了)|永远(地)?休息|长眠|我的(葬礼|骨灰)|骨灰(撒|洒)|(不用|别|不要)(给我)?(办|开)(葬礼|追悼会)|谢谢你们陪我走到(这里|最后)"
                      r"|(老伴|老头子|老头|老婆子|老太婆|老公|老婆|孩子|儿子|女儿|我妈|我爸).{0,4}(走了|去世|过世|没了).{0,16}(我)?(也)?(该|要|想)(去)?(找|陪|见)(他|她|他们)"),
    # ---- issue 18, fourth round: the kinds the dev sets' misses named ----
    # Internet slang for suicide (紫砂 sounds like 自杀; not the teapot).
    ("slang_forms", r"(想|要|去|选择|准备|打算|干脆|不如|我)(去)?(紫砂|自鲨|自鯊|字砂|紫杀|紫沙)(?!壶|锅|杯|陶|茶|器|泥)"
                    r"|(紫砂|自鲨|自鯊)(算了|了吧|吧|去了)"),
    # Harm already done: cuts, a wrist, pills by the box or by the dozen.
    ("harm_done", r"割(了|咗|破)(我的|自己的)?(手腕|手|腕|脉|动脉)|(手腕|手臂|胳膊|手上|腿上|大腿)(上)?的?(口子|伤口|刀口|血痕|划痕)(又)?(多了|添了|加了|深了)"
                  r"|(手腕|手臂|胳膊|手上|腿上|大腿).{0,4}(又)?划(了|出|咗)(好多|很多|几|一|两|三)?(道|条|个)?(口子|刀|道|条|下)"
                  r"|(吃|吞|食)(了|咗|落|下)(一整瓶|一整盒|整盒|整瓶|整板|一整板|成樽|[0-9]{2,}(片|颗|粒)|[二三四五六七八九十几]+十(片|颗|粒)|几十(片|颗|粒))"
                  r"(?!.{0,3}(酸奶|饮料|可乐|酒|水|牛奶|维生素|钙片|糖|零食|饼干|薯片|瓜子|坚果|鱼油))"),
    # The end of the debt is the end of the writer: nobody will owe you again.
    ("debtor_gone", r"(以后|再也|从此)?(就)?不会(再)?有人欠你们(的)?钱了|(以后|再也|从此)(就)?没(有)?人(再)?欠你们(的)?钱了"),
    # Living has no point, in Cantonese and plain words (生存冇意思, 做人没意思).
    ("no_point", r"(不想|不愿意|不愿|唔想)(再)?(继续)?存在(了|下去)|(生存|活住|活着|活著|做人)(真系|真係|真的|真是|都|已经|实在|根本)?(冇|没|没有|毫无)(咩|乜|什么|啥)?(意思|意义|盼头|希望|价值)"),
    # Death as the way out (死了就解脱了, 一命抵一命), driving into it,
    # climbed over the railing, sleeping and not waking.
    ("death_way_out", r"死了(是不是|是否)?(就)?(能)?(解脱|一了百了|清净|轻松|干净)|我还是死了(吧|算了|好)|(我)?(消失|死|不在|走)了?(对|为)(谁|大家|所有人|家里|家人|全家|所有的人)都好"
                      r"|一命(抵|换|还)一命|(开车|骑车)?撞死(我)?(自己)?(算了|拉倒|得了)|(开车|开着车|连车)(直接)?(冲下去|冲进(江|河|海|湖|水))"
                      r"|(栏杆|护栏|围栏|窗户|窗台)(我)?(已经)?(翻|爬)(出去|过去|到外面)(了)|睡(下去|过去|着)?(就)?(一直|永远)?不(要|想|用|再)(再)?醒"),
    # ---- issue 18, fifth round: kinds a new writer used (round5_*.yml) ----
    # Means + quantity: how many of a drug is enough, a hundred tablets.
    ("means_quantity", r"([0-9]{2,}|[一二三四五六七八九两几]?[十百]|好几十|几百)(多)?(片|颗|粒|盒|瓶)(的)?(安眠药|安定|布洛芬|扑热息痛|对乙酰氨基酚|止痛药|退烧药|感冒药|降压药|胰岛素|药|药片|panadol|tylenol)"
                       r".{0,6}(够不够|够吗|够了没|够不|才够|能不能|会不会|可不可以)"
                       r"|(多少|几)(片|颗|粒|盒|瓶)(的)?.{0,8}(才)?(够|能|会)(睡过去|不醒|醒不过来|死|走)"
                       r"|(安眠药|安定|布洛芬|扑热息痛|止痛药|退烧药|感冒药|降压药|药片)(有|攒了|存了|一共)?([0-9]{2,}|[一二三四五六七八九两几]?[十百]|好几十|几百)(多)?(片|颗|粒).{0,4}(够不够|够吗|够了吧|够了没)"),
    # Insurance as the way to repay: does it pay when the insured did it himself.
    ("insurance_self", r"(保险|意外险|寿险|保单|理赔|身故).{0,24}(自己|自杀|自行)(走|跳|下去|从|了断|结束|弄|寻)"
                       r"|(自己|自杀|自行)(走|跳|下去|了断|结束)的?.{0,20}(保险|理赔|赔不赔|赔吗|赔付)"
                       r"|让保险(来)?(替|帮)我还"),
    # The life itself given up or handed over (这条命也不要了, 命给埋你们, 要就拿去).
    ("life_given_up", r"(这条|我这条|我的)命(我)?(也|都)?不(想)?要了|命.{0,4}(给埋你们|给你们算了|要就拿去)|要(就)?拿去.{0,6}命"),
    # A deadline on one's own existence: after tonight it will be over.
    ("after_tonight", r"(过了|熬过|过完)(今晚|今天|今夜|今日)(之后|以后)?(我)?(就|也)?(不是了|不在了|不在度|唔喺度|看不到了|没了|见不到了|联系不上了|没人欠你们)"
                      r"|(今晚|今天|今夜)(之后|过后|以后)(就)?没人欠你们"),
    # The place chosen, quiet, where nobody will disturb.
    ("place_chosen", r"地方(我)?(已经|都)?(找好|选好|看好|定好)了?.{0,10}(安静|没人|不会有人|没有人)"
                     r"|(找好|选好|看好|定好)(了)?(一个)?地方(了)?.{0,10}(安静|没人|不会有人|没有人)"),
    # The debt ends when the person goes (人走债清).
    ("debt_goes_with_me", r"人走(债|账)(清|消|了|就清)|(就当|当)我(从来)?没(有)?(存在过|来过|出现过)"),
])

CRISIS_POSSIBLE = _rules([
    ("tired_of_life", r"活" + _ZHE + r"(好|太|真|很|真的|挺)?累|活得(好|太|真|很|真的|挺)累|活" + _ZHE + r"(没劲|好难|太难|好苦|太苦|太痛苦|好痛苦)"
                      r"|人生(没|没有|毫无)(意义|意思|希望)|这辈子(完了|没希望)|生无可恋|生不如死|人间不值得|活" + _ZHE + r"(就是)?受罪"
                      r"|我(就)?是(个)?多余的|吾想活"),
    ("cannot_go_on", r"撑不下去|撑不住了|扛不住了|熬不下去|熬不住了|坚持不下去|挺不下去|挺不住了|不想(再)?(撑|坚持|熬)了|走投无路|(?<!逼上)(?<!逼到)(?<!逼入)绝路|死路一条|没(有)?活路|没(有)?出路了"
                     r"|最后的(办法|出路|解决办法)"),
    ("end_everything", r"结束这一切|结束一切|一切都结束|让一切结束|都结束吧|不想醒来|了结(这)?一切|(这)?一切(都)?了结"),
    ("hyperbole", r"得不想活|得想死|(?<!笑)到想死|逼(上|到|入)绝路|活不活|还让不让人活|不给人活路|逼死|逼我去死|我死了(?!也不|都不)|要死了算|死了就不用还"),
    ("method_word", _METHOD_NOUN + r"|^(哭|难过|伤心|救命|害怕)*(刀|绳子|药|棺材|墓)(刀|绳子|药|棺材|墓|哭|难过|伤心|救命|害怕)*$"),
    # Water only with being there now, not a shop by the river or a fishing trip.
    ("place_word", r"(我在|现在在|已经在|一个人在|独自在|来到|走到|站在|坐在|去|要去|打算去)" + _WATER
                   + r"(?!开|做|住|上班|工作|打工|出差|开会|办事|的|买|卖|摆|附近|旁边|那边|钓|玩|散步|跑步|度假|旅游|旅行|游泳|拍|吃|看|捡|赶海|烧烤|露营|踏青|骑车)"
                   + r"|(去|到|上|爬)" + _HIGH_PLACE + r"|一个人.{0,4}(到|去|在)" + _WATER + r"|到" + _WATER + r"了$"),
    # Going away, said in passing: 我要走了 is also just leaving the chat.
    ("leaving", r"(因为|就要|我要|我快要|我打算|我准备)走了(?!.{0,8}(回头|改天|下次|明天|再聊|拜拜|bye|车来了|(公交|地铁|班车|的士|滴滴|车)(来了|到了)))|去见(我)?(爸|妈|奶奶|爷爷|外婆|外公)了"
                r"|(就|再)?不(会)?(再)?回来了|(准备好了|想好了).{0,4}(今晚|今天|马上|现在)就走|唔会再返(嚟|来)|我走(喇|啦)|不想(再)?回(去|家)了"
                r"|(" + _HIGH_PLACE + r"|" + _WATER + r"|桥上|桥边)(?:(?!堵|玩|度假|旅游|旅行|出差|钓鱼|吃|风景).){0,15}(不想|不会|不打算|不准备)(再)?回(去|来|家)(?!上班|工作|公司|老家|单位|上学)"
                r"|(就快|快要|就要|很快)(要)?(不在度|不在这里|唔喺度)"),
    # Those who died before: going to them.
    ("gone_before", r"(?<!再)(?<!别)(?<!不要)(?<!你们)(?<!不许)(?<!不准)去(找|陪|见)(我)?(去世|过世|死去)?的?(爸|妈|奶奶|爷爷|外婆|外公|姥姥|姥爷)"
                    r"|(他|她)(已经)?(走了|去世|过世)(好|几|[一二三四五六七八九十两]+)(年|个月)"),
    ("farewell_word", r"(跟|对|和)" + _FAMILY + r"(说了|说声|道)(个|声)?对不起|对不起" + _FAMILY + r"|(?<!今天)(?<!今晚)(?<!今日)最后一(条|次)(消息|信息|短信)|再也不用还"
                      r"|这辈子(没|没能|没有).{0,4}(让|给)(她|他|你|你们|爸妈|我妈|我爸|家人).{0,4}享(过)?福|下辈子再做人"
                      r"|(以后|再也)不用(再)?(追着我|催我|找我)|再也不会有人(来)?(催|找|烦)我|(马上|就要|快要|我要|即将)(就)?(要)?消失了"
                      r"|留了(一)?封信|写(了|好)(一)?(封)?信给" + _FAMILY + r"|" + _FAMILY + r".{0,4}(说了|讲了|道了)(声)?再见|(写好(了)?信|封信|遗言).{0,6}(放在|压在)(桌上|枕头|抽屉)|生唔如死"
                      r"|(站在|坐在|爬上|翻过).{0,6}(楼|层)的?(阳台|窗台|窗户)(上|外|边)?" + _PLACE_CHORE + r"|(这些|东西).{0,6}(以后)?用不(上|着)了|不想留下(任何|什么)|(日记|信|照片).{0,4}(全|都)烧了"
                      r"|受益人.{0,6}(改|写|换|填)(成|的|了)|(保险|意外险).{0,20}(用得上|派上用场)|(钥匙).{0,6}留给|到时候别吓着|照顾不了(他|她|你|你们|他们|孩子)了|钱.{0,4}(都|全|全部)(转给|留给)(了)?(我)?" + _FAMILY + r""
                      r"|拜托.{0,4}(带|照顾|养)|(钥匙|银行卡|存折).{0,8}(都|全)(放在|留在|压在)(了)?(桌上|桌子上|抽屉|枕头)|密码.{0,2}(写在|留在)(了)?(纸上|桌上)|写好了?(给|留给)(我)?" + _FAMILY + r"的信|给(我)?" + _FAMILY + r"的信.{0,2}(写好|写完|留好|放好)|我(的)?(人生|生命)?(中)?(的)?最后一(晚|夜)了?$|(今晚|今天|明天|马上|现在)就动手(了)?$|刀.{0,6}(枕头|床头|手边|身边)|托.{0,4}(带|照顾|养)"
                      r"|(一直以来|这段时间|这些年|这几年|这么多年|这么久).{0,8}(照顾|包容|关照)"
                      r"|(密码|存折|银行卡).{0,6}(写给|留给|交给|发给|告诉)(了)?(我)?" + _FAMILY
                      + r"|(猫|狗|宠物).{0,6}(送人|送了人|送了给|拜托|找人养|托付|交给|送给)|(以后|再也)?不用再找我了|(孩子|娃|猫|狗)(已经)?(交给|托给|托付给)|下辈子(再)?(还|报)|来世(再)?(还|报)|来生(再)?(还|报)|不会再(麻烦|打扰)(你们|大家|任何人)"
                      r"|想消失|消失算了|想解脱|终于(可以)?解脱|求解脱|累赘|拖累(家人|家里|大家|你们|他们)|成了(大家的|家里的)?负担|是(全家|家里|大家|家人|所有人)的负担|救救我|救命(?!之恩)|(来|快)?救我"),
    # ---- issue 18, third round ----
    # No future: nothing to look forward to, a life that is over.
    ("no_future", r"看不到(以后|未来|希望|出路|尽头)|不会(再)?有(明天|以后|未来)(了)?|不想(再)?(有|要|面对|再过)(明天|以后|未来)|没有(以后|未来|明天)了"
                  r"|(人生|这辈子|一辈子)(已经|就|算是)?(完了|毁了|到头了|没救了)|这辈子(就)?这样了|(日子|生活)(我)?(一天)?(都|也)?(不想|过不下去)(再)?(过)?了"),
    ("no_hope", r"没(有)?(任何|一点|什么)?(盼头|奔头)"),
    # A burden, useless, ashamed to be seen.
    ("burden_word", r"连累(家人|家里|家里人|大家|你们|他们|孩子|爸妈|父母|老婆|老公)|只会(连累|拖累|添乱|添麻烦|给.{0,6}添(乱|麻烦))"
                    r"|拖油瓶|不中用|被我拖垮|(被|让)我(害|连累|拖累)(惨|苦)了|我就是(个)?(废物|扫把星)|没脸(见|面对)(家人|爸妈|父母|孩子|任何人)"),
    # Giving things away in more words, and things no longer needed.
    # Named as the farewell signs it belongs to, so that it does not count twice with them.
    ("farewell_word", r"(?<![旧新])(?<!闲置)(?<!不用的)(衣服|首饰|手表|手机|电脑|吉他|游戏机|相机|戒指|项链|玩具|书|猫|狗|宠物|东西|家当|存款|积蓄|车|车子|房子)"
                    r"(?:(?!旧|新).){0,8}(都|全|全部|已经)?.{0,3}(送人|送给|送掉|分给|留给|托付|打包送|给了?(我)?(表|堂)?(弟|妹|哥|姐|朋友|同事|邻居|室友|侄子|外甥))"
                    r"|(存折|银行卡|存单|钥匙|房产证).{0,8}(压在|放在|留在|塞在)(了)?.{0,6}(枕头|抽屉|桌上|床头|桌子上)"
                    r"|(银行卡|存折|卡)(和|跟|连同)密码.{0,6}(交给|给|留给|告诉)(了)?(我|你)"),
    ("unworthy", r"不配(再)?(待|呆|留|活)(在)?|不想(再)?做人(了)?$|(静静|悄悄|安静|默默)(地|的)离开(了|吧)?$"),
    ("up_there", r"(窗户|窗台|阳台)(边|外|上|沿).{0,4}(坐|站|蹲)(了)?(很久|好久|半天|一夜|一晚)|楼下.{0,10}(好小|很小|真小)|(我)?(想|要)跳(了|啦|吧)?$"
                 r"|(铁路(?!局)|铁轨|铁道|轨道).{0,10}(火车|列车|车)(快|就要|马上)?(要)?来了"),
    ("entrusted", r"(孩子|娃|我妈|我爸|爸妈|父母|老人).{0,4}(以后|今后)(就)?拜托(给)?(你们|你|大家)|(我)?去(另一个|另外一个|很远的)地方了$|保险(金)?.{0,3}够(还|赔)"),
    ("who_cares_after", r"没人(照顾|管|养)(它|他|她|它们|他们|我妈|我爸|孩子)了?|(以后|将来)要?听(妈妈|爸爸|奶奶|爷爷|你妈|你爸)的话"
                        r"|(银行卡|存折|卡)(的)?密码.{0,2}(写在|留在|记在)|不想(再)?(撑|坚持|熬)(了|下去)?$|(停|开)(在|到)(了)?(悬崖|崖)边"),
    ("unreachable", r"(这个(电话|号码|号)|打我(的)?电话).{0,6}(就)?(没人接|没有人接)了|发给你们的最后一(条|句)|给你们发的最后一(条|句)"
                    r"|我走了.{0,4}(你们|大家|各位)?(多)?保重|(剩下的|以后的事).{0,4}(我)?(也)?(不想|不用|不会)(再)?管了|没(得)?救(了|喇|啦)"),
    ("no_need", r"(反正|以后|从此)(我)?(也|都)?(用不(上|着|到)|带不走|养不了|不需要)(了|它|它们|这些)?(?!.{0,3}(这张|卡|账户|额度|app))"),
    # Going for good, said in passing: decided, then gone.
    ("going_for_good", r"(想好了|决定了|打算好了|准备好了).{0,24}(我)?就(走|离开)(了)?$|就当我(已经)?死了|(早点|早些|早)?走了(也)?(干净|算了|省心)"
                       r"|不想(再)?(回|返)(家|家里|屋企)|(从|由).{0,4}(\d+|[一二三四五六七八九十几]+)(楼|层)(上)?(直接)?下去|(让|叫)你们.{0,6}上(新闻|头条|热搜)"),
    # Asking what happens to a debt when a person dies (not someone's who did).
    ("debt_after_death_question", r"死了.{0,6}(不用还|一笔勾销)|人死(债|账)(消|烂|清)|人(要是|如果)?(死了|没了|不在了)(?!都不)(的话|以后|之后)?.{0,8}(债|账|钱|欠款|卡|信用卡)"
                                  r"|(欠款|债|钱).{0,6}等我(死了|没了|走了)"),
    # Crisis objects in a drowsy goodbye (药再见, 药+睡).
    ("objects_goodbye", r"(药|刀|绳子|棺材|墓).{0,4}(再见|拜拜|永别|晚安)"),
    # ---- issue 18, fourth round ----
    # Whether one will still be alive then; one's life almost gone.
    ("if_alive", r"(如果|要是|假如|万一)(那时候|到时候|那天|那时|到那天)?(我)?(还|都|仍然)?(活着|在世|没死|还在人世|有命)"
                 r"|(我)?(还|都)?(能)?活(到|过)(那天|那时候|下个月|月底|发工资)(的话|再说|吗)|(如果|要是|假如)(我)?(还)?能活(到|过)"),
    ("life_going", r"人都(要|快)?(要)?没了|命都(快|要)(要)?没了|(我)?(这条命|这命)(也)?(快|就要|撑不了)"),
    # Sorry, and going first (先走一步 is also a euphemism for dying).
    ("sorry_leaving", r"先走一步(?!.{0,8}(慢慢聊|你们聊|慢用|慢慢吃|回头|明天|下次|再聊|拜拜|开会|上班|下班|有事|买单|结账))|(对不起|抱歉|原谅我|说对不起|对唔住).{0,10}(我)?(先)?走(了|啦|喇|咗)|(我)?(先)?走(了|啦|喇).{0,8}(对不起|对唔住|原谅我)"),
    ("sorry_to_all", r"(对不起|对唔住)(所有人|大家|每一个人|每个人|各位|全家|家里人|你们所有人)|(跟|对|和|向)(我)?(所有人|大家|每一个人|各位|家里人|" + _FAMILY[1:-1] + r")说(句|声|一声|个)?(对不起|抱歉|对唔住)"),
    # Nothing left to hold one here; next life; goodnight for ever.
    ("no_ties", r"了无牵挂|(没有|没|冇)(什么|啥|乜)?(好)?(牵挂|留恋|挂念)(的)?了|(下辈子|下世|来生|来世)(不做人|再见|见|再做)|下世(先|再)还|(永远|永久)的?(那种)?晚安|晚安.{0,3}(永远|永久)的?(那种)?$|这次是真的晚安|最后一次(说|跟你们说)?晚安"),
    # Waiting where trains come; a knife or blood at hand; doors sealed.
    ("at_hand", r"(刀|刀片)(就)?(在|握在|拿在)(我)?手(里|上)|(手里|手上)(拿着|握着)(一把)?(刀|刀片)|(拿着|握着)(一把)?(刀|刀片)(站|坐|躺)"
                r"|止不住(的)?血|血(一直|止不住|还在)(流|在流)|(门窗|门缝|窗缝|窗户).{0,4}(封好|封上|封死|封住|贴死|贴好)"
                r"|(站台|铁轨|轨道|铁路边).{0,8}等.{0,3}(火车|列车|地铁|车)|(地铁|火车|列车)(进站|开过来|来)(的时候|了)?.{0,4}(我)?就(跳|冲|下去)"),
    # Cantonese: can no longer bear it, planning to go tonight.
    ("cantonese_more", r"(唔想|唔要)(再)?捱|捱唔(落去|住|到)|諗住(今晚|今日|听日|聽日)(就)?走|攞(自己)?命"),
    # Going to the dead; the other side; at peace after tonight.
    ("other_side", r"去那边(找|陪|见)|到了?那边(就)?(不用|唔使)|(今晚|今天|明天|今夜)(之后|过后|以后)(就)?(解脱|结束|轻松|安静)(了)?"
                   r"|(准备好了|想好了|决定了).{0,4}(就)?(今晚|今天|今夜)(了|吧)?$|(人)?活着(到底|究竟)?(是)?为了?(什么|啥)(呢|啊)?$"
                   r"|保重.{0,6}(我)?(先)?走(了|啦)|信写好了.{0,6}(放在|压在|留在)|(以后|今后)(我)?(的)?(孩子|儿子|女儿|娃|我妈|我爸|爸妈|父母|猫|狗)(就)?拜托(给)?(你们|你|大家)"
                   r"|最后(再)?(跟|和|对)(你们|大家|各位)说(一)?声(谢谢|再见|对不起)|这辈子.{0,8}还不(上|起|完).{0,6}下辈子|永远(都)?不(会)?(再)?回来|(所有|一切)(的)?(东西|事情|事)(都)?安排好了|(猫|狗|宠物|猫咪|狗狗).{0,10}(找个好人家|找个好主人|找人领养)"),
    ("harm_signs", r"(我)?(在|一直|还在)流血|好多血|流了(好多|很多|一地)(的)?血|喝了(一瓶|很多|好多|半瓶)?酒.{0,4}(又)?吃了(很多|好多)?药|吃了(很多|好多)?药.{0,4}(又)?喝了(很多|好多)?酒"
                   r"|(吃|吞)了(很多|好多|一堆|一把|全部的?)药.{0,8}(头晕|头很晕|好晕|想睡|好困|犯困)|凳子.{0,4}(准备好|搬好|放好|踩上)"
                   r"|(车|火车|地铁|卡车|货车)(来了|过来)(的时候)?.{0,3}(我)?就(冲|跳)(出去|下去|过去)"
                   r"|(意外险|寿险|人寿保险|保险)(已经)?(买好|买了|都买了|受益人).{0,15}(钱|赔|还|够)"),
    # ---- issue 18, fifth round ----
    # Final acts: settling affairs before going, handing the card to a
    # relative, the letter in an envelope or a drawer, accounts closed, the
    # last thing one can do, leaving clean.
    ("final_acts", r"(我)?(走|离开)(之前|以前)(会)?(把)?.{0,10}(还|安排|交代|处理|办好|了结|结清)"
                   r"|以后(这张卡|这笔(钱|账|债)|卡|债|账|欠款)?的?事(情)?.{0,4}(就)?(找|问|联系)(我)?" + _FAMILY
                   + r"|(写在|放在|留在|装在)(了)?信封(里)?(?!.{0,4}(寄|交给|送|邮))|(抽屉|枕头|桌上|桌子上)(里|下|底下)?(有|留了|放了)(一)?封.{0,12}信"
                   r"|给(我)?" + _FAMILY + r"的信.{0,8}(定时|设置|设好|设了)"
                   r"|(微信|支付宝|微博|抖音|qq|账号).{0,10}(都|全|全部)?(注销|删)了"
                   r"|(我)?(能做|要做|可以做)的最后一件事"
                   r"|(干干净净|清清白白|无牵无挂|了无牵挂|安安静静)(地|的)(走|离开|上路)"
                   r"|(事情|后面的事|该交代的|要交代的|东西|些东西)(都)?(交代|安排)(完|好)(了)?.{0,6}(就)?(走|不(会)?(再)?麻烦)"
                   r"|(交代|安排)好.{0,4}(就走|再走)"
                   r"|(卡|债|账|欠款|钱)的事(情)?(以后|今后)(就)?(找|问|联系)(我)?" + _FAMILY
                   + r"|(以后|今后|后面|往后)(这张卡|这笔(钱|账|债)|卡|债|账|欠款)的事(情)?.{0,4}(找|问|联系)(我)?" + _FAMILY),
    # No time left: no more months, will not live to see the last instalment.
    ("no_time_left", r"我?(没有|没)(那么多|几)(个)?(月|日子|年)了|(熬|活|撑)不(过|到)(去|那一天|那天|\d+期|明年|那么久)|等不到(那一天|那天|还完)"
                     r"|人(马上|很快|快|就快|就要|快要)(就)?(要)?没了"),
    # Looking down from a height (往下看), a high floor at the window or roof.
    ("looking_down", r"(阳台|楼顶|天台|窗边|窗台|窗户|窗口|桥上|楼上|[0-9一二三四五六七八九十几]+(楼|层)).{0,8}往下(看|望|跳|飞)(?!.{0,4}(风景|夜景|烟花))"
                     r"|(我在|站在|坐在|人在)([0-9]+|[二三四五六七八九十几]+)(楼|层)的?(天台|楼顶|顶楼|屋顶|窗边|窗台|阳台边)(?!.{0,2}(晒|晾|收衣|收被|种|浇|乘凉|抽烟|吃|喝|玩|拍|看|烧烤|聚会|派对|修))"
                     r"|(楼顶|天台|顶楼|屋顶|窗边|窗台|桥上|[0-9一二三四五六七八九十]+楼)(?:(?!视野|风景|房价|采光|电梯|租金|房租).){0,16}(挺|好|很|真|这么)高(的|啊|呀)?$"),
    # Thanks and goodbye to the collectors: no need to call any more.
    ("farewell_collectors", r"(以后|从此)(就)?不用(再)?(打|催|找|联系)(我)?(了)?.{0,10}(再见|永别|保重)(了)?(各位|大家|你们)"),
    # The insurance payout as the repayment plan.
    ("insurance_payout", r"(赔偿金|理赔款|保险金|赔的钱).{0,20}(意外险|寿险|受益人)|(意外险|寿险|人寿保险).{0,10}受益人"),
    # The debt once I am gone, Cantonese (唔喺度 → 不在度) and as the cardholder.
    ("gone_debt", r"我(不在度|唔喺度)(了)?.{0,10}(数|债|账|卡|钱)|(死亡|去世|身故|死了|没了|不在了).{0,16}(确认|问清楚|弄清楚)(一下)?(了)?再走"),    # ---- issue 18, sixth round (the kinds round 4 showed; round 4 is a
    # development set from this round on) ----
    # Ending it (做个了断) without saying whose life: with the debt talk
    # around it, a check-in is the lawful guess.
    ("end_it", r"(?<!你们)(?<!银行)(?<!这笔账)(?<!这笔债)(?<!过去)(?<!前任)(?<!感情)(?<!关系)做(个|一个)?了断(?!.{0,8}(过去|前任|感情|关系|这段|一次性|还清|结清|还款|还钱))|(今晚|今天|明天|马上|这次)(就)?(做个|来个)?了结(了|吧)?$"),
    # A burden to anyone at all (不想再拖累谁了), not only to named people.
    ("burden_anyone", r"不想(再)?(拖累|连累|祸害|害)(谁|任何人|别人|人|家里|家人)(了)?"),
    # Being at a bridge, the rails or a rooftop, described (the wind, the
    # quiet, the view, one last look) instead of named as a plan.
    ("place_described", r"^(?!.*(晒|收衣|晾|乘凉|抽烟|烧烤|聚会|堵车|等车|上班|下班|散步|跑步|钓鱼|拍照|照片|拍了|视频|直播|旅游|旅行|出差|开会|接人|干活|施工|修))"
                        r".*(桥上|桥上面|桥边|大桥|铁轨|铁道|轨道边|天台|楼顶|顶楼|屋顶|江边|河边|海边|湖边)(这边|那边|上面|上|边)?"
                        r".{0,4}(风|安静|静|好高|很高|挺高|好冷|好黑|没人|没有人|风景|好美|真美|几好)"),
    ("last_look", r"最后(再)?(看|望|瞧)(多)?(一|1)(眼|次|下|遍)(?!.{0,6}(账单|合同|方案|明细|条款|协议|短信|信息|金额|流水|额度|记录))"),
    # Not lasting until a date; "if I am still here then".
    ("not_lasting", r"(我|人)(怕是|可能|估计|恐怕|大概|应该|怕)?(是)?(撑|熬|活|挺)不(到|过)(?!.{0,4}(钱|工资|发工资|月底钱))"
                    r"|(如果|要是|假如|万一).{0,6}我(还|仍然|仍)(在|活)(度|这)?(的话|吧|嘛)?$|(如果|要是|假如)(那时|到时|那天)?(候)?我(还|仍)在(度)?的话"),
    # Sorry through someone else: tell my mother I am sorry.
    ("sorry_by_proxy", r"(帮|替|幫)我(跟|同|和|对|向|给)(我)?(" + _FAMILY[1:-1] + r"|阿妈|阿爸|老母|老豆|阿婆|阿嫲)(讲|说|带)(一)?(声|句|个)?(对不起|对不住|对唔住|抱歉|我爱|再见|谢谢)"),
    # Going tonight, said at the very end of a message and nowhere to go.
    ("going_tonight", r"(?<!明天)(?<!下班)我今晚(就)?(要)?走了$"),
    # ---- issue 18, sixth round, from the round-6 safety dev set (written
    # to be hard: risk without the usual words) ----
    # If something happens to me tonight: a debt question about one's own death.
    ("if_something_happens", r"(如果|要是|万一|假如|若)我(今晚|今天|明天|哪天|有一天|突然)?出(了|咗)?(什么|咩|啥|乜)?事"
                             r"|(持卡人|欠款人|借款人)(本人)?(死亡|去世|身故|过世|不在了|没了)(的话|后|以后|之后|了)?.{0,14}(我(的)?(女儿|儿子|家里|家人|老婆|老公|爸妈|孩子|妈|爸)|提前安排)"),
    # Not here by then: the date set, the plan that ends, nobody left to read.
    ("not_here_then", r"(已经)?不在(这个)?(世界|人世)(上)?了|(不会|唔会)(再)?(在|喺)(这个世界|人世)|(这辈子|今生|此生)(就)?(到|去到)(今天|今晚|这里|今日)为止|(趁|乘)我(还|仲)在"
                      r"|过了(今晚|今天|今日|这个周末|周末|这周|明天|今夜).{0,8}(跟我没(有)?关系|没(有)?人(收|用|接|看)|就没我)"
                      r"|(周[一二三四五六日天]|星期[一二三四五六日天]|礼拜[一二三四五六日天]|周末|月底|[0-9一二三四五六七八九十]+号)(以后|之后|过后).{0,10}(没(有)?人(用|接|收|看)了)"
                      r"|(没有|没|冇)(什么|啥|乜)?(时候|几时)了$|我的(日期|日子|时间)(已经)?(定|订)(在|好)|我的计划(只)?(排|安排|做)到"
                      r"|(连)?下个月(都|也)没(打算|计划|想)(过)?|(没有|没)人收了$|收件人(已经)?不在了|接(电话|电)的(就)?(是|会是)别人了"),
    # The place's door is open, how high is high enough, the water under the bridge.
    ("place_checked", r"(楼顶|顶楼|天台|天面)(的)?门.{0,10}(没锁|没有锁|冇锁|开着|有没有锁|锁没锁)|(几|多少|几多)(层|楼)(楼)?(才|先|至)?(算)?(够|算)?高"
                      r"|(桥底|桥下|桥底下|水库|江底|河底).{0,4}(的)?水(好|很|几|挺|真|特别|这么)?(静|深|冷|凉|急)|(扔|丢|掉)(进|落)(水库|河|江|海)(里)?.{0,8}我(也|都)(是|一样)"
                      r"|(上|爬)(左|了|到|咗)?最高(果|那|嗰)(层|楼)|(车里|车内|车库).{0,12}(窗|门)(户)?(都)?(关好|关紧|封好|关死).{0,12}(引擎|发动机|火|车)(开[着著]|没熄|发动|一直开)"
                      r"|第[几0-9一二三四五六七八九十]+(盒|瓶|板)(了)?.{0,20}(今晚)?(应该)?够(了)?|(一脚)?踩空(也)?就是一下|脚手架(那么|好|这么)高"
                      r"|从(这个|那个|公司|单位|宿舍)?(的)?(窗户|窗口|阳台|楼顶|顶楼|天台|楼上)(出去|跳下去|飞出去|给你们(一个)?交代|下来为止)|氯化钾"),
    # The funeral home, the king of the dead, a wreath: where to find me.
    ("afterlife_address", r"(去|来)?殡仪馆(找|见|收)|阎王(爷)?(那里|那儿|那边|殿)?(去)?(收|找|要|讨)|(送|准备|记得送)花圈|(下辈子|来世)吧.{0,4}(真的|认真|没开玩笑)"),
    # Arrangements for after: passwords and policies told, a note to open the
    # door, one's things dealt with, kneeling to one's parents.
    ("arrangements", r"(替|帮)我(告诉|转告|跟|同|对).{0,6}(密码|保单|存折|银行卡)|(保单|保险单)(放)?在.{0,8}(柜|抽屉|枕头|床头)"
                     r"|(密码|保单|保险单|存折).{0,16}(放在|留在|压在)(了)?.{0,4}(抽屉|柜|枕头|床头).{0,20}(转告|告诉|交给)"
                     r"|磕(了|咗)(个)?头.{0,12}(以为|不知道)|(如果|要是)你(们)?看到这(个|条|封|段).{0,30}(照顾|不是你的错|对不起|保重)|不是你的错.{0,12}(照顾好|保重|好好)"
                     r"|(会有人|让人|叫人).{0,4}(来)?处理我的(东西|遗物|后事)|处理我的(遗物|后事)|(纸条|字条|信).{0,20}(报警|开门|破门)|警察(可能|应该)?(会)?(要用|会用|会来找)"
                     r"|(存款|积蓄|钱)(都|全|全部)?(转给|留给|给)(了)?(我)?(弟|妹|哥|姐|弟弟|妹妹|哥哥|姐姐|爸妈|妈|爸)(了)?.{0,30}(结清|了结|清零|用别的)"
                     r"|烧(了|咗|掉)(啲|些|所有|全部)?(的)?(相|照片|日记|信)|(家人|家里人|我弟|我哥|我姐|我妹|我老婆|我老公)(会)?(处理|料理)(后面|以后|之后|剩下)的事"
                     r"|(替|帮|幫)我(跟|同|和|对|向|给).{1,6}(说|讲)(一)?(声|句)?(对不起|对不住|对唔住|抱歉)"),
    # Tried before, and next time nobody will find out.
    ("tried_before", r"(洗(了|咗)?胃|被救(回来|回嚟|活)).{0,30}(下次|今次|这次)|下次(我)?(不会|唔会)(再)?(让|俾|畀)(他们|佢哋|人|你们)(发现|救)"),
    # One's own way, the most thorough one; the game over, logged out.
    ("own_way", r"(用|以)(我)?(自己的|别的|其他的|最彻底的|最干脆的)(办法|方法|方式)(?!.{0,4}(还|凑|借|筹|赚|想办法|解决一下|转账|付))"
                r"|一个人(把事情|把这些事)?(彻底)?(解决|了结)(了|掉)?$|(人生|life)(正式)?(gg|game ?over)|(今晚|今天|今夜)?logout(咗|了)"
                r"|(今晚|今天|明天|很快|马上|快)(我)?就?去陪(他|她|佢)"),
    # How to go without it looking bad; which way does not hurt.
    ("how_to_go", r"(怎样|怎么|点样|怎么样)(才(能|可以))?走(得)?(不)?(那么)?(难看|痛苦|体面|安详|舒服)|(查|找|睇|看|搜)(过|了)?(好久|很久|半天|好几天|几天)?(哪种|什么|啥|边种|哪个)(方法|方式|办法)(最)?(不|唔)(疼|痛|辛苦)"),
    # A policy bought for long enough, the payout as what one can do for the family.
    ("insurance_mine", r"(寿险|意外险|人寿|保险)(已经)?(买|交)(满|够|了)(两|2|二)年|(身故|意外)(赔|理赔)(的钱|款)?.{0,10}(够|还清|还)"
                       r"|(领|拿)(到)?保险(金|赔偿).{0,12}(唯一|能为|可以为)"),
    # Today as one's last day (今日係我最後一日), not the last day at work.
    ("last_day", r"(今天|今日|今晚|明天)(是|系|係)?我(的)?(人生|生命)?(的)?(最后|最後)一(天|日|晚)(?!.{0,6}(上班|工作|实习|在公司|在这里上|营业|假|报到|交接|办理|还款|优惠|活动))"
                 r"|也是(我)?(的)?(最后|最後)一(天|日)(了)?$"),
])

# On the spaced view: a sentence that starts with it is a farewell.
CRISIS_SPACED_CERTAIN = _rules([
    ("farewell", r" 照顾好(我)?" + _FAMILY + "|" + r" 永别了 "),
])

CRISIS_ENGLISH_CERTAIN = _rules([
    ("english", r" (kill|killing|killed|hurt|hurting|cut|cutting|hang|hanging|harm|harming) myself "
                r"| kms | suicid| self ?harm | end (it all|my life|everything) | ending (it all|my life) "
                r"| take my (own )?life | (want|wanna) (to )?die | (don't|dont|do not) want to (live|be alive|wake up)"
                r"| no (reason|point) (to|in) (live|living|go on|going on) | not worth living | life (is not|isn't|isnt) worth"
                r"| better off (dead|without me) | jump(ing)? off (a|the|this) | overdose | slit my wrist"
                r"| saving (up )?(my |all my )?(pills|meds|tablets) | (going|gonna|want|wanna) (to )?jump | (have|got|bought) (a|the) rope "
                r"| took all (my|the) (pills|meds|tablets) | (nobody|no one) (would|will) (miss|notice) me | wish i (was|were) dead | stockpil| die with me | (my )?last message .{0,30}(sorry|goodbye|bye) "
                r"| (goodbye|bye) forever | (don't|dont|do not) want to be (here|around|alive) (anymore|any more) | (pills|rope|knife|charcoal|gun) (is |are )?ready | tell my (mum|mom|mother|dad|father|wife|husband|kids|family|parents|son|daughter) (i'm|i am|that i'm|that i am) sorry | final goodbye | done with (life|living) | this is goodbye | never hear from me again "),
    # issue 18, third round: more ways to say it in English
    ("english_more", r" nothing (left )?to live for "
                     r"| (i'm|im|i am) (on|at) the (roof|rooftop|bridge|edge|cliff) .{0,30}(not|jump|down|over|end) "
                     r"| (wrote|written|writing|left) (the |a |my )?(letters?|notes?) (for|to) my | suicide note "
                     r"| (happier|better|easier) (off )?(if|when) i('m| am| was| were)? (gone|dead|not here|not around) "
                     r"| (happier|better) without me | goodbye (cruel )?world | see you in (heaven|the next life|another life) "
                     r"| (going|gonna|want|wanna) (to )?(end|finish) (it|things|myself) | (gave|giving|give) away (all )?my (stuff|things|cat|dog|pets?) "
                     r"| (i'm|im|i am) (just )?a burden | (nobody|no one) (would|will) (care|notice) if i | burden (to|on) (everyone|my family|them) | never wake up "
                     r"| (hang|drown|shoot|poison) myself | (take|taking|swallow|swallowing|took) all (of )?(my|the|these) (sleeping )?(pills|meds|tablets) "
                     r"| (standing|sitting) on the (edge|ledge|railing) | no reason (for me )?(to|for) (live|living|go on|stay alive) | jump in front of | (my|the) funeral | (i'm|im|i am) done .{0,20}(goodbye|bye|farewell) "
                     # issue 18, fourth round: euphemisms, the note, the insurance, not waking up
                     r"| unalive | (ending|end) things | (don't|dont|do not) want to exist | final message | see you on the other side "
                     r"| (insurance|life insurance|policy) (will|would|can|should) (cover|pay|clear|settle) .{0,30}(gone|dead|die|after me) | better off with (the|my) (insurance|life insurance) "
                     r"| (sleep|go to sleep|fall asleep) and (not|never) wake up | (i've|ive|i have|i) (written|wrote|left) (the|a|my) (letter|note|goodbye) "
                     r"| (want|wish|need) (it )?(all )?to (end|be over) | (i've|ive|i have) said (my|all my) goodbyes | took (a bunch|a lot|a handful|loads|lots|all) of (pills|meds|tablets) "
                     # issue 18, fifth round: means + quantity
                     r"| how many .{0,30}(enough|needed|it takes|do i need) .{0,20}(not wake|never wake|die|to end|kill) "),
])
CRISIS_ENGLISH_POSSIBLE = _rules([
    ("english_possible", r" (can't|cant|cannot) (go on|take (it|this) any ?more|do this any ?more) | tired of (living|life) "
                         r"| give up on life | no way out | in another life | sleeping pills | end it | disappear | on the (roof|bridge) "
                         r"| (goodbye|bye|farewell) (everyone|all|everybody) | thanks? (you )?for everything "),
    ("english_more_possible", r" (i'm|im|i am) (so |just )?done( with (life|everything|it all|all of this))? $| (won't|wont|will not) be (around|here|alive) | not coming (back|down) "
                              r"| (don't|dont|do not) see the point | (i'm|im|i am) (on|at) the (roof|rooftop|bridge|edge|cliff) | (what|who) (happens|pays) .{0,30}(if|when) i (die|am dead|pass away|am gone) "
                              r"| if i (die|am dead|was dead|were dead) | no future | (can't|cant|cannot) see a (way|future) | hopeless "
                              r"| (i'm|im|i am) (so )?tired of (everything|it all) | want to disappear "
                              r"| (won't|wont|will not) (be a (problem|burden)|have to (chase|call|text|worry about) me) .{0,20}(longer|anymore|any more|again) "
                              r"| no point (anymore|any more|in anything|in going on) | everyone (would be|will be|is) better off | tell my (kids|children|son|daughter|wife|husband|mom|mum|dad|parents|family) (that )?i love "
                              r"| (have|got) (the|my) (pills|knife|rope) (right )?(here|ready|with me) | (thinking|think) about (the|a|that) bridge | (i'm|im|i am) (not|never) (coming|going) (back|home) "
                              # issue 18, fifth round: at peace, going where no phone is needed
                              r"| made (my )?peace with (everything|it all|the world|life|myself) | (going|go|gone) somewhere .{0,20}(won't|wont|will not|don't|dont) need "
                              r"| (not|never) wake up "
                              # issue 18, sixth round: meaning gone, in Chinglish too
                              r"| life (has )?no (meaning|point) | no meaning (to|in) (life|living|live) | life is meaningless "
                              r"| (im|i'm|i am) not (gonna|going to) be (here|around) | (which|what) (bridge|building|roof|rooftop) .{0,40}(highest|tallest) "
                              r"| by the time (u|you) (read|see) this "),
    # "Kill me" alone is mostly hyperbole about a fee or a form: its own sign,
    # explained away when the message is about fees (_FEE_WORDS).
    ("kill_me", r" kill me "),
])


# Emoji the normaliser drops (a skull, blood, a gun): a sign, unless the
# skull is laughter (😂💀 is 笑死).
_DEATH_EMOJI = re.compile("[\U0001F480\u2620\U0001FA78\U0001F52B]")
# What a message of emoji says instead of words (issue 18): a means or a
# place of dying (pills, a knife, a rope, a coffin, a bridge) with a goodbye
# or with another of them (💊💊😴, 🌉👋, 🔪🩸) is a crisis, not a mood.
_MEANS_EMOJI = re.compile("[\U0001F48A\U0001F52A\U0001FAA2\u26B0\U0001FAA6\U0001F480\u2620\U0001FA78\U0001F52B\U0001F309]")
_FALL_EMOJI = re.compile("[\U0001F3E2\U0001F3D9\U0001F3EC\U0001F309].{0,3}[\u2B07\u2193\u2935]")
_GOODBYE_EMOJI = re.compile("[\U0001F44B\U0001F634\U0001F4A4\U0001F54A\U0001F940\U0001F5A4]|再见|拜拜|永别|晚安|bye"
                            # sleeping, not to be looked for (issue 18, fourth round)
                            "|瞓|睡了|去睡|睡觉|别找我|不要找我|唔好搵我|唔好揾我|sleep", re.IGNORECASE)
# A means drawn again and again (💊💊💊) is a plan, not a mood.
_REPEATED_MEANS = re.compile("([\U0001F48A\U0001F52A\U0001FAA2\u26B0\U0001FAA6\U0001F309])(\ufe0f?\\s*\\1){2,}")


def _emoji_signs(text: str) -> List[str]:
    means = set(_MEANS_EMOJI.findall(text))
    if means and (len(means) >= 2 or _GOODBYE_EMOJI.search(text) or _REPEATED_MEANS.search(text)) or _FALL_EMOJI.search(text):
        return ["emoji_means"]
    return []
_LAUGHING = re.compile("[\U0001F602\U0001F923\U0001F606\U0001F604]|哈哈|笑|lol|lmao", re.IGNORECASE)

# Someone else's death in the news, a drama or the neighbourhood (有人跳楼了)
# is no sign about the writer, unless the writer wants the same.
_ABOUT_OTHERS = re.compile(r"新闻|电视剧|电影|小说|听说|据说|(?<!所)(?<!没)有人|别人|主角|邻居|同事|小区里?|网上说"
                            r"|(一|这|那)部(剧|片)|纪录片|男主|女主|里面(那个|的人)|有个(女仔|男仔|女的|男的|人|女孩|男孩|学生)|病人|患者|抢救了")
_STORY = re.compile(r"新闻|电视剧|电影|小说|(一|这|那)部(剧|片)|纪录片|男主|女主|主角|里面(那个|的人)|病人|患者|抢救了|有个(女仔|男仔|女的|男的|女孩|男孩|学生)")
_OTHERS_ONLY_RULES = {"explicit", "method", "method_word", "method_forms", "harm_done", "place_intent", "place_checked",
                      "place", "place_now", "english"}
_FIRST_PERSON_WISH = re.compile(r"我(也|都|真|好|就)*(想|要|打算|准备|会|差点)|自己|(懂|理解|明白)(他|她)(了|为什么)|(跟|和|像)(他|她)一样"
                                r"|买(了)?(一|两|几|一大)?(瓶|盒|包|板|卷|袋)|我(已经)?(攒|囤|存|备)(了|好)")
# A farewell word about the debt itself (终于解脱了，最后一期还完了) is relief.
_PAID_OFF = re.compile(r"还完|还清|结清|最后一期|销户|全部还上|已经还了|还过了|已还|还上了")
_PAID_OFF_RULES = {"farewell_word", "english_possible", "farewell_collectors"}
_CARD_GOODBYE = re.compile(r"(永别了?|再见了?|bye ?forever|goodbye)(我的|你这张|这张)?(信用)?卡|(这张|张|呢张)卡.{0,12}(剪|cut|注销|销户)", re.IGNORECASE)
_MOVING_ON = re.compile(r"搬家|搬走|毕业|换了新|换新|换号|换了个号|出国|断舍离|闲置|出差|用不惯|买了新"
                        r"|回老家|支教|读书|留学|移民|去外地|外地打工|打工|飞去|新房东|房东不让|调去|调到|外派")
_RELATIVE_DIED = re.compile(_FAMILY + r"(的卡|的信用卡|的债|的欠款|(已经)?(去世|过世|走了|没了|不在了|过(了)?身|离世))|(去世|过世)的"
                            r"|" + _FAMILY + r"(那边|那里)?(有个|有张|也有|也欠)(个|张)?(卡|信用卡|债)")


# Signs an everyday context explains (a knife while cooking).
_EVERYDAY_SIGN_RULES = {"at_hand", "harm_signs"}


# Fifth round (issue 18): a single ambiguous sign the rest of the message
# explains. "逼死人" in a complaint to the regulator is the complaint (it
# reaches a person anyway); sleeping pills the doctor prescribed; "走投无路"
# or "人生完了" with a will to pay or to start again; "救命" about a deadline.
_HYPERBOLE_COMPLAINT = re.compile(r"投诉|举报|银保监|金管局|监管|12378|12315|消协|起诉|骚扰|规矩")
_PRESCRIBED = re.compile(r"医生|医院|处方|开(了|的)?.{0,3}药|调理|治疗|看病|门诊|失眠|报销|医保")
# Sixth round (issue 18): charcoal for a barbecue, pesticide on the farm; a
# policy on a relative's life, or a relative's payout; being hounded to
# death (逼死) in a request for time or a plan.
_CHORE_USE = re.compile(r"烧烤|露营|烤架|烤肉|烤串|火锅|户外|野餐|化肥|种子|庄稼|秋收|打药|果树|农资|种地|地里|积分")
_CHORE_RULES = {"method", "method_word"}
# What no barbecue or farm explains: the agents people die of, tape to seal a
# room, a quantity that is "enough".
_STRONG_MEANS = re.compile(r"百草枯|敌敌畏|氰化物|砒霜|安眠药|老鼠药|鼠药|耗子药|毒药|杀虫剂|除草剂|胶带|封窗|封门|锡纸|够用|应该够|就够")
_INSURED_FOR_OTHER = re.compile(r"(被保人|受保人|被保险人)(是)?(我)?" + _FAMILY + r"|(给|俾|畀|帮|幫|替)(我)?" + _FAMILY + r"买|买.{0,6}(给|俾|畀)(我)?" + _FAMILY)
_INSURED_OTHER = re.compile(_INSURED_FOR_OTHER.pattern + r"|" + _FAMILY + r".{0,12}(去世|过世|走了|走咗|没了|过身|离世)")
_INSURANCE_RULES = {"insurance_payout", "insurance_mine", "harm_signs", "insurance_self"}
_ASKS_FOR_TIME = re.compile(r"宽限|延期|缓(几|两|一)|再给我.{0,4}(时间|天|周|礼拜|星期|个月)|分期|少还|停息|减免")
_WILL_GO_ON = re.compile(r"不是我不想还|我(也|是|真的)?想还|会还的|会想办法|想办法还|还年轻|能再来|重新开始|从头再来|东山再起|会好的|挺过去")
_DEADLINE = re.compile(r"论文|作业|考试|死线|ddl|deadline|加班|报告|项目")
_PLAYING = re.compile(r"游戏|game|打游戏|玩|输了|meme|视频|段子")
_NOT_SERIOUS = re.compile(r"哈哈|开玩笑|说说而已|不是说真的|不是真的|唔系讲真|唔係講真|lol|😂|🤣")


# "kill me now, these fees": English hyperbole about a charge or a form.
_FEE_WORDS = re.compile(r"fee|charge|interest|penalt|waive|form|deadline|exam|手续费|利息|罚息|滞纳金|违约金|年费|费用|免|减|表格"
                        r"|还款|还了|还咗|还钱|转过去|宽限|考试|期末|加班", re.IGNORECASE)


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
    if possible <= {"cannot_go_on", "no_future", "no_hope"}:
        return any(_WILL_GO_ON.search(v) for v in views)
    if possible == {"farewell_word"}:
        without_cry = tuple(v.replace("救命", "") for v in views)
        return (not _matching(CRISIS_POSSIBLE, without_cry)
                and any(_DEADLINE.search(v) for v in views))
    return False


def _only_about_others(text: str, certain: List[str], possible: List[str]) -> bool:
    views = _views(text)
    if any(_FIRST_PERSON_WISH.search(v) for v in views):
        return False
    if not possible and set(certain) <= {"explicit", "method"}:
        return any(_ABOUT_OTHERS.search(v) for v in views)
    # More kinds of sign (sixth round) are explained only by a story told
    # (a film, the news, a patient), not by someone merely mentioned.
    return set(certain) | set(possible) <= _OTHERS_ONLY_RULES and any(_STORY.search(v) for v in views)


def assess_crisis(text: str) -> Optional[CrisisFinding]:
    """The crisis tier of a message, or None when nothing points to one."""
    views = _views(text)
    english = _english(text)
    certain = (_matching(CRISIS_CERTAIN, views) + _matching(CRISIS_SPACED_CERTAIN, (_spaced(text),))
               + _matching(CRISIS_ENGLISH_CERTAIN, (english,)))
    certain = list(dict.fromkeys(certain))
    possible = _matching(CRISIS_POSSIBLE, views) + _matching(CRISIS_ENGLISH_POSSIBLE, (english,))
    if _DEATH_EMOJI.search(text or "") and not _LAUGHING.search(text or ""):
        possible.append("emoji")
    if not _LAUGHING.search(text or ""):
        certain += _emoji_signs(text or "")
    if (certain or possible) and _only_about_others(text, certain, possible):
        return None
    signs = set(certain) | set(possible)
    own_wish = any(_OWN_WISH.search(v) for v in views)
    if (signs and signs <= _CHORE_RULES and any(_CHORE_USE.search(v) for v in views) and not own_wish
            and not any(_STRONG_MEANS.search(v) for v in views)):
        # "周末去江边烧烤，炭和烤架能兑换吗": charcoal for the grill.
        return None
    # A relative who died explains their payout, never one's own policy.
    insured_other = _INSURED_FOR_OTHER if "insurance_mine" in signs else _INSURED_OTHER
    if signs and signs <= _INSURANCE_RULES and any(insured_other.search(v) for v in views) and not own_wish:
        # "被保人是我妈，受益人能写我吗": somebody else's policy.
        return None
    if (not certain and set(possible) <= _PAID_OFF_RULES
            and any(_PAID_OFF.search(v) for v in views)):
        return None
    if (certain and set(certain) <= {"farewell", "english"} and not possible
            and any(_PAID_OFF.search(v) for v in views) and any(_CARD_GOODBYE.search(v) for v in views)):
        # "永别了我的信用卡，最后一笔今早还清": goodbye to the card, paid off.
        return None
    if (set(certain) <= {"give_away", "farewell"} and set(possible) <= {"farewell_word", "no_need", "final_acts", "leaving"} and (certain or possible)
            and any(_MOVING_ON.search(v) for v in views)):
        # "东西都送人了，搬家了": things given away for an everyday reason.
        return None
    if (not certain and set(possible) == {"debt_after_death_question"}
            and any(_RELATIVE_DIED.search(v) for v in views)):
        # "人死了信用卡谁还，我爸的卡": a question about a relative's debt.
        return None
    if not certain and possible and _explained_possible(text, views, set(possible)):
        return None
    if (set(certain) == {"want_die"} and not possible and any(_PLAYING.search(v) for v in views)
            and any(_NOT_SERIOUS.search(v) for v in views)):
        # "玩游戏输了 好想死 哈哈 不是说真的": a game and a disclaimer.
        return None
    if (not certain and possible and set(possible) <= _EVERYDAY_SIGN_RULES
            and any(_EVERYDAY.search(v) for v in views)):
        # "正在切菜，刀在手上": a knife or blood in the kitchen, a bridge at rush hour.
        return None
    if certain:
        return CrisisFinding(CERTAIN, tuple(certain + possible))
    if len(set(possible)) >= 2:
        # Two different ambiguous signs (撑不下去了 + 一切都结束吧) are no
        # longer ambiguous.
        return CrisisFinding(CERTAIN, tuple(possible))
    if possible:
        return CrisisFinding(POSSIBLE, tuple(possible))
    return None


def _matching(rules: Tuple[Tuple[str, Pattern[str]], ...], views: Iterable[str]) -> List[str]:
    views = tuple(views)
    return [name for name, pattern in rules if any(pattern.search(v) for v in views)]


def is_crisis(text: str) -> bool:
    """Any sign of crisis the safety net acts on (see ``verdict``)."""
    found = verdict(text)
    return found is not None and found.intent == "crisis"


# --------------------------------------------------------------------------
# Opt-out
# --------------------------------------------------------------------------

# The SMS conventions as the whole message: T, TD, 退订, STOP and Twilio's
# other keywords, repeated, with 回/回复 before or 退订/谢谢 after.
_STOP_TOKEN = (
    r"(t|td|tdtd|stop|stopall|unsubscribe|unsub|optout|revoke|qx|tuiding|tuidin|"
    r"退订|退定|退|取消订阅|停止|停发|拒收|勿扰|免打扰|请勿打扰|订退)"
)
# 取消, 停 and Twilio's CANCEL/END/QUIT also answer a booking's "confirm?"
# (取消吧): an opt-out only when they are the whole message, bare.
STOP_WHOLE_MESSAGE = re.compile(
    r"^(靠|卧槽|草|操|妈的|tmd|烦死了|烦|滚|够了)?(请|我要|申请|马上|立即|立刻|please|pls|plz)?(回复?|发送?)?" + _STOP_TOKEN + r"+"
    r"(退订|谢谢|谢了|了|啦|吧|啊|呀|哦|please|pls|plz|now|thanks|thx)*$"
    # N and R answer "回N/回R拒收" in Chinese bulk SMS.
    r"|^(取消|停|cancel|end|quit|(回复?)?[nr])$"
)

# Who is not to be contacted, after 给/跟: me, my family, my work.
_WHOM = (r"(给|跟|和|找|往|向|对)?(我|我家人|家人|我家里人|我家里|我家|我爸妈|我父母|我老婆|我老公|我单位|我公司|我同事|我朋友"
         r"|我妈|我爸|我妈妈|我爸爸|我孩子|我女儿|我儿子|他|她|他们|这个号码|这个号|我的号码|这个手机"
         r"|家里|家|屋企|单位|公司|厂里|学校|宿舍|店里|他手机上|她手机上|我手机上|他手机|她手机|手机上)?")
# Verbs of contact. 发 and 打 only with what makes them contact (not 发愁, 打工).
_CONTACT_VERB = (
    r"(发(了|啦|短信|信息|消息|这种|这些|那么多|这么多|来|过来|给我|微信)?(?![愁火脾现展票工货誓烧生布表言钱薪错])"
    r"|打(电话|来|给我|过来|了|啦|我|这个号|这个电话)|来(烦|骚扰|打扰|找我)|(联系|联络)(?!客服|人工|银行|专员|你们)|推(消息|送|给我|这些|广告|了)|通知(我|了)|传(讯息|简讯|短信|信息|消息)|传送|寄(简讯|短信|讯息|信息)|讯息|简讯|来电|致电|来信|短信|电话|骚扰|打扰|烦(我|了|人|啦)|催收|推送|call|send|text|msg|sms|dd|whatsapp)"
)
_DONT = r"(别|(?<!要)不要|不用|甭|勿|莫|请勿|请不要|请别|能不能别|能不能不要|可以不要|可不可以别|可不可以不要|求你们别|求求你们别|求你别|麻烦别|麻烦不要|以后别|以后不要|拜托别|拜托不要|不许|不准|禁止)"
_OFTEN = r"(天天|每天|每日|一天到晚|整天|成天|老是|总是|一直|不停|没完没了|三天两头|日日|一天.{0,4}(条|个|次|遍|通))"
_CANTONESE_DONT = r"(唔好|咪|唔使|唔要|唔该唔好|唔該唔好|唔该你唔好)"
_CANTONESE_VERB = r"(send|发|發|打|揾|搵|烦|煩|嚟|call|text|msg|sms|whatsapp|联络|联系|聯絡|聯繫)"

STOP_PATTERNS = _rules([
    ("sms_keyword", r"(?<!不想)(?<!不要)(?<!不)(?<!别)退订|褪订|蜕订|腿订|退丁|退定|取消订阅|取消.{0,6}(订阅|短信提醒|短信通知)|取消短信|取消通知|取消提醒|取消推送|回t退|回td|回复td|回复t退|td退订|t退订"),
    ("stop_sending", r"拒收|拒绝(接收|接听|来电|短信|联系)|屏蔽(你们|这个号|了)|停止(短信|提醒|通知)?服务"
                     r"|(不需要|不想要)(你们的|这些|这种|那些)?(短信|信息|消息|电话|推送|通知|提醒)|不(接受|接收)(任何)?(短信|信息|电话|通知)|停发|(短信|电话|通知|推送|信息).{0,6}(不需要|不要了|停掉|停了吧)|停止(给我|向我|对我)?(的)?(一切|所有|任何)?(发送|发|推送|联系|联络|打电话|来电|骚扰|打扰|催收|致电|通知|短信|电话)"
                     r"|取消.{0,8}(所有|全部|一切)(的)?(通知|短信|提醒|推送|消息)|退出(短信|通知|推送|消息)(服务|提醒|通知)?"
                     r"|(不想|不要|不再|不愿意?|不希望)(再)?(收到|接收|接到)(了|啦)?$|(不希望)(再)?(收到|接到|接收)|再(打|发|骚扰)(我)?(我)?就(报警|投诉|起诉|拉黑)|消停(点|一下|会|些)"
                     r"|关(掉|闭|了)(所有|全部)?(的)?(短信|消息|通知|提醒|推送)(?!的?(收费|费|扣费|月费))|(还在|一直|又在)(打|发).{0,4}停(下来|掉|了吧)|停下来(行不行|好不好|可以吗|吧)"
                     r"|(短信|消息|通知|提醒|推送)(都|全部|全)?(关闭|关掉|关了)|关闭(所有|全部|一切)?(的)?(短信|消息)?(通知|提醒|推送)(?!的?(收费|费|扣费|月费))|不(接受|要)推送|(不想|不愿意|不愿|不要|不需要|不再)(再)?(收到|接到|接收|看到|收)(你们)?(的)?(任何人的|任何)?(这些|这种|那些|这类|这样的)?(催款|催收|还款|提醒|逾期|广告)?(短信|信息|消息|电话|通知|推送|催收|来电)"
                     # issue 18, fourth round: the messages named first, leaving a list, dropping the reminder
                     r"|(短信|信息|消息|提醒|通知|推送)(我)?(都|也)?(不想|不愿意|不愿)(再)?(看到|收到|接到|看|收)"
                     r"|(短信|电话|信息)(和|跟|同|、)?(短信|电话|信息)?(都|也)(不用|不需要|不要)了"
                     r"|停止(send|call|text|sms|whatsapp)|(移出|移除|踢出|退出).{0,6}(名单|列表)|从.{0,6}(名单|列表)(里|中|上)?(删|移除|移出|去掉|拿掉|划掉)|提醒.{0,4}(退掉|关掉|停掉|取消掉)|(退掉|退了|退订掉|关停)(这个|这些|那个|你们的|所有的?)?(提醒|通知|短信提醒|短信通知|推送|短信)"),
    ("dont_contact", _DONT + r"(再)?(tm|特么|他妈|他妈的|tmd|妈的|nm|尼玛)?" + _WHOM + r"(再)?" + _CONTACT_VERB
                     + r"|" + _DONT + r"(再)?(重复|反复|一直|频繁)(地)?(发|打)|(不要|别)再找我|以后(有事)?(都)?(不要|别)(再)?找我"
                     + r"|" + _DONT + r"(再)?(打|call)(他|她|他们|我妈|我爸|我家人|我老婆|我老公)(的)?电话"
                     + r"|" + _DONT + r"(再)?" + _OFTEN + r"(都)?(给我)?(发|打|催|骚扰|call|send)"
                     + r"|别再打|不要再打|别再发|不要再发|别打来|不要打来|勿扰|免打扰|请勿打扰"),
    ("remove_me", r"删除我的(号码|手机号|电话|信息|联系方式|资料)|删掉我的(号码|手机号|电话)|(把|将)我(的)?(号码|手机号|电话)?(从.{0,10})?(删|删掉|删除|移除|去掉)"
                  r"|号码(从.{0,10})?(删了|删掉|删除|移除)|从(名单|系统|列表)(里|中)?(删|移除|去掉)|移出名单|(?<!被)(加入|加进|拉进|列入)(你们)?(的)?黑名单|(?<!没)(?<!没有)(?<!不)(?<!被)拉黑(你们|了)|把你们拉黑|(再|就)拉黑"),
    ("too_often", _OFTEN + r"(都)?(给我|跟我)?(发(短信|信息|消息|来|过来|给我|个不停|这么多|那么多)|打(电话|来|给我|过来|个不停|我)|骚扰|催|来电|call|send|短信|电话|信息轰炸)"
                  r"|一天(要|就|都)?(发|打|催)(了)?.{0,4}(条|个|次|遍|通)|" + _OFTEN + r".{0,10}(停掉|停了吧|停下来|停一停)"
                  r"|(短信|电话|信息|消息)(也)?(太多|太频繁|太烦)|(发|打|催)个(不停|没完)|(发|打)不停|(发|打)没完|狂发|狂打|轰炸|呼死"),
    ("cantonese", _CANTONESE_DONT + r"(再)?(直接)?" + r"(同我|俾我|畀我|揾我|搵我)?" + _CANTONESE_VERB + r"|唔想再收到|唔好再嚟"
                  # Hokkien, as typed in Taiwan: 毋通閣敲電話來 (do not phone again)
                  r"|毋通(再|阁|閣)?(敲|打|拍)(电话|電話)"),
    # issue 18, third round: blocked already, "once more and I report you",
    # not wanting to be disturbed, getting them every day, "stop it" after
    # the messages are named.
    ("stop_more", r"(?<!被)已(经)?(拉黑|屏蔽)|^(拉黑|屏蔽)(了|啦)?$"
                  r"|(让|给)我(清静|清净|安静)(几天|一下|点|会)|(立刻|马上|立即|赶紧)(给我)?停(止|掉)(发|打|联系|骚扰|催)?(吧|啊)?$"
                  r"|(设置|设|标记|标注)(成|为)?(骚扰|诈骗|广告)(电话|短信|号码)|把你们(的)?(号码|电话|短信)?(标|标记|设|设置|标注)(成|为)(了)?(骚扰|诈骗|垃圾|广告)"
                  r"|再(打|发|骚扰|来电|催|call|send|联系|联络|找)(给)?(我|我家人|我家里人|我家里|家里|我爸妈|我父母|我单位|我同事)?(一次|一个|一条|一遍|一下|电话|短信)?(我)?(就|立马|马上)?(去|打|直接)?(报警|投诉|起诉|拉黑|举报|12378|12315|110|告你们)"
                  r"|再(发|打)(一条|一个|一次|一下)?(试试|看看)|再(打|发|call)(给|到)?(我)?" + _FAMILY + r"(那里|那儿)?(一次|一个|电话)?(试试|看看)"
                  # third parties: my family, my work
                  r"|" + _DONT + r"(再)?(去)?(找|骚扰|打扰|烦|联系|联络)(我)?(的)?(家人|家里人|爸妈|父母|老婆|老公|孩子|单位|公司|同事|朋友|领导|老板|我妈|我爸|亲戚)"
                  r"|(不想|不愿意|不希望|不要)(再)?被(你们)?(打扰|骚扰|烦|催)"
                  r"|(短信|信息|消息|电话|提醒|通知|推送|条).{0,12}(麻烦|请|赶紧|快|能不能)(你们)?(停掉|停了吧|停下来|停一停|停止|别再发|别再打)"),
    ("daily", _OFTEN + r"(都)?(收到|接到|看到)(你们)?(的)?(短信|信息|消息|电话|催收|通知)"),
])
# Only may be an opt-out (issue 18, fourth round): declining the reminders
# themselves ("提醒就不用了") is also said by someone who will pay anyway, so
# action_opt_out asks "no more reminders?" before it records anything.
STOP_POSSIBLE = _rules([
    ("reminder_declined", r"(提醒|通知|推送)(我)?(就|都|也)?(不需要|不用|不要)(了|啦)?$|(你们的|这些|这种|那些)(提醒|通知|短信|推送)(我)?(都|也|就)?(不需要|不用|不要)"
                          r"|^(不需要|不用|不要)(你们)?(再)?(的)?(提醒|通知)(了|啦)?$"),
    # Issue 18, sixth round: calls restricted to a place or a time ("别打到我
    # 单位去", "上班时间别打") without the word 电话: the bot asks whether
    # contact should stop altogether rather than guess either way.
    ("place_or_time_restricted", r"^(?!.*(打|联系|找)我(的)?(手机|手機|电话|微信|私人))(?:.*?)(?:"
                                 r"(别|不要|不许|不准|甭)(再)?打(到|去)(我)?(的)?(单位|公司|家里|工作单位|厂里|店里)"
                                 r"|(上班|工作|开会|上课)(的)?(时间|时候|期间)(里)?(请)?(别|不要|不许|不准|甭)(再)?打(?!游戏|球|牌|麻将|字|卡|工|车|架|针|扰|瞌睡|盹|呼))"),
])
# 别催了 is an opt-out unless it comes with a promise to pay ("别催了 我会还的").
_DONT_CHASE = re.compile(r"(?<!先)(?<!暂时)" + _DONT + r"(再)?催")
# The other request a message makes besides "stop": paid, will pay, disputes.
_OTHER_REQUEST = re.compile(
    r"会还|就还|马上还|这就还|已经还|转过去|早就还|早还了|还了|还上|还清|在还|尽快还|还的|凑|会处理|会想办法|明天|后天"
    r"|下周|下个月|月底|发工资|\d+号|转账|已付|付了|去还|异议|不是我|核实|搞错"
)
# A complaint about how often we write that also says it goes to a regulator
# is a complaint (it reaches a person); an explicit "stop" in it still counts.
_COMPLAINT = re.compile(r"投诉|举报|主管|领导|经理|12378|银保监|金融监管|消协|12315|起诉你们|骂人|辱骂|威胁|态度")

STOP_ENGLISH = _rules([
    ("english", r" (stop|quit) (texting|txting|messaging|msging|msg|sending|calling|ringing|contacting|bothering|spamming|harassing|emailing|it|now|please|pls|plz) "
                r"| (pls|plz|please) stop "
                r"| please stop | stop pls | stop plz | (do not|don't|dont|never) (text|call|contact|message|sms|send) "
                r"| no more (texts|messages|calls|sms|text|message) | unsubscribe | opt (me )?out | remove (me|my number) "
                r"| take me off | leave me alone | do not disturb | dnd | (dun|dont|don't|do not|pls dont|no need to) (msg|message|text|call|sms|whatsapp|contact) me "
                r"| (bu ?yao|bie) (zai )?(da dian ?hua|da lai|fa (duan ?xin|xin ?xi|xiao ?xi)|lian ?xi|sao ?rao|cui) "
                r"| no more (reminders|notifications|calls please|texts please) | stop (the |these |those |your |all )?(reminders|texts|messages|calls|notifications|sms) | (don't|dont|do not) want (any )?(more )?(of )?(your |these |those )?(texts|messages|calls|reminders|sms|notifications) "),
])


# A question about the keyword or what it does (退订以后多久生效, 拒收请回复R是干嘛的)
# is no opt-out; "怎么退订" asks how to do it, and is one.
_KEYWORD_QUESTION = re.compile(r"是什么|是啥|什么意思|啥意思|干嘛的|干什么的|生效|还能|收费|照常发|还是要.{0,4}发|继续发|影响|会不会|有用吗|有没有用|管用吗")
_KEYWORD_RULES = {"sms_keyword", "stop_sending"}

# A question about the phone's do-not-disturb feature (勿扰模式怎么关) asks
# nothing of us; "我开了免打扰 别发了" still does, through 别发.
_DND_WORD = re.compile(r"请勿打扰|勿扰|免打扰")
_DND_FEATURE = re.compile(r"(勿扰|免打扰)(模式|功能).{0,10}(怎么|如何|会不会|能不能|吗|么|在哪|哪里)|(怎么|如何)(开|关|设置|取消)(勿扰|免打扰)")

_WRONG_PERSON = re.compile(r"不认识|打错|找错|不是本人|不是他|不是她|换了号|号码换了|换号了|新办的|号码是我新")


def possible_stop_request(text: str) -> List[str]:
    """The rules of STOP_POSSIBLE a message matches (empty when none)."""
    return _matching(STOP_POSSIBLE, _views(text, expand_pinyin=False))


def is_stop_request(text: str) -> bool:
    """An opt-out in any of its forms (crisis is checked separately and wins)."""
    views = _views(text, expand_pinyin=False)
    if any(STOP_WHOLE_MESSAGE.match(v) for v in views):
        return True
    matched = set(_matching(STOP_PATTERNS, views))
    every_view = views + (_compact(normalize(text or "")),)
    if matched == {"remove_me"} and any(_WRONG_PERSON.search(v) for v in every_view):
        # "不认识这个人 把号码删了": the wrong person; its own handling marks
        # the number so that nobody writes to it again.
        return False
    if matched and matched <= _KEYWORD_RULES and any(_KEYWORD_QUESTION.search(v) for v in every_view):
        return False
    if (matched == {"dont_contact"} and any(_DND_FEATURE.search(v) for v in every_view)
            and not _matching(STOP_PATTERNS, tuple(_DND_WORD.sub("", v) for v in views))):
        return False
    if matched and matched <= {"too_often", "daily"} and any(_COMPLAINT.search(v) or _OTHER_REQUEST.search(v) for v in every_view):
        # "还天天发信息" after "我早就还了": the complaint is about how
        # often, the request is something else; the classifier decides.
        return False
    if matched or _matching(STOP_ENGLISH, (_english(text),)):
        return True
    return any(_DONT_CHASE.search(v) for v in views) and not any(_OTHER_REQUEST.search(v) for v in every_view)


# --------------------------------------------------------------------------
# Markup
# --------------------------------------------------------------------------

# Markup (an HTML tag, a script) is not how a cardholder writes. When a
# message is nothing but markup and Latin noise, no intent the model guesses
# for it (it once guessed "complaint" and paused the chat for an agent) is
# worth acting on: it is treated as not understood.
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z!][^>]*>")
_CJK = re.compile(r"[\u3400-\u9fff]")


def is_markup_noise(text: str) -> bool:
    """A message made of HTML/script markup with no Chinese words outside it."""
    if not _TAG.search(text or ""):
        return False
    outside = _TAG.sub(" ", _SCRIPT_OR_STYLE.sub(" ", text))
    return not _CJK.search(outside)


# --------------------------------------------------------------------------
# The verdict the NLU pipeline acts on
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The intent the safety net forces, with why (for the trainers' eyes)."""

    intent: str
    tier: Optional[str] = None  # crisis only: CERTAIN or POSSIBLE
    rules: Tuple[str, ...] = ()


HYPERBOLE_ONLY = {"hyperbole"}
# The classifier said crisis and the net saw nothing: not certain either.
MODEL_ONLY = "model"

# Words with 死 or a method in them that say nothing about dying (笑死,
# 死机, 煤气费, 跳楼价), and ordinary words with 活 in them.
_FIGURES = re.compile(
    r"(笑|忙|累|攰|烦|气|吓|热|冷|困|饿|渴|急|穷|丑|美|帅|馋|撑|疼|痛|懒|卡|堵|愁|闷|挤|坑)(得|到)?(我)?(要|想)?死|死(了)?机|死贵|死板|死心|死活|死定"
    r"|死循环|死账|呆账|死期|死皮赖脸|煤气费|燃气费|跳楼价|跳楼甩卖|跳楼大甩卖|棺材本|去世|过世|逝世|身故|遗产|钓鱼|药费|医药费|买药|吃药"
    r"|生活|活动|干活|快活|灵活|激活|活期|活儿|复活"
    # medicine as a cost or a cold, fate as a sigh, English idioms (issue 18)
    r"|什么药|降压药|感冒药|胃药|中药|西药|药店|药房|开药|拿药|配药|医药|药钱|药太贵|命苦|命不好|认命|拼命|要命"
    r"|dyingto|deadtired|killingme|killtime|todiefor"
    # issue 18, fifth round: crushed by debt, not spared even in death (an
    # insult), a life saved by a plan, banging one's head, a deadline, skydiving
    r"|压(得|到)?(我)?(快)?(要)?死|死(了)?都不(会)?放过|救了我一(条)?命|救命之恩|命都(快)?(要)?搭进去|搭上(半条|一条)?命|撞墙|死线|跳伞|蹦极|godie|dieinafire|(打死|杀了|砍了|宰了)我(也|都)"
)
_DEATHLIKE = re.compile(r"[死亡杀跳刀绳炭命葬坟墓药活]|die|dead|dying|kill|suicid|overdose")


def figure_of_speech_only(text: str) -> bool:
    """Whether everything death-like in the text is a figure of speech.

    For a crisis the classifier found alone (笑死我了, 这个月煤气费都交不起了):
    the net saw no sign, and without its figures of speech the text has no
    death-like word left.
    """
    # The fully normalised view only: traditional and Cantonese figures
    # (死咗機 → 死了机) are only recognisable there, and normalising never
    # removes a death-like word.
    seen = _compact(normalize(text or ""))
    return bool(_FIGURES.search(seen)) and not _DEATHLIKE.search(_FIGURES.sub("", seen))


# Everyday contexts that explain a death-like word away (a game, a cold, the
# kitchen, an airport, somebody else's story), for a crisis the classifier
# found alone; a wish of the writer's own to die keeps it a crisis.
_EVERYDAY = re.compile(
    r"游戏|切菜|厨房|做饭|跑步|散步|钓鱼|感冒|发烧|咳嗽|航站楼|机场|落地再|回头聊|改天聊|下次聊|回头再说|"
    # commuting, shifts, the gym, a debit: the day's ordinary business
    r"堵车|值班|夜班|回去上班|去上班|打工|出差|车来了|公交来了|健身|洗澡|自动扣款|"
    # picking up the children, talk tomorrow, a dated promise to pay (issue 18, fifth round)
    r"(他|她|我妈|我爸|老公|老婆|爸|妈)(得了|是)?(中风|脑出血|脑梗|住院|在icu|在ICU|做手术|化疗|瘫)|"
    r"接孩子|接娃|接小孩|明天再说|明天再聊|明天聊|等会儿回你|等下回你|跳伞|蹦极|"
    r"(下周[一二三四五六日天]?|下个?月|明天|后天|[0-9]+号|月底)(之前|前)?(我)?.{0,3}(肯定|一定|保证|就)还|"
    # paid already, or a plain promise to pay (the net still reads every sign of its own)
    r"已经还了|已经还清|已经结清|还过了|我会还的|我会还|会还的|马上还|一次性还清|"
    # a pet that died
    r"(狗|猫|狗狗|猫咪|宠物|仓鼠|兔子|鹦鹉|金鱼).{0,4}(死|走|没)了|"
    # a grandparent who passed, a move, a new number (issue 18)
    r"(爷爷|奶奶|外婆|外公|姥姥|姥爷)(去年|前年|上个月|早就|已经)?(走了|去世|过世)|出国|换号|新号|回老家|搬家|"
    # chores up high, waiting for someone on a bridge
    r"(天台|楼顶|阳台|屋顶|桥上).{0,6}(晒|晾|浇|收衣|收被|种|花|菜|信号|抽烟|乘凉|漏水|坏了|修|风景|拍|堵)|捐给|捐了|闲鱼|二手|等(朋友|车|公交|同事|老婆|老公|外卖|快递)|"
    # a relative answering for the cardholder, the last payment or warning,
    # gambling given up, a hyperbolic 老命 (issue 18, sixth round)
    r"我不是(他|她)?本人|戒赌|老命|"
    + _ABOUT_OTHERS.pattern + "|" + _INSURED_FOR_OTHER.pattern
)
_OWN_WISH = re.compile(r"我(也|都|真|好|就|真的)*(想|要|打算|准备)(去)?(死|自杀|跳|割|上吊|吃药|喝药|轻生|了断|结束|消失|陪(他|她)|找(他|她)|解脱)"
                       r"|我也(想|要)(跟着)?(走|去)")


def everyday_context_only(text: str) -> bool:
    """Whether a crisis only the classifier saw has an everyday explanation.

    Also when the net itself saw a sign in the text and explained it away
    (a complaint's 逼死人, prescribed sleeping pills, a relative's debt, a
    game and "not serious"): the classifier's crisis has the same explanation.
    """
    views = _views(text)
    if any(_OWN_WISH.search(v) for v in views):
        return False
    return any(_EVERYDAY.search(v) for v in views) or _net_explained(text)


def _net_explained(text: str) -> bool:
    """The net matched a crisis pattern and then explained it away."""
    views = _views(text)
    english = _english(text)
    raw = (_matching(CRISIS_CERTAIN, views) + _matching(CRISIS_POSSIBLE, views)
           + _matching(CRISIS_ENGLISH_CERTAIN, (english,)) + _matching(CRISIS_ENGLISH_POSSIBLE, (english,)))
    return bool(raw) and assess_crisis(text) is None


# What an opt-out the classifier found alone may really be: a question about
# the keyword, a request for a message (再发一遍, 重新开通), or "stop" said
# about a fee or a debit.
_NOT_AN_OPT_OUT = re.compile(
    _KEYWORD_QUESTION.pattern
    + r"|再发一(遍|次)|重新(开通|发)|开通|补发|发到|能不能发|撤回|链接|扣款|违约金|利息|年费|手续费|滞纳金"
    # a new number, a code, the card itself, a plan, the ID digits (issue 18)
    r"|新号|换号|验证码|停(我的)?卡|冻结|方案|身份证|后四位|我没(有)?拉黑"
    r"|what does|mean|interest|payment|fee|charge|worry"
)


def not_an_opt_out(text: str) -> bool:
    """Whether an opt-out only the classifier saw is something else."""
    views = _views(text, expand_pinyin=False) + (_english(text),)
    return any(_NOT_AN_OPT_OUT.search(v) for v in views)


def verdict(text: str) -> Optional[Verdict]:
    """Crisis first (any tier), then opt-out, then markup; None keeps the model's."""
    crisis = assess_crisis(text)
    stop = is_stop_request(text)
    # "天天打电话 逼死人了 别打了" is an angry opt-out: when the only sign of
    # crisis is such a figure of speech, the opt-out the law requires wins.
    if crisis is not None and not (stop and crisis.tier == POSSIBLE and set(crisis.rules) <= HYPERBOLE_ONLY):
        return Verdict("crisis", crisis.tier, crisis.rules)
    if stop:
        return Verdict("stop_contact")
    possible_stop = possible_stop_request(text)
    if possible_stop:
        # action_opt_out asks before it records (tier possible).
        return Verdict("stop_contact", POSSIBLE, tuple(possible_stop))
    if is_markup_noise(text):
        return Verdict("nlu_fallback")
    return None


def keyword_intent(text: str) -> Optional[str]:
    """The intent a safety pattern forces, or None to keep the model's."""
    found = verdict(text)
    return found.intent if found else None


# --------------------------------------------------------------------------
# The answer to the gentle check-in ("您现在安全吗？")
# --------------------------------------------------------------------------

SAFE = "safe"
UNSAFE = "unsafe"

_UNSAFE_ANSWER = re.compile(
    r"不安全|不太安全|不是很安全|不好|不太好|很不好|不行|救|帮帮我|害怕|怕自己|控制不住|忍不住|想不开"
    r"|人工|真人|专员|找人|陪我|需要人|需要帮助|要帮助|聊聊|说说话|有人"
)
_SAFE_ANSWER = re.compile(
    r"(?<!不)安全|没事|还好|挺好|还行|我很好|我好多了|好多了|放心|不会做傻事|不会想不开|不会的|不至于|开玩笑|说说而已|随便说说"
    r"|只是累|就是累|只是说说|发发牢骚|吐槽|不用担心|别担心|ok|fine|imok|i'mok|safe"
)


# "不用找人" declines the offer; "不好意思" is politeness.
_DECLINED = re.compile(r"(不用|不需要|不要|没必要|别)(了)?(找人|人工|真人|专员|陪|聊|帮助|担心|麻烦)|不好意思")


def checkin_answer(text: str) -> Optional[str]:
    """SAFE, UNSAFE or None (unclear) for an answer to the check-in.

    Unsafe wins: "还好吧 其实不太好" is not safe, and any sign of crisis in
    the answer is "saying more".
    """
    views = tuple(_DECLINED.sub("", v) for v in _views(text))
    if is_crisis(text) or any(_UNSAFE_ANSWER.search(v) for v in views):
        return UNSAFE
    if any(_SAFE_ANSWER.search(v) for v in views):
        return SAFE
    return None
