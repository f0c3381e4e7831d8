"""Review: conversations from the tracker store with what the console knows
about them (escalations, resolutions, reviews, tags, annotations).

Everything is returned as plain dicts ready for JSON. ``masked=True`` (the
trainer role) hides personal data in every text, entity value and
conversation id (bot/core/masking.py); agents and supervisors get it in full.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from sqlalchemy.orm import Session

from bot.core.clock import SHANGHAI
from bot.core.escalation import REASON_LABELS
from bot.core import channels, masking
from console import store, trainer_view
from console.store import OUTCOME_LABELS, ConsoleError
from console.training import tracker
from console.training.models import MessageAnnotation
from bot.settings import WorkbenchSettings

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTION = "action_default_fallback"
# Actions that hand a conversation to a person (bot/actions/escalation.py);
# every hand-over also pauses the conversation, which is the surest mark.
ESCALATION_ACTIONS = {"action_escalate", "action_handle_crisis"}
HIDDEN_ACTIONS = {"action_listen", "action_session_start"}
SYSTEM_TEXT = {"pause": "已转人工：智能助手暂停自动回复", "resume": "已恢复智能服务",
               "session_started": "新的会话开始", "restart": "会话已重置"}
INBOX_LIMIT = 50
FIRST_DAY, LAST_DAY = date(1970, 1, 2), date(9998, 12, 31)  # filters: what a timestamp can hold


@dataclass
class Filters:
    date_from: Optional[date] = None
    date_to: Optional[date] = None
    channel: Optional[str] = None
    outcome: Optional[str] = None  # a console outcome, or "none" (no resolution)
    escalated: Optional[bool] = None
    fallback: Optional[bool] = None
    max_confidence: Optional[float] = None  # lowest NLU confidence below this
    intent: Optional[str] = None
    reviewed: Optional[bool] = None
    tag: Optional[str] = None

    @classmethod
    def from_args(cls, args: Any) -> "Filters":
        def get(name: str) -> Optional[str]:
            value = args.get(name)
            value = value.strip() if isinstance(value, str) else value
            return value or None

        def yes_no(name: str) -> Optional[bool]:
            value = get(name)
            if value is None:
                return None
            if value in ("1", "true", "yes"):
                return True
            if value in ("0", "false", "no"):
                return False
            raise ConsoleError(f"筛选条件 {name} 只能是 是/否。", 400)

        def day(name: str) -> Optional[date]:
            value = get(name)
            try:
                found = date.fromisoformat(value) if value else None
            except ValueError:
                raise ConsoleError(f"日期格式不正确：{value}（应为 YYYY-MM-DD）。", 400) from None
            # 9999-12-31 + 1 day, or year 1 as a timestamp, overflows (issue 16).
            if found is not None and not FIRST_DAY <= found <= LAST_DAY:
                raise ConsoleError(f"日期超出范围：应在 {FIRST_DAY} 至 {LAST_DAY} 之间。", 400)
            return found

        threshold = get("max_confidence")
        try:
            max_conf = float(threshold) if threshold is not None else None
        except ValueError:
            raise ConsoleError("置信度阈值必须是 0 到 1 之间的数字。", 400) from None
        if max_conf is not None and not 0 <= max_conf <= 1:
            raise ConsoleError("置信度阈值必须是 0 到 1 之间的数字。", 400)
        return cls(
            date_from=day("date_from"), date_to=day("date_to"), channel=get("channel"), outcome=get("outcome"),
            escalated=yes_no("escalated"), fallback=yes_no("fallback"), max_confidence=max_conf,
            intent=get("intent"), reviewed=yes_no("reviewed"), tag=get("tag"),
        )


def _epoch(day: date) -> float:
    return datetime.combine(day, time.min, SHANGHAI).timestamp()


def _iso(ts: Optional[float]) -> Optional[str]:
    return None if ts is None else datetime.fromtimestamp(ts, timezone.utc).isoformat()


def channel_labels(codes: Iterable[str]) -> List[str]:
    """Each channel once, by its Chinese name (web chat is "socketio" to Rasa)."""
    return sorted({channels.channel_label(c) for c in codes})


def confidence_of(event: tracker.Event) -> Optional[float]:
    intent = (event.data.get("parse_data") or {}).get("intent") or {}
    value = intent.get("confidence")
    return float(value) if isinstance(value, (int, float)) else None


def intent_of(event: tracker.Event) -> Optional[str]:
    intent = (event.data.get("parse_data") or {}).get("intent") or {}
    return intent.get("name") or event.intent_name


# --------------------------------------------------------------------------
# Personal data: who is behind a conversation (for masking their names)
# --------------------------------------------------------------------------


def people_by_sender(s: Session, evs: Iterable[tracker.Event]) -> Dict[str, Dict[str, List[str]]]:
    """Who a conversation is about (its phone number, the ``account_id``
    slot, and escalations opened for it): per sender, the cardholders'
    ``names`` and ``secrets`` (ID and card digits, phone), for masking."""
    accounts: Dict[str, Set[str]] = {}
    senders: Set[str] = set()
    for e in evs:
        senders.add(e.sender_id)
        if e.type_name == "slot" and e.action_name == "account_id" and e.data.get("value"):
            accounts.setdefault(e.sender_id, set()).add(str(e.data["value"]))
    if not senders:
        return {}
    for conv, acc in tracker.escalated_accounts(s, list(senders)):
        accounts.setdefault(conv, set()).add(acc)
    for account_id, phone in tracker.accounts_of_phones(s, list(senders)):
        accounts.setdefault(phone, set()).add(account_id)
    known = store.cardholder_secrets(s, {a for accs in accounts.values() for a in accs})
    out: Dict[str, Dict[str, List[str]]] = {}
    for sender in senders:
        people = [known[a] for a in accounts.get(sender, ()) if a in known]
        out[sender] = {
            "names": sorted({n for p in people for n in p["names"]}),
            "secrets": sorted({v for p in people for v in p["secrets"]}),
        }
    return out


def names_by_sender(s: Session, evs: Iterable[tracker.Event]) -> Dict[str, List[str]]:
    return {sender: p["names"] for sender, p in people_by_sender(s, evs).items()}


def secret_answer_ids(evs: Iterable[tracker.Event]) -> Set[int]:
    """Ids of the user messages that answered a secret question (the bot
    had asked for ID digits or a phone number; trainer_view.SecretQuestions)."""
    questions: Dict[str, trainer_view.SecretQuestions] = {}
    answers: Set[int] = set()
    for e in sorted(evs, key=lambda e: e.id):
        q = questions.setdefault(e.sender_id, trainer_view.SecretQuestions())
        if e.type_name == "slot":
            q.slot(e.action_name, e.data.get("value"))
        elif e.type_name == "active_loop":
            q.active_loop(e.data.get("name"))
        elif e.type_name == "user" and q.user():
            answers.add(e.id)
    return answers


class Masker:
    def __init__(self, masked: bool, people: Dict[str, Dict[str, List[str]]],
                 secret_answers: Iterable[int] = ()) -> None:
        self.masked = masked
        self.people = people
        self.secret_answers = set(secret_answers)

    def text(self, sender: str, text: Optional[str], entities: Optional[Sequence[Dict[str, Any]]] = None,
             event_id: Optional[int] = None) -> str:
        if not self.masked:
            return text or ""
        person = self.people.get(sender) or {}
        return trainer_view.mask_message(
            text, person.get("names", ()), person.get("secrets", ()), entities,
            secret_answer=event_id in self.secret_answers,
        )

    def entities(self, masked_text: str, entities: Optional[Sequence[Dict[str, Any]]]) -> List[Dict[str, Any]]:
        if self.masked:
            return masking.mask_entities(entities, masked_text)
        return [
            {k: e.get(k) for k in ("entity", "start", "end", "value", "extractor")}
            | {"text": masked_text[e["start"]:e["end"]] if isinstance(e.get("start"), int) else None}
            for e in entities or ()
        ]

    def conversation(self, sender: str) -> str:
        return trainer_view.mask_conversation_id(sender) if self.masked else sender


def training_text(s: Session, cfg: WorkbenchSettings, event: tracker.Event) -> str:
    """A message as it may be stored and exported: always masked, whoever labels it."""
    context = tracker.events_of(cfg.tracker_store_url, [event.sender_id], types=("slot", "active_loop", "user"))
    mask = Masker(True, people_by_sender(s, [event] + context),
                  secret_answer_ids([e for e in context if e.id <= event.id]))
    return mask.text(event.sender_id, event.data.get("text") or "",
                     (event.data.get("parse_data") or {}).get("entities"), event.id)


# --------------------------------------------------------------------------
# The conversation list
# --------------------------------------------------------------------------


@dataclass
class Summary:
    sender_id: str
    ref: int
    first_ts: float
    last_ts: float
    channels: Set[str] = field(default_factory=set)
    user_messages: int = 0
    min_confidence: Optional[float] = None
    intents: Set[str] = field(default_factory=set)
    fallback: bool = False
    escalated: bool = False
    first_text: str = ""
    first_event: Optional[int] = None


def _summaries(url: str, filters: Filters) -> Tuple[Dict[str, Summary], List[tracker.Event]]:
    since = _epoch(filters.date_from) if filters.date_from else None
    until = _epoch(filters.date_to + timedelta(days=1)) if filters.date_to else None
    rows = tracker.conversations(url, since, until)
    sums = {r["sender_id"]: Summary(r["sender_id"], r["ref"], r["first_ts"] or 0, r["last_ts"] or 0) for r in rows}
    evs = tracker.events_of(url, list(sums), types=("user", "action", "pause", "slot", "active_loop"))
    for e in evs:
        summary = sums[e.sender_id]
        if e.type_name == "user":
            summary.user_messages += 1
            if not summary.first_text:
                summary.first_text = e.data.get("text") or ""
                summary.first_event = e.id
            if e.data.get("input_channel"):
                summary.channels.add(e.data["input_channel"])
            conf = confidence_of(e)
            if conf is not None and (summary.min_confidence is None or conf < summary.min_confidence):
                summary.min_confidence = conf
            name = intent_of(e)
            if name:
                summary.intents.add(name)
                if name == FALLBACK_INTENT:
                    summary.fallback = True
        elif e.type_name == "action":
            if e.action_name == FALLBACK_ACTION:
                summary.fallback = True
            if e.action_name in ESCALATION_ACTIONS:
                summary.escalated = True
        elif e.type_name == "pause":
            summary.escalated = True
    return sums, evs


def list_conversations(s: Session, cfg: WorkbenchSettings, filters: Filters, masked: bool,
                       limit: int = 200) -> List[Dict[str, Any]]:
    sums, evs = _summaries(cfg.tracker_store_url, filters)
    facts = tracker.console_facts(s, list(sums))
    selected: List[Summary] = []
    for summary in sums.values():
        f = facts[summary.sender_id]
        escalated = summary.escalated or bool(f["reasons"])
        if filters.channel and not any(channels.same_channel(filters.channel, c) for c in summary.channels):
            continue
        if filters.escalated is not None and escalated != filters.escalated:
            continue
        if filters.fallback is not None and summary.fallback != filters.fallback:
            continue
        if filters.max_confidence is not None and (
            summary.min_confidence is None or summary.min_confidence >= filters.max_confidence
        ):
            continue
        if filters.intent and filters.intent not in summary.intents:
            continue
        if filters.reviewed is not None and f["reviewed"] != filters.reviewed:
            continue
        if filters.tag and filters.tag not in f["tags"]:
            continue
        if filters.outcome:
            if filters.outcome == "none" and f["outcomes"]:
                continue
            if filters.outcome != "none" and filters.outcome not in f["outcomes"]:
                continue
        selected.append(summary)
    selected.sort(key=lambda x: x.last_ts, reverse=True)
    selected = selected[:limit]
    chosen = [e for e in evs if e.sender_id in {x.sender_id for x in selected}]
    mask = Masker(masked, people_by_sender(s, chosen), secret_answer_ids(chosen))
    items = []
    for summary in selected:
        f = facts[summary.sender_id]
        items.append({
            "ref": summary.ref,
            "conversation": mask.conversation(summary.sender_id),
            "started_at": _iso(summary.first_ts),
            "last_at": _iso(summary.last_ts),
            "channels": sorted(summary.channels),
            "channel_labels": channel_labels(summary.channels),
            "user_messages": summary.user_messages,
            "min_confidence": summary.min_confidence,
            "intents": sorted(summary.intents),
            "fallback": summary.fallback,
            "escalated": summary.escalated or bool(f["reasons"]),
            "escalation_reasons": [REASON_LABELS.get(r, r) for r in f["reasons"]],
            "outcomes": [OUTCOME_LABELS.get(o, o) for o in f["outcomes"]],
            "reviewed": f["reviewed"],
            "tags": f["tags"],
            "annotations": f["annotations"],
            "first_text": mask.text(summary.sender_id, summary.first_text, None, summary.first_event)[:80],
        })
    return items


# --------------------------------------------------------------------------
# One conversation
# --------------------------------------------------------------------------


def _annotation_view(a: Optional[MessageAnnotation]) -> Optional[Dict[str, Any]]:
    if a is None:
        return None
    return {
        "status": a.status,
        "intent": a.intent,
        "entities": json.loads(a.entities or "[]"),
        "version": a.version,
        "updated_at": a.updated_at.isoformat() if a.updated_at else None,
    }


def _ranking(event: tracker.Event, top: int = 5) -> List[Dict[str, Any]]:
    ranking = (event.data.get("parse_data") or {}).get("intent_ranking") or []
    return [{"name": r.get("name"), "confidence": r.get("confidence")} for r in ranking[:top]]


def message_view(event: tracker.Event, mask: Masker, annotation: Optional[MessageAnnotation]) -> Dict[str, Any]:
    parse = event.data.get("parse_data") or {}
    entities = parse.get("entities") or []
    text = mask.text(event.sender_id, event.data.get("text"), entities, event.id)
    return {
        "kind": "user",
        "event_id": event.id,
        "ts": _iso(event.timestamp),
        "text": text,
        "channel": event.data.get("input_channel"),
        "intent": intent_of(event),
        "confidence": confidence_of(event),
        "ranking": _ranking(event),
        "entities": mask.entities(text, entities),
        "annotation": _annotation_view(annotation),
    }


def conversation_detail(s: Session, cfg: WorkbenchSettings, ref: int, masked: bool) -> Dict[str, Any]:
    sender = tracker.sender_of_ref(cfg.tracker_store_url, ref)
    if sender is None:
        raise ConsoleError("找不到该会话。", 404)
    evs = tracker.events_of(cfg.tracker_store_url, [sender])
    mask = Masker(masked, people_by_sender(s, evs), secret_answer_ids(evs))
    annotations = tracker.annotations_of_conversation(s, sender)
    turns: List[Dict[str, Any]] = []
    last_action = None
    for e in evs:
        if e.type_name == "user":
            turns.append(message_view(e, mask, annotations.get(e.id)))
            last_action = None
        elif e.type_name == "action":
            last_action = e.action_name
            if e.action_name in HIDDEN_ACTIONS:
                continue
            turns.append({"kind": "action", "event_id": e.id, "ts": _iso(e.timestamp), "name": e.action_name,
                          "policy": e.data.get("policy"), "confidence": e.data.get("confidence")})
        elif e.type_name == "bot":
            text = e.data.get("text") or ""
            buttons = (e.data.get("data") or {}).get("buttons") or []
            if buttons:
                text += "\n" + " | ".join(str(b.get("title")) for b in buttons)
            if text.strip():
                turns.append({"kind": "agent" if last_action == "action_relay_agent_message" else "bot",
                              "event_id": e.id, "ts": _iso(e.timestamp), "text": mask.text(sender, text)})
        elif e.type_name in SYSTEM_TEXT:
            turns.append({"kind": "system", "event_id": e.id, "ts": _iso(e.timestamp), "text": SYSTEM_TEXT[e.type_name]})
    facts = tracker.console_facts(s, [sender])[sender]
    notes = [
        # Masked when written; masked again for notes written before secrets were.
        {"id": n.id, "text": mask.text(sender, n.text), "created_at": n.created_at.isoformat(), "user_id": n.user_id}
        for n in tracker.notes_of(s, sender)
    ]
    used = sorted({t["channel"] for t in turns if t["kind"] == "user" and t.get("channel")})
    return {
        "ref": ref,
        "conversation": mask.conversation(sender),
        "masked": masked,
        "channels": used,
        "channel_labels": channel_labels(used),
        "escalated": bool(facts["reasons"]) or any(t["kind"] == "system" and "转人工" in t["text"] for t in turns),
        "escalation_reasons": [REASON_LABELS.get(r, r) for r in facts["reasons"]],
        "outcomes": [OUTCOME_LABELS.get(o, o) for o in facts["outcomes"]],
        "reviewed": facts["reviewed"],
        "review_version": facts["review_version"],
        "tags": facts["tags"],
        "notes": notes,
        "turns": turns,
    }


# --------------------------------------------------------------------------
# The inbox: least confident messages first
# --------------------------------------------------------------------------


def only_masked(text: Optional[str]) -> bool:
    """Nothing left to label once masked: "****", "** **", "****。" (a
    verification answer). Such messages cannot usefully be labelled and
    the export would skip them anyway."""
    rest = [ch for ch in text or "" if ch.isalnum() or ch == masking.MASK]
    return bool(rest) and all(ch == masking.MASK for ch in rest)


def same_text_key(text: str) -> str:
    """Messages that read the same to a trainer label the same: whitespace
    and case do not count."""
    return " ".join((text or "").split()).lower()


def inbox(s: Session, cfg: WorkbenchSettings, masked: bool, include_done: bool = False,
          limit: int = INBOX_LIMIT) -> List[Dict[str, Any]]:
    """The least confident messages first, identical texts grouped: one
    item per text (the least confident of them) with ``group`` = every
    message of that text still to label (with its version), so a trainer
    labels them all at once. Messages that are only masked characters once
    masked (a verification answer, "****") are left out."""
    evs = [e for e in tracker.user_events(cfg.tracker_store_url) if (e.data.get("text") or "").strip()]
    done = tracker.annotations_by_event(s, [e.id for e in evs])
    if not include_done:
        evs = [e for e in evs if e.id not in done]
    evs.sort(key=lambda e: (confidence_of(e) if confidence_of(e) is not None else 0.0, -e.id))
    senders = sorted({e.sender_id for e in evs})
    context = tracker.events_of(cfg.tracker_store_url, senders, types=("user", "slot", "active_loop"))
    people, answers = people_by_sender(s, context), secret_answer_ids(context)
    shown = Masker(masked, people, answers)
    # Hidden by what would be exported (always masked), whoever looks.
    exported = Masker(True, people, answers) if not masked else shown
    groups: Dict[str, List[Tuple[tracker.Event, str]]] = {}
    for e in evs:
        entities = (e.data.get("parse_data") or {}).get("entities")
        if only_masked(exported.text(e.sender_id, e.data.get("text"), entities, e.id)):
            continue
        text = shown.text(e.sender_id, e.data.get("text"), entities, e.id)
        groups.setdefault(same_text_key(text), []).append((e, text))
    firsts = list(groups.values())[:limit]  # in confidence order: dicts keep insertion order
    refs = tracker.refs_of(cfg.tracker_store_url, sorted({members[0][0].sender_id for members in firsts}))
    out = []
    for members in firsts:
        e = members[0][0]
        item = message_view(e, shown, done.get(e.id))
        item["ref"] = refs.get(e.sender_id)
        item["conversation"] = shown.conversation(e.sender_id)
        item["group"] = [
            {"event_id": m.id, "version": done[m.id].version if m.id in done else 0} for m, _ in members
        ]
        out.append(item)
    return out
