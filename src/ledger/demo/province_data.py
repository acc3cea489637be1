"""The province whose history ``province`` writes: Jiangsu's localities, their organs and
posts (``build``), and the words of that history: names, identity numbers, document numbers
(文号) and the texts of findings, rectifications and sanctions, drawn from the seeds (the
notice 苏办厅字〔2019〕33号, the inspection of Wuxi, the districts' speeches and reports).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random

# At any scale: staff posts per organ, the chance a post changes hands in five years, years
# of birth, the ends of a loop (weights; "open" by year), the chance of a case by end.
STAFF = {"cpc": 6, "gov": 8, "fzb": 5, "jw": 10, "zzb": 6, "court": 8, "proc": 6, "dept": 10}
CHANGE = {"principal": 0.55, "leader": 0.5, "staff": 0.45}
BORN = {"principal": (1962, 1976), "leader": (1965, 1982), "staff": (1970, 1998)}
ENDS = {"on_time": 44, "extended": 10, "late": 9, "rejected": 9, "referred": 8, "dismissed": 5}
OPEN = {2020: 2, 2021: 3, 2022: 5, 2023: 12, 2024: 35}
CASES = {"referred": 0.3, "late": 0.04}
SEVERITIES = {"low": 30, "medium": 45, "high": 20, "critical": 5}
SANCTIONS = ("admonishment_talk", "circulated_criticism", "written_self_criticism",
             "organizational_adjustment", "party_discipline", "government_sanction")  # fmt: skip
TITLES = {"party_committee": "party_secretary", "government": "government_head"}
# 换届, by level: the party congress, then the people's congress.
TERMS = {"county": (date(2021, 6, 15), date(2021, 12, 20)),
         "municipal": (date(2021, 9, 20), date(2022, 1, 5)),
         "provincial": (date(2021, 11, 20), date(2022, 1, 18))}  # fmt: skip

# The steps to each end of the loop: (step, after, spread, chance): ``after`` to ``after +
# spread`` days past the one before, or from the deadline ("d-25"; "h-10": of half the way).
# An open loop stops on the way to one of the first four.
Timing = int | str
_PLAN, _REPORT, _CLOSE = ("plan", 5, 15, 1), ("report", 10, "h-10", 0.5), ("rectified", 0, 7, 1)
LOOPS: dict[str, tuple[tuple[str, Timing, Timing, float], ...]] = {
    "on_time": (_PLAN, _REPORT, ("done", 1, "d-25", 1), ("verify", 0, "d+0", 1), _CLOSE),
    "extended": (_PLAN, _REPORT, ("extend", 0, "d-1", 1), ("done", "d-10", 20, 1),
                 ("verify", "d+1", 17, 1), _CLOSE),
    "rejected": (_PLAN, _REPORT, ("done", 1, "d-25", 1), ("reject", 3, 7, 1), ("done", 10, 30, 1),
                 ("verify", 3, 7, 1), _CLOSE),
    "referred": (("plan", 5, 15, 0.5), ("refer", 5, 55, 1), ("referred", 30, 90, 1)),
    "late": (_PLAN, _REPORT, ("done", "d+10", 50, 1), ("verify", 3, 17, 1), _CLOSE),
    "dismissed": (("plan", 5, 15, 0.5), ("dismissed", 5, 25, 1)),
}  # fmt: skip
# Each step of LOOPS as the import names it, and the field of its day.
STEPS = {"plan": ("rectification-plan", "planned_on"), "report": ("progress", "reported_on"),
         "done": ("progress", "reported_on"), "verify": ("verify", "verified_on"),
         "reject": ("reject", "rejected_on"), "extend": ("extend-deadline", "extended_on"),
         "refer": ("refer", "referred_on"), "rectified": ("close", "closed_on"),
         "referred": ("close", "closed_on"), "dismissed": ("close", "closed_on")}  # fmt: skip

# Code, name, prefix (简称), districts and counties, in division code order (南京 3201 …).
_CITIES = """
nj/南京/宁/玄武区、秦淮区、建邺区、鼓楼区、浦口区、栖霞区、雨花台区、江宁区、六合区、溧水区、高淳区
wx/无锡/锡/锡山区、惠山区、滨湖区、梁溪区、新吴区、江阴市、宜兴市
xz/徐州/徐/鼓楼区、云龙区、贾汪区、泉山区、铜山区、丰县、沛县、睢宁县、新沂市、邳州市
cz/常州/常/天宁区、钟楼区、新北区、武进区、金坛区、溧阳市
sz/苏州/苏/虎丘区、吴中区、相城区、姑苏区、吴江区、常熟市、张家港市、昆山市、太仓市
nt/南通/通/崇川区、通州区、海门区、如东县、启东市、如皋市、海安市
lyg/连云港/连/连云区、海州区、赣榆区、东海县、灌云县、灌南县
ha/淮安/淮/淮安区、淮阴区、清江浦区、洪泽区、涟水县、盱眙县、金湖县
yc/盐城/盐/亭湖区、盐都区、大丰区、响水县、滨海县、阜宁县、射阳县、建湖县、东台市
yz/扬州/扬/广陵区、邗江区、江都区、宝应县、仪征市、高邮市
zj/镇江/镇/京口区、润州区、丹徒区、丹阳市、扬中市、句容市
tz/泰州/泰/海陵区、高港区、姜堰区、兴化市、靖江市、泰兴市
sq/宿迁/宿/宿城区、宿豫区、沭阳县、泗阳县、泗洪县
"""
CITIES = [tuple(row.split("/")) for row in _CITIES.split()]
# Code, name in a city or county, in the province, prefix; the first make a small province.
_DEPARTMENTS = """
sfj/司法局/司法厅/司；scj/市场监督管理局/市场监督管理局/市监；zwb/政务服务管理办公室/政务服务管理办公室/政务办；sthj/生态环境局/生态环境厅/环；zrzy/自然资源和规划局/自然资源厅/资规；zjj/住房和城乡建设局/住房和城乡建设厅/建
gaj/公安局/公安厅/公；rsj/人力资源和社会保障局/人力资源和社会保障厅/人社；yjj/应急管理局/应急管理厅/应急；jtj/交通运输局/交通运输厅/交；nyj/农业农村局/农业农村厅/农；slj/水务局/水利厅/水
wlj/文化广电和旅游局/文化和旅游厅/文旅；jyj/教育局/教育厅/教；wjw/卫生健康委员会/卫生健康委员会/卫健；mzj/民政局/民政厅/民；czj/财政局/财政厅/财；swj/商务局/商务厅/商
fgw/发展和改革委员会/发展和改革委员会/发改；xfj/信访局/信访局/信访；sjj/审计局/审计厅/审；tjj/统计局/统计局/统；ybj/医疗保障局/医疗保障局/医保
"""
DEPARTMENTS = [tuple(entry.split("/")) for entry in _DEPARTMENTS.replace("；", " ").split()]
RENAMED = ("zwb", "政务服务管理办公室（数据局）")  # 2024: the data bureaus are set up
# The organs of a locality: code, name ({f}: its full name, {w}: 省, 市, 区, 县), kind, prefix.
ORGANS = (
    ("cpc", "中共{f}委", "party_committee", "委"), ("gov", "{f}人民政府", "government", "政"),
    ("fzb", "中共{f}委全面依法治{w}委员会办公室", "inspection_body", "法治办"),
    ("jw", "中共{f}纪委 {f}监委", "discipline_body", "纪"),
    ("zzb", "中共{f}委组织部", "personnel_department", "组"),
    ("court", "{f}{c}人民法院", "court", "法"), ("proc", "{f}人民检察院", "procuratorate", "检"),
)  # fmt: skip
COURTS = {"provincial": "高级", "municipal": "中级", "county": ""}
# Per organ: the principal's title, the leaders', the staff's offices ({k}: 处 in the
# province, else 科; a rank of RANKS follows, but in courts and procuratorates).
_POSTS = """
cpc｜{w}委书记｜{w}委副书记，{w}委常委、政法委书记，{w}委常委、宣传部部长，{w}委常委、秘书长｜{w}委办公室，{w}委政法委，{w}委依法治{w}办
gov｜{w}长｜常务副{w}长，副{w}长，副{w}长，副{w}长｜{w}政府办公室，{w}政府办公室秘书{k}，{w}政府办公室法制{k}
fzb｜主任｜副主任，督察{k}{k}长｜督察{k}，综合{k}
jw｜{w}纪委书记、{w}监委主任｜{w}纪委副书记、{w}监委副主任，{w}纪委常委、{w}监委委员｜第一监督检查室，第三监督检查室，案件审理室，信访室
zzb｜部长｜常务副部长，副部长｜干部{k}，干部监督{k}，组织{k}
court｜院长｜副院长，审判委员会专职委员，副院长｜行政审判庭法官助理，立案庭书记员，研究室法官助理
proc｜检察长｜副检察长，副检察长｜第五检察部检察官助理，第七检察部书记员
dept｜{h}｜副{h}，副{h}，副{h}｜办公室，法规{k}，执法监督{k}，行政审批{k}，综合行政执法大队
"""
_ORGAN_POSTS = [row.split("｜") for row in _POSTS.split()]
POSTS = {r[0]: (r[1], r[2].split("，"), r[3].split("，")) for r in _ORGAN_POSTS}
RANKS = ("一级科员", "四级主任科员", "三级主任科员", "二级主任科员", "一级主任科员")
_NAMES = """
王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤缪殷倪卞栾阮柏童
建国伟强军华明杰涛斌超勇磊敏静丽艳娟芳霞燕玲婷慧雪晓文博宇浩然子轩思源雅琴振东立新海燕国良志远卫东佳音美玲学军正阳鸿飞永和鹏程一鸣若溪文静晓岚雨欣嘉怡晨阳俊逸诗涵梓萱宏亮春生秀英凤
"""
SURNAMES, GIVEN = _NAMES.split()  # 百家姓, then the characters of given names

# By category (the finding categories, the topics of a portfolio): the measures that
# rectify, then what an inspection finds ({a} {b} {c}: numbers, {y}: the year before).
_FOUND = """
major_decision｜暂停执行相关决策，补充公众参与、专家论证、风险评估和合法性审查程序｜{y}年{a}项重大行政决策事项未履行公众参与、专家论证和风险评估程序即提交审议｜重大行政决策目录未向社会公布，{b}项决策未经集体讨论决定｜专项资金分配方案属重大行政决策，未开展合法性审查即印发实施
legality_review｜对涉及文件和协议补做合法性审查，建立“未经审查不得签发”机制｜{a}份涉企行政协议和{b}件行政规范性文件未经合法性审查即签订、印发｜合法性审查意见书缺少审查依据，{b}件审查意见由非法制机构人员出具｜法律顾问参与决策论证流于形式，{y}年出具的{a}份意见未被采纳也未说明理由
normative_documents｜补报备案，修改不当条款，建立备案时限提醒和定期清理制度｜{b}件行政规范性文件未在印发后30日内报送备案，其中1件含减损企业权益条款｜规范性文件清理不及时，{a}件已与上位法不一致的文件仍在执行｜未做到“有件必备、有备必审、有错必纠”，{b}件文件未经登记即印发
law_enforcement｜逐卷补正审核意见，配备执法记录仪，开展执法规范专项整训｜行政执法“三项制度”落实不到位：抽查{y}年处罚案卷{a}卷，{b}卷缺法制审核意见｜执法人员现场检查时未出示执法证件，未告知当事人陈述申辩权利｜对同类违法行为处罚畸轻畸重，{b}起案件自由裁量未说明理由｜接报企业违法排放问题{b}次未依法立案查处，以“督促整改”代替行政处罚｜镇（街道）综合行政执法“八有”标准未达标，{b}个执法中队无执法档案
court_appearance｜建立负责人出庭应诉清单和通报制度，纳入部门年度考核｜{y}年行政机关负责人出庭应诉率仅{c}%，{b}起涉征收案件负责人均未出庭，亦未说明理由｜负责人“出庭不出声”，{b}起案件庭审中未就实质争议发表意见
reconsideration_litigation｜逐案分析纠错和败诉原因，建立复议纠错通报和过错追究机制｜{y}年行政复议纠错率{c}%，高于全市平均水平，对被纠错案件未分析原因、未落实过错责任｜{b}起行政诉讼案件败诉后未按判决重新作出行政行为｜行政复议决定书{b}份未在法定期限内履行
information_disclosure｜补充公开相关信息，建立公开目录动态更新和时限台账｜{y}年政府信息公开工作年度报告未于1月31日前发布，主动公开目录{b}个月未更新｜行政处罚决定未在7个工作日内公示，{y}年逾期公示{a}件｜依申请公开答复超过法定期限，{b}件答复未告知救济途径
legal_publicity｜制定普法责任清单，落实领导干部述法评议｜“谁执法谁普法”责任清单未制定，{y}年“八五”普法任务{b}项未完成｜领导干部年度述法流于形式，{b}名班子成员述法报告内容雷同
dispute_resolution｜逐案制定化解方案，实行领导包案和周调度｜{a}件信访事项超过法定期限未办结，“一案一策”化解措施未落实｜矛盾纠纷排查台账不全，{b}起重复信访事项未纳入包案化解｜人民调解协议履行情况未回访，{b}起纠纷调解后再次激化
business_environment｜清理隐性门槛，压减承诺时限，建立涉企检查统筹机制｜涉企检查未纳入“双随机、一公开”，{y}年重复检查企业{a}户次｜{b}项行政许可事项承诺时限超过法定时限，审批环节设置隐性门槛｜拖欠民营企业账款{b}笔未按期清偿，影响法治化营商环境
other｜党委（党组）专题研究法治建设，将述法纳入年终述职｜法治建设第一责任人述职未列入年终述职内容，党委（党组）未专题听取法治建设工作汇报｜法治政府建设年度报告未按时报送并向社会公开
"""
_ROWS = [row.split("｜") for row in _FOUND.split()]
CATEGORIES = tuple(row[0] for row in _ROWS)
MEASURES = {row[0]: row[1] for row in _ROWS}
FINDINGS = {row[0]: tuple(row[2:]) for row in _ROWS}
# What the steps of a loop say, by step (``LOOPS``), and the evidence an inspection
# gathers, by method; {a} {b} {c} as above.
_SAID = """
report｜已完成整改任务的{c}%，剩余事项正在推进｜已制定配套制度{b}项，开展专题培训{a}人次
done｜整改任务全部完成，相关制度已印发执行｜问题已逐项整改到位，建立长效机制{b}项
verify｜抽查{a}份材料，整改措施落实到位｜实地核查并回访相关当事人，整改属实
reject｜抽查发现同类问题仍有发生，整改不到位｜整改材料仅有制度文本，未见执行记录
extend｜整改涉及多部门协同和资金调整，需延长整改期限｜相关数据须以全年数据核验
refer｜涉嫌失职失责，移送依纪依法追究责任｜不作为问题突出，造成不良影响，移送问责
referred｜受移送机关已作出处理决定
dismissed｜被督察单位补充提交材料，经核实不构成问题｜问题系统计口径不一致所致，经复核不成立
interview｜与主要负责人和分管负责人个别谈话，了解法治建设第一责任人职责履行情况
document_review｜查阅重大行政决策、规范性文件和行政执法案卷等资料
site_visit｜实地查看政务服务大厅和执法窗口，随机抽查办事群众
"""
SAID = {row[0]: tuple(row[1:]) for row in (line.split("｜") for line in _SAID.split())}
SAYS = {"report": "summary", "done": "summary", "verify": "note"}  # else the step's reason
EVIDENCE = ("interview", "document_review", "site_visit")  # the methods, as SAID says them
ACTS = {"extend": "法督函", "refer": "法督移"}  # the office's documents of a step
FEEDBACK = "向被督察单位逐一反馈督察发现的问题，明确限期整改要求和整改责任人"
CASE = "督察发现问题移送问责，经初步核实，决定立案审查"
APPEALED, MODIFIED = "对处理决定不服，提出申诉", "经复查，原处理偏重，予以变更"
REVOKED = "经复查，原处理认定事实不清，予以撤销"
DIRECT, WITHDRAWN = "承办该事项，未按规定履行职责", "经核实，该人员当时未承办该事项"
CORRECTED = "经复核，问题的严重程度认定有误，予以更正"
ENDED = {"retired": "到龄退休", "transferred": "另有任用", "removed": "免去职务",
         "other": "机构调整"}  # fmt: skip
LINE = "所报告的职务人员调整，报告关系随之调整"
REDIVISION, RETITLED = "领导班子分工调整", "职务名称录入有误，据任免文件更正"
NAME_FIXED = "姓名录入有误，据身份证件更正"


@dataclass(eq=False)
class Place:
    """A locality (the province, a city, a district or county) and its organs by code."""

    key: str  # js, js.nj, js.nj.01: posts rotate within a city (js.nj)
    full: str  # 江苏省, 南京市, 南京市玄武区, 江阴市: its last character as in 区长
    level: str
    abbr: str  # as in document numbers: 苏, 宁, 玄
    area: str  # the first six digits of its people's identity numbers
    parent: Place | None = None
    units: dict[str, Unit] = field(default_factory=dict)


@dataclass(eq=False)
class Unit:
    key: str
    name: str
    kind: str
    place: Place
    abbr: str
    parent: Unit | None  # its party committee, the one above it, or (a department) its government
    seats: list[Seat] = field(default_factory=list)


@dataclass(eq=False)
class Seat:
    """A post and its holders: (from, person, assignment), each until the next one's from."""

    unit: Unit
    role: str
    title: str
    portfolio: list[str]
    sup: Seat | None  # the post it reports to
    subs: list[Seat] = field(default_factory=list)  # the posts that report to it
    held: list[tuple[date, str, str]] = field(default_factory=list)

    def on(self, day: date) -> str:
        return [person for since, person, _ in self.held if since <= day][-1]

    @property
    def pool(self) -> str:
        """Whom its holder may swap with (交流): the city's of its role; but the two principals."""
        if self.sup is None and self.unit.kind in TITLES:
            return ""
        return ".".join(self.unit.place.key.split(".")[:2]) + "/" + self.role


def build(scale: float, rng: Random) -> list[Unit]:
    """The units, each after its parent (its ``place``'s party committee, or government)."""
    root, share, units = Place("js", "江苏省", "provincial", "苏", "320102"), scale**0.5, []
    places = [root]
    for i, (code, name, abbr, names) in enumerate(CITIES[: within(13 * share, 1, 13)], 1):
        city = Place(f"js.{code}", f"{name}市", "municipal", abbr, f"32{i:02d}00", root)
        places.append(city)
        counties = names.split("、")
        for j, county in enumerate(counties[: within(len(counties) * share, 1, 20)], 1):
            full = f"{name}市{county}" if county[-1] == "区" else county
            area = f"32{i:02d}{j + 1:02d}"  # 01 is the city's own districts' code
            places.append(Place(f"{city.key}.{j:02d}", full, "county", county[0], area, city))
    per_place = within(3000 * scale / len(places) - len(ORGANS), 3, len(DEPARTMENTS))
    for place in places:
        w, court, k = place.full[-1], COURTS[place.level], "科" if place.parent else "处"
        organs = [(c, n.format(f=place.full, w=w, c=court), kind, a) for c, n, kind, a in ORGANS]
        for code, local, provincial, abbr in DEPARTMENTS[:per_place]:
            organs.append((code, place.full + (local if place.parent else provincial), "", abbr))
        for code, name, kind, abbr in organs:
            organ = code if code in POSTS else "dept"
            above = place.parent if code == "cpc" else place
            up = above.units["gov" if organ == "dept" else "cpc"] if above else None
            unit = Unit(f"{place.key}.{code}", name, kind or "department", place, abbr, up)
            units.append(place.units.setdefault(code, unit))
            head, leaders, offices = POSTS[organ]
            h = "厅长" if name.endswith("厅") else "局长" if name.endswith("局") else "主任"
            sup = place.units["gov"].seats[0] if organ == "dept" else None
            ws = dict(w=w, h=h, k=k)  # the words of its titles
            top = _seat(unit, "principal", head.format(**ws), [], sup)
            lead = [_seat(unit, "leader", t.format(**ws), topics(rng, 2, 4), top) for t in leaders]
            for i in range(STAFF[organ]):
                rank = "" if organ in ("court", "proc") else rng.choice(RANKS)
                title = offices[i % len(offices)].format(**ws) + rank
                _seat(unit, "staff", title, topics(rng, 1, 1), lead[i % len(lead)])
    return units


def _seat(unit: Unit, role: str, title: str, portfolio: list[str], sup: Seat | None) -> Seat:
    seat = Seat(unit, role, title, portfolio, sup)
    unit.seats.append(seat)
    if sup:
        sup.subs.append(seat)
    return seat


def topics(rng: Random, least: int, most: int) -> list[str]:
    return sorted(rng.sample(CATEGORIES, rng.randint(least, most)), key=CATEGORIES.index)


class Documents:
    """Keys of lines, and numbers of documents (文号: 苏法督〔2021〕12号), counted by prefix."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def key(self, prefix: str) -> str:
        self.counts[prefix] += 1
        return f"{prefix}{self.counts[prefix]}"

    def doc(self, prefix: str, year: int) -> str:
        self.counts[f"{prefix}〔{year}〕"] += 1
        return f"{prefix}〔{year}〕{self.counts[f'{prefix}〔{year}〕']}号"


def person(rng: Random, area: str, born: tuple[int, int], taken: set[str]) -> tuple[str, str]:
    """A name, and an identity number (居民身份证号码: area, birthday, serial, and the check
    digit of GB 11643) that none in ``taken`` has; it joins them."""
    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))
    birthday = date(rng.randint(*born), 1, 1) + timedelta(rng.randrange(365))
    number = ""
    while not number or number in taken:
        number = f"{area}{birthday:%Y%m%d}{rng.randrange(1000):03d}"
    taken.add(number)
    total = sum(int(digit) * (2 ** (17 - i) % 11) for i, digit in enumerate(number))
    return name, number + "10X98765432"[total % 11]


def say(rng: Random, text: str, year: int) -> str:
    """``text`` with its numbers: {a} {b} {c} drawn, {y} the year before ``year``."""
    return text.format(a=rng.randint(3, 40), b=rng.randint(2, 12), c=rng.randint(8, 75), y=year - 1)


def other(rng: Random, words: Sequence[str], but: str) -> str:
    return rng.choice([word for word in words if word != but])


def digest(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def within(value: float, least: int, most: int) -> int:
    return max(least, min(most, round(value)))
