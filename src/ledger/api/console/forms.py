"""The console's command forms: their fields, the command body a posted form makes, and the
API's refusals of a field said in Chinese beside it.

A form renders the record's version it was drawn from (``If-Match``) and a fresh
``Idempotency-Key``, so a second press of the same button is the same command.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.api.console.upstream import UpstreamError


@dataclass(frozen=True)
class Field:
    """One input: ``kind`` is text, textarea, date, select, checkbox or lines (one list
    item per line, each ``{item: line}``); ``options`` names a choice list of the page."""

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    options: str = ""
    hint: str = ""
    item: str = ""
    today: bool = False  # a date that defaults to today


BASIS = Field("basis", "依据文号", hint="如 锡委法办〔2024〕14号")


def fresh_key() -> str:
    return str(uuid.uuid4())


def posted(form: Mapping[str, Any]) -> dict[str, str]:
    """A posted form as plain strings (a file field would be dropped)."""
    return {k: v for k, v in form.items() if isinstance(v, str)}


def body_of(fields: Sequence[Field], form: Mapping[str, str]) -> dict[str, Any]:
    """The command body: empty inputs left out, so the API's defaults and rules apply."""
    body: dict[str, Any] = {}
    for field in fields:
        raw = form.get(field.name, "")
        if field.kind == "checkbox":
            body[field.name] = raw in ("on", "true", "1")
        elif field.kind == "lines":
            lines = [line.strip() for line in raw.splitlines() if line.strip()]
            if lines:
                body[field.name] = [{field.item: line} for line in lines]
        elif raw.strip():
            body[field.name] = raw.strip() if field.kind != "textarea" else raw
    return body


DATE = "日期格式应为 年-月-日，如 2024-06-01"
CHOOSE = "请从列表中选择"
RULES = {
    "missing": "此项必填",
    "string_too_short": "此项必填",
    "string_too_long": "内容过长，请精简",
    "too_long": "条目过多",
    "date_parsing": DATE,
    "date_type": DATE,
    "date_from_datetime_parsing": DATE,
    "date_from_datetime_inexact": DATE,
    "uuid_parsing": CHOOSE,
    "uuid_type": CHOOSE,
    "enum": CHOOSE,
    "literal_error": CHOOSE,
    "string_pattern_mismatch": "不能含有制表符等控制字符",
    "extra_forbidden": "此项不应填写",
    "one_of": "请填写要立的问题",
    "bool_parsing": "请勾选或不勾选",
}
DAYS = {
    "found_on": "发现日期",
    "planned_on": "方案制定日期",
    "reported_on": "报告日期",
    "the last progress report's reported_on": "最近一次进展报告的日期",
    "verified_on": "验收日期",
    "referred_on": "移送日期",
    "rejected_on": "退回日期",
    "extended_on": "批准延期日期",
    "closed_on": "办结日期",
}
# The domain's refusals (English, for API clients) in the words of the console.
MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"\w+ \((\S+)\) is after today \((\S+)\)"),
        "{0} 晚于今天（{1}）：只能登记已发生的事项",
    ),
    (re.compile(r"\w+ \((\S+)\) must not be before (.+) \((\S+)\)"), "{0} 不能早于{1}（{2}）"),
    (re.compile(r"\w+ must be after found_on \((\S+)\)"), "应晚于发现日期（{0}）"),
    (
        re.compile(r"new_deadline must be after the current deadline \((\S+)\)"),
        "新期限应晚于当前期限（{0}）",
    ),
    (
        re.compile(r"the plan's deadline must lie between .* \((\S+)\)"),
        "方案完成时限应在方案制定日期与整改期限（{0}）之间；更晚的期限须先批准延期",
    ),
    (re.compile(r"the approver, .* held no post"), "审批人在批准之日不在有权批准的督察机构任职"),
    (re.compile(r"the plan's owner .* held no post"), "整改责任人在方案制定之日不在被督察单位任职"),
    (re.compile(r"needs a reason"), "请说明理由"),
    (
        re.compile(r"discipline body or a personnel department"),
        "移送对象须为纪检监察机关或组织人事部门",
    ),
    (re.compile(r"date must be between"), "日期应在 1900-01-01 至 2199-12-31 之间"),
    (re.compile(r"held no post in unit .* on"), "所选人员在该日期不在该单位任职"),
    (re.compile(r"is not a target of inspection"), "该单位不是本次督察的对象"),
    (re.compile(r"lies outside the inspection's window"), "发现日期不在本次督察期间内"),
]


def in_words(item: Mapping[str, Any]) -> str:
    """One field's refusal in Chinese: by the pydantic rule, else by the domain's message."""
    rule, message = str(item.get("rule", "")), str(item.get("message", ""))
    for pattern, words in MESSAGES:
        found = pattern.search(message)
        if found:
            return words.format(*(DAYS.get(g, g) for g in found.groups()))
    return RULES.get(rule, "此项填写有误，请核对")


def field_errors(error: UpstreamError, fields: Sequence[Field], prefix: str = "") -> dict[str, str]:
    """The refusals of the form's own fields, by field name (``evidence.0.ref`` is
    ``evidence``); a refusal of anything else is under ``""``, for the form as a whole."""
    names = {f.name for f in fields}
    errors: dict[str, str] = {}
    for item in error.errors:
        path = str(item.get("field", "")).removeprefix(prefix)
        name = path.split(".", 1)[0]
        key = name if name in names else ""
        errors.setdefault(key, in_words(item))
    if not errors:
        errors[""] = in_words({"message": error.detail})
    return errors
