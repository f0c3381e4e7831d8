"""Every sentence the assistant composes in code, in one reviewable place.

domain.yml holds the fixed responses; these are the ones with figures in
them. tests/unit/test_response_wording.py checks both against the
forbidden-wording list, so a threatening word cannot slip in here either.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from bot.core.channels import CARDHOLDER_CHANNEL_NAMES

ASK_RIGHT_PARTY = "您好，我是{bank}的智能客服助理。请问您是{masked_name}本人吗？"
UNKNOWN_NUMBER = (
    "您好，我是{bank}的智能客服助理。抱歉，暂时无法通过当前号码为您提供服务。"
    "如有需要，请拨打官方客服热线{hotline}。"
)
THIRD_PARTY = (
    "好的，打扰您了，非常抱歉。如方便，请转告机主本人拨打{bank}官方客服热线{hotline}"
    "与我们联系。谢谢！"
)
ASK_CLAIMED_PHONE = "您好，我是{bank}的智能客服助理。为保护您的信息安全，请先回复您在本行预留的手机号码。"
CLAIMED_PHONE_INVALID = "抱歉，没能识别手机号码。"
# Asked again (a wrong answer, a question in between): no second greeting.
ASK_CLAIMED_PHONE_AGAIN = "请回复您在本行预留的11位手机号码，例如“13800138000”。"
ASK_RIGHT_PARTY_AGAIN = "请问您是{masked_name}本人吗？请回复“是”或“不是”。"
# A request made before the cardholder is verified is acknowledged, never
# answered: what the bot will do once they are (no figure, no word that
# says there is a debt). First, as the verification starts:
VERIFY_FIRST = "为保护您的信息安全，需要先核实您的身份，核实通过后我马上{task}。"
ASK_CLAIMED_PHONE_FOR = (
    "您好，我是{bank}的智能客服助理。{verify_first}核实方式：先回复您在本行预留的手机号码，再回复身份证号码后四位。"
)
ASK_RIGHT_PARTY_FOR = "您好，我是{bank}的智能客服助理。{verify_first}请问您是{masked_name}本人吗？"
# Then, asked in the middle of the verification:
VERIFY_PENDING = "好的，核实身份后我马上{task}。"
# What the bot will do once verified, by the request's intent.
VERIFY_TASKS = {
    "ask_balance": "为您查询",
    "already_paid": "为您核对",
    "promise_to_pay": "为您登记",
    "request_installment": "为您办理",
    "request_deferral": "为您办理",
    "request_fee_waiver": "为您记录申请",
    "inform_hardship": "和您一起想办法",
    "inform_income": "为您计算合适的方案",
    "ask_payment_method": "告诉您具体办理方式",
    "ask_consequences": "为您解答",
    "dispute_debt": "为您记录并转交专员核实",
}
ASK_PROMISE_AMOUNT = "请问您计划还款多少？例如“3000元”，或“最低还款”“全部还清”。"
ASK_PROMISE_DATE = "请问您计划哪天还款？例如“明天”“本周五”“12月15号”。"
ASK_REPHRASE = "抱歉，我没有完全理解您的意思，能换个说法再说一次吗？"
WRONG_ID = "验证未通过，请核对后重新回复身份证号码后四位（还可尝试{left}次）。"
LOCKED = (
    "验证未通过的次数较多，为保护账户安全，本次会话已暂停自动服务。"
    "我们已安排人工专员跟进，您也可以拨打官方客服热线{hotline}。"
)
# Too many wrong ID answers in this conversation: a wait that expires
# (bot/core/ratelimit.backoff_check), never a lock-out.
VERIFY_BACKOFF = (
    "验证未通过的次数较多，为保护账户安全，请{wait}后再回复身份证号码后四位。"
    "如需帮助，请拨打官方客服热线{hotline}。"
)
# Added on the cardholder's own (carrier-verified) SMS conversation.
VERIFY_BACKOFF_FOLLOW_UP = "我们也已安排人工专员跟进。"
FACTS = (
    "{greeting}您尾号{card_last4}的信用卡当前应还总额{balance}，最低还款额{minimum_due}，"
    "到期还款日为{due_date}，{overdue}。"
)
OVERDUE_DAYS = "目前已逾期{days}天"
NOT_OVERDUE = "目前尚未逾期"
FACTS_QUESTION = "请问您近期方便安排还款吗？如有困难，我们可以一起看看分期或延期方案。"
FACTS_BUTTONS = (
    ("我要还款", "/promise_to_pay"),
    ("申请分期", "/request_installment"),
    ("申请延期", "/request_deferral"),
    ("我有困难", "/inform_hardship"),
)
# Too many wrong ID answers for one phone across conversations.
VERIFY_RATE_LIMITED = (
    "为保护账户安全，该手机号的身份验证尝试次数较多，验证已暂停，请{wait}后再试。"
    "如需帮助，请拨打官方客服热线{hotline}。"
)
HOLDING = "您的问题已转交人工专员处理，专员会尽快与您联系，请稍候。"
SYSTEM_BUSY = "抱歉，系统暂时繁忙，您的信息没有丢失，请稍后再发一次。"

PROMISE_AMOUNT_INVALID = "抱歉，没能识别金额，请直接回复金额，例如“3000元”或“最低还款”。"
PROMISE_DATE_INVALID = "抱歉，没能识别日期，请回复具体日期，例如“明天”“本周五”“12月15号”。"
PROMISE_CONFIRM = "请确认：您承诺于{date}前还款{amount}。{partial}确认请回复“是”，需要修改请回复“不是”。"
PROMISE_PARTIAL_NOTE = "该金额低于最低还款额{minimum_due}，剩余部分仍会计入逾期。"
# Every booking's reply carries its reference number (bot.core.booking.reference)
# and, where money is now due, how to pay (the policy's payment_methods).
REFERENCE = "业务编号：{reference}。"
HOW_TO_PAY = "还款方式：{methods}。"
PROMISE_BOOKED = "已为您登记还款承诺：{date}前还款{amount}。{reference}{methods}感谢您的配合！"
PROMISE_ALREADY = "这笔还款承诺之前已为您登记：{date}前还款{amount}，无需重复办理。{reference}"

INSTALLMENT_OPTIONS_HEAD = "您的欠款{principal}可申请以下分期（每月手续费率{rate}）。"
# The options as a menu (bot/core/plan_menu.py): cards in the web chat, a
# numbered list over SMS; the text above them only leads in.
INSTALLMENT_PICK = "请选择一个方案（也可以直接告诉我想分几期）："
INSTALLMENT_OPTION_TITLE = "{months}期：每期{monthly}，手续费{fee}，合计{total}"
INSTALLMENT_CARD_HEADING = "分{months}期"
INSTALLMENT_CARD_MONTHLY = "每期"
INSTALLMENT_CARD_FEE = "手续费"
INSTALLMENT_CARD_TOTAL = "合计还款"
# A term that was not among the options shown (a stale number, a forged tap).
INSTALLMENT_NOT_OFFERED = "抱歉，这不是为您列出的方案之一，请从以下方案中选择：{terms}。"
INSTALLMENT_TERM_INVALID = "抱歉，没能识别期数，请回复3、6、12或24期中的一个。"
INSTALLMENT_CONFIRM = (
    "请确认：将{principal}分{months}期，每期还款{monthly}{last}，总手续费{fee}，"
    "合计还款{total}。确认办理请回复“是”。"
)
INSTALLMENT_LAST = "（最后一期{last_payment}）"
INSTALLMENT_BOOKED = (
    "分期已办理成功：共{months}期，每期{monthly}，首期还款日为{first_date}。{reference}{methods}感谢您的配合！"
)
INSTALLMENT_ALREADY = "您的{months}期分期此前已办理成功，无需重复办理。{reference}"

DEFERRAL_ASK = "最长可为您延期{max_days}天。请问需要延期多久？例如“15天”“一个月”。"
DEFERRAL_INVALID = "抱歉，没能识别延期时长，请回复例如“15天”“两周”“一个月”。"
# Time asked for without a length (过几天 / 一段时间 / 缓缓): asked how long, not
# told the answer was unreadable (bot.core.normalize.is_vague_duration).
DEFERRAL_VAGUE = "好的，您大概需要延期多久呢？最长可以延期{max_days}天，请回复例如“15天”“一个月”。"
DEFERRAL_CONFIRM = "请确认：将还款日延至{new_date}（延期{days}天），延期期间仍按合同计息。确认请回复“是”。"
DEFERRAL_BOOKED = "已为您办理延期，新的还款日为{new_date}，请在该日期前完成还款。{reference}{methods}"
DEFERRAL_ALREADY = "延期此前已为您办理，新的还款日为{new_date}。{reference}"

NOT_ELIGIBLE = "{reason}{alternative}"
CANCELLED = "好的，已为您取消，本次没有办理任何业务。还有其他需要吗？"

FEE_WAIVER = (
    "已记录您的减免（停息挂账）申请，将由专员在3个工作日内审核并与您联系，结果以专员通知为准。{reference}"
    "审核期间，建议您尽量先按最低还款额{minimum_due}还款。"
)
# Hardship: ask what they can afford before any figure; offer only what fits
# that budget (bot.core.policy.plan_for_budget); submit only on a yes.
HARDSHIP_ASK_BUDGET = (
    "非常理解您的难处，谢谢您如实告诉我们。请问您现在每月最多能还多少？例如“每月1000元”。"
    "我会按这个金额为您找分期或个性化还款方案，不会超出您能承担的范围。"
    "如果暂时一点都还不上，可以回复“转人工”，由专员和您一起想办法。"
)
INCOME_ASK = "请告诉我您每月大概能还多少钱，例如“每月1500元”，我帮您算一算合适的方案。"
# Stated income / expenses read back (bot/actions/assessment.py), then INCOME_ASK.
MEANS_PART = "{label}约{amount}"
MEANS_NOTED = "好的，已记下您的{means}。"
INCOME_INSTALLMENT = "按您每月可还{affordable}计算，建议分{months}期，每期{monthly}。"
BUDGET_PAYS_IN_FULL = (
    "按您每月可还{budget}计算，您可以一次还清全部应还金额{balance}，不产生分期手续费。"
    "需要登记还款日期请回复“我要还款”。"
)
# A plan within policy, offered as a card (bot/core/plan_menu.hardship_button)
# with its exact figures; nothing submitted before the yes to its confirmation.
HARDSHIP_OFFER = (
    "按您每月最多可还{budget}计算，标准分期的每期金额都超出了这个数。可以为您申请个性化还款方案，该方案需专员审批。"
)
# Nothing within policy fits: say so, then what can be done.
BUDGET_NONE_FITS = (
    "如实告诉您：按您每月最多可还{budget}计算，现行政策内没有不超出这个金额的方案"
    "（月供最低的是分{months}期，每期{monthly}，{fee}）。"
)
BUDGET_REVIEW = "可以为您提交专员特别审核的个性化方案，该方案超出标准期限，能否办理以专员审核结果为准。"
BUDGET_NO_PLAN = "按这个金额目前无法安排分期。如需专员与您一起评估其他办法，请回复“转人工”。"
BUDGET_PARTIAL_NOW = "您也可以先还一笔不超过{partial}的款项，避免逾期情况加重，登记请回复“我要还款”。"
# Every figure that will be submitted, shown before the cardholder says yes.
PLAN_FIGURES = "将{principal}分{months}期，每期{monthly}{last}，{fee}，合计还款{total}"
PLAN_FEE = "总手续费{fee}"
PLAN_FEE_FREE = "免手续费"
# The personalised plan's card and its confirmation step (bot/core/plan_menu.py).
HARDSHIP_CARD_PICK = "请选择下方方案查看并确认，提交前会再请您确认一次；如不合适，也可以直接告诉我新的每月金额。"
HARDSHIP_OPTION_TITLE = "个性化方案{months}期：每期{monthly}，{fee}，合计{total}（需专员审批）"
HARDSHIP_CARD_HEADING = "个性化方案 · 分{months}期"
HARDSHIP_CARD_LAST = "末期"
HARDSHIP_CARD_REVIEW = "审批"
HARDSHIP_CARD_REVIEWER = "需专员审批"
HARDSHIP_CARD_DECLINE = "不用了"
HARDSHIP_CONFIRM = (
    "请确认您要申请的个性化还款方案：{plan}。该方案需专员审批，审批结果以专员通知为准。"
    "确认按以上金额提交申请吗？如不合适，请回复“不是”，或直接告诉我新的每月金额。"
)
HARDSHIP_CONFIRM_YES = "是，提交申请"
HARDSHIP_CONFIRM_NO = "不是"
# A tap on a plan that was not the one offered (a forged or stale payload).
HARDSHIP_CARD_NOT_OFFERED = "抱歉，这不是为您列出的方案，没有提交任何申请。请选择下方的方案，或告诉我新的每月金额。"
HARDSHIP_SUBMITTED = (
    "已为您提交个性化还款方案申请：分{months}期，每期{monthly}，合计还款{total}。{reference}"
    "该方案需专员审批，审批结果以专员通知为准，专员会尽快与您联系。"
)
HARDSHIP_NOT_SUBMITTED = (
    "好的，没有为您提交任何申请。如果每月能承担的金额有变化，直接告诉我新的金额（例如“每月800元”），"
    "我重新为您计算。"
)
HARDSHIP_OFFER_CHANGED = (
    "抱歉，您的账户金额刚刚有变化，刚才的方案已不适用，本次没有提交任何申请。"
    "请再告诉我一次您每月最多能还多少，我重新为您计算。"
)

REFUSAL_FIRST = (
    "理解您现在可能有顾虑。如实告知：逾期会按合同产生利息和费用，并按规定报送征信记录。"
    "如果一次还清有困难，我们有分期、延期等方案可以减轻压力，您愿意了解一下吗？"
)
INSULT_FIRST = "理解您现在心情不好。我们希望好好沟通，一起找到适合您的解决办法。"
# The metadata key of a bot message that supports a life at risk (the crisis
# lines below). Such a message answers what the cardholder has just written
# and carries the hotline, it is no collection contact: the SMS channel sends
# it even to a number that opted out (channels/twilio_sms.py), so that "别打了，
# 人不在了" gets the hotline after the opt-out it also asked for.
SAFETY_REPLY_KEY = "safety_reply"


def as_safety_reply(metadata: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """``metadata`` (a bot message's) marked as a safety reply."""
    return {**(metadata or {}), SAFETY_REPLY_KEY: True}

CRISIS = (
    "听到您这么说，我很担心您。您的安全比任何事情都重要。"
    "如果您正处在危险中，请立即拨打110或120；也可以随时拨打{crisis_hotline}，那里有专业的人愿意倾听。"
    "我已请人工专员尽快联系您，其他事情都可以先放一放。"
)
# A possible crisis (bot/core/safety.py: 活着好累, 撑不下去了): ask first,
# gently, before anything else; never a word about money.
CRISIS_CHECKIN = (
    "听到您这么说，我有点担心您。其他事情都先放一放，想问问您：您现在安全吗？"
    "如果您有伤害自己的想法，或正处在危险中，请立即拨打110或120；也可以随时拨打{crisis_hotline}，那里有专业的人愿意倾听。"
    "如果您想和真人聊聊，回复“人工”，我马上请专员来陪您。"
)
# They answered that they are safe: the door stays open.
CRISIS_CHECKIN_SAFE = (
    "谢谢您告诉我，听到您现在安全，我放心了一些。心里难受的时候，随时可以拨打{crisis_hotline}找人聊聊；"
    "想和专员聊，回复“人工”就可以。其他事情不着急，您准备好了再说。"
)
# Crisis talk while the action server is down: the hotline at once, nothing
# promised that cannot be done from the Rasa server alone.
CRISIS_WHILE_DOWN = (
    "听到您这么说，我很担心您。您的安全比任何事情都重要。"
    "如果您正处在危险中，请立即拨打110或120；也可以随时拨打{crisis_hotline}，那里有专业的人愿意倾听。"
)
ESCALATION = {
    "customer_request": "好的，正在为您转接人工专员，专员接入后会在这里继续为您服务。",
    "dispute_debt": (
        "已记录您对这笔款项的异议，将转交专员核实。核实期间我们不会就有异议的款项向您催收，"
        "专员会尽快与您联系。"
    ),
    "complaint": (
        "非常抱歉给您带来不好的体验。您的意见已记录并转交专员处理，专员会尽快与您联系；"
        "您也可以拨打官方客服热线{hotline}反映。"
    ),
    "abuse": "理解您的情绪。为了更好地帮助您，我已请人工专员稍后与您沟通。",
    "repeated_refusal": "明白了，我会把您的情况转交人工专员，由专员与您进一步沟通。",
    "fallback": "抱歉，我可能没有理解清楚，已为您转接人工专员，请稍候。",
    "verification_locked": LOCKED,
    "hardship_plan": "",  # HARDSHIP_SUBMITTED already told the cardholder
    "crisis": "",  # CRISIS already told the cardholder
}
# After every hand-over (bot/actions/handoff.py): when a person will answer.
# bot/core/staffing.handoff_eta picks one by the staffed hours.
HANDOFF_ETA_IN_HOURS = "人工专员预计约{minutes}分钟内接入，请留意这里的消息。"
HANDOFF_ETA_OUT_OF_HOURS = (
    "现在是非人工服务时间（人工服务时间为每天{start}-{end}），"
    "专员将于{when}上班后尽快回复您，请留意这里的消息。"
)
# A crisis out of staffed hours: never "wait until tomorrow". Where help is
# now comes first; the agents' first task when they start is this message.
HANDOFF_ETA_CRISIS_OUT_OF_HOURS = (
    "现在是非人工服务时间，但您不需要等到明天：如果您正处在危险中，请立即拨打110或120，"
    "也可以随时拨打{crisis_hotline}，那里现在就有人可以帮助您。"
    "人工专员{when}上班后会第一时间联系您。"
)
# The agent hands the conversation back to the assistant (agent console).
HANDED_BACK = "人工专员已处理完毕，已为您恢复智能服务。如还有其他问题，可以直接告诉我。"
OPT_OUT = "已为您办理退订，我们将不再通过{channel_name}向您发送提醒。如需恢复，回复“订阅”即可。"
# "别打电话 发短信就行": calls stop, writing goes on (bot/actions/base.py).
CALLS_STOPPED = "好的，已为您记下：以后不再给您打电话，有事我们通过文字消息联系您。"
# "别打给我妈 有事找我": the family or the work is not to be contacted, the
# cardholder is (bot/actions/escalation.py; the agent's queue shows it).
THIRD_PARTY_NOTED = "好的，已为您记下：有事只联系您本人，不联系您的家人、单位或其他人。"
# The same, as the agent's queue shows it before the conversation summary.
THIRD_PARTY_NOTE_FOR_AGENTS = "【本人要求：不联系其家人、单位或其他第三方】"
# A message that only may be an opt-out (the safety risk detector's guess,
# bot/nlu/risk_detector.py): asked, never recorded on the guess alone, and
# never left unanswered either.
OPT_OUT_CONFIRM = "请问您是希望我们不再通过{channel_name}向您发送提醒吗？回复“是”即为您退订，回复“不是”则照常联系。"
OPT_OUT_CONFIRM_BUTTONS = (("是，不要再发", "/stop_contact"), ("不是", "/deny"))
OPT_OUT_KEPT = "好的，不为您退订。如以后不希望收到提醒，随时回复“退订”即可。"
OPT_OUT_ANSWER_NOTED = "好的，已收到。"
# An opt-out said in the same words as a crisis ("别再发了 我不想活了"): the
# wish is acknowledged in one short line before the crisis reply, so that the
# reply still ends on its question (are you safe?). No "回复订阅" here: a
# person in crisis is not asked to do anything about reminders.
OPT_OUT_BESIDE_CRISIS = "您不想再收到提醒，我们已经记下了，之后不会再通过{channel_name}给您发提醒。"
CHANNEL_NAMES = CARDHOLDER_CHANNEL_NAMES  # the shared channel map (bot/core/channels.py)
CONSEQUENCES = (
    "如实告知您：逾期会按合同计收利息和违约金，逾期记录会按规定报送至人民银行征信系统，"
    "可能影响您今后申请贷款和信用卡。按时还款或办理分期、延期，可以避免情况继续加重。"
    "我们不会因此与您以外的任何人讨论您的账户。"
)
PAYMENT_METHODS = "您可以通过以下方式还款：\n{methods}\n还款后通常1至3个工作日入账。"
PAYMENT_FOUND = "已查到您于{date}还款{amount}，感谢您！如还有剩余应还款项，以账单为准。"
# "已经还了 别再发了": the opt-out is recorded, and so is the payment the
# cardholder says was made (bot/actions/escalation.py), said after OPT_OUT.
PAYMENT_CLAIM_BESIDE_OPT_OUT = "您说已经还款，已为您登记，我们将在{check_by}前核实到账情况。"
PROMISE_BESIDE_OPT_OUT = "您说的还款安排已记下，工作人员会按您说的时间核对到账，不会因此再联系您。"
PAYMENT_NOT_FOUND = (
    "暂未查到您近期的还款记录，可能还在入账途中。已为您登记，我们将在{check_by}前核实，"
    "核实前如收到提醒请您谅解。"
)

# A specialist's decision on a personalised (hardship) plan, sent on the
# cardholder's own channel (bot/services/hardship.py), and the agent's own
# booking of one (bot/core/booking.py).
HARDSHIP_APPROVED = (
    "您好，您的个性化还款方案已审批通过：分{months}期，每期{monthly}，合计还款{total}。{reference}{methods}"
    "请按期还款；如有疑问，可以直接在这里告诉我。"
)
HARDSHIP_ALREADY = "您的{months}期个性化还款方案此前已办理，无需重复办理。{reference}"
HARDSHIP_REJECTED = (
    "您好，很抱歉，您申请的个性化还款方案（分{months}期，每期{monthly}）未能通过审批。{reference}{because}"
    "如需了解其他还款安排，可以直接告诉我您每月能承担的金额，或回复“转人工”由专员与您联系。"
)
HARDSHIP_REJECTED_REASON = "原因：{reason}。"
