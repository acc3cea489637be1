"""The demo data set: Jiangsu → Wuxi (无锡, visited by the 4th central inspection group in
seed 000), its organs, three districts and Jiangyin. Persons are fictional.

A ``Team`` is one appointment document: the posts it fills in one unit from one day. A post
names the person it reports to; the loader resolves that to the assignment the person holds
on that day in the same unit (or, for a department's principal, in the parent unit).
History: the city government's change of term on 2022-01-06 (换届), with the mayor
transferred and his successor starting the same day, a transfer of a staff member, a
retirement, and portfolio re-divisions (分工调整).
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

TEAMS: tuple[Team, ...] = (
    Team("js.cpc", "2018-01-20", "中组干〔2018〕15号", (
        principal("沈永和", "省委书记"),
        leader("韩立群", "省委副书记", "决策 化解", "沈永和"),
        leader("蒋正清", "省委常委、政法委书记", "执法 出庭 复议 化解", "沈永和"),
    )),
    Team("js.gov", "2018-01-28", "苏人发〔2018〕3号", (
        principal("陆建明", "省长"),
        leader("倪振东", "常务副省长", "决策 审查 备案 营商", "陆建明"),
        leader("顾晓岚", "副省长", "执法 复议 出庭 公开 普法", "陆建明"),
    )),
    Team("js.fzb", "2019-03-01", "苏委〔2019〕18号", (
        principal("宋文涛", "主任"),
        leader("许冬梅", "副主任", "决策 审查 执法", "宋文涛"),
        staff("邱子健", "督察处一级主任科员", "执法", "许冬梅"),
    )),
    Team("js.sft", "2019-02-15", "苏政发〔2019〕9号", (
        principal("庞德昌", "厅长", "顾晓岚"),
        leader("汤慧敏", "副厅长", "审查 备案 复议", "庞德昌"),
        staff("孔令伟", "四级调研员", "备案", "汤慧敏"),
    )),
    Team("wx.cpc", "2018-01-10", "苏委〔2018〕21号", (
        principal("戴鸿飞", "市委书记"),
        leader("周振华", "市委副书记、市长", "决策 营商", "戴鸿飞"),
        leader("殷学军", "市委副书记", "化解 其他", "戴鸿飞"),
        leader("卜正阳", "市委常委、政法委书记", "执法 出庭 复议 化解", "戴鸿飞"),
        leader("龚雅琴", "市委常委、宣传部部长", "普法 公开", "戴鸿飞"),
        leader("房卫国", "市委常委、组织部部长", "其他", "戴鸿飞"),
        leader("缪建新", "市委常委、市纪委书记", "其他", "戴鸿飞"),
        staff("童思源", "市委办公室一级主任科员", "其他", "殷学军"),
        staff("柏琳", "市委政法委科员", "化解", "卜正阳"),
    )),
    Team("wx.jw", "2018-01-10", "锡纪〔2018〕3号", (
        principal("缪建新", "市纪委书记、市监委主任"),
        leader("常伟东", "市纪委副书记、市监委副主任", "其他", "缪建新"),
        staff("蔡一鸣", "第三监督检查室一级主任科员", "其他", "常伟东"),
        staff("潘若溪", "案件审理室科员", "其他", "常伟东"),
    )),
    Team("wx.zzb", "2018-01-10", "锡委〔2018〕9号", (
        principal("房卫国", "部长"),
        leader("郁立志", "常务副部长", "其他", "房卫国"),
        staff("焦文静", "干部一处一级主任科员", "其他", "郁立志"),
        staff("管鹏程", "干部监督处科员", "其他", "郁立志"),
    )),
    Team("wx.gov", "2018-01-20", "锡人大〔2018〕1号", (
        principal("周振华", "市长"),
        leader("钱立新", "常务副市长", "决策 审查 备案 营商", "周振华"),
        leader("施海燕", "副市长", "执法 复议 出庭", "周振华"),
        leader("屠国良", "副市长", "公开 普法 化解", "周振华"),
        staff("严子轩", "市政府办公室二级主任科员", "决策", "钱立新"),
    )),
    Team("wx.court", "2018-02-01", "锡人大常〔2018〕5号", (
        principal("瞿仲明", "院长"),
        leader("滕雪梅", "副院长", "复议 出庭", "瞿仲明"),
        staff("凌浩然", "行政审判庭法官助理", "出庭", "滕雪梅"),
    )),
    Team("wx.proc", "2018-02-01", "锡人大常〔2018〕6号", (
        principal("晏国强", "检察长"),
        leader("毕晓春", "副检察长", "执法", "晏国强"),
    )),
    Team("wx.sfj", "2019-03-01", "锡人大常〔2019〕4号", (
        principal("贺永康", "局长"),
        leader("于丽萍", "副局长", "审查 备案 复议", "贺永康"),
        leader("杭建伟", "副局长", "普法 化解 执法", "贺永康"),
    )),
    Team("wx.sfj", "2019-05-10", "锡司〔2019〕22号", (
        staff("牛佳慧", "行政复议处一级主任科员", "复议", "于丽萍"),
        staff("聂振宇", "法治督察处科员", "执法", "杭建伟"),
    )),
    Team("wx.fzb", "2019-04-01", "锡委〔2019〕31号", (
        principal("吕文博", "主任"),
        leader("詹晓燕", "副主任", "决策 审查 备案", "吕文博"),
        leader("孟庆辉", "副主任", "执法 复议 出庭", "吕文博"),
        staff("邬嘉怡", "督察处一级主任科员", "执法", "孟庆辉"),
        staff("查永昌", "督察处二级主任科员", "备案", "詹晓燕"),
        staff("韦佳琪", "督察处科员", "审查", "詹晓燕"),
    )),
    Team("wx.xfj", "2020-06-15", "锡委〔2020〕44号", (
        principal("廖建平", "局长"),
        leader("包志远", "副局长", "化解", "廖建平"),
        leader("吉美玲", "副局长", "公开 其他", "廖建平"),
        staff("颜晓东", "来访接待处一级科员", "化解", "包志远"),
    )),
    Team("wx.zrzy", "2021-03-01", "锡人大常〔2021〕6号", (
        principal("符国栋", "局长"),
        leader("应晓光", "副局长", "执法 决策", "符国栋"),
        staff("卢思琪", "法规处科员", "审查", "应晓光"),
    )),
    Team("wx.sfj", "2021-06-30", "锡司〔2021〕40号", (
        staff("严子轩", "法规处二级主任科员", "备案", "于丽萍"),
    )),
    Team("wx.lx.cpc", "2021-09-20", "锡委〔2021〕88号", (
        principal("程向东", "区委书记"),
        leader("冯立波", "区委副书记、区长", "决策 营商", "程向东"),
        leader("汪振国", "区委常委、政法委书记", "化解 执法 出庭", "程向东"),
        leader("章玉洁", "区委常委、宣传部部长", "普法 公开", "程向东"),
        staff("葛思远", "区委政法委科员", "化解", "汪振国"),
    )),
    Team("wx.bh.cpc", "2021-09-20", "锡委〔2021〕89号", (
        principal("黎承志", "区委书记"),
        leader("江海峰", "区委副书记、区长", "决策 营商", "黎承志"),
        leader("鲁俊", "区委常委、政法委书记", "化解 执法", "黎承志"),
        leader("伍雅丽", "区委常委、宣传部部长", "普法 公开", "黎承志"),
        staff("欧阳宁", "区委政法委科员", "化解", "鲁俊"),
    )),
    Team("wx.xw.cpc", "2021-09-20", "锡委〔2021〕90号", (
        principal("谭振邦", "区委书记"),
        leader("彭志华", "区委副书记、区长", "决策 营商", "谭振邦"),
        leader("卓建国", "区委常委、政法委书记", "化解 执法 出庭", "谭振邦"),
        leader("雷晓雯", "区委常委、宣传部部长", "普法 公开", "谭振邦"),
        staff("费思诚", "区委办公室科员", "其他", "卓建国"),
    )),
    Team("wx.jy.cpc", "2021-09-25", "锡委〔2021〕91号", (
        principal("佟建勋", "市委书记"),
        leader("居海波", "市委副书记、市长", "决策 营商", "佟建勋"),
        leader("冉立军", "市委常委、政法委书记", "化解 执法", "佟建勋"),
    )),
    Team("wx.lx.gov", "2021-10-10", "梁人大〔2021〕2号", (
        principal("冯立波", "区长"),
        leader("虞海涛", "常务副区长", "决策 审查 备案 营商", "冯立波"),
        leader("陶晓慧", "副区长", "执法 复议 出庭 化解", "冯立波"),
        staff("鲍文轩", "区政府办公室科员", "公开", "虞海涛"),
    )),
    Team("wx.bh.gov", "2021-10-10", "滨人大〔2021〕2号", (
        principal("江海峰", "区长"),
        leader("邹建中", "常务副区长", "决策 审查 备案 营商", "江海峰"),
        leader("梅晓岚", "副区长", "执法 复议 出庭 化解", "江海峰"),
        staff("蒲思哲", "区政府办公室科员", "公开", "邹建中"),
    )),
    Team("wx.xw.gov", "2021-10-10", "新人大〔2021〕2号", (
        principal("彭志华", "区长"),
        leader("商立平", "常务副区长", "决策 审查 备案 营商", "彭志华"),
        leader("戚雨萌", "副区长", "执法 复议 出庭 化解", "彭志华"),
        staff("郜明轩", "区政府办公室科员", "公开", "商立平"),
    )),
    Team("wx.jy.gov", "2021-10-10", "澄人大〔2021〕2号", (
        principal("居海波", "市长"),
        leader("宁晓峰", "常务副市长", "决策 审查 备案 营商", "居海波"),
        leader("苏婉清", "副市长", "执法 复议 出庭 公开", "居海波"),
    )),
    Team("wx.lx.fzb", "2021-11-01", "梁委〔2021〕66号", (
        principal("邢建华", "主任"),
        leader("仇文斌", "副主任", "执法 审查", "邢建华"),
        staff("祝晓雯", "督察科科员", "执法", "仇文斌"),
    )),
    Team("wx.lx.sfj", "2021-11-15", "梁人大常〔2021〕9号", (
        principal("任志强", "局长", "陶晓慧"),
        leader("柯慧珍", "副局长", "审查 备案 复议 普法", "任志强"),
        staff("步云飞", "行政复议科科员", "复议", "柯慧珍"),
    )),
    Team("wx.lx.scj", "2021-11-15", "梁人大常〔2021〕9号", (
        principal("薛国庆", "局长", "虞海涛"),
        leader("景丽华", "副局长", "执法 营商", "薛国庆"),
        staff("沙宇航", "综合执法大队科员", "执法", "景丽华"),
    )),
    Team("wx.bh.sfj", "2021-11-15", "滨人大常〔2021〕8号", (
        principal("狄永刚", "局长", "梅晓岚"),
        leader("薄文清", "副局长", "审查 备案 复议 普法", "狄永刚"),
        staff("巫子涵", "法治督察科科员", "执法", "薄文清"),
    )),
    Team("wx.bh.scj", "2021-11-15", "滨人大常〔2021〕8号", (
        principal("洪立新", "局长", "邹建中"),
        leader("阎秀英", "副局长", "执法 营商", "洪立新"),
        staff("蔺一凡", "综合执法大队科员", "执法", "阎秀英"),
    )),
    Team("wx.xw.sfj", "2021-11-15", "新人大常〔2021〕7号", (
        principal("乔国良", "局长", "戚雨萌"),
        leader("麻晓静", "副局长", "审查 备案 复议 普法", "乔国良"),
        staff("桂子豪", "行政复议科科员", "复议", "麻晓静"),
    )),
    Team("wx.xw.scj", "2021-11-15", "新人大常〔2021〕7号", (
        principal("翁志明", "局长", "商立平"),
        leader("曲丽娟", "副局长", "执法 营商", "翁志明"),
        staff("车俊宇", "综合执法大队科员", "执法", "曲丽娟"),
    )),
    Team("wx.cpc", CHANGE_OF_TERM, "苏委〔2021〕96号", (
        leader("简立鹏", "市委副书记、市长", "决策 营商", "戴鸿飞"),
    )),
    Team("wx.gov", CHANGE_OF_TERM, "锡人大〔2022〕1号", (
        principal("简立鹏", "市长"),
        leader("钱立新", "常务副市长", "决策 审查 备案 营商", "简立鹏"),
        leader("邵明哲", "副市长", "执法 复议 出庭 化解", "简立鹏"),
        leader("左慧君", "副市长", "公开 普法", "简立鹏"),
        leader("尤志强", "副市长", "执法 其他", "简立鹏"),
    )),
    Team("wx.gov", "2022-02-15", "锡政办〔2022〕6号", (
        staff("姜书豪", "市政府办公室一级主任科员", "备案", "钱立新"),
        staff("秦雨桐", "市政府办公室科员", "公开", "左慧君"),
        staff("华振宇", "市政府法律顾问室科员", "审查", "邵明哲"),
    )),
    Team("wx.scj", "2022-03-01", "锡人大常〔2022〕11号", (
        principal("万俊杰", "局长", "钱立新"),
        leader("温雅婷", "副局长", "执法 营商", "万俊杰"),
        leader("季国华", "副局长", "备案 公开", "万俊杰"),
        staff("班立伟", "执法稽查处科员", "执法", "温雅婷"),
        staff("岑思雨", "法规处科员", "审查", "季国华"),
    )),
    Team("wx.sthj", "2022-03-01", "锡人大常〔2022〕11号", (
        principal("石磊", "局长", "尤志强"),
        leader("喻红梅", "副局长", "执法 化解", "石磊"),
        staff("甘永福", "生态环境综合执法支队科员", "执法", "喻红梅"),
        staff("项雨晴", "法规与标准处科员", "审查", "喻红梅"),
    )),
    Team("wx.zjj", "2022-03-01", "锡人大常〔2022〕11号", (
        principal("蓝志刚", "局长", "尤志强"),
        leader("闵雪芳", "副局长", "执法 决策 化解", "蓝志刚"),
        staff("庄凯", "法规处科员", "备案", "闵雪芳"),
    )),
    Team("wx.rsj", "2022-03-01", "锡人大常〔2022〕11号", (
        principal("宫明远", "局长", "左慧君"),
        leader("栾佳音", "副局长", "化解 复议", "宫明远"),
        staff("祁振海", "劳动保障监察支队科员", "执法", "栾佳音"),
    )),
    Team("wx.yjj", "2022-03-01", "锡人大常〔2022〕11号", (
        principal("鞠卫东", "局长", "邵明哲"),
        leader("储文华", "副局长", "执法", "鞠卫东"),
        staff("靳子墨", "政策法规处科员", "审查", "储文华"),
    )),
    Team("wx.zwb", "2022-03-01", "锡人大常〔2022〕11号", (
        principal("厉晓峰", "主任", "钱立新"),
        leader("阮静怡", "副主任", "营商 公开", "厉晓峰"),
        staff("苗嘉伟", "政务公开处科员", "公开", "阮静怡"),
    )),
)  # fmt: skip

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
