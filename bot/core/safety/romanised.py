"""Crisis and opt-out phrases typed in a romanisation: Mandarin pinyin
(toneless, tone-marked or with tone digits, spaced, dotted or run together),
Cantonese Jyutping and Hong Kong street romanisation, Hokkien POJ/Tai-lo,
Zhuyin spelt out in full syllables (read as its pinyin) and Wu as typed
(safety round 22: "wo xiang tiao lou", "想t.i.a.o.l.o.u了", "ngo soeng sei",
"goá bô siūⁿ beh oa̍h", "m hou zoi daa", "mài koh khà", "fiau tse tang").

The message's Latin letters are read as one run - after textnorm has folded
disguised letters (small capitals, flag letters, Braille) into plain ones,
with tone marks, tone digits, spaces, hyphens and dots gone - and searched
for the romanised forms of key phrases. The Mandarin forms are made from the
Chinese phrases by pypinyin (every reading of a polyphone such as 还), so
they follow the same words as the Chinese rules; Cantonese, Hokkien and Wu
have no such library here and are short hand lists of the phrases writers
used. Chinese characters take no part: the other rules read them.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache
from typing import Iterable, List, Tuple

from bot.core.keyboard_layout import relaid
from bot.core.safety.views import compact_text
from bot.core.textnorm import plain_letters

# Mandarin: (tier, Chinese phrase). Short phrases that are also ordinary
# words in pinyin (tiaohe is 调和 too) only count after a wish or a plan.
_WISH = "(wo)?(xiang|yao|qu|zhunbei|dasuan|juedingle|zhunbeiqu|xiangqu|yaoqu)"
_MANDARIN_CERTAIN = (
    "不想活", "不想再活", "活不下去", "我想死", "想去死", "不如死了", "活着不如死", "自杀", "轻生", "寻死",
    "结束生命", "结束自己", "结束一切", "了结自己", "一了百了", "用命还", "拿命还", "这条命给你们",
    "没有存在的必要", "割腕", "上吊", "烧炭", "喝农药", "农药喝了", "吃安眠药", "安眠药全吃",
    "绳子已经挂好", "遗书写好", "跳楼", "永别了",
    # thirty-third round: the development sets' pinyin only the classifier read
    "不想再看到明天", "过了今晚就不欠", "过了今晚就都结束", "绳子打好", "绳子已经打好", "后事都安排好", "永远睡过去", "不要再醒",
)
_MANDARIN_WISH_CERTAIN = ("跳河", "跳江", "跳海", "跳桥", "跳下去", "解脱")
# 死 said as one's own wish (not xiangsi alone: 相似 is "similar").
_MANDARIN_DIE = r"wo(zhen)?(xiang|yao|zhunbei|dasuan|juede)(qu)?si(le|la|a|ba|$)|xiangqusi|woyaoqusi|burusile"
_MANDARIN_POSSIBLE = (
    "安眠药", "农药", "天台上", "楼顶上", "没有我家里", "对不起爸妈", "照顾好我", "用不上了", "生无可恋",
    "活着没意思", "没有意义了",
    # thirty-third round
    "以后也没人接", "不能陪你了", "下辈子再还", "炭买好", "炭已经买好", "关好门窗", "关门窗", "这辈子就这样吧", "大桥上",
)
# Cantonese (Jyutping without tone digits, and street romanisation), Hokkien
# (POJ and Tai-lo without diacritics, hyphens gone), Wu: as typed.
_OTHER_CERTAIN = (
    r"ngo(soeng|seung)sei|(soeng|seung)heoisei|m(soeng|seung)zoi(zou|jou)jan|m(soeng|seung)(zoi)?wut"
    r"|(soeng|seung|jiu|heoi)tiu(lau|hoi|ho|kiu)|tiulau|sik(zo|saai)(di)?(\d+nap)?onminjoek|jatliubaakliu|ngoseizo|seizosyun|seizosuan"
    r"|haitintoi|hai(tin|ting)toi"
    # blind round 20: 唔想再生存落去 (not wanting to go on living)
    r"|m(soeng|seung)(zoi)?(saangcyun|sangchuen|saangchyun)|(saangcyun|sangchuen)(lok|log)(heoi|hui)"
    r"|bo(siu|siunn|siun)(beh|bueh)(oah|uah)|thiau(lau|hai)"
    # blind round 21: "guá bô beh koh ua̍h--ah" (我無欲閣活矣), "m̄ siūnn koh oa̍h"
    r"|bo(beh|bueh|ai)(koh|ko)(oah|uah)|m(siunn|siun|siu)(koh|ko)(oah|uah)|kiatsokkati|kiatsokkaki"
    # blind round 22: "wa m beh oah liao lah" (我毋欲活了), POJ without diacritics
    r"|(m|bo)(beh|bueh)(oah|uah)"
    r"|(chiah|tsiah)(liau)?(chit|tsit)kuan(io|ioh)a|(chiah|tsiah)(io|ioh)a"
    r"|veh(shian|siang)weh|(iau|yau)thiauloh"
    r"|(anmianyao|nongyao|yao)[a-z]{0,16}(quanchi|quanbuchi|douchi|quantun|yikouqichi|yiqichi)(le|diao|guang)"
    r"|(tun|chi)(le)?(yi)?(ba|ping|hezi|dui|daizi)yao|sik(zo|saai)[a-z]{0,8}onminjoek|^(wo)?xiangsi(le|la|a)?$"
    r"|kio(teng|theng)[a-z]{0,8}bobeh(tng|teng)|(mihkian|mihkiann)(long)?sanglang|tongshi(zhe|tse|ze)?songpeh(nin|nyin)"
    # thirty-third round (Cantonese): 我啲嘢都送晒俾人, 行落水, 整咗条绳挂喺门口,
    # 唔想再开眼, 想了结自己; (Hokkien) 你袂閣看見我了
    r"|(di|d)(je|ye|ye)(dou)?(sung|bei)saai(bei|jor|zo)|haang(lok|log)seui|tiusing[a-z]{0,6}(gwaa|kwa)"
    r"|m(soeng|seung)(zoi|joi)hoingaan|(soeng|seung)liugitzigei|(be|bue)kohkhoannkinnwa"
)
_OTHER_POSSIBLE = (
    r"saangmouholyun|sangmouholuen|zihaudoumwuizoigin|wingbit|zoiginlaanigosaigaai|zoiginlaa(ni|li)go"
    r"|engoanchaihoe|engoanbokohkin|bokohtiohiau|lonsanglang"
    r"|^tiao(he|jiang|hai|qiao)|tikio(teng|theng)|chuanghu[a-z]{0,8}(dakai|kai)le|mima[a-z]{0,20}liugei"
    r"|zihaudou(mou|mo)jan(teng|tseng)"
    # Hokkien: to the river's edge and not coming back ("khe-pinn, bē tńg--lâi")
    r"|khepinn[a-z]{0,12}betnglai|betnglaiah"
    # thirty-third round (Cantonese): 我喺海边, 顶唔顺, 同我阿妈讲声对唔住
    r"|ngohai(hoi|hoy)bin|dingmseon|gongsingdeuimjyu"
)
# Opt-outs: Mandarin as a small grammar (stop, don't ... again, don't call or
# send), then the others.
_STOP = (
    r"tuiding(?!jipiao|jiudian|piao|huoche|gaotie|minsu|taocan)|tuidin|quxiaodingyue|tingzhifasong|jushou(zhe|duanxin|xinxi|nimen|$)|miandarao|qingwudarao|wurao$|^wurao(?!moshi)"
    # not 不要再罚息 (buyaozaifaxi)
    r"|(bie|buyao|qingbie|qingbuyao)zai(gei|gen)?(wo)?(da|fa(?!xi|kuan|jin)|lianxi|saorao|fan|cui)"
    r"|(bie|buyao|qingbie|qingbuyao)(gei|gen)?(wo)?(da|fa)(le$|la$|dianhua|duanxin|xinxi|xiaoxi)"
    r"|(bie|buyao|buxiang)(zai)?(lianxi|saorao|fan)wo|buxiangzaishoudao|buxiangshoudao"
    r"|mhouzoi(daa|send|wan|whatsapp|sau|sou|lai|gaau|fan)|mhou(daa|send)(lai|lei|bei|ngo)|teoi(deng|dang)(?!gaan|zaudim|geipiu|fei)"
    r"|ceoisiudengjyut|msoengzoisaudou|msoengzoisaudo"
    r"|(mai|mthang|mtang)koh(lai)?(ka(gua|goa))?(kha|kia|chha|tsha|phah|lianlok|tsa|tshau|sang)|bobehkohsiu|theteng|thedeng"
    r"|(ngo|ngodi)?(go)?houmaa(saan|saam|caan)zo|(shanchu|shandiao)wode(shouji)?haoma|bawode(shouji)?haoma(shan|qudiao)"
    r"|fiau(tse|tsa)(tang|faq|lienlo|tshau|da)|theiding|theding"
    # blind round 22: Wade-Giles ("T'ui-ting.")
    r"|^tuiting$"
)


def _readings(phrase: str) -> List[str]:
    from pypinyin import Style, pinyin

    per_char = [sorted(set(r.replace("ü", "v") for r in readings))[:3]
                for readings in pinyin(phrase, style=Style.NORMAL, heteronym=True)]
    forms = {"".join(p) for p in itertools.product(*per_char)}
    # the usual reading first, and ü typed as u as well as v
    return sorted(forms | {f.replace("v", "u") for f in forms})


def _alternation(phrases: Iterable[str]) -> str:
    return "|".join(sorted({re.escape(f) for p in phrases for f in _readings(p)}, key=len, reverse=True))


@lru_cache(maxsize=1)
def _patterns() -> Tuple["re.Pattern[str]", "re.Pattern[str]", "re.Pattern[str]"]:
    certain = (_alternation(_MANDARIN_CERTAIN) + "|" + _WISH + "(" + _alternation(_MANDARIN_WISH_CERTAIN) + ")"
               + "|" + _MANDARIN_DIE + "|" + _OTHER_CERTAIN)
    possible = _alternation(_MANDARIN_POSSIBLE) + "|" + _OTHER_POSSIBLE
    return (re.compile(certain), re.compile(possible), re.compile(_STOP))


# Never read as a crisis: 跳楼价 (a clearance price), 笑死 and 累死 (siu sei).
_NOT_CRISIS = re.compile(r"tiaoloujia|tiaolouda|tiaolouji|shaotankao|kaorou|(xiao|lei|mang|re|e|kun|qi)(si|sei)|siusei|guisei")


# Letters drawn as something else, read here only (the classifier keeps
# them as they are: 🇨🇳 is a flag, 🅰 a blood group): English Braille
# letters (⠞⠙), regional-indicator letters (🇹🇩) and negative squared ones (🆃🅳).
_BRAILLE = dict(zip("⠁⠃⠉⠙⠑⠋⠛⠓⠊⠚⠅⠇⠍⠝⠕⠏⠟⠗⠎⠞⠥⠧⠺⠭⠽⠵", "abcdefghijklmnopqrstuvwxyz"))
_DRAWN = str.maketrans({**_BRAILLE, **{chr(0x1F1E6 + k): chr(97 + k) for k in range(26)},
                        **{chr(0x1F170 + k): chr(97 + k) for k in range(26)}})
# Whole messages that are an unsubscribe code once their letters are read
# (🇹🇩, ⠞⠙, "ᴛᴅ 谢谢"): only polite words beside them.
_STOP_CODE = re.compile(r"(td|t|stop|unsubscribe|tuiding|qxdy|n)")
_ONLY_POLITE = re.compile(r"^[\s\W_a-z0-9]*((谢谢|谢|了|吧|啊|哦|呀|请|麻烦)[\s\W_a-z0-9]*)*$")


def _drawn(text: str) -> str:
    return (text or "").translate(_DRAWN)


# Zhuyin (bopomofo) written out in full syllables, as a Taiwanese writer
# types when the characters will not come (blind round 21: "ㄨㄛˇ ㄅㄨˋ ㄒㄧㄤˇ
# ㄏㄨㄛˊ ㄌㄜ˙"): each syllable becomes its pinyin, so that the Mandarin
# phrases below read it. The table is pypinyin's own pinyin -> Zhuyin
# conversion read backwards, over every syllable of its dictionary. A
# particle or two (好ㄉ, ㄅ是) is textnorm's business, not a spelling.
_ZHUYIN_LETTER = re.compile(r"[\u3105-\u312f\u31a0-\u31bf]")
_ZHUYIN_TONES = "ˊˇˋ˙"
_ZHUYIN = re.compile(_ZHUYIN_LETTER.pattern + "+[" + _ZHUYIN_TONES + "]?")


@lru_cache(maxsize=1)
def _zhuyin_syllables() -> dict:
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict
    from pypinyin.style import convert
    from pypinyin import Style

    table: dict = {}
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            zhuyin = convert(reading, Style.BOPOMOFO, strict=True).strip(_ZHUYIN_TONES)
            table.setdefault(zhuyin, to_normal(reading).replace("ü", "v"))
    return table


def _zhuyin_spelt(text: str) -> str:
    if len(_ZHUYIN_LETTER.findall(text)) < 4:
        return text
    table = _zhuyin_syllables()
    return _ZHUYIN.sub(lambda m: table.get(m.group().strip(_ZHUYIN_TONES), m.group()), text)


@lru_cache(maxsize=512)
def _run(text: str) -> str:
    # cached: the crisis and the opt-out checks both read every message
    folded = unicodedata.normalize("NFD", plain_letters(_drawn(_zhuyin_spelt(relaid(text or ""))))).lower()
    return "".join(ch for ch in folded if "a" <= ch <= "z")


def letters(text: str) -> str:
    """The message's Latin letters as one lower-case run (tone marks, tone
    digits, spaces and punctuation gone); empty when it has fewer than four."""
    run = _run(text)
    return run if len(run) >= 4 else ""


def romanised_crisis(text: str) -> Tuple[bool, bool]:
    """(certain, possible) signs of a crisis in the message's romanised words."""
    run = letters(text)
    if not run:
        return False, False
    certain, possible, _ = _patterns()
    run = _NOT_CRISIS.sub("_", run)
    # an English means beside a Chinese hoard ("ｃｈａｒｃｏａｌ 买好了")
    means_bought = bool(_ENGLISH_MEANS.search(run)) and bool(_HOARDED.search(text or ""))
    return bool(certain.search(run)) or means_bought, bool(possible.search(run))


_ENGLISH_MEANS = re.compile(r"charcoal|sleepingpills|pesticide|rope|razorblade")
_HOARDED = re.compile(r"买好|买了|准备好|备好|攒|都有了|在手边")


_LEET = str.maketrans("5$07314", "ssoteia")
_CHINESE = re.compile("[\u4e00-\u9fff]")


def romanised_stop(text: str) -> bool:
    """Whether the message's romanised words ask to stop contact."""
    run = letters(text)
    if run and _patterns()[2].search(run):
        return True
    if _spoken_keyword(text):
        return True
    plain = plain_letters(text or "").lower()
    if not _CHINESE.search(plain) and _STOP_CODE.fullmatch(re.sub(r"[^a-z]", "", plain.translate(_LEET))) \
            and re.search(r"[0-9$]", plain):
        # leetspeak codes: 5T0P, $T0P!!!, 7D
        return True
    drawn = _drawn(text).lower()
    return (drawn != (text or "").lower() and bool(_STOP_CODE.fullmatch(_run(text)))
            and bool(_ONLY_POLITE.match(unicodedata.normalize("NFKC", drawn))))


# A whole message of a few characters that sounds like 退订 ("腿定": blind
# round 20): the keyword picked wrongly from the IME, both characters at
# once, which the one-character homophone table does not undo.
_SPOKEN_STOP = re.compile(r"(hui|huifu)?(tuiding|tuidingle|tuidingla|tuidingba)")
_SHORT_CHINESE = re.compile(_CHINESE.pattern + "{2,5}")


@lru_cache(maxsize=512)
def _spoken_keyword(text: str) -> bool:
    bare = compact_text(text)
    if not _SHORT_CHINESE.fullmatch(bare):
        return False
    from pypinyin import lazy_pinyin

    return bool(_SPOKEN_STOP.fullmatch("".join(lazy_pinyin(bare))))


def romanised_opt_out_only(text: str) -> bool:
    """A message with no Chinese character whose romanised words ask to stop
    contact and show no sign of a crisis."""
    plain = plain_letters(text or "")
    return (not _CHINESE.search(plain) and romanised_stop(text)
            and romanised_crisis(text) == (False, False))
