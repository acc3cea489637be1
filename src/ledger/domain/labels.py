"""The Chinese label of every code of every vocabulary (``vocab.ALL``), in one place.

The codes are the stored format and the API's; the labels are what a reader sees
(DOMAIN.md → Glossary). ``tests/domain/test_labels.py`` fails when a code has no label,
so a new code cannot ship unlabelled.
"""

from __future__ import annotations

import re
from enum import Enum

from ledger.domain import vocab as v

LABELS: dict[type[Enum], dict[str, str]] = {
    v.UnitKind: {
        "party_committee": "党委",
        "government": "人民政府",
        "department": "工作部门",
        "court": "人民法院",
        "procuratorate": "人民检察院",
        "inspection_body": "督察机构",
        "discipline_body": "纪检监察机关",
        "personnel_department": "组织人事部门",
        "other": "其他单位",
    },
    v.UnitLevel: {
        "national": "中央",
        "provincial": "省级",
        "municipal": "市级",
        "county": "县级",
        "township": "乡镇级",
    },
    v.Role: {"principal": "主要负责人", "leader": "班子成员", "staff": "工作人员"},
    v.PrincipalTitle: {
        "party_secretary": "党委书记",
        "government_head": "政府主要负责人",
        "unit_head": "单位主要负责人",
    },
    v.Category: {
        "major_decision": "重大行政决策",
        "legality_review": "合法性审查",
        "normative_documents": "规范性文件",
        "law_enforcement": "行政执法",
        "court_appearance": "负责人出庭应诉",
        "reconsideration_litigation": "行政复议与行政诉讼",
        "information_disclosure": "政务公开",
        "legal_publicity": "普法宣传",
        "dispute_resolution": "矛盾纠纷化解",
        "business_environment": "法治化营商环境",
        "other": "其他",
    },
    v.EndReason: {"transferred": "调任", "retired": "退休", "removed": "免职", "other": "其他"},
    v.CorrectableField: {
        "title": "职务",
        "principal_title": "主要负责人类别",
        "reports_to": "汇报对象",
        "effective_from": "任职起始日",
        "effective_to": "任职终止日",
    },
    v.Severity: {"low": "轻微", "medium": "一般", "high": "严重", "critical": "特别严重"},
    v.Liability: {"principal": "主体责任", "leadership": "领导责任", "direct": "直接责任"},
    v.EvidenceMethod: {
        "interview": "个别谈话",
        "document_review": "查阅资料",
        "site_visit": "实地查看",
        "other": "其他",
    },
    v.InspectionStage: {
        "planned": "已计划",
        "started": "进行中",
        "fed_back": "已反馈",
        "closed": "已结束",
    },
    v.FindingStage: {
        "raised": "待整改",
        "rectifying": "整改中",
        "awaiting_verification": "待验收",
        "verified": "已验收",
        "referred": "已移送",
        "closed": "已办结",
    },
    v.FindingField: {"description": "问题描述", "severity": "严重程度"},
    v.Outcome: {"rectified": "整改到位", "referred": "移送处理", "dismissed": "不予认定"},
    v.RectificationTiming: {
        "on_time": "按期整改",
        "on_time_after_extension": "延期后按期整改",
        "late": "逾期整改",
        "open": "尚未完成整改",
        "closed_unverified": "未经验收办结",
    },
    v.SanctionKind: {
        "admonishment_talk": "诫勉",
        "circulated_criticism": "通报批评",
        "written_self_criticism": "书面检查",
        "organizational_adjustment": "组织调整",
        "party_discipline": "党纪处分",
        "government_sanction": "政务处分",
    },
    v.SanctionState: {
        "imposed": "已作出",
        "appealed": "申诉中",
        "upheld": "维持",
        "modified": "变更",
        "revoked": "撤销",
    },
    v.ClueSource: {
        "litigation": "行政诉讼",
        "reconsideration": "行政复议",
        "petition": "信访",
        "hotline_12345": "12345热线",
        "proposal": "建议提案",
        "other": "其他",
    },
    v.TriageOutcome: {"finding": "立为问题", "dismissed": "不予立项"},
    v.BulletinKind: {"brief": "简报", "special_report": "专报"},
    v.Grade: {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"},
}


def vocabulary_name(vocabulary: type[Enum]) -> str:
    """The vocabulary's name in the API: ``UnitKind`` → ``unit_kind``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", vocabulary.__name__).lower()


def label(code: Enum) -> str:
    """The Chinese label of a code."""
    return LABELS[type(code)][code.value]


def unlabelled() -> list[str]:
    """Every code of ``vocab.ALL`` with no label, and every label of no code."""
    wrong = []
    for vocabulary in v.ALL:
        codes = {member.value for member in vocabulary}
        labelled = set(LABELS.get(vocabulary, {}))
        wrong += [f"{vocabulary.__name__}.{c}: no label" for c in sorted(codes - labelled)]
        wrong += [f"{vocabulary.__name__}.{c}: no such code" for c in sorted(labelled - codes)]
    return wrong


# The Chinese name of every event type, by its short name (``Class.Event``, as the audit
# trail and the feed name it); ``tests/domain/test_labels.py`` fails on a type without one.
EVENT_LABELS: dict[str, str] = {
    "Unit.Registered": "登记单位",
    "Unit.Renamed": "单位更名",
    "Unit.Moved": "调整隶属关系",
    "Unit.Dissolved": "撤销单位",
    "Person.Registered": "登记人员",
    "Person.DetailsCorrected": "更正人员信息",
    "Assignment.Assigned": "任职",
    "Assignment.Ended": "免职（离任）",
    "Assignment.PortfolioChanged": "调整分工",
    "Assignment.LineChanged": "调整汇报关系",
    "Assignment.Corrected": "更正任职记录",
    "Inspection.Planned": "制定督察计划",
    "Inspection.Started": "督察进驻",
    "Inspection.EvidenceRecorded": "记录督察取证",
    "Inspection.ResultsFedBack": "反馈督察意见",
    "Inspection.Closed": "督察结束",
    "Finding.Raised": "发现问题",
    "Finding.Attributed": "责任认定",
    "Finding.AttributionWithdrawn": "撤销责任认定",
    "Finding.RectificationPlanned": "制定整改方案",
    "Finding.ProgressReported": "报告整改进展",
    "Finding.RectificationRejected": "退回整改",
    "Finding.DeadlineExtended": "延长整改期限",
    "Finding.RectificationVerified": "验收整改",
    "Finding.Referred": "移送问责",
    "Finding.Closed": "办结（销号）",
    "Finding.Corrected": "更正问题记录",
    "AccountabilityCase.Opened": "立案问责",
    "AccountabilityCase.SanctionImposed": "作出处理",
    "AccountabilityCase.Appealed": "申诉",
    "AccountabilityCase.SanctionUpheld": "维持处理",
    "AccountabilityCase.SanctionModified": "变更处理",
    "AccountabilityCase.SanctionRevoked": "撤销处理",
    "AccountabilityCase.Closed": "问责结案",
    "Clue.Received": "收到线索",
    "Clue.Triaged": "分办线索",
    "Bulletin.Issued": "印发通报",
    "IndicatorSet.Defined": "制定考核指标体系",
    "Assessment.UnitAssessed": "考核评定",
    "Assessment.Reassessed": "复核考核结果",
}
