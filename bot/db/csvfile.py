"""Reading the bank's CSV files: one reader for accounts and payments.

What an operator actually has: a file Excel saved on a Chinese Windows
machine (GB18030/GBK, or UTF-8 with a BOM when saved as "CSV UTF-8"),
column names in Chinese or English in any order, trailing empty cells.
This module decodes the file, maps the header to our column keys through
each column's aliases, and yields each data record with the line number the
operator sees in a text editor. Every message is Chinese and names the line
and the column (with Excel's column letter).
"""
from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Tuple, Union

from bot.core.import_values import cell


class ImportFileError(Exception):
    """The file as a whole is unusable (unreadable, unknown encoding, header)."""


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.reason}"


@dataclass(frozen=True)
class Column:
    key: str  # English name, also accepted in the header
    label: str  # Chinese name shown in help and messages
    aliases: Tuple[str, ...]  # other Chinese names accepted in the header
    rule: str  # what a valid value looks like, for --help
    example: str

    @property
    def names(self) -> Tuple[str, ...]:
        return (self.label,) + self.aliases + (self.key,)


@dataclass(frozen=True)
class Table:
    columns: Tuple[Column, ...]

    @property
    def keys(self) -> Tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def help_text(self) -> str:
        """The column list with an example file, for ``--help``."""
        width = max(len(c.label) for c in self.columns)
        lines = ["文件的列（第一行为表头，中英文列名均可，顺序不限）："]
        for c in self.columns:
            other = "、".join(c.aliases + (c.key,))
            pad = "　" * (width - len(c.label))  # full-width: Chinese labels line up
            lines.append(f"  {c.label}{pad}  {c.rule}（也可写作：{other}）")
        lines += [
            "",
            "示例：",
            "  " + _csv_line(c.label for c in self.columns),
            "  " + _csv_line(c.example for c in self.columns),
            "",
            "编码：UTF-8（可带 BOM）或 GBK/GB18030（Excel 在中文 Windows 上另存为 CSV 的默认编码）。",
            '数字可用全角；带千分位的金额要加引号（"1,200.00"，Excel 保存时会自动加）。',
        ]
        return "\n".join(lines)


def _csv_line(cells) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(list(cells))
    return out.getvalue()


def excel_column(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the letter Excel shows above the column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class Record:
    line: int
    values: Dict[str, str]  # column key -> cell (cleaned, NFKC, trimmed)
    where: Dict[str, str]  # column key -> "C 列「手机号」" as the file names it

    def __getitem__(self, key: str) -> str:
        return self.values[key]


def decode(data: bytes) -> Tuple[str, str]:
    """(text, name of the encoding used).

    UTF-8 is tried strictly first: GB18030 decodes nearly any byte string,
    while text that is valid UTF-8 is almost never meant as GBK.
    """
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportFileError("这是 Excel 工作簿（.xlsx/.xls），不是 CSV：请在 Excel 中「另存为」→「CSV UTF-8（逗号分隔）」")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError("这是 UTF-16 文本（Excel 的「Unicode 文本」），不是 CSV：请另存为「CSV UTF-8（逗号分隔）」")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8（带 BOM）"
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                f"文件开头标明是 UTF-8，但第 {exc.start + 3} 个字节起不是有效的 UTF-8；"
                "请在 Excel 中重新另存为「CSV UTF-8」"
            ) from exc
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 has a byte-order mark of its own, which decodes to U+FEFF.
        return data.decode("gb18030").lstrip("\ufeff"), "GB18030"
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"无法识别文件编码（第 {exc.start} 个字节起既不是 UTF-8 也不是 GBK/GB18030）；"
            "请在 Excel 中另存为「CSV UTF-8」或「CSV（逗号分隔）」"
        ) from exc


def read_text(path: Union[str, Path]) -> Tuple[str, str]:
    """(text, encoding name) of the file at ``path``."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFileError(f"无法读取文件 {path}：{exc.strerror or exc}") from exc
    return decode(data)


def _csv_problem(exc: csv.Error) -> str:
    """The csv module's (English) complaint, said in Chinese."""
    text = str(exc)
    if "NUL" in text:
        return "含有 NUL 字符（文件可能不是文本格式的 CSV，例如 .xlsx）"
    if "field larger than field limit" in text:
        return "单元格过长（多半是引号不成对，后面的内容都被当成了一个单元格）"
    return f"无法解析（多半是引号不成对）：{text}"


def _header_key(name: str) -> str:
    # "手机号 " / "Phone" / "ＰＨＯＮＥ" / "手机号*" all name the same column.
    return unicodedata.normalize("NFKC", name).strip().strip("*").strip().casefold()


def _map_header(found: List[str], table: Table) -> Dict[str, int]:
    by_name = {_header_key(n): c.key for c in table.columns for n in c.names}
    index: Dict[str, int] = {}
    for i, raw in enumerate(found):
        name = _header_key(raw)
        if not name:
            continue  # an unnamed (empty) column Excel left behind
        key = by_name.get(name)
        if key is None:
            raise ImportFileError(
                f"表头第 {excel_column(i)} 列「{raw.strip()}」不是可识别的列名。"
                "可用的列名见 --help：" + "、".join(c.label for c in table.columns)
            )
        if key in index:
            raise ImportFileError(
                f"表头有两列都表示「{table_label(table, key)}」："
                f"{excel_column(index[key])} 列「{found[index[key]].strip()}」和 {excel_column(i)} 列「{raw.strip()}」"
            )
        index[key] = i
    missing = [c for c in table.columns if c.key not in index]
    if missing:
        raise ImportFileError(
            "表头缺少列：" + "、".join(f"{c.label}（{c.key}）" for c in missing)
            + "。表头应为：" + ",".join(c.label for c in table.columns)
        )
    return index


def table_label(table: Table, key: str) -> str:
    return next(c.label for c in table.columns if c.key == key)


def records(text: str, table: Table, errors: List[RowError]) -> Iterator[Record]:
    """Each data record of ``text``, a CSV with ``table``'s columns.

    A header that cannot be mapped raises ImportFileError; a record with
    filled cells outside the header, or a malformed one (which ends the
    file), is added to ``errors`` with its line; blank lines are skipped.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        found = next(reader)
    except StopIteration:
        raise ImportFileError("文件是空的；第一行应为表头：" + ",".join(c.label for c in table.columns))
    except csv.Error as exc:
        raise ImportFileError(f"第 1 行（表头）不是有效的 CSV：{_csv_problem(exc)}") from exc
    index = _map_header(found, table)
    where = {key: f"{excel_column(i)} 列「{found[i].strip()}」" for key, i in index.items()}
    prev_end = reader.line_num
    while True:
        # A record starts on the line after the previous one ended (quoted
        # fields may span lines), which is the number operators look up.
        line = prev_end + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(RowError(line, f"CSV 格式错误：{_csv_problem(exc)}"))
            return
        prev_end = reader.line_num
        if all(not c.strip() for c in record):
            continue  # blank line, e.g. a trailing newline from Excel
        extra = [i for i in range(len(found), len(record)) if record[i].strip()]
        if extra:
            errors.append(
                RowError(line, f"{excel_column(extra[0])} 列有内容，但表头只有 {len(found)} 列（多了逗号？）")
            )
            continue
        values = {key: cell(record[i]) if i < len(record) else "" for key, i in index.items()}
        yield Record(line, values, where)
