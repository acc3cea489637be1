"""The demo data set: Jiangsu → Wuxi (无锡, visited by the 4th central inspection group in
seed 000), its organs, three districts and Jiangyin. Persons are fictional.

A ``Team`` is one appointment document: the posts it fills in one unit from one day. A post
names the person it reports to; the loader resolves that to the assignment the person holds
on that day in the same unit (or, for a department's principal, in the parent unit).
History: the city government's change of term on 2022-01-06 (换届), with the mayor
transferred and his successor starting the same day, a transfer of a staff member, a
retirement, and portfolio re-divisions (分工调整). The teams themselves (``TEAMS``) are in
``chains_appointments``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.domain.vocab import Category, EndReason, Role

TOPICS = {
    "决策": Category.MAJOR_DECISION,
    "审查": Category.LEGALITY_REVIEW,
    "备案": Category.NORMATIVE_DOCUMENTS,
    "执法": Category.LAW_ENFORCEMENT,
    "出庭": Category.COURT_APPEARANCE,
    "复议": Category.RECONSIDERATION_LITIGATION,
    "公开": Category.INFORMATION_DISCLOSURE,
    "普法": Category.LEGAL_PUBLICITY,
    "化解": Category.DISPUTE_RESOLUTION,
    "营商": Category.BUSINESS_ENVIRONMENT,
    "其他": Category.OTHER,
}


@dataclass(frozen=True)
class Post:
    role: Role
    person: str
    title: str
    topics: str = ""
    reports_to: str | None = None


@dataclass(frozen=True)
class Team:
    unit: str
    since: str
    basis: str
    posts: tuple[Post, ...]


@dataclass(frozen=True)
class Ending:
    unit: str
    person: str
    on: str
    end_reason: EndReason
    basis: str
    reason: str


@dataclass(frozen=True)
class Redivision:
    """A portfolio change (分工调整) of the post a person holds in a unit."""

    unit: str
    person: str
    on: str
    topics: str
    basis: str
    reason: str


def principal(person: str, title: str, reports_to: str | None = None) -> Post:
    return Post(Role.PRINCIPAL, person, title, "", reports_to)


def leader(person: str, title: str, topics: str, reports_to: str) -> Post:
    return Post(Role.LEADER, person, title, topics, reports_to)


def staff(person: str, title: str, topics: str, reports_to: str) -> Post:
    return Post(Role.STAFF, person, title, topics, reports_to)


# key (also the unit code), name, kind, level, parent key
UNITS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("js.cpc", "中共江苏省委", "party_committee", "provincial", None),
    ("js.gov", "江苏省人民政府", "government", "provincial", "js.cpc"),
    ("js.fzb", "中共江苏省委全面依法治省委员会办公室", "inspection_body", "provincial", "js.cpc"),
    ("js.sft", "江苏省司法厅", "department", "provincial", "js.gov"),
    ("wx.cpc", "中共无锡市委", "party_committee", "municipal", "js.cpc"),
    ("wx.gov", "无锡市人民政府", "government", "municipal", "wx.cpc"),
    ("wx.fzb", "中共无锡市委全面依法治市委员会办公室", "inspection_body", "municipal", "wx.cpc"),
    ("wx.jw", "中共无锡市纪委 无锡市监委", "discipline_body", "municipal", "wx.cpc"),
    ("wx.zzb", "中共无锡市委组织部", "personnel_department", "municipal", "wx.cpc"),
    ("wx.court", "无锡市中级人民法院", "court", "municipal", "wx.cpc"),
    ("wx.proc", "无锡市人民检察院", "procuratorate", "municipal", "wx.cpc"),
    ("wx.sfj", "无锡市司法局", "department", "municipal", "wx.gov"),
    ("wx.scj", "无锡市市场监督管理局", "department", "municipal", "wx.gov"),
    ("wx.sthj", "无锡市生态环境局", "department", "municipal", "wx.gov"),
    ("wx.xfj", "无锡市信访局", "department", "municipal", "wx.gov"),
    ("wx.zrzy", "无锡市自然资源和规划局", "department", "municipal", "wx.gov"),
    ("wx.zjj", "无锡市住房和城乡建设局", "department", "municipal", "wx.gov"),
    ("wx.rsj", "无锡市人力资源和社会保障局", "department", "municipal", "wx.gov"),
    ("wx.yjj", "无锡市应急管理局", "department", "municipal", "wx.gov"),
    ("wx.zwb", "无锡市政务服务管理办公室", "department", "municipal", "wx.gov"),
    ("wx.lx.cpc", "中共无锡市梁溪区委", "party_committee", "county", "wx.cpc"),
    ("wx.lx.gov", "无锡市梁溪区人民政府", "government", "county", "wx.lx.cpc"),
    ("wx.lx.fzb", "中共梁溪区委全面依法治区委员会办公室", "inspection_body", "county", "wx.lx.cpc"),
    ("wx.lx.sfj", "无锡市梁溪区司法局", "department", "county", "wx.lx.gov"),
    ("wx.lx.scj", "无锡市梁溪区市场监督管理局", "department", "county", "wx.lx.gov"),
    ("wx.bh.cpc", "中共无锡市滨湖区委", "party_committee", "county", "wx.cpc"),
    ("wx.bh.gov", "无锡市滨湖区人民政府", "government", "county", "wx.bh.cpc"),
    ("wx.bh.sfj", "无锡市滨湖区司法局", "department", "county", "wx.bh.gov"),
    ("wx.bh.scj", "无锡市滨湖区市场监督管理局", "department", "county", "wx.bh.gov"),
    ("wx.xw.cpc", "中共无锡市新吴区委", "party_committee", "county", "wx.cpc"),
    ("wx.xw.gov", "无锡市新吴区人民政府", "government", "county", "wx.xw.cpc"),
    ("wx.xw.sfj", "无锡市新吴区司法局", "department", "county", "wx.xw.gov"),
    ("wx.xw.scj", "无锡市新吴区市场监督管理局", "department", "county", "wx.xw.gov"),
    ("wx.jy.cpc", "中共江阴市委", "party_committee", "county", "wx.cpc"),
    ("wx.jy.gov", "江阴市人民政府", "government", "county", "wx.jy.cpc"),
)

CHANGE_OF_TERM = "2022-01-06"

ENDINGS: tuple[Ending, ...] = (
    Ending("wx.gov", "严子轩", "2021-06-30", EndReason.TRANSFERRED, "锡政办〔2021〕27号",
           "调任市司法局"),
    Ending("wx.cpc", "周振华", CHANGE_OF_TERM, EndReason.TRANSFERRED, "苏委〔2021〕96号",
           "另有任用"),
    Ending("wx.gov", "周振华", CHANGE_OF_TERM, EndReason.TRANSFERRED, "苏委〔2021〕96号",
           "另有任用"),
    Ending("wx.gov", "钱立新", CHANGE_OF_TERM, EndReason.OTHER, "锡人大〔2022〕1号",
           "政府换届，连选连任"),
    Ending("wx.gov", "施海燕", CHANGE_OF_TERM, EndReason.TRANSFERRED, "锡人大〔2022〕1号",
           "政府换届，另有任用"),
    Ending("wx.gov", "屠国良", CHANGE_OF_TERM, EndReason.RETIRED, "锡人大〔2022〕1号",
           "政府换届，到龄退休"),
    Ending("wx.xfj", "吉美玲", "2024-03-01", EndReason.RETIRED, "锡委〔2024〕12号",
           "到龄退休"),
)  # fmt: skip

REDIVISIONS: tuple[Redivision, ...] = (
    Redivision("wx.sfj", "杭建伟", "2022-09-01", "普法 化解 执法 出庭", "锡司〔2022〕35号",
               "局领导班子分工调整"),
    Redivision("wx.gov", "钱立新", "2023-06-01", "决策 审查 备案", "锡政发〔2023〕15号",
               "市政府领导工作分工调整"),
    Redivision("wx.gov", "左慧君", "2023-06-01", "公开 普法 营商", "锡政发〔2023〕15号",
               "市政府领导工作分工调整"),
)  # fmt: skip
