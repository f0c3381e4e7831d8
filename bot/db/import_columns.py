"""The columns of the files operators import, in Chinese and English.

One place for the names the header may use, what each value must look like
and an example, read both by the importers and by ``collectbot … --help``
(which is why this module imports nothing heavier than bot/db/csvfile.py).
"""
from __future__ import annotations

from bot.db.csvfile import Column, Table

NAME_MAX = 100

ACCOUNT_ID = Column(
    "account_id", "账户号", ("账号", "账户编号"),
    "字母、数字或 . _ -，最长 64 位，不区分大小写", "ACC-1001",
)
ACCOUNTS = Table(
    (
        ACCOUNT_ID,
        Column("name", "姓名", ("持卡人", "持卡人姓名", "客户姓名"), f"持卡人姓名，最长 {NAME_MAX} 字", "张三"),
        Column("phone", "手机号", ("手机", "手机号码", "移动电话"), "11 位手机号（可不带 +86）或 +国家码 国际号码", "13800138000"),
        Column("id_last4", "身份证后四位", ("证件号后四位", "身份证号后四位"), "3 位数字加 1 位数字或 X", "123X"),
        Column("card_last4", "卡号后四位", ("卡号末四位",), "4 位数字", "6621"),
        Column("balance", "欠款余额", ("应还总额", "欠款总额", "欠款金额"), "金额，最多两位小数，可带千分位", "1,200.00"),
        Column("minimum_due", "最低还款额", ("最低还款", "最低应还"), "金额，不大于欠款余额", "120.00"),
        Column("due_date", "到期还款日", ("到期日", "还款日", "最后还款日"), "日期：2026-11-01、2026/11/1 或 20261101", "2026-11-01"),
    )
)
PAYMENTS = Table(
    (
        ACCOUNT_ID,
        Column("amount", "还款金额", ("金额", "入账金额", "交易金额"), "金额，最多两位小数，可带千分位；负数为冲正（银行退回已入账的还款）", "1,200.00"),
        Column(
            "paid_at", "还款时间", ("还款日期", "入账时间", "交易时间"),
            "日期或日期时间（北京时间）：2026-11-21、2026/11/21 14:03", "2026-11-21 14:03:00",
        ),
        Column("reference", "流水号", ("交易流水号", "参考号", "交易编号"), "银行流水号：字母、数字或 . _ : / -", "TX-1001"),
    )
)
