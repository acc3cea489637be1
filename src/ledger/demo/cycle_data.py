"""The demo's closed loop for 2024, drawn from the seeds: the city's rule-of-law office
(无锡市委依法治市办) inspects city departments and two districts by interview, document
review and site visit (seed 000), raises findings in the focal areas (seeds 001, 003),
feeds back, circulates a brief and a special report, follows each finding to rectified,
referred or dismissed, hands one to the 纪委监委 (seed 004), takes clues from 12345, petitions
and the courts, and assesses the units against a modular indicator set (seed 002).

Units and persons are ``chains_data``'s keys and names. Every date is explicit, so the loop
is the same on every run; ``AS_OF`` is the demo's "today", after its last act. The findings
and the steps of their loops are in ``cycle_findings``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.domain.vocab import (
    BulletinKind,
    Category,
    ClueSource,
    EvidenceMethod,
    SanctionKind,
)

AS_OF = "2025-01-31"
OFFICE = "wx.fzb"
ACTS = "锡委法办"  # the office's document prefix

INSPECTION = {
    "title": "2024年度法治政府建设与责任落实督察（市级部门和区）",
    "planned_on": "2024-03-15",
    "starts_on": "2024-04-08",
    "ends_on": "2024-05-31",
    "closed_on": "2024-12-30",
    "basis": f"{ACTS}〔2024〕3号",
    "reason": "2024年度督察工作计划",
    "fed_back_on": "2024-06-05",
    "feedback": "向被督察单位逐一反馈督察发现的11个问题，明确限期整改要求和整改责任人",
    "feedback_basis": f"{ACTS}〔2024〕11号",
}
TARGETS = (
    "wx.scj", "wx.sthj", "wx.zjj", "wx.rsj", "wx.yjj", "wx.zwb", "wx.zrzy", "wx.xfj",
    "wx.lx.gov", "wx.bh.gov",
)  # fmt: skip
# 督察组: the office's deputy director and staff, and one inspector from the pool (人才库).
TEAM = ("詹晓燕", "孟庆辉", "邬嘉怡", "查永昌", "韦佳琪", "聂振宇")
APPROVER = "吕文博"  # the office's director approves deadline extensions
TOPICS = (
    Category.MAJOR_DECISION, Category.LEGALITY_REVIEW, Category.NORMATIVE_DOCUMENTS,
    Category.LAW_ENFORCEMENT, Category.COURT_APPEARANCE, Category.RECONSIDERATION_LITIGATION,
    Category.INFORMATION_DISCLOSURE, Category.DISPUTE_RESOLUTION,
)  # fmt: skip

TALK, READ = EvidenceMethod.INTERVIEW, EvidenceMethod.DOCUMENT_REVIEW
SEE = EvidenceMethod.SITE_VISIT


@dataclass(frozen=True)
class Evidence:
    unit: str
    method: EvidenceMethod
    on: str
    summary: str
    document: str
    text: str  # the (made-up) document's text; the ledger keeps its sha256


EVIDENCE = (
    Evidence("wx.scj", TALK, "2024-04-10", "个别谈话：局长万俊杰介绍履行法治建设第一责任人职责情况",
             "锡督谈〔2024〕01号", "谈话记录：案卷法制审核由执法稽查处自审，未设专人把关。"),
    Evidence("wx.scj", READ, "2024-04-12", "查阅资料：抽查2023年行政处罚案卷30卷",
             "锡市监发〔2024〕15号", "案卷评查表：7卷缺法制审核意见，4卷无执法全过程记录。"),
    Evidence("wx.sthj", SEE, "2024-04-15", "实地查看：某化工企业排污口及在线监测数据",
             "锡督现〔2024〕03号", "现场记录：2023年11月以来化学需氧量超标19次，未立案。"),
    Evidence("wx.sthj", READ, "2024-04-16", "查阅资料：执法台账与12345工单比对",
             "锡环发〔2024〕22号", "台账比对：涉该企业投诉工单6件，均以“已督促整改”办结。"),
    Evidence("wx.zjj", READ, "2024-04-18", "查阅资料：老旧小区改造专项资金分配方案制定过程材料",
             "锡建发〔2024〕31号", "方案卷宗：无公众参与、专家论证、风险评估及合法性审查意见。"),
    Evidence("wx.rsj", TALK, "2024-04-22", "个别谈话：分管副局长栾佳音谈行政复议纠错情况",
             "锡督谈〔2024〕07号", "谈话记录：2023年复议纠错23件，未逐案分析原因。"),
    Evidence("wx.yjj", READ, "2024-04-24", "查阅资料：2023年以来行政协议和规范性文件审查记录",
             "锡应急发〔2024〕9号", "审查台账：2份涉企协议、1件规范性文件无合法性审查意见。"),
    Evidence("wx.zwb", SEE, "2024-04-26", "实地查看：市民中心政务公开专区及信息公开平台",
             "锡督现〔2024〕05号", "现场记录：2023年度报告未发布，主动公开目录停更6个月。"),
    Evidence("wx.lx.gov", TALK, "2024-05-06", "个别谈话：副区长陶晓慧谈负责人出庭应诉情况",
             "锡督谈〔2024〕12号", "谈话记录：2023年应诉58件，负责人出庭36件。"),
    Evidence("wx.bh.gov", READ, "2024-05-08", "查阅资料：2023年以来行政规范性文件目录和备案登记",
             "滨政发〔2024〕17号", "备案登记簿：3件文件逾期未报备，1件含减损企业权益条款。"),
    Evidence("wx.zrzy", READ, "2024-05-10", "查阅资料：国土空间规划局部调整事项决策卷宗",
             "锡自然资规发〔2024〕12号", "决策卷宗：未见社会稳定风险评估报告。"),
    Evidence("wx.xfj", SEE, "2024-05-13", "实地查看：市信访局接待大厅和信访积案台账",
             "锡信访发〔2024〕8号", "积案台账：12件信访事项超期未办结。"),
)  # fmt: skip


@dataclass(frozen=True)
class ClueSpec:
    origin: ClueSource
    external_id: str
    unit: str
    received_at: str
    summary: str
    deliveries: int = 1  # a system that pushes again must not make a second clue
    dismissed: tuple[str, str] | None = None  # (on, reason)


CLUES = (
    ClueSpec(ClueSource.HOTLINE_12345, "JS12345-2024-0318-004127", "wx.bh.scj",
             "2024-03-18T10:42:00+08:00", "市民反映区市场监管执法人员检查餐饮店时未出示证件"),
    ClueSpec(ClueSource.PETITION, "XF320200-2024-00862", "wx.lx.gov", "2024-02-26T09:15:00+08:00",
             "来信反映某街道征收补偿标准未公开", dismissed=("2024-03-20",
             "经核查，补偿方案已于2023年12月在区政府门户网站公开，来信人已获书面答复")),
    ClueSpec(ClueSource.HOTLINE_12345, "JS12345-2024-0409-011583", "wx.zjj",
             "2024-04-09T16:03:00+08:00", "市民反映老旧小区改造资金分配方案未征求居民意见",
             deliveries=2),
    ClueSpec(ClueSource.LITIGATION, "(2024)苏02行初45号", "wx.rsj", "2024-03-05T14:30:00+08:00",
             "市中院函告：工伤认定行政诉讼案件中行政机关负责人未出庭应诉"),
)  # fmt: skip


@dataclass(frozen=True)
class BulletinSpec:
    key: str
    kind: BulletinKind
    title: str
    on: str
    findings: tuple[str, ...]
    recipients: tuple[str, ...]
    summary: str
    basis: str


BULLETINS = (
    BulletinSpec("brief", BulletinKind.BRIEF, "法治督察简报（2024年第4期）", "2024-06-12",
                 tuple(f"F{n:02d}" for n in range(1, 12)), ("wx.jw", "wx.zzb", "js.fzb"),
                 "通报2024年度督察发现的11个问题及整改要求", f"{ACTS}〔2024〕12号"),
    BulletinSpec("special", BulletinKind.SPECIAL_REPORT, "关于市生态环境局执法不作为问题的专报",
                 "2024-06-20", ("F02",), ("wx.cpc", "wx.jw", "js.fzb"),
                 "报告对超标排放企业长期未立案查处问题及移送追责情况", f"{ACTS}〔2024〕15号"),
)  # fmt: skip


@dataclass(frozen=True)
class CaseSpec:
    finding: str
    person: str
    handler: str
    opened: tuple[str, str, str]  # (on, reason, basis)
    imposed: tuple[SanctionKind, str, str, str]  # (kind, on, reason, basis)
    appealed: tuple[str, str]  # (on, reason)
    modified: tuple[SanctionKind, str, str, str]
    closed_on: str


# The accountability case of the referred finding: against the leader whose portfolio
# covered law enforcement, decided by the discipline body, appealed, and reduced.
CASE = CaseSpec(
    "F02", "喻红梅", "wx.jw",
    ("2024-07-05", "分管执法工作，对下属长期不立案查处督促不力", "锡纪立〔2024〕19号"),
    (SanctionKind.PARTY_DISCIPLINE, "2024-09-12", "给予党内警告处分", "锡纪处〔2024〕27号"),
    ("2024-09-20", "本人申诉：已于2023年部署专项执法行动，未立案系执法支队未按部署落实"),
    (SanctionKind.ADMONISHMENT_TALK, "2024-10-25",
     "经复查，已部署专项行动但督促落实不力，情节较轻，改为诫勉谈话", "锡纪复〔2024〕5号"),
    "2024-11-01",
)  # fmt: skip

# 考核指标体系 by module (seed 002), weights summing to 100.
INDICATOR_SET = {
    "name": "2024年度法治政府建设考核指标体系（市级部门和区）",
    "basis": f"{ACTS}〔2024〕2号",
    "defined_on": "2024-03-01",
}
INDICATORS = (
    ("M1", "依法全面履行政府职能", 15), ("M2", "依法行政制度体系", 15),
    ("M3", "重大行政决策", 15), ("M4", "行政执法", 20), ("M5", "行政权力制约监督", 15),
    ("M6", "社会矛盾纠纷化解", 10), ("M7", "法治建设组织保障", 10),
)  # fmt: skip
ASSESSED_ON = "2025-01-15"
SCORES = {
    "wx.scj": (92, 90, 93, 80, 90, 92, 94),
    "wx.sthj": (90, 88, 90, 72, 86, 88, 90),
    "wx.zjj": (88, 86, 70, 88, 85, 86, 88),
    "wx.rsj": (91, 88, 92, 90, 82, 90, 92),
    "wx.yjj": (90, 80, 90, 88, 86, 90, 90),
    "wx.zwb": (94, 92, 95, 93, 84, 92, 95),
    "wx.zrzy": (93, 91, 90, 92, 90, 90, 93),
    "wx.xfj": (90, 88, 92, 90, 88, 74, 90),
    "wx.lx.gov": (88, 86, 88, 86, 76, 88, 87),
    "wx.bh.gov": (86, 70, 85, 84, 80, 84, 82),
}
# One unit is reassessed once the accountability decision is known.
REASSESSMENT = ("wx.sthj", (90, 88, 90, 58, 70, 88, 90), "2025-01-24",
                "复核：执法不作为问题经市纪委监委问责，行政执法和制约监督模块扣分",
                f"{ACTS}〔2025〕2号")  # fmt: skip
