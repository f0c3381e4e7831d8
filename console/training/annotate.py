"""Annotations: a message's intent and entities (or "ignore"), a
conversation's tags, notes and reviewed flag.

Several trainers work at once. Every annotation and review carries a
``version``; a write names the version it was based on (0: "there was none")
and is refused with 409 when somebody else changed it in between. The check
and the write are one ``UPDATE … WHERE version = :base`` (or an insert
guarded by a unique constraint), so two simultaneous saves cannot both win.

Every write has its audit row (console/store.audit) in the same transaction.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import clock
from bot.core import masking
from console import store
from console.store import ConsoleError, UserView
from console.training import review, tracker
from console.training.models import ConversationReview, ConversationTag, MessageAnnotation, ReviewNote
from bot.settings import WorkbenchSettings

MAX_TAG_CHARS = 32
MAX_NOTE_CHARS = 2000
SUGGESTED_TAGS = ["回复错误", "应转人工", "意图识别错误", "实体识别错误", "流程卡住", "好的示例"]
STALE = "该消息已被其他训练师修改（当前版本 {current}，您基于版本 {base}），请刷新后再改。"


@dataclass(frozen=True)
class Domain:
    intents: Tuple[str, ...]
    entities: Tuple[str, ...]
    slots: Dict[str, Dict[str, Any]]


@lru_cache(maxsize=4)
def _domain(path: str, mtime: float) -> Domain:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}

    def names(items: Any) -> Tuple[str, ...]:
        out = []
        for item in items or []:
            out.append(next(iter(item)) if isinstance(item, dict) else str(item))
        return tuple(out)

    return Domain(names(data.get("intents")), names(data.get("entities")), dict(data.get("slots") or {}))


def load_domain(cfg: WorkbenchSettings) -> Domain:
    return _domain(str(cfg.domain), cfg.domain.stat().st_mtime)


def _clean_entities(text: str, entities: Any, domain: Domain) -> List[Dict[str, Any]]:
    if entities is None:
        return []
    if not isinstance(entities, list):
        raise ConsoleError("实体格式不正确。", 400)
    out = []
    for item in entities:
        if not isinstance(item, dict):
            raise ConsoleError("实体格式不正确。", 400)
        name = item.get("entity")
        start, end = item.get("start"), item.get("end")
        if name not in domain.entities:
            raise ConsoleError(f"实体“{name}”不在领域文件（domain.yml）中。", 400)
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise ConsoleError("实体的起止位置不在消息范围内。", 400)
        span = text[start:end]
        if span != span.strip():
            raise ConsoleError("实体的首尾不能是空格。", 400)
        out.append({"start": start, "end": end, "entity": name, "value": span})
    out.sort(key=lambda e: e["start"])
    for a, b in zip(out, out[1:]):
        if b["start"] < a["end"]:
            raise ConsoleError("实体不能互相重叠。", 400)
    return out


def _base_version(value: Any) -> int:
    # Beyond 64 bits SQLite raises OverflowError (issue 16): a 400 like any bad version.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < store.MAX_DB_INT:
        raise ConsoleError("缺少版本号（version），请刷新页面后重试。", 400)
    return value


def save_annotation(
    s: Session,
    cfg: WorkbenchSettings,
    user: UserView,
    event_id: int,
    data: Dict[str, Any],
    remote_addr: Optional[str] = None,
) -> Dict[str, Any]:
    """Label (``status`` labelled + ``intent`` + ``entities``) or ignore one
    cardholder message; ``data["version"]`` is the version it is based on."""
    base = _base_version(data.get("version"))
    status = data.get("status") or "labelled"
    if status not in ("labelled", "ignored"):
        raise ConsoleError("状态只能是“已标注”或“忽略”。", 400)
    event = tracker.event_by_id(cfg.tracker_store_url, event_id)
    if event is None or event.type_name != "user":
        raise ConsoleError("找不到该客户消息。", 404)
    domain = load_domain(cfg)
    text = review.training_text(s, cfg, event)
    intent = None
    entities: List[Dict[str, Any]] = []
    if status == "labelled":
        intent = data.get("intent")
        if intent not in domain.intents:
            raise ConsoleError(f"意图“{intent}”不在领域文件（domain.yml）的意图列表中。", 400)
        if "entities" in data:
            entities = _clean_entities(text, data.get("entities"), domain)
        else:  # accepting the prediction keeps the predicted entities
            predicted = (event.data.get("parse_data") or {}).get("entities") or []
            entities = _clean_entities(
                text,
                [{"start": e.get("start"), "end": e.get("end"), "entity": e.get("entity")}
                 for e in predicted if e.get("entity") in domain.entities],
                domain,
            )
    now = clock.now()
    values = dict(status=status, intent=intent, entities=json.dumps(entities, ensure_ascii=False), text=text,
                  user_id=user.id, updated_at=now)
    if base == 0:
        row = MessageAnnotation(
            event_id=event.id, conversation_id=event.sender_id, predicted_intent=review.intent_of(event),
            predicted_confidence=review.confidence_of(event), version=1, created_at=now, **values,
        )
        try:
            with s.begin_nested():
                s.add(row)
                s.flush()
        except IntegrityError:
            current = tracker.annotation_version(s, event.id)
            raise ConsoleError(STALE.format(current=current, base=base), 409) from None
        version = 1
    else:
        if not tracker.update_annotation(s, event.id, base, values):
            current = tracker.annotation_version(s, event.id)
            raise ConsoleError(STALE.format(current=current or 0, base=base), 409)
        version = base + 1
    store.audit(
        s, user, "annotate_message", conversation_id=event.sender_id, remote_addr=remote_addr,
        detail={"event_id": event.id, "status": status, "intent": intent, "predicted": review.intent_of(event),
                "entities": [[e["start"], e["end"], e["entity"]] for e in entities], "version": version},
    )
    return {"event_id": event.id, "status": status, "intent": intent, "entities": entities, "version": version,
            "text": text}


MAX_GROUP = 500


def save_group(s: Session, cfg: WorkbenchSettings, user: UserView, data: Dict[str, Any],
               remote_addr: Optional[str] = None) -> Dict[str, Any]:
    """"Label all identical": the same label for every message of
    ``data["members"]`` ([{event_id, version}], the inbox's group), all or
    none (one unit of work: a stale version or a message whose text is not
    the same refuses the lot)."""
    members = data.get("members")
    if not isinstance(members, list) or not 0 < len(members) <= MAX_GROUP or not all(
        isinstance(m, dict) and isinstance(m.get("event_id"), int) and not isinstance(m.get("event_id"), bool)
        for m in members
    ):
        raise ConsoleError(f"请给出要一起标注的消息（1 到 {MAX_GROUP} 条）。", 400)
    if len({m["event_id"] for m in members}) != len(members):
        raise ConsoleError("同一条消息不能重复出现。", 400)
    label = {k: data[k] for k in ("status", "intent", "entities") if k in data}
    first_text = None
    results = []
    for m in members:
        event = tracker.event_by_id(cfg.tracker_store_url, m["event_id"])
        if event is None or event.type_name != "user":
            raise ConsoleError("找不到该客户消息。", 404)
        key = review.same_text_key(review.training_text(s, cfg, event))
        if first_text is None:
            first_text = key
        elif key != first_text:
            raise ConsoleError("这些消息的文字并不相同，不能一起标注。", 409)
        results.append(save_annotation(s, cfg, user, m["event_id"], {**label, "version": m.get("version")},
                                       remote_addr=remote_addr))
    return {"saved": len(results), "items": results}


def _sender(cfg: WorkbenchSettings, ref: int) -> str:
    sender = tracker.sender_of_ref(cfg.tracker_store_url, ref)
    if sender is None:
        raise ConsoleError("找不到该会话。", 404)
    return sender


def set_reviewed(s: Session, cfg: WorkbenchSettings, user: UserView, ref: int, reviewed: bool, base: Any,
                 remote_addr: Optional[str] = None) -> Dict[str, Any]:
    base = _base_version(base)
    sender = _sender(cfg, ref)
    now = clock.now()
    if base == 0:
        try:
            with s.begin_nested():
                s.add(ConversationReview(conversation_id=sender, reviewed=reviewed, version=1, user_id=user.id,
                                         updated_at=now))
                s.flush()
        except IntegrityError:
            raise ConsoleError("该会话的评审状态已被他人修改，请刷新后重试。", 409) from None
        version = 1
    else:
        if not tracker.update_review(s, sender, base, dict(reviewed=reviewed, user_id=user.id, updated_at=now)):
            raise ConsoleError("该会话的评审状态已被他人修改，请刷新后重试。", 409)
        version = base + 1
    store.audit(s, user, "review_conversation", conversation_id=sender, remote_addr=remote_addr,
                detail={"ref": ref, "reviewed": reviewed, "version": version})
    return {"reviewed": reviewed, "version": version}


def _tag(value: Any) -> str:
    tag = str(value or "").strip()
    if not tag or len(tag) > MAX_TAG_CHARS:
        raise ConsoleError(f"标签不能为空，最长{MAX_TAG_CHARS}个字符。", 400)
    return tag


def add_tag(s: Session, cfg: WorkbenchSettings, user: UserView, ref: int, tag: Any,
            remote_addr: Optional[str] = None) -> List[str]:
    sender, tag = _sender(cfg, ref), _tag(tag)
    if not tracker.has_tag(s, sender, tag):
        try:
            with s.begin_nested():
                s.add(ConversationTag(conversation_id=sender, tag=tag, user_id=user.id, created_at=clock.now()))
                s.flush()
        except IntegrityError:
            pass  # somebody added the same tag at the same moment: the same result
        store.audit(s, user, "tag_conversation", conversation_id=sender, remote_addr=remote_addr,
                    detail={"ref": ref, "tag": tag})
    return tags_of(s, sender)


def remove_tag(s: Session, cfg: WorkbenchSettings, user: UserView, ref: int, tag: Any,
               remote_addr: Optional[str] = None) -> List[str]:
    sender, tag = _sender(cfg, ref), _tag(tag)
    if tracker.delete_tag(s, sender, tag):
        store.audit(s, user, "untag_conversation", conversation_id=sender, remote_addr=remote_addr,
                    detail={"ref": ref, "tag": tag})
    return tags_of(s, sender)


def tags_of(s: Session, sender: str) -> List[str]:
    return tracker.tags_of(s, sender)


def add_note(s: Session, cfg: WorkbenchSettings, user: UserView, ref: int, text: Any,
             remote_addr: Optional[str] = None) -> Dict[str, Any]:
    sender = _sender(cfg, ref)
    text = str(text or "").strip()
    if not text or len(text) > MAX_NOTE_CHARS:
        raise ConsoleError(f"备注不能为空，最长{MAX_NOTE_CHARS}个字符。", 400)
    # A trainer may quote the cardholder: notes are kept masked like everything exported.
    text = masking.mask_text(text, review.names_by_sender(s, tracker.events_of(
        cfg.tracker_store_url, [sender], types=("slot", "user"))).get(sender, ()))
    note = ReviewNote(conversation_id=sender, user_id=user.id, text=text, created_at=clock.now())
    s.add(note)
    s.flush()
    store.audit(s, user, "review_note", conversation_id=sender, remote_addr=remote_addr,
                detail={"ref": ref, "note_id": note.id})
    return {"id": note.id, "text": text}


def all_tags(s: Session) -> List[str]:
    used = tracker.used_tags(s)
    return SUGGESTED_TAGS + sorted(t for t in used if t not in SUGGESTED_TAGS)
