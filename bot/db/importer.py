"""Load the bank's account export (CSV) into the database.

The file is validated completely before anything is written: operators fix
a rejected file and re-run it, and a half-imported file would leave the bot
quoting balances from two different exports. Reading (encodings, Chinese or
English column names, line numbers) is shared with the payment import in
bot/db/csvfile.py; cell values are read by bot/core/import_values.py.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Dict, List, Optional, Union

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import clock
from bot.core.import_values import parse_amount, parse_day, parse_mobile
from bot.core.policy import days_past_due, stage_for
from bot.db import account_ids
from bot.db.csvfile import ImportFileError, Record, RowError, read_text, records  # noqa: F401 (re-exported)
from bot.db.import_columns import ACCOUNTS, NAME_MAX
from bot.db.models import MONEY_MAX_INTEGER_DIGITS, Account, Cardholder

HEADER = ACCOUNTS.keys

ID_LAST4_RE = re.compile(r"^\d{3}[\dX]$")  # resident ID check digit may be X
CARD_LAST4_RE = re.compile(r"^\d{4}$")
ACCOUNT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
# Excel shows 0123 as 123 unless the column is formatted as text.
_LEADING_ZERO_HINT = "（Excel 会去掉开头的 0：请把该列设为「文本」格式后重新保存）"
# Excel shows 13800138000 as 1.38001E+10 and saves it so, digits lost.
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?E\+\d+$", re.IGNORECASE)
_SCIENTIFIC_HINT = "（Excel 把长数字存成了科学计数法，数字已丢失：请把该列设为「文本」格式，重新填入号码后保存）"
AMOUNT_RULE = "不是有效金额（非负，最多两位小数，如 1200.00 或 1,200.00）"


@dataclass(frozen=True)
class ImportResult:
    inserted: int
    updated: int
    rejected: List[RowError] = field(default_factory=list)
    # Stage mix of the accounts that were written, as of the import date:
    # a quick sanity check that the operator loaded the right export.
    stage_counts: Dict[str, int] = field(default_factory=dict)
    encoding: str = ""  # how the file was decoded, told to the operator


@dataclass(frozen=True)
class _Row:
    line: int
    account_id: str
    name: str
    phone: str
    id_last4: str
    card_last4: str
    balance: Decimal
    minimum_due: Decimal
    due_date: date


def _validate(rec: Record) -> Union[_Row, List[str]]:
    problems: List[str] = [f"{rec.where[k]}为空" for k in HEADER if not rec[k]]
    account_id = rec["account_id"]
    if account_id and not ACCOUNT_ID_RE.match(account_id):
        problems.append(f"{rec.where['account_id']}：{account_id} 只能由字母、数字和 . _ - 组成（1–64 位）")
    name = rec["name"]
    if len(name) > NAME_MAX:
        problems.append(f"{rec.where['name']}超过 {NAME_MAX} 个字")
    phone = parse_mobile(rec["phone"]) if rec["phone"] else None
    if rec["phone"] and phone is None:
        hint = _SCIENTIFIC_HINT if _SCIENTIFIC.match(rec["phone"]) else ""
        problems.append(
            f"{rec.where['phone']}：{rec['phone']} 不是有效的手机号（11 位手机号，或 +国家码 的国际号码）{hint}"
        )
    id_last4 = rec["id_last4"].upper()
    if id_last4 and not ID_LAST4_RE.match(id_last4):
        hint = _LEADING_ZERO_HINT if len(id_last4) == 3 else ""
        problems.append(f"{rec.where['id_last4']}：{rec['id_last4']} 应为 3 位数字加 1 位数字或 X{hint}")
    card_last4 = rec["card_last4"]
    if card_last4 and not CARD_LAST4_RE.match(card_last4):
        hint = _LEADING_ZERO_HINT if len(card_last4) == 3 and card_last4.isdigit() else ""
        problems.append(f"{rec.where['card_last4']}：{card_last4} 应为 4 位数字{hint}")

    amounts: Dict[str, Optional[Decimal]] = {}
    for key in ("balance", "minimum_due"):
        amounts[key] = None
        if rec[key]:
            try:
                amounts[key] = parse_amount(rec[key], MONEY_MAX_INTEGER_DIGITS)
            except ValueError:
                problems.append(f"{rec.where[key]}：{rec[key]} {AMOUNT_RULE}")
    balance, minimum = amounts["balance"], amounts["minimum_due"]
    if balance is not None and minimum is not None and minimum > balance:
        problems.append(f"{rec.where['minimum_due']}：{minimum} 大于 {rec.where['balance']}的 {balance}")

    due: Optional[date] = None
    if rec["due_date"]:
        try:
            due = parse_day(rec["due_date"])
        except ValueError:
            problems.append(
                f"{rec.where['due_date']}：{rec['due_date']} 不是有效日期（如 2026-11-01、2026/11/1 或 20261101）"
            )

    if problems:
        return problems
    return _Row(rec.line, account_id, name, phone, id_last4, card_last4, balance, minimum, due)


def parse_accounts_csv(text: str) -> "tuple[list[_Row], list[RowError]]":
    """Validate every row; return (good rows, errors). Header problems raise."""
    rows: List[_Row] = []
    errors: List[RowError] = []
    first_seen_account: Dict[str, int] = {}
    holder_by_phone: Dict[str, _Row] = {}
    for rec in records(text, ACCOUNTS, errors):
        checked = _validate(rec)
        if isinstance(checked, list):
            errors.append(RowError(rec.line, "；".join(checked)))
            continue
        seen = first_seen_account.get(account_ids.key(checked.account_id))
        if seen is not None:
            errors.append(
                RowError(rec.line, f"{rec.where['account_id']}：{checked.account_id} 与第 {seen} 行重复（账户号不区分大小写）")
            )
            continue
        other = holder_by_phone.get(checked.phone)
        if other is not None and (other.name, other.id_last4) != (checked.name, checked.id_last4):
            # Same phone = same cardholder; two identities for one number
            # means the export is inconsistent and verification would break.
            errors.append(
                RowError(
                    rec.line,
                    f"{rec.where['phone']}：{checked.phone} 在第 {other.line} 行属于另一位持卡人"
                    "（姓名或身份证后四位不同）",
                )
            )
            continue
        first_seen_account[account_ids.key(checked.account_id)] = rec.line
        holder_by_phone.setdefault(checked.phone, checked)
        rows.append(checked)
    return rows, errors


def _match_stored(s: Session, rows: List[_Row]) -> "tuple[dict[str, str], list[RowError]]":
    """(id in the file -> stored id it updates, rows whose id matches several).

    Ids match without case, so "acc-1" in this file updates the stored
    "ACC-1" (which keeps its spelling) instead of creating a second account.
    """
    found = account_ids.stored_ids(s, [r.account_id for r in rows])
    stored: Dict[str, str] = {}
    errors: List[RowError] = []
    for row in rows:
        matches = found.get(account_ids.key(row.account_id), [])
        if row.account_id in matches or len(matches) == 1:
            stored[row.account_id] = row.account_id if row.account_id in matches else matches[0]
        elif matches:
            errors.append(
                RowError(row.line, f"账户号 {row.account_id} 在数据库中对应多个仅大小写不同的账户：{'、'.join(matches)}")
            )
    return stored, errors


def _upsert(s: Session, rows: List[_Row], stored: Dict[str, str]) -> "tuple[int, int]":
    inserted = updated = 0
    holders: Dict[str, Cardholder] = {}
    for row in rows:
        holder = holders.get(row.phone)
        if holder is None:
            holder = s.execute(
                select(Cardholder).where(Cardholder.phone == row.phone)
            ).scalar_one_or_none()
            if holder is None:
                holder = Cardholder(phone=row.phone, name=row.name, id_last4=row.id_last4)
                s.add(holder)
            else:
                holder.name = row.name
                holder.id_last4 = row.id_last4
            s.flush()
            holders[row.phone] = holder

        account = s.get(Account, stored.get(row.account_id, row.account_id))
        if account is None:
            account = Account(account_id=row.account_id, follow_up=False)
            s.add(account)
            inserted += 1
        else:
            updated += 1
        account.cardholder_id = holder.id
        account.card_last4 = row.card_last4
        account.balance = row.balance
        account.minimum_due = row.minimum_due
        account.due_date = row.due_date
        # Explicit, so an unchanged re-import still records when the bank's
        # figures were last confirmed.
        account.updated_at = clock.now()
    s.flush()
    return inserted, updated


def _stage_counts(rows: List[_Row], today: date) -> Dict[str, int]:
    counts = Counter(str(stage_for(days_past_due(r.due_date, today))) for r in rows)
    return dict(sorted(counts.items()))


def import_accounts_csv(
    s: Session,
    path: Union[str, Path],
    *,
    skip_bad_rows: bool = False,
    today: date,
) -> ImportResult:
    """Validate and upsert the CSV at ``path``.

    Raises ImportFileError when the file cannot be used at all. With rejected
    rows and ``skip_bad_rows=False`` nothing is written.
    """
    text, encoding = read_text(path)
    rows, errors = parse_accounts_csv(text)
    stored, clashes = _match_stored(s, rows)
    if clashes:
        errors = sorted(errors + clashes, key=lambda e: e.line)
        bad = {e.line for e in clashes}
        rows = [r for r in rows if r.line not in bad]
    if errors and not skip_bad_rows:
        return ImportResult(inserted=0, updated=0, rejected=errors, encoding=encoding)
    # SAVEPOINT: a database error half-way leaves the caller's transaction
    # as it was, keeping the import all-or-nothing even if the caller
    # catches the exception and commits other work.
    with s.begin_nested():
        inserted, updated = _upsert(s, rows, stored)
    return ImportResult(
        inserted=inserted,
        updated=updated,
        rejected=errors,
        stage_counts=_stage_counts(rows, today),
        encoding=encoding,
    )


# --------------------------------------------------------------------------
# Demo data
# --------------------------------------------------------------------------

# tests/fixtures/demo_accounts.csv holds these rows as of this date; the
# demo clock (COLLECTBOT_NOW=2026-11-25T10:00:00+08:00) uses the same day.
DEMO_REFERENCE_DATE = date(2026, 11, 25)

# (account_id, name, phone, id_last4, card_last4, balance, minimum_due,
#  days past due on the reference date). Names cover 2, 3 and 4 characters
# so masking can be demonstrated; one balance is below 600 yuan.
_DEMO = (
    ("DEMO-0001", "王小明", "+8613800000001", "1234", "6621", "8650.00", "865.00", 12),
    ("DEMO-0002", "李娜", "+8613800000002", "5678", "3088", "23500.50", "2350.05", 45),
    ("DEMO-0003", "欧阳娜娜", "+8613800000003", "901X", "7415", "56000.00", "5600.00", 75),
    ("DEMO-0004", "陈建国", "+8613800000004", "2468", "9902", "128900.00", "12890.00", 150),
    ("DEMO-0005", "赵敏", "+8613800000005", "1357", "4410", "480.00", "480.00", 20),
)


def demo_rows(today: date) -> List[Dict[str, str]]:
    """Demo rows (CSV column -> text) with due dates shifted to ``today``.

    Shifting keeps each account in the same stage whatever day the demo
    runs; on DEMO_REFERENCE_DATE they equal tests/fixtures/demo_accounts.csv.
    """
    rows = []
    for account_id, name, phone, id_last4, card, balance, minimum, dpd in _DEMO:
        rows.append(
            {
                "account_id": account_id,
                "name": name,
                "phone": phone,
                "id_last4": id_last4,
                "card_last4": card,
                "balance": balance,
                "minimum_due": minimum,
                "due_date": (today - timedelta(days=dpd)).isoformat(),
            }
        )
    return rows


def demo_csv_text(today: date) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(demo_rows(today))
    return out.getvalue()


def seed_demo(s: Session, today: date) -> List[Dict[str, str]]:
    """Upsert the demo accounts (same validation as a CSV import)."""
    rows, errors = parse_accounts_csv(demo_csv_text(today))
    if errors:  # pragma: no cover - the constants above are tested
        raise ValueError("; ".join(str(e) for e in errors))
    stored, clashes = _match_stored(s, rows)
    if clashes:  # pragma: no cover - only if someone stored demo-0001 by hand
        raise ValueError("; ".join(str(e) for e in clashes))
    with s.begin_nested():
        _upsert(s, rows, stored)
    return demo_rows(today)
