"""The audit log as a supervisor reads it (issue 12): Chinese action names
and the details as short sentences instead of raw JSON. The stored row is
unchanged (codes and JSON); each entry gains ``action_label`` and
``detail_text``. A code without a name is shown as it is, so a new action
is visible rather than hidden."""
from __future__ import annotations

from typing import Any, Dict, List

from bot.reports import labels as report_labels

ACTIONS = {
    "login": "登录",
    "login_failed": "登录失败",
    "login_throttled": "登录受限（失败次数过多）",
    "logout": "退出登录",
    "create_user": "创建用户",
    "view_conversation": "查看会话",
    "claim": "领取会话",
    "release": "放回队列",
    "transfer": "转交会话",
    "auto_assign": "自动分配会话",
    "status": "切换坐席状态",
    "reply": "发送回复",
    "reply_blocked": "回复被合规拦截",
    "reply_failed": "回复发送失败",
    "book": "办理还款安排",
    "note": "添加备注",
    "hand_back": "交还智能助手",
    "resolve": "结案",
    "approve_arrangement": "审批通过还款方案",
    "reject_arrangement": "驳回还款方案",
    "decision_notice_failed": "审批结果通知失败",
    "approve_final_notice": "批准正式通知",
    "reject_final_notice": "驳回正式通知",
    "export_report": "导出报表",
    "task_done": "完成外呼任务",
    "review_view_conversation": "训练台查看会话",
    "review_conversation": "标记会话已审阅",
    "review_note": "训练台备注",
    "annotate_message": "标注消息",
    "tag_conversation": "添加会话标签",
    "untag_conversation": "移除会话标签",
    "export_annotations": "导出标注",
    "export_story": "导出对话故事",
    "add_to_test_set": "加入测试集",
    "train_candidate": "训练候选模型",
    "activate_model": "启用模型",
    "rollback_model": "回滚模型",
    "confirm_identity": "确认客户身份",
}

# Detail keys as words; values that are codes get their names too.
KEYS = {
    "text": "内容",
    "reason": "原因",
    "detail": "说明",
    "channel": "渠道",
    "kind": "类型",
    "outcome": "处理结果",
    "note": "说明",
    "from": "原处理人",
    "to": "接手人",
    "from_name": "原处理人",
    "to_name": "接手人",
    "created": "新建",
    "malformed": "格式异常",
    "retry_after_seconds": "需等待（秒）",
    "task_id": "任务编号",
    "arrangement_id": "安排编号",
    "months": "期数",
    "amount": "金额",
    "days": "天数",
    "pay_date": "还款日期",
    "restored": "已恢复",
    "warning": "提示",
    "from_date": "开始日期",
    "to_date": "结束日期",
    "run_id": "训练编号",
    "model": "模型",
    "event_id": "消息编号",
    "intent": "意图",
    "predicted": "预测意图",
    "status": "状态",
    "version": "版本",
    "entities": "实体",
    "ref": "会话编号",
    "tag": "标签",
    "file": "文件",
    "cycle": "账单周期",
    "saved": "条数",
}
# Shown by their display names instead (from_name / to_name).
HIDDEN_WHEN_NAMED = {"from": "from_name", "to": "to_name"}
OUTCOMES = {"arranged": "已办理还款安排", "promise": "承诺还款", "dispute_opened": "已登记争议", "wrong_party": "非本人",
            "no_contact": "未联系上", "referred": "已转交其他部门"}


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        return "、".join(_value(key, v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{KEYS.get(k, k)} {_value(k, v)}" for k, v in value.items())
    text = str(value)
    if key == "channel":
        return report_labels.label(report_labels.CHANNELS, text)
    if key == "kind":
        return report_labels.label(report_labels.ARRANGEMENT_KINDS, text)
    if key == "reason":
        return report_labels.BLOCKED_REASONS.get(text) or report_labels.ESCALATION_REASONS.get(text) or text
    if key == "outcome":
        return OUTCOMES.get(text, text)
    return text


def detail_text(action: str, detail: Any) -> str:
    """One readable line for a stored detail (JSON object, or anything)."""
    if detail is None or detail == {}:
        return ""
    if action == "transfer" and isinstance(detail, dict):
        return f"由 {detail.get('from_name') or detail.get('from')} 转交给 {detail.get('to_name') or detail.get('to')}"
    if action == "export_report" and isinstance(detail, dict) and {"from", "to"} <= set(detail):
        return f"报表期间 {detail['from']} 至 {detail['to']}"
    if not isinstance(detail, dict):
        return _value("", detail)
    parts = []
    for key, value in detail.items():
        if key in HIDDEN_WHEN_NAMED and HIDDEN_WHEN_NAMED[key] in detail:
            continue
        parts.append(f"{KEYS.get(key, key)}：{_value(key, value)}")
    return "；".join(parts)


def readable_entries(entries: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [
        {**e, "action_label": ACTIONS.get(e["action"], e["action"]), "detail_text": detail_text(e["action"], e.get("detail"))}
        for e in entries
    ]
