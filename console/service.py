"""What an agent can do, each as one method: the database work (with its
audit row, in one transaction), the Rasa HTTP API calls, the compliance
guard and the collection policy, in the order that keeps them consistent.

Database work runs in a worker thread (one session per unit of work), as
in the action server: the console's event loop also serves live streams.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Dict, Optional, Tuple, TypeVar

from bot import clock
from bot.core import booking, guard, handover, policy
from bot.core.money import to_money
from bot.core.text import clean_value
from bot.db import repository
from bot.db.session import run_in_thread
from bot.services import UseCaseError, conversation, hardship
from bot.services import booking as bookings
from bot.settings import get_settings
from console import auth, labels, refusals, store, trainer_view
from console.rasa_api import AGENT_ACTION, RasaClient, RasaError, state, transcript
from console.store import ConsoleError, UserView

logger = logging.getLogger(__name__)
T = TypeVar("T")

# The hand-back use case (bot/services/conversation.py); kept here for callers.
HAND_BACK_ACTION = conversation.HAND_BACK_ACTION
RESUME_EVENTS = conversation.RESUME_EVENTS
MAX_REPLY_CHARS = 1000
MAX_NOTE_CHARS = 2000
# Longer than any standard term: only as a supervisor-approved hardship plan.
STANDARD_MAX_MONTHS = 24

GUARD_REASONS = {
    guard.FORBIDDEN_WORDING: "含有禁止使用的措辞：{detail}。请修改后再发送。",
    guard.MISSING_OPT_OUT: "短信必须以退订提示“{detail}”结尾。",
    guard.THIRD_PARTY: "对方不是持卡人本人（第三方号码），不能发送。",
    guard.OPTED_OUT: "客户已退订该渠道（{detail}），不能再通过该渠道发送。",
    guard.OPEN_DISPUTE: "账户有未结的争议，不能发送催收内容。",
    guard.DAILY_CAP: "已达到今日联系次数上限（{detail}）。",
    guard.WEEKLY_CAP: "已达到本周联系次数上限（{detail}）。",
    guard.QUIET_HOURS: "当前为免打扰时段，不能主动联系客户。",
}
CHANNEL_NAMES = labels.CHANNEL_LABELS  # one map for the whole console


def guard_message(decision: guard.GuardDecision) -> str:
    template = GUARD_REASONS.get(decision.reason, "不允许发送（{reason}）。")
    detail = decision.detail
    if decision.reason == guard.OPTED_OUT:
        detail = CHANNEL_NAMES.get(detail, detail)
    return template.format(detail=detail, reason=decision.reason)


async def db(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await run_in_thread(fn, *args, **kwargs)


@dataclass(frozen=True)
class Actor:
    user: UserView
    remote_addr: Optional[str] = None


class ConsoleService:
    def __init__(self, rasa: RasaClient) -> None:
        self.rasa = rasa

    # -- reading ------------------------------------------------------------

    async def tracker(self, conversation_id: str) -> Dict[str, Any]:
        try:
            # Text stored before the door was cleaned may hold lone
            # surrogates or NUL (issue 16): repaired on the way in.
            return clean_value(await self.rasa.tracker(conversation_id))
        except RasaError as exc:
            logger.error("reading tracker %s failed: %s", conversation_id, exc)
            raise ConsoleError("暂时无法连接智能助手（Rasa），请稍后重试。", 502) from exc

    async def account_id(self, conversation_id: str, tracker: Optional[Dict[str, Any]] = None) -> Optional[str]:
        found = await db(store.account_of_conversation, conversation_id)
        if found:
            return found
        if tracker is not None:
            st = state(tracker)
            return st["account_id"] or st["identified_account"]
        return None

    async def detail(self, conversation_id: str, me: UserView) -> Dict[str, Any]:
        """Everything the conversation page shows."""
        tracker = await self.tracker(conversation_id)
        account_id = await self.account_id(conversation_id, tracker)
        today = clock.today()
        cfg = get_settings()

        def load(s):
            snapshot = repository.account_snapshot(s, account_id, today) if account_id else None
            view = repository.get_account(s, account_id, today) if account_id else None
            return {
                "offers": policy.offers_summary(_facts(view), cfg.policy) if view else None,
                "escalations": store.escalations_of(s, conversation_id),
                "claim": store.live_claim(s, conversation_id),
                "notes": store.notes_of(s, conversation_id, account_id),
                "resolutions": store.resolutions_of(s, conversation_id, account_id),
                "account": snapshot,
                "signature": store.conversation_signature(s, conversation_id, account_id),
            }

        data = await db(load)
        if data["account"]:
            # Button clicks read as the buttons' titles (console/labels.py).
            data["account"]["contact_log"] = labels.readable_contact_log(
                data["account"]["contact_log"], labels.bot_messages(tracker.get("events") or [])
            )
        st = state(tracker)
        verified = bool(account_id) and (
            (st["verified"] and st["account_id"] == account_id) or st["identified_account"] == account_id
        )
        claim = data["claim"]
        detail = {
            "conversation_id": conversation_id,
            "account_id": account_id,
            "state": {**st, "identity_confirmed": verified},
            "transcript": transcript(tracker),
            "escalations": data["escalations"],
            "claim": claim,
            "mine": bool(claim and claim["user_id"] == me.id),
            "notes": data["notes"],
            "resolutions": data["resolutions"],
            "account": data["account"],
            "offers": data["offers"],
            "permissions": {p: auth.allowed(me.role, p) for p in auth.PERMISSIONS},
            "outcomes": store.OUTCOME_LABELS,
            "channel_labels": labels.CHANNEL_LABELS,
            "policy": {
                "installment_terms": list(cfg.policy.installment_terms),
                "max_deferral_days": cfg.policy.max_deferral_days,
                "promise_horizon_days": cfg.policy.promise_horizon_days,
                "hardship_max_months": cfg.policy.hardship_max_months,
            },
        }
        if me.role in trainer_view.MASKED_ROLES:
            # Trainers improve the model; who the cardholder is is none of
            # their business (the workbench masks the same way).
            holder = (data["account"] or {}).get("cardholder") or {}
            names = [holder.get("name") or ""]
            secrets = trainer_view.secret_values(data["account"])
            detail["transcript"] = trainer_view.mask_transcript(
                detail["transcript"], tracker.get("events") or [], names, secrets
            )
            detail = trainer_view.mask_data(detail, names, secrets)
        return detail

    # -- claims -------------------------------------------------------------

    async def claim(self, conversation_id: str, actor: Actor) -> Dict[str, Any]:
        def unit(s):
            claim = store.claim(s, conversation_id, actor.user)
            store.audit(
                s, actor.user, "claim", conversation_id=conversation_id,
                account_id=store.account_of_conversation(s, conversation_id), remote_addr=actor.remote_addr,
            )
            return claim

        claim = await db(unit)
        warning = None
        try:
            tracker = await self.rasa.tracker(conversation_id)
            if not tracker.get("paused"):
                # Handed back earlier, or a session that started afresh: the
                # bot must be quiet while a person talks.
                await self.rasa.append_events(
                    conversation_id,
                    [{"event": "pause"}, {"event": "slot", "name": "escalated", "value": True}],
                )
        except RasaError as exc:
            logger.error("could not pause %s after claim: %s", conversation_id, exc)
            warning = "已领取，但暂时无法连接智能助手暂停自动回复，请稍后重试领取。"
        return {"claim": claim, "warning": warning}

    async def release(self, conversation_id: str, actor: Actor) -> None:
        def unit(s):
            store.release(s, conversation_id, actor.user)
            store.audit(
                s, actor.user, "release", conversation_id=conversation_id,
                account_id=store.account_of_conversation(s, conversation_id), remote_addr=actor.remote_addr,
            )

        await db(unit)

    # -- talking ------------------------------------------------------------

    async def reply(self, conversation_id: str, text: str, actor: Actor) -> Dict[str, Any]:
        text = (text or "").strip()
        if not text:
            raise ConsoleError("回复内容不能为空。", 400)
        if len(text) > MAX_REPLY_CHARS:
            raise ConsoleError(f"回复内容最长{MAX_REPLY_CHARS}个字。", 400)
        await db(store.require_claim, conversation_id, actor.user)
        tracker = await self.tracker(conversation_id)
        st = state(tracker)
        if not st["paused"]:
            raise ConsoleError("会话已交还智能助手。如需继续人工服务，请先点击“重新接管”。", 409)
        if not st["can_push"]:
            raise ConsoleError(
                f"客户使用的渠道（{CHANNEL_NAMES.get(st['channel'], st['channel'] or '未知')}）"
                "无法接收主动发送的消息，请改用其他方式联系客户。",
                409,
            )
        account_id = await self.account_id(conversation_id, tracker)
        # On SMS the opt-out line is added here, not typed by the agent: the
        # guard, the relay, the delivery check and the audit see the text as sent.
        text = guard.as_sent(text, st["channel"] or "")
        decision = await db(self._guard, conversation_id, account_id, text, st)
        if not decision.allowed:
            message = guard_message(decision)
            await db(
                store.audit, actor.user, "reply_blocked", conversation_id=conversation_id, account_id=account_id,
                detail={"text": text, "reason": decision.reason, "detail": decision.detail},
                remote_addr=actor.remote_addr,
            )
            raise ConsoleError(message, 422)

        before = len(transcript(tracker))
        # With the agent's name from their console record: the web chat shows who writes.
        value = handover.encode_agent_message(text, actor.user.display_name)
        try:
            await self.rasa.append_events(
                conversation_id, [{"event": "slot", "name": "agent_message", "value": value}]
            )
            await self.rasa.execute(conversation_id, AGENT_ACTION)
            after = transcript(await self.rasa.tracker(conversation_id))
        except RasaError as exc:
            logger.error("agent reply to %s failed: %s", conversation_id, exc)
            raise ConsoleError("消息未能发送：暂时无法连接智能助手（Rasa），请稍后重试。", 502) from exc
        delivered = any(e["from"] == "agent" and e["text"] == text for e in after[before:])
        await db(
            store.audit, actor.user, "reply" if delivered else "reply_failed", conversation_id=conversation_id,
            account_id=account_id, detail={"text": text, "channel": st["channel"]}, remote_addr=actor.remote_addr,
        )
        if not delivered:
            raise ConsoleError("消息未能发送：智能助手的动作服务没有执行，请稍后重试。", 502)
        return {"delivered": True, "channel": st["channel"]}

    def _guard(self, s, conversation_id: str, account_id: Optional[str], text: str, st: Dict[str, Any]):
        open_dispute = False
        if account_id:
            view = repository.get_account(s, account_id, clock.today())
            open_dispute = bool(view and view.open_dispute)
        facts = guard.ContactFacts(
            opted_out_channels=store.opted_out_channels(s, conversation_id),
            open_dispute=open_dispute,
            third_party_number=st.get("auth_state") == "third_party",
        )
        # A reply to a cardholder who wrote to us: no new contact, and not
        # collection content in itself; wording, wrong party and opt-outs apply.
        outbound = guard.Outbound(text=text, channel=st["channel"] or "", is_collection=False, starts_contact=False)
        return guard.check_outbound(outbound, facts, clock.now())

    async def hand_back(self, conversation_id: str, actor: Actor) -> Dict[str, Any]:
        await db(store.require_claim, conversation_id, actor.user)
        warning = await self._resume(conversation_id)

        def unit(s):
            store.mark_handed_back(s, conversation_id, actor.user)
            store.audit(
                s, actor.user, "hand_back", conversation_id=conversation_id,
                account_id=store.account_of_conversation(s, conversation_id),
                detail={"warning": warning} if warning else None, remote_addr=actor.remote_addr,
            )

        await db(unit)
        return {"handed_back": True, "warning": warning}

    async def _resume(self, conversation_id: str) -> Optional[str]:
        """Un-pause with the bot's "restored" message; None, or a warning."""
        try:
            return (await conversation.hand_back(conversation_id, self.rasa)).warning
        except RasaError as exc:
            logger.error("hand back of %s failed: %s", conversation_id, exc)
            raise ConsoleError("暂时无法连接智能助手（Rasa），会话仍由人工处理，请稍后重试。", 502) from exc

    # -- notes, resolution --------------------------------------------------

    async def add_note(self, conversation_id: str, text: str, actor: Actor) -> int:
        text = (text or "").strip()
        if not text:
            raise ConsoleError("备注不能为空。", 400)
        if len(text) > MAX_NOTE_CHARS:
            raise ConsoleError(f"备注最长{MAX_NOTE_CHARS}个字。", 400)

        def unit(s):
            account_id = store.account_of_conversation(s, conversation_id)
            note_id = store.add_note(s, conversation_id, account_id, actor.user, text)
            store.audit(
                s, actor.user, "note", conversation_id=conversation_id, account_id=account_id,
                detail={"note_id": note_id, "text": text}, remote_addr=actor.remote_addr,
            )
            return note_id

        return await db(unit)

    async def resolve(self, conversation_id: str, outcome: str, note: str, actor: Actor) -> Dict[str, Any]:
        if outcome not in store.OUTCOMES:
            raise ConsoleError("请选择处理结果。", 400)
        await db(store.require_claim, conversation_id, actor.user)
        tracker = await self.tracker(conversation_id)
        warning = await self._resume(conversation_id) if tracker.get("paused") else None
        account_id = await self.account_id(conversation_id, tracker)

        def unit(s):
            result = store.resolve(s, conversation_id, actor.user, outcome, (note or "").strip()[:MAX_NOTE_CHARS], account_id)
            store.audit(
                s, actor.user, "resolve", conversation_id=conversation_id, account_id=account_id,
                detail={"outcome": outcome, "note": note, **result, "warning": warning}, remote_addr=actor.remote_addr,
            )
            return result

        result = await db(unit)
        return {**result, "warning": warning}

    # -- bookings -----------------------------------------------------------

    async def book(self, conversation_id: str, kind: str, params: Dict[str, Any], actor: Actor) -> Dict[str, Any]:
        """An agent's booking: the same use case as the bot's
        (bot/services/booking.py), with the audit row in its transaction."""
        await db(store.require_claim, conversation_id, actor.user)
        tracker = await self.tracker(conversation_id)
        st = state(tracker)
        account_id = await self.account_id(conversation_id, tracker)
        if not account_id:
            raise ConsoleError("该会话没有关联账户，无法办理。", 400)
        if not ((st["verified"] and st["account_id"] == account_id) or st["identified_account"] == account_id):
            raise ConsoleError("客户尚未通过身份验证，不能为其办理业务。", 403)
        today = clock.today()
        cfg = get_settings().policy
        supervisor = auth.allowed(actor.user.role, "approve")
        use_case, terms = _booking_use_case(kind, params, cfg, supervisor, actor)

        def audit(s, result: bookings.BookingResult) -> None:
            store.audit(
                s, actor.user, "book", conversation_id=conversation_id, account_id=account_id,
                detail={"kind": result.kind, "arrangement_id": result.arrangement_id, "created": result.created,
                        "terms": result.summary},
                remote_addr=actor.remote_addr,
            )

        result = await asyncio.to_thread(
            use_case, account_id=account_id, conversation_id=conversation_id, today=today, config=cfg,
            also=audit, **terms,
        )
        if result.outcome == bookings.NO_ACCOUNT:
            raise ConsoleError("找不到该账户。", 404)
        if result.outcome == bookings.REFUSED:
            raise ConsoleError(_agent_refusal(kind, terms, result, today, cfg), 422)
        return {
            "arrangement_id": result.arrangement_id,
            "created": result.created,
            "summary": result.summary,
            "suggested_reply": result.reply,
        }

    # -- hardship plans: a supervisor's decision -----------------------------

    async def approve(self, arrangement_id: int, actor: Actor) -> Dict[str, Any]:
        return await self.decide(arrangement_id, hardship.APPROVE, "", actor)

    async def reject(self, arrangement_id: int, reason: str, actor: Actor) -> Dict[str, Any]:
        return await self.decide(arrangement_id, hardship.REJECT, reason, actor)

    async def decide(self, arrangement_id: int, decision: str, reason: str, actor: Actor) -> Dict[str, Any]:
        """Approve or reject a pending personalised plan (bot/services/hardship.py):
        recorded with its audit row, the hand-over that waited for it closed
        (and the claim released when nothing else is open), then the
        cardholder told on their channel and the assistant resumed."""
        if not auth.allowed(actor.user.role, "approve"):
            raise ConsoleError("只有主管可以审批个性化还款方案。", 403)
        action = "approve_arrangement" if decision == hardship.APPROVE else "reject_arrangement"

        def record(s, result: hardship.HardshipDecision) -> None:
            store.audit(
                s, actor.user, action, conversation_id=result.conversation_id, account_id=result.account_id,
                detail=result.as_dict(), remote_addr=actor.remote_addr,
            )
            if result.hand_back and store.live_claim(s, result.conversation_id) is not None:
                # Nothing else keeps a person on the conversation: it leaves
                # the queue and nobody is shown as handling it.
                store.release(s, result.conversation_id, actor.user, reason="resolved")

        try:
            result = await asyncio.to_thread(
                hardship.decide_hardship_plan, arrangement_id, decision,
                decided_by=actor.user.username, reason=reason, also=record,
            )
        except UseCaseError as exc:
            raise ConsoleError(exc.message, exc.status) from None
        told = await hardship.tell_cardholder(result, RasaConversations(self))
        if told.warnings:
            await db(
                store.audit, actor.user, "decision_notice_failed", conversation_id=result.conversation_id,
                account_id=result.account_id, detail={"arrangement_id": arrangement_id, "warnings": told.warnings},
                remote_addr=actor.remote_addr,
            )
        return {
            **result.as_dict(),
            "delivered": told.delivered,
            "handed_back": told.handed_back,
            "warning": "；".join(told.warnings) or None,
        }

    async def pending_plans(self) -> Dict[str, Any]:
        return {"items": await asyncio.to_thread(hardship.pending_plans)}


class RasaConversations:
    """The hardship use case's way to the cardholder (bot/services/hardship.py
    ``Conversations``): the path an agent's reply takes (the relay action on
    the cardholder's own channel, after the compliance guard), and the
    console's hand-back."""

    def __init__(self, service: ConsoleService) -> None:
        self.service = service
        self.rasa = service.rasa

    async def tell(self, conversation_id: str, text: str) -> Optional[str]:
        try:
            tracker = clean_value(await self.rasa.tracker(conversation_id))
        except RasaError as exc:
            logger.error("reading %s to send a decision failed: %s", conversation_id, exc)
            return "暂时无法连接智能助手（Rasa），审批结果未能发送给客户，请稍后通过其他方式告知。"
        st = state(tracker)
        if not st["can_push"]:
            return (
                f"客户使用的渠道（{CHANNEL_NAMES.get(st['channel'], st['channel'] or '未知')}）"
                "无法接收主动发送的消息，请通过其他方式告知客户审批结果。"
            )
        text = guard.as_sent(text, st["channel"] or "")
        account_id = await self.service.account_id(conversation_id, tracker)
        decision = await db(self.service._guard, conversation_id, account_id, text, st)
        if not decision.allowed:
            return "审批结果未发送：" + guard_message(decision)
        before = len(transcript(tracker))
        try:
            await self.rasa.append_events(
                conversation_id, [{"event": "slot", "name": "agent_message", "value": text}]
            )
            await self.rasa.execute(conversation_id, AGENT_ACTION)
            after = transcript(await self.rasa.tracker(conversation_id))
        except RasaError as exc:
            logger.error("decision message to %s failed: %s", conversation_id, exc)
            return "暂时无法连接智能助手（Rasa），审批结果未能发送给客户，请稍后通过其他方式告知。"
        if not any(e["from"] == "agent" and e["text"] == text for e in after[before:]):
            return "审批结果未能发送：智能助手的动作服务没有执行。"
        return None

    async def hand_back(self, conversation_id: str) -> Optional[str]:
        try:
            tracker = await self.rasa.tracker(conversation_id)
        except RasaError as exc:
            logger.error("reading %s to hand back failed: %s", conversation_id, exc)
            return "暂时无法连接智能助手（Rasa），会话未能恢复智能服务。"
        if not tracker.get("paused"):
            return None
        try:
            return await self.service._resume(conversation_id)
        except ConsoleError as exc:
            return str(exc)


# --------------------------------------------------------------------------
# Booking: the use cases of bot/services/booking.py, with the console's
# permissions and the agent's wording of a refusal
# --------------------------------------------------------------------------


def _facts(view: repository.AccountView) -> policy.AccountFacts:
    return bookings.facts_of(view)


def _int(params: Dict[str, Any], key: str, label: str) -> int:
    try:
        value = int(str(params.get(key, "")).strip())
    except ValueError:
        raise ConsoleError(f"请填写{label}（整数）。", 400) from None
    return value


def _booking_use_case(
    kind: str, params: Dict[str, Any], cfg: policy.PolicyConfig, supervisor: bool, actor: Actor
) -> Tuple[Callable[..., bookings.BookingResult], Dict[str, Any]]:
    """Which use case books ``kind``, with its terms read from the form."""
    if kind == "deferral":
        return bookings.book_deferral, {"days": _int(params, "days", "延期天数"), "booked_by": booking.BY_AGENT}
    if kind == "promise":
        try:
            amount = to_money(Decimal(str(params.get("amount", "")).replace(",", "").strip()))
            pay_date = date.fromisoformat(str(params.get("pay_date", "")).strip())
        except (InvalidOperation, ValueError, TypeError):
            raise ConsoleError("请填写承诺金额和日期（YYYY-MM-DD）。", 400) from None
        return bookings.book_promise, {"amount": amount, "pay_date": pay_date, "booked_by": booking.BY_AGENT}
    hardship_terms = lambda months: {"months": months, "approved_by": actor.user.username}  # noqa: E731
    if kind == "installment":
        months = _int(params, "months", "分期期数")
        if months > STANDARD_MAX_MONTHS or months not in cfg.installment_terms:
            if not supervisor:
                raise ConsoleError(
                    f"标准分期期数为{'、'.join(str(t) for t in cfg.installment_terms)}期；"
                    "超出标准的方案（个性化还款方案）需主管办理。",
                    403,
                )
            return bookings.book_hardship_plan, hardship_terms(months)
        return bookings.book_installment, {"months": months, "booked_by": booking.BY_AGENT}
    if kind == "hardship_plan":
        if not supervisor:
            raise ConsoleError("个性化还款方案需主管办理或审批。", 403)
        return bookings.book_hardship_plan, hardship_terms(_int(params, "months", "分期期数"))
    raise ConsoleError("不支持的办理类型。", 400)


def _agent_refusal(
    kind: str, terms: Dict[str, Any], result: bookings.BookingResult, today: date, cfg: policy.PolicyConfig
) -> str:
    """Why the policy refused, written for the agent (console/refusals.py)."""
    facts = result.facts
    if facts is not None:
        if result.kind == booking.DEFERRAL:
            return refusals.deferral(facts, terms["days"], today, cfg)
        if result.kind == booking.PROMISE:
            return refusals.promise(facts, terms["amount"], terms["pay_date"], today, cfg)
        if result.kind == booking.INSTALLMENT:
            return refusals.installment(facts, terms["months"], today, cfg)
    return f"不符合办理条件：{result.reason}{result.alternative}"
