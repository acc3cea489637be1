"""The demo's findings of 2024 (eleven from the inspection, one triaged from a 12345 clue),
each with the steps of its loop: plan, progress, verification, extension, referral, close.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.demo.cycle_data import ACTS, APPROVER
from ledger.domain.vocab import Category, Severity


@dataclass(frozen=True)
class Step:
    act: str  # plan, report, done (complete), verify, reject, extend, refer, close:<outcome>
    on: str
    text: str | None = None  # measures, summary, note or reason
    doc: str | None = None  # its document, recorded as basis (and as proof of progress)
    who: str | None = None  # the owner of a plan, the approver of an extension, a unit
    until: str | None = None  # the plan's due day, or the new deadline


def plan(on: str, owner: str, measures: str, doc: str, until: str | None = None) -> Step:
    return Step("plan", on, measures, doc, owner, until)


def extend(on: str, until: str, reason: str, doc: str) -> Step:
    return Step("extend", on, reason, doc, APPROVER, until)


def close(on: str, outcome: str, reason: str | None = None, doc: str | None = None) -> Step:
    return Step(f"close:{outcome}", on, reason, doc)


@dataclass(frozen=True)
class FindingSpec:
    key: str
    unit: str
    category: Category
    severity: Severity
    found_on: str
    deadline: str
    description: str
    steps: tuple[Step, ...]
    direct: tuple[str, str] | None = None  # a staff member named directly liable, and why
    clue: str | None = None  # the external id of the clue it was triaged from


C = Category
FINDINGS = (
    FindingSpec("F01", "wx.scj", C.LAW_ENFORCEMENT, Severity.HIGH, "2024-04-16", "2024-07-31",
        "行政执法“三项制度”落实不到位：抽查2023年处罚案卷30卷，7卷缺法制审核意见，"
        "4卷无执法全过程记录", (
        plan("2024-06-14", "温雅婷", "逐卷补正审核意见；配备执法记录仪；建立全过程记录归档制度",
             "锡市监发〔2024〕41号"),
        Step("report", "2024-07-05", "已补正7卷审核意见，新配执法记录仪40台"),
        Step("done", "2024-07-22", "归档制度已印发，专题培训312人次", "锡市监发〔2024〕52号"),
        Step("verify", "2024-07-29", "抽查6月以来案卷20卷，审核意见和执法记录齐全"),
        close("2024-07-30", "rectified")),
        direct=("班立伟", "承办案件未按规定进行全过程记录")),
    FindingSpec("F02", "wx.sthj", C.LAW_ENFORCEMENT, Severity.CRITICAL, "2024-04-17", "2024-07-31",
        "对某化工企业长期超标排放问题多次接报未依法立案查处，以“督促整改”代替行政处罚", (
        Step("refer", "2024-06-20", "执法人员不作为，分管领导督促不力，涉嫌失职失责，"
             "移送市纪委监委依纪依法追责", f"{ACTS}〔2024〕14号", who="wx.jw"),
        close("2024-11-08", "referred", "市纪委监委已作出处理决定")),
        direct=("甘永福", "负责该企业日常监管，接报后未提请立案")),
    FindingSpec("F03", "wx.zjj", C.MAJOR_DECISION, Severity.HIGH, "2024-04-19", "2024-08-31",
        "老旧小区改造专项资金分配方案属重大行政决策，未履行公众参与、专家论证、"
        "风险评估和合法性审查程序即印发实施", (
        plan("2024-06-18", "闵雪芳", "暂停执行原方案；补充法定程序后重新提请市政府审议",
             "锡建发〔2024〕56号"),
        Step("report", "2024-08-12", "已完成公众意见征集和专家论证，合法性审查意见待出具"),
        extend("2024-08-26", "2024-11-30", "方案调整涉及市、区两级资金重新分配，"
               "需提请市政府常务会议审议", f"{ACTS}函〔2024〕27号"),
        Step("done", "2024-11-08", "修订方案经合法性审查和市政府常务会议审议后重新印发",
             "锡建发〔2024〕88号"),
        Step("verify", "2024-11-20", "决策程序材料齐全，已按新方案拨付资金"),
        close("2024-11-22", "rectified"))),
    FindingSpec("F04", "wx.rsj", C.RECONSIDERATION_LITIGATION, Severity.MEDIUM, "2024-04-23",
        "2024-08-31", "2023年行政复议纠错率18%，高于全市平均水平，对被纠错案件未分析原因、"
        "未落实过错责任", (
        plan("2024-06-17", "栾佳音", "逐案分析纠错原因，建立复议纠错案件通报和过错追究机制",
             "锡人社发〔2024〕18号"),
        Step("done", "2024-08-16", "23件纠错案件已逐案分析，通报机制已建立",
             "锡人社发〔2024〕37号"),
        Step("verify", "2024-08-27", "抽查纠错案件分析报告，过错责任已落实"),
        close("2024-08-28", "rectified"))),
    FindingSpec("F05", "wx.yjj", C.LEGALITY_REVIEW, Severity.MEDIUM, "2024-04-25", "2024-08-31",
        "2份涉企行政协议和1件行政规范性文件未经合法性审查即签订、印发", (
        plan("2024-06-15", "鞠卫东", "对涉及文件协议补做合法性审查；建立“未经审查不得签发”机制",
             "锡应急发〔2024〕21号"),
        Step("done", "2024-07-20", "已对3件文件协议补做合法性审查"),
        Step("reject", "2024-07-26", "抽查发现2024年新签2份行政协议仍无审查意见，整改不到位",
             f"{ACTS}函〔2024〕21号"),
        Step("done", "2024-08-20", "新签协议全部补做审查，建立审查台账", "锡应急发〔2024〕33号"),
        Step("verify", "2024-08-28", "审查台账完整，抽查10份协议均有审查意见"),
        close("2024-08-30", "rectified")),
        direct=("靳子墨", "承办合法性审查，未出具审查意见即会签")),
    FindingSpec("F06", "wx.zwb", C.INFORMATION_DISCLOSURE, Severity.LOW, "2024-04-26", "2024-07-31",
        "2023年政府信息公开工作年度报告未于1月31日前发布，主动公开目录6个月未更新", (
        plan("2024-06-12", "阮静怡", "发布年度报告，建立目录动态更新机制", "锡政务办发〔2024〕6号"),
        Step("done", "2024-07-10", "年度报告已发布，目录已更新并实行月度核查"),
        Step("verify", "2024-07-18", "网站核查：年度报告和公开目录符合要求"),
        close("2024-07-19", "rectified"))),
    FindingSpec("F07", "wx.lx.gov", C.COURT_APPEARANCE, Severity.HIGH, "2024-05-07", "2024-09-30",
        "2023年行政机关负责人出庭应诉率仅62%，3起涉征收案件负责人均未出庭，亦未说明理由", (
        plan("2024-06-20", "陶晓慧", "建立负责人出庭应诉清单和通报制度，纳入部门年度考核",
             "梁政发〔2024〕21号"),
        Step("report", "2024-09-05", "1至8月负责人出庭应诉率91%"),
        extend("2024-09-20", "2024-12-31", "出庭应诉率须以全年数据核验", f"{ACTS}函〔2024〕31号"),
        Step("done", "2024-12-16", "2024年负责人出庭应诉率96%，涉征收案件负责人全部出庭"),
        Step("verify", "2024-12-23", "核对法院出庭记录，数据属实"),
        close("2024-12-24", "rectified"))),
    FindingSpec("F08", "wx.bh.gov", C.NORMATIVE_DOCUMENTS, Severity.MEDIUM, "2024-05-09",
        "2024-09-30", "3件行政规范性文件未在印发后30日内报送备案，其中1件含减损企业权益条款", (
        plan("2024-06-21", "邹建中", "补报备案，修改减损企业权益条款，建立备案时限提醒",
             "滨政发〔2024〕26号", until="2024-09-30"),
        Step("report", "2024-09-12", "已补报备案2件，另1件正在修改相关条款"))),
    FindingSpec("F09", "wx.zrzy", C.MAJOR_DECISION, Severity.MEDIUM, "2024-05-10", "2024-08-31",
        "国土空间规划局部调整事项未按规定开展社会稳定风险评估", (
        close("2024-06-28", "dismissed", "被督察单位提交2023年8月风险评估报告，经核实属实，"
              "督察时因材料归档于市政府办公室未能调阅，不构成问题", f"{ACTS}函〔2024〕19号"),)),
    FindingSpec("F10", "wx.xfj", C.DISPUTE_RESOLUTION, Severity.MEDIUM, "2024-05-13", "2024-08-31",
        "12件信访事项超过法定期限未办结，“一案一策”化解措施未落实", (
        plan("2024-06-14", "包志远", "逐案制定化解方案，实行领导包案和周调度",
             "锡信访发〔2024〕15号"),
        Step("report", "2024-07-15", "已办结7件"),
        Step("done", "2024-08-23", "12件全部办结，信访人满意9件"),
        Step("verify", "2024-08-30", "回访信访人，办结属实"),
        close("2024-08-30", "rectified"))),
    FindingSpec("F11", "wx.sthj", C.INFORMATION_DISCLOSURE, Severity.LOW, "2024-04-17",
        "2024-07-31", "行政处罚决定未在7个工作日内公示，2023年逾期公示41件", (
        plan("2024-06-14", "石磊", "补充公示并建立处罚决定公示时限台账", "锡环发〔2024〕40号"),
        Step("done", "2024-07-25", "逾期件已全部公示，公示台账已建立"),
        Step("verify", "2024-07-30", "抽查公示平台，6月以来决定均按时公示"),
        close("2024-07-31", "rectified"))),
    FindingSpec("F12", "wx.bh.scj", C.LAW_ENFORCEMENT, Severity.MEDIUM, "2024-04-02", "2024-06-30",
        "执法人员现场检查餐饮单位时未出示执法证件，未告知当事人陈述申辩权利", (
        plan("2024-04-15", "阎秀英", "开展执法规范专项整训，执法全过程佩戴记录仪",
             "滨市监发〔2024〕12号"),
        Step("done", "2024-06-10", "专项整训完成，涉事人员已作检查"),
        Step("verify", "2024-06-20", "回访投诉人并抽查执法记录，问题已整改"),
        close("2024-06-21", "rectified")),
        direct=("蔺一凡", "现场检查未亮证、未告知权利"), clue="JS12345-2024-0318-004127"),
)  # fmt: skip
