"""The words of the generated province (``province``): Jiangsu's thirteen cities and their
districts and counties, the organs of each locality, the titles of their posts, and the
texts of findings, rectifications and sanctions, drawn from the seeds (the Jiangsu notice
苏办厅字〔2019〕33号, the inspection of Wuxi, the districts' speeches and reports).

Places are real; persons, numbers and documents are invented.
"""

from __future__ import annotations

# Code, name, document prefix (简称), districts and counties: 市辖区, 县级市, 县. The order
# is that of the administrative division codes: 南京 3201 … 宿迁 3213.
CITIES: tuple[tuple[str, str, str, str], ...] = (
    ("nj", "南京", "宁", "玄武区 秦淮区 建邺区 鼓楼区 浦口区 栖霞区 雨花台区 江宁区 六合区 溧水区 高淳区"),
    ("wx", "无锡", "锡", "锡山区 惠山区 滨湖区 梁溪区 新吴区 江阴市 宜兴市"),
    ("xz", "徐州", "徐", "鼓楼区 云龙区 贾汪区 泉山区 铜山区 丰县 沛县 睢宁县 新沂市 邳州市"),
    ("cz", "常州", "常", "天宁区 钟楼区 新北区 武进区 金坛区 溧阳市"),
    ("sz", "苏州", "苏", "虎丘区 吴中区 相城区 姑苏区 吴江区 常熟市 张家港市 昆山市 太仓市"),
    ("nt", "南通", "通", "崇川区 通州区 海门区 如东县 启东市 如皋市 海安市"),
    ("lyg", "连云港", "连", "连云区 海州区 赣榆区 东海县 灌云县 灌南县"),
    ("ha", "淮安", "淮", "淮安区 淮阴区 清江浦区 洪泽区 涟水县 盱眙县 金湖县"),
    ("yc", "盐城", "盐", "亭湖区 盐都区 大丰区 响水县 滨海县 阜宁县 射阳县 建湖县 东台市"),
    ("yz", "扬州", "扬", "广陵区 邗江区 江都区 宝应县 仪征市 高邮市"),
    ("zj", "镇江", "镇", "京口区 润州区 丹徒区 丹阳市 扬中市 句容市"),
    ("tz", "泰州", "泰", "海陵区 高港区 姜堰区 兴化市 靖江市 泰兴市"),
    ("sq", "宿迁", "宿", "宿城区 宿豫区 沭阳县 泗阳县 泗洪县"),
)  # fmt: skip

# Code, name in a city or county, name in the province, document prefix. The first come
# first: a small province has the bureaus the seeds inspect most.
DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("sfj", "司法局", "司法厅", "司"),
    ("scj", "市场监督管理局", "市场监督管理局", "市监"),
    ("sthj", "生态环境局", "生态环境厅", "环"),
    ("zrzy", "自然资源和规划局", "自然资源厅", "资规"),
    ("zjj", "住房和城乡建设局", "住房和城乡建设厅", "建"),
    ("rsj", "人力资源和社会保障局", "人力资源和社会保障厅", "人社"),
    ("gaj", "公安局", "公安厅", "公"),
    ("yjj", "应急管理局", "应急管理厅", "应急"),
    ("jtj", "交通运输局", "交通运输厅", "交"),
    ("nyj", "农业农村局", "农业农村厅", "农"),
    ("slj", "水务局", "水利厅", "水"),
    ("wlj", "文化广电和旅游局", "文化和旅游厅", "文旅"),
    ("wjw", "卫生健康委员会", "卫生健康委员会", "卫健"),
    ("jyj", "教育局", "教育厅", "教"),
    ("mzj", "民政局", "民政厅", "民"),
    ("czj", "财政局", "财政厅", "财"),
    ("swj", "商务局", "商务厅", "商"),
    ("fgw", "发展和改革委员会", "发展和改革委员会", "发改"),
    ("xfj", "信访局", "信访局", "信访"),
    ("zwb", "政务服务管理办公室", "政务服务管理办公室", "政务办"),
    ("sjj", "审计局", "审计厅", "审"),
    ("tjj", "统计局", "统计局", "统"),
    ("tyj", "退役军人事务局", "退役军人事务厅", "退役"),
    ("ybj", "医疗保障局", "医疗保障局", "医保"),
)
RENAMED = ("zwb", "政务服务管理办公室（数据局）")  # 2024: the data bureaus are set up

# The organs of every locality: code, name ({f}: the locality's full name, {w}: 省, 市, 区
# or 县), kind, document prefix; then their posts ({k}: 处 in the province, else 科).
ORGANS: tuple[tuple[str, str, str, str], ...] = (
    ("cpc", "中共{f}委", "party_committee", "委"),
    ("gov", "{f}人民政府", "government", "政"),
    ("fzb", "中共{f}委全面依法治{w}委员会办公室", "inspection_body", "法治办"),
    ("jw", "中共{f}纪委 {f}监委", "discipline_body", "纪"),
    ("zzb", "中共{f}委组织部", "personnel_department", "组"),
    ("court", "{f}{c}人民法院", "court", "法"),
    ("proc", "{f}人民检察院", "procuratorate", "检"),
)
COURTS = {"provincial": "高级", "municipal": "中级", "county": ""}

# Per organ: the principal's title, the leaders' titles, the staff's offices.
POSTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "cpc": ("{w}委书记", ("{w}委副书记", "{w}委常委、政法委书记", "{w}委常委、宣传部部长",
                        "{w}委常委、秘书长"), ("{w}委办公室", "{w}委政法委", "{w}委依法治{w}办")),
    "gov": ("{w}长", ("常务副{w}长", "副{w}长", "副{w}长", "副{w}长"),
            ("{w}政府办公室", "{w}政府办公室秘书{k}", "{w}政府办公室法制{k}")),
    "fzb": ("主任", ("副主任", "督察{k}{k}长"), ("督察{k}", "综合{k}")),
    "jw": ("{w}纪委书记、{w}监委主任", ("{w}纪委副书记、{w}监委副主任", "{w}纪委常委、{w}监委委员"),
           ("第一监督检查室", "第三监督检查室", "案件审理室", "信访室")),
    "zzb": ("部长", ("常务副部长", "副部长"), ("干部{k}", "干部监督{k}", "组织{k}")),
    "court": ("院长", ("副院长", "审判委员会专职委员", "副院长"), ("行政审判庭", "立案庭", "研究室")),
    "proc": ("检察长", ("副检察长", "副检察长"), ("第五检察部", "第七检察部", "办公室")),
    "dept": ("{h}", ("副{h}", "副{h}", "副{h}"),
             ("办公室", "法规{k}", "执法监督{k}", "行政审批{k}", "综合行政执法大队")),
}  # fmt: skip
# Leaders of the party committee who lead another organ: the same person in both posts.
TWINS = {"gov": "{w}委副书记、{w}长", "jw": "{w}委常委、{w}纪委书记", "zzb": "{w}委常委、组织部部长"}
RANKS = ("一级科员", "四级主任科员", "三级主任科员", "二级主任科员", "一级主任科员")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤缪殷倪卞栾阮柏童"
)
GIVEN = (
    "建国伟强军华明杰涛斌超勇磊敏静丽艳娟芳霞燕玲婷慧雪晓文博宇浩然子轩思源雅琴振东立新海燕国良"
    "志远卫东佳音美玲学军正阳鸿飞永和鹏程一鸣若溪文静晓岚雨欣嘉怡晨阳俊逸诗涵梓萱宏亮春生秀英凤"
)

CATEGORIES = (
    "major_decision", "legality_review", "normative_documents", "law_enforcement",
    "court_appearance", "reconsideration_litigation", "information_disclosure",
    "legal_publicity", "dispute_resolution", "business_environment", "other",
)  # fmt: skip

# What an inspection finds, by category ({a} {b} {c}: numbers, {y}: the year before).
FINDINGS: dict[str, tuple[str, ...]] = {
    "major_decision": (
        "{y}年{a}项重大行政决策事项未履行公众参与、专家论证和风险评估程序即提交审议",
        "重大行政决策目录未向社会公布，{b}项决策未经集体讨论决定",
        "专项资金分配方案属重大行政决策，未开展合法性审查即印发实施",
    ),
    "legality_review": (
        "{a}份涉企行政协议和{b}件行政规范性文件未经合法性审查即签订、印发",
        "合法性审查意见书缺少审查依据，{b}件审查意见由非法制机构人员出具",
        "法律顾问参与决策论证流于形式，{y}年出具的{a}份意见未被采纳也未说明理由",
    ),
    "normative_documents": (
        "{b}件行政规范性文件未在印发后30日内报送备案，其中1件含减损企业权益条款",
        "规范性文件清理不及时，{a}件已与上位法不一致的文件仍在执行",
        "未建立规范性文件统一登记、统一编号、统一印发制度，{b}件文件未经登记即印发",
    ),
    "law_enforcement": (
        "行政执法“三项制度”落实不到位：抽查{y}年处罚案卷{a}卷，{b}卷缺法制审核意见",
        "执法人员现场检查时未出示执法证件，未告知当事人陈述申辩权利",
        "对同类违法行为处罚畸轻畸重，{b}起案件自由裁量未说明理由",
        "接报企业违法排放问题{b}次未依法立案查处，以“督促整改”代替行政处罚",
    ),
    "court_appearance": (
        "{y}年行政机关负责人出庭应诉率仅{c}%，{b}起涉征收案件负责人均未出庭，亦未说明理由",
        "负责人出庭“出庭不出声”，{b}起案件庭审中未就实质争议发表意见",
    ),
    "reconsideration_litigation": (
        "{y}年行政复议纠错率{c}%，高于全市平均水平，对被纠错案件未分析原因、未落实过错责任",
        "{b}起行政诉讼案件败诉后未按判决重新作出行政行为",
        "行政复议决定书{b}份未在法定期限内履行",
    ),
    "information_disclosure": (
        "{y}年政府信息公开工作年度报告未于1月31日前发布，主动公开目录{b}个月未更新",
        "行政处罚决定未在7个工作日内公示，{y}年逾期公示{a}件",
        "依申请公开答复超过法定期限，{b}件答复未告知救济途径",
    ),
    "legal_publicity": (
        "“谁执法谁普法”责任清单未制定，{y}年普法任务{b}项未完成",
        "领导干部年度述法流于形式，{b}名班子成员述法报告内容雷同",
    ),
    "dispute_resolution": (
        "{a}件信访事项超过法定期限未办结，“一案一策”化解措施未落实",
        "矛盾纠纷排查台账不全，{b}起重复信访事项未纳入包案化解",
        "人民调解协议履行情况未回访，{b}起纠纷调解后再次激化",
    ),
    "business_environment": (
        "涉企检查未纳入“双随机、一公开”，{y}年重复检查企业{a}户次",
        "{b}项行政许可事项承诺时限超过法定时限，审批环节设置隐性门槛",
        "拖欠民营企业账款{b}笔未按期清偿，影响法治化营商环境",
    ),
    "other": (
        "法治建设第一责任人述职未列入年终述职内容，党委（党组）未专题听取法治建设工作汇报",
        "法治政府建设年度报告未按时报送并向社会公开",
    ),
}
MEASURES: dict[str, str] = {
    "major_decision": "暂停执行相关决策，补充公众参与、专家论证、风险评估和合法性审查程序后重新提请审议",
    "legality_review": "对涉及文件和协议补做合法性审查，建立“未经审查不得签发”机制",
    "normative_documents": "补报备案，修改不当条款，建立备案时限提醒和定期清理制度",
    "law_enforcement": "逐卷补正审核意见，配备执法记录仪，开展执法规范专项整训",
    "court_appearance": "建立负责人出庭应诉清单和通报制度，纳入部门年度考核",
    "reconsideration_litigation": "逐案分析纠错和败诉原因，建立复议纠错通报和过错追究机制",
    "information_disclosure": "补充公开相关信息，建立公开目录动态更新和时限台账",
    "legal_publicity": "制定普法责任清单，落实领导干部述法评议",
    "dispute_resolution": "逐案制定化解方案，实行领导包案和周调度",
    "business_environment": "清理隐性门槛，压减承诺时限，建立涉企检查统筹机制",
    "other": "党委（党组）专题研究法治建设，将述法纳入年终述职",
}  # fmt: skip
PROGRESS = ("已完成整改任务的{c}%，剩余事项正在推进", "已制定配套制度{b}项，开展专题培训{a}人次")
DONE = ("整改任务全部完成，相关制度已印发执行", "问题已逐项整改到位，建立长效机制{b}项")
VERIFIED = ("抽查{a}份材料，整改措施落实到位", "实地核查并回访相关当事人，整改属实")
REJECTED = ("抽查发现同类问题仍有发生，整改不到位", "整改材料仅有制度文本，未见执行记录")
EXTENDED = ("整改涉及多部门协同和资金调整，需延长整改期限", "相关数据须以全年数据核验")
REFERRED = ("涉嫌失职失责，移送依纪依法追究责任", "不作为问题突出，造成不良影响，移送问责")
REFERRED_CLOSED = "受移送机关已作出处理决定"
DISMISSED = ("被督察单位补充提交相关材料，经核实不构成问题", "问题系统计口径不一致所致，经复核不成立")
CORRECTED = "经复核，问题的严重程度认定有误，予以更正"
DIRECT = "承办该事项，未按规定履行职责"
WITHDRAWN = "经核实，该人员当时未承办该事项"
EVIDENCE = {
    "interview": "与主要负责人和分管负责人个别谈话，了解法治建设第一责任人职责履行情况",
    "document_review": "查阅重大行政决策、规范性文件和行政执法案卷等资料",
    "site_visit": "实地查看政务服务大厅和执法窗口，随机抽查办事群众",
}
FEEDBACK = "向被督察单位逐一反馈督察发现的问题，明确限期整改要求和整改责任人"
CASE = "督察发现问题移送问责，经初步核实，决定立案审查"
APPEALED = "对处理决定不服，提出申诉"
MODIFIED = "经复查，原处理偏重，予以变更"
REVOKED = "经复查，原处理认定事实不清，予以撤销"
ENDED = {"retired": "到龄退休", "transferred": "另有任用", "removed": "免去职务", "other": "机构调整"}
TERM = "换届"
REDIVISION = "领导班子分工调整"
RETITLED = "职务名称录入有误，据任免文件更正"
