"""The demo data set: agencies, accounts, consulting agencies, enterprises and enrolment plans.

Everything here is invented for demonstration. No enterprise, agency official, consulting agency,
person, telephone number or code below designates a real one; any resemblance is coincidental.

Pure data, no database: `build()` returns the same `DemoData` on every call and on every machine
(one `random.Random(2020)` drives all choices, in a fixed order), so natural keys — agency name,
username, USCC, campaign slug, (campaign, enterprise) — are stable and `load-demo` can be re-run.
Only the dates of the current campaign move: they are offsets from "today", applied by the loader.
"""

import csv
import dataclasses
import datetime as dt
import functools
import random
from dataclasses import dataclass, field
from decimal import Decimal

from stdnum.cn.uscc import calc_check_digit

from cpaudit.campaigns.models import AuditMode, EnterpriseType
from cpaudit.org.divisions import DATA as DIVISION_DATA
from cpaudit.org.roles import AgencyKind, Role
from cpaudit.registry.industries import six_industry_codes
from cpaudit.registry.models import ManagementLevel
from cpaudit.registry.uscc import ALPHABET

PASSWORD = "Demo-cpaudit-2020"
SEED = 2020

HISTORY_YEAR = 2020
HISTORY_SLUG = "byd2020"
HISTORY_DOCUMENT_NUMBER = "冀环办字函〔2020〕202号"
CAMPAIGN_NAME = "{year}年白洋淀流域酿造、制药、印染、纺织、制革、造纸行业涉水企业清洁生产审核"
# The notice that set the campaign going, which reports cite. 2020: the seed itself, whose copy bears no
# 文号 of its own (202号 and 68号 are the province's plan and the city's forwarding, which it cites).
# The current year's notice and its number are made up.
NOTICE_TITLE = "关于加快推进实施清洁生产审核工作的通知"
NOTICE_ISSUER = "保定市生态环境局办公室"
HISTORY_NOTICE_DATE = dt.date(2020, 7, 21)
NOTICE_NUMBER = "保环办函〔{year}〕45号"
# Mountain counties whose enterprises are listed but lie outside the 白洋淀 basin in the demo.
OUTSIDE_BASIN = frozenset({"130624", "130630"})  # 阜平县、涞源县

PROVINCE_NAME = "河北省生态环境厅"
CITY_NAME = "保定市生态环境局"
DINGZHOU_CODE = "130682"
DINGZHOU_NAME = "定州市生态环境局"
XIONGAN_NAME = "雄安新区管理委员会生态环境局"
XIONGAN_COUNTIES = ("130629", "130632", "130638")  # 容城县、安新县、雄县

SHORT_NAMES = {"130671": "高新区", "130672": "白沟新城"}  # functional zones, in branch names

POSTCODES = {
    "130602": "071051", "130606": "071000", "130607": "072150", "130608": "071100", "130609": "072550",
    "130623": "074100", "130624": "073200", "130626": "072650", "130627": "072350", "130628": "071500",
    "130629": "071700", "130630": "074300", "130631": "072450", "130632": "071600", "130633": "074200",
    "130634": "073100", "130635": "071400", "130636": "072250", "130637": "071300", "130638": "071800",
    "130671": "071051", "130672": "074004", "130681": "072750", "130682": "073000", "130683": "071200",
    "130684": "074000",
}

# Which industries (GB/T 4754-2017 小类) the demo places in each county: 68 enterprises, every county,
# every one of the six industry groups; roughly following the local industrial clusters.
COUNTY_INDUSTRIES = {
    "130602": ["2720", "2761", "1513"],
    "130606": ["2740", "1462", "1712"],
    "130607": ["2221", "2221", "2223", "2212", "2221"],
    "130608": ["2221", "1761", "1910", "1469"],
    "130609": ["1512", "1512", "2221", "2710"],
    "130623": ["1512"],
    "130624": ["2730"],
    "130626": ["1781", "2223"],
    "130627": ["2740", "1462"],
    "130628": ["1772", "1772", "1712", "1713", "1713", "1752"],
    "130629": ["1761", "1762"],
    "130630": ["1512"],
    "130631": ["1469", "2221"],
    "130632": ["1910", "1910", "1751"],
    "130633": ["1512", "2222"],
    "130634": ["1512"],
    "130635": ["1931", "1931", "1910", "2221", "2221"],
    "130636": ["2750"],
    "130637": ["1713", "2720"],
    "130638": ["2221", "2223", "1752"],
    "130671": ["2761", "2720"],
    "130672": ["1751", "1910"],
    "130681": ["1513", "2710"],
    "130682": ["1910", "1512", "1711", "2221"],
    "130683": ["2730", "2730", "2740"],
    "130684": ["1752", "1781"],
}

# code → (word in a company name, word in a 集体企业's name "…厂", main products)
INDUSTRY_WORDS = {
    "1462": ("酿造", "酿造厂", ["酱油、食醋", "食醋、料酒", "酱油、黄豆酱"]),
    "1469": ("调味品", "调味品厂", ["辣椒酱、豆瓣酱", "发酵调味料、复合调味料"]),
    "1512": ("酒业", "酒厂", ["浓香型白酒", "清香型白酒、配制酒", "浓香型白酒、原浆酒"]),
    "1513": ("啤酒", "啤酒厂", ["熟啤酒、鲜啤酒", "精酿啤酒、纯生啤酒"]),
    "2710": ("制药", "制药厂", ["维生素C原料药、葡萄糖酸钙", "头孢类医药中间体、原料药"]),
    "2720": ("药业", "制药厂", ["片剂、硬胶囊剂、颗粒剂", "小容量注射剂、口服溶液剂"]),
    "2730": ("中药饮片", "中药饮片厂", ["中药饮片（黄芪、板蓝根、菊花）", "中药饮片（山药、白芷、紫菀）"]),
    "2740": ("药业", "中药厂", ["中成药（丸剂、口服液）", "中成药（颗粒剂、胶囊剂）"]),
    "2750": ("兽药", "兽药厂", ["兽用粉剂、预混剂", "兽用口服溶液、消毒剂"]),
    "2761": ("生物制药", "生物制药厂", ["生化药品、酶制剂", "生物制品原液"]),
    "1711": ("棉纺", "棉纺厂", ["纯棉纱、涤棉混纺纱"]),
    "1712": ("纺织", "织布厂", ["棉坯布、帆布", "纯棉坯布"]),
    "1713": ("印染", "印染厂", ["印花布、染色布", "活性染色棉布"]),
    "1751": ("化纤织造", "化纤织造厂", ["涤纶长丝织物、箱包面料"]),
    "1752": ("染整", "染整厂", ["化纤染色布、复合面料", "涤纶染色面料"]),
    "1761": ("针织", "针织厂", ["针织坯布、针织面料"]),
    "1762": ("针织印染", "针织印染厂", ["针织染色面料"]),
    "1772": ("毛巾", "毛巾厂", ["毛巾、浴巾、方巾", "提花毛巾、浴巾"]),
    "1781": ("无纺布", "无纺布厂", ["纺粘无纺布、熔喷布"]),
    "1910": ("皮革", "制革厂", ["牛皮革、鞋面革", "猪皮革、箱包革"]),
    "1931": ("毛皮", "毛皮厂", ["貂皮、狐狸皮", "獭兔皮、羊剪绒"]),
    "2212": ("浆纸", "浆纸厂", ["麦草浆、本色浆板"]),
    "2221": ("纸业", "造纸厂", ["瓦楞原纸、箱板纸", "文化用纸、生活用纸原纸", "高强瓦楞纸、牛卡纸"]),
    "2222": ("书画纸", "手工纸厂", ["书画用纸、手工宣纸"]),
    "2223": ("纸制品", "纸制品厂", ["涂布纸、复印纸", "加工纸、纸管原纸"]),
}

TRADE_NAMES = [
    "恒润", "瑞丰", "鑫达", "华泰", "永盛", "金穗", "宏达", "德润", "新源", "天衡", "泰和", "隆兴", "润泽",
    "益康", "博瑞", "昌盛", "嘉禾", "广益", "顺达", "福源", "乐安", "济安", "康泰", "仁和", "惠民", "荣达",
    "聚源", "丰泽", "清源", "碧源", "翔宇", "远航", "佳美", "锦绣", "彩虹", "众鑫", "诚信", "信达", "正源",
    "鼎盛", "金桥", "宝丰", "凯达", "东升", "旭日", "晨光", "立信", "安泰", "弘毅", "亿丰", "瑞祥", "祥和",
    "宏远", "峰源", "裕华", "兴旺", "万和", "盛通", "富康", "华冠", "汇川", "恒信", "合众", "久盛", "天润",
    "同兴", "永安", "鸿运", "万丰", "金泽", "广源", "启明",
]
SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶贺顾毛郝龚邵万钱严武戴孔汤"
)
GIVEN_NAMES = [
    "建国", "志强", "秀英", "丽娟", "海燕", "国华", "文博", "晓东", "春生", "振华", "立新", "淑芳",
    "红梅", "建华", "玉兰", "永刚", "学军", "俊峰", "雪梅", "卫东", "桂兰", "明亮", "宏伟", "海涛",
    "晓燕", "树林", "金凤", "德胜", "振江", "艳霞", "立军", "文静", "子涵", "思远", "一鸣", "浩然",
    "雅琴", "小军", "成林", "广平", "瑞霞", "新民", "静", "磊", "洋", "勇", "军", "杰", "娟", "涛",
    "明", "超", "霞", "平", "刚", "敏", "伟", "芳", "强", "颖",
]
ROADS = ["建设路", "发展大街", "工业路", "兴业路", "创业路", "振兴大街", "纬三路", "经二路", "富民路",
         "环城路", "科技路", "朝阳大街"]
PLACES = ["工业园区", "经济开发区", "产业园", "工业区"]

NATURES = ["有限责任公司", "股份有限公司", "私营企业", "外商投资企业", "集体企业"]
NATURE_WEIGHTS = {
    ManagementLevel.PROVINCIAL: [35, 45, 5, 15, 0],
    ManagementLevel.MUNICIPAL: [50, 20, 15, 8, 7],
    ManagementLevel.OTHER: [45, 3, 37, 2, 13],
}
# 注册资本 and 主营业务收入 ranges (万元) by management level.
SIZES = {
    ManagementLevel.PROVINCIAL: ((8000, 60000), (30000, 260000)),
    ManagementLevel.MUNICIPAL: ((1500, 12000), (6000, 48000)),
    ManagementLevel.OTHER: ((50, 2000), (300, 9000)),
}
TYPE_WEIGHTS = {
    EnterpriseType.DOUBLE_EXCEED: 10, EnterpriseType.DOUBLE_HAZARD_1: 9, EnterpriseType.DOUBLE_HAZARD_2: 9,
    EnterpriseType.DOUBLE_HAZARD_3: 9, EnterpriseType.DOUBLE_HAZARD_4: 8, EnterpriseType.DOUBLE_HAZARD_5: 8,
    EnterpriseType.OTHER: 47,
}


@dataclass(frozen=True)
class AgencySpec:
    name: str
    kind: str
    division: str
    supervisor: str | None  # agency name
    head_name: str
    deputy_name: str
    section_chief_name: str
    phone: str


@dataclass(frozen=True)
class ConsultingSpec:
    name: str
    uscc: str
    contact_person: str
    contact_phone: str
    address: str
    groups: tuple[str, ...]  # industry groups served


@dataclass(frozen=True)
class EnterpriseSpec:
    data: dict  # the keyword data for registry.services.enterprise_create

    @property
    def uscc(self) -> str:
        return self.data["uscc"]


@dataclass(frozen=True)
class EnrolmentSpec:
    uscc: str
    audit_round: int
    mode: str
    consulting: str | None  # consulting agency name
    enterprise_type: str
    has_deadline_project: bool
    deadline_project_done: bool | None
    has_violation: bool
    # History: fixed dates. Current campaign: days before today (start) and duration (end), or None.
    start: dt.date | None = None
    end: dt.date | None = None
    start_days_ago: int | None = None
    duration_days: int | None = None


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: str
    full_name: str
    agency: str | None = None
    enterprise_uscc: str | None = None
    consulting: str | None = None
    is_inspector: bool = False


@dataclass
class DemoData:
    agencies: list[AgencySpec] = field(default_factory=list)
    consulting: list[ConsultingSpec] = field(default_factory=list)
    enterprises: list[EnterpriseSpec] = field(default_factory=list)
    history_enrolments: list[EnrolmentSpec] = field(default_factory=list)
    current_enrolments: list[EnrolmentSpec] = field(default_factory=list)
    users: list[UserSpec] = field(default_factory=list)
    accepted_uscc: str = ""  # the code failing its check character, accepted by staff


def baoding_counties() -> list[tuple[str, str]]:
    """(code, name) of every county-level division of 保定市, from org/data/baoding_divisions.csv."""
    with (DIVISION_DATA / "baoding_divisions.csv").open(encoding="utf-8") as fh:
        return [(r["code6"], r["name"]) for r in csv.DictReader(fh) if r["level"] == "county"]


def campaign_counties() -> dict[str, bool]:
    return {code: code not in OUTSIDE_BASIN for code, _ in baoding_counties()}


def branch_name(code: str, name: str) -> str:
    return f"{CITY_NAME}{SHORT_NAMES.get(code, name)}分局"


def make_uscc(prefix8: str, rng: random.Random) -> str:
    body = prefix8 + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + calc_check_digit(body)


class _Names:
    """Fictitious Chinese personal names, never the same one twice."""

    def __init__(self, rng: random.Random):
        self.rng, self.used = rng, set()

    def __call__(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)
            if name not in self.used:
                self.used.add(name)
                return name


def _phone(rng: random.Random, area: str = "0312") -> str:
    return f"{area}-{rng.randint(2, 8)}{rng.randint(0, 999999):06d}"


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(f"{rng.uniform(low, high):.2f}")


def _scaled(amount: Decimal, factor: float) -> Decimal:
    return (amount * Decimal(f"{factor:.3f}")).quantize(Decimal("0.01"))


def _agencies(names: _Names, rng: random.Random) -> list[AgencySpec]:
    def spec(name, kind, division, supervisor, area="0312"):
        return AgencySpec(name, kind, division, supervisor, names(), names(), names(), _phone(rng, area))

    agencies = [
        spec(PROVINCE_NAME, AgencyKind.PROVINCE, "130000", None, area="0311"),
        spec(CITY_NAME, AgencyKind.CITY, "130600", PROVINCE_NAME),
    ]
    for code, name in baoding_counties():
        if code == DINGZHOU_CODE:  # 省直管县: county and city level in one agency, reports to the province
            agencies.append(spec(DINGZHOU_NAME, AgencyKind.DIRECT_COUNTY, code, PROVINCE_NAME))
        else:
            # 雄县、容城、安新 included: by default their branches report to 保定市生态环境局 (below).
            agencies.append(spec(branch_name(code, name), AgencyKind.COUNTY, code, CITY_NAME))
    # 雄安新区's bureau. The division table has no row for 雄安新区 (133100), so it is bound to 保定市
    # (130600): Agency.name is the only unique key, so this does not clash with 保定市生态环境局. It
    # supervises nothing by default, so its jurisdiction is empty. The configuration switch: set the
    # supervisor of the 容城/安新/雄县 branches to this agency and their counties move from 保定's
    # jurisdiction to 雄安's (cpaudit.org.jurisdiction.agency_counties).
    agencies.append(spec(XIONGAN_NAME, AgencyKind.CITY, "130600", PROVINCE_NAME))
    return agencies


def _consulting(names: _Names, rng: random.Random) -> list[ConsultingSpec]:
    return [
        ConsultingSpec("保定绿源清洁生产技术咨询有限公司", make_uscc("91130602", rng), names(), _phone(rng),
                       "河北省保定市竞秀区朝阳大街1186号", ("造纸", "印染", "纺织", "制革")),
        ConsultingSpec("河北润清环境工程咨询有限公司", make_uscc("91130606", rng), names(), _phone(rng),
                       "河北省保定市莲池区建设路215号", ("酿造", "制药", "纺织")),
    ]


def _address_prefix(code: str, county_name: str) -> str:
    if code == DINGZHOU_CODE:
        return "河北省定州市"
    if code in XIONGAN_COUNTIES:
        return f"河北省雄安新区{county_name}"
    if code in SHORT_NAMES:
        return f"河北省保定市{SHORT_NAMES[code]}"
    return f"河北省保定市{county_name}"


def _name_prefix(code: str, county_name: str) -> str:
    if code in SHORT_NAMES:
        return "保定"
    if county_name.endswith("区"):
        return "保定市"
    return county_name


def _enterprises(names: _Names, rng: random.Random) -> tuple[list[EnterpriseSpec], str]:
    counties = dict(baoding_counties())
    slots = [(code, industry) for code in counties for industry in COUNTY_INDUSTRIES[code]]
    n = len(slots)
    # Special codes (by slot index): 92… 个体工商户 (曲阳 brewery), 93… 农民专业合作社 (安国 饮片),
    # and one code whose check character is wrong, accepted by staff after seeing the licence.
    individual = next(i for i, (c, _) in enumerate(slots) if c == "130634")
    cooperative = [i for i, (c, _) in enumerate(slots) if c == "130683"][1]
    bad_check = [i for i, (c, _) in enumerate(slots) if c == "130607"][2]

    # About 10 % 省管, 25 % 市管, 65 % 其他; the two special registrations are small (其他).
    order = [i for i in range(n) if i not in (individual, cooperative)]
    rng.shuffle(order)
    n_prov, n_muni = round(n * 0.10), round(n * 0.25)
    levels = {i: ManagementLevel.OTHER for i in range(n)}
    for i in order[:n_prov]:
        levels[i] = ManagementLevel.PROVINCIAL
    for i in order[n_prov:n_prov + n_muni]:
        levels[i] = ManagementLevel.MUNICIPAL

    trade_names = TRADE_NAMES[:]
    rng.shuffle(trade_names)
    dry = {i for i, (_, industry) in enumerate(slots) if industry == "1781"}  # 非织造布: dry process
    dry.add([i for i, (_, industry) in enumerate(slots) if industry == "2223"][-1])
    result, accepted, used_codes = [], "", set()
    for i, (code, industry) in enumerate(slots):
        county_name = counties[code]
        word, factory_word, products = INDUSTRY_WORDS[industry]
        level = levels[i]
        trade = trade_names[i % len(trade_names)]
        if i == individual:
            nature, name, prefix = "个体工商户", f"{county_name}{trade}酒坊", "92"
        elif i == cooperative:
            nature, name, prefix = "农民专业合作社", f"{county_name}{trade}中药材种植加工专业合作社", "93"
        else:
            nature = rng.choices(NATURES, weights=NATURE_WEIGHTS[level])[0]
            stem = _name_prefix(code, county_name) + trade
            if nature == "集体企业":
                name = stem + factory_word
            elif nature == "股份有限公司":
                name = f"{stem}{word}股份有限公司"
            else:
                name = f"{stem}{word}有限公司"
            prefix = "91"
        uscc = make_uscc(prefix + code, rng)
        while uscc in used_codes:
            uscc = make_uscc(prefix + code, rng)
        used_codes.add(uscc)
        if i == bad_check:
            wrong = ALPHABET[(ALPHABET.index(uscc[-1]) + 7) % len(ALPHABET)]
            uscc = accepted = uscc[:-1] + wrong
        (cap_lo, cap_hi), (rev_lo, rev_hi) = SIZES[level]
        if i in (individual, cooperative):
            (cap_lo, cap_hi), (rev_lo, rev_hi) = (10, 80), (60, 400)
        revenue = _money(rng, rev_lo, rev_hi)
        data = {
            "name": name,
            "uscc": uscc,
            "county_id": code,
            "address": f"{_address_prefix(code, county_name)}{rng.choice(PLACES)}{rng.choice(ROADS)}"
                       f"{rng.randint(1, 399)}号",
            "postcode": POSTCODES[code],
            "legal_representative": names(),
            "contact_person": names(),
            "contact_phone": _phone(rng),
            "nature": nature,
            "industry_id": industry,
            "registered_capital": _money(rng, cap_lo, cap_hi),
            "main_business_revenue": revenue,
            "annual_output_value": _scaled(revenue, rng.uniform(1.0, 1.2)),
            "annual_sales": _scaled(revenue, rng.uniform(0.95, 1.05)),
            "main_products": rng.choice(products),
            "management_level": level,
            "water_related": i not in dry,
        }
        if i == bad_check:
            data["uscc_check_accepted"] = True
        result.append(EnterpriseSpec(data))
    return result, accepted


def _enrolment(rng: random.Random, spec: EnterpriseSpec, group: str, consulting: list[ConsultingSpec], *,
               audit_round: int, history: bool, start_days_ago: int | None = None) -> EnrolmentSpec:
    serving = [c.name for c in consulting if group in c.groups]
    entrusted = serving and rng.random() < 0.65
    enterprise_type = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]
    deadline_project = rng.random() < 0.1
    done = (rng.random() < 0.9 if history else rng.random() < 0.4) if deadline_project else None
    kwargs = {}
    if history:
        start = dt.date(2020, 3, 1) + dt.timedelta(days=rng.randint(0, 121))  # 2020-03-01 … 06-30
        kwargs = {"start": start, "end": dt.date(2020, 10, 1) + dt.timedelta(days=rng.randint(0, 60))}
    else:
        ago = start_days_ago if start_days_ago is not None else rng.randint(30, 240)  # 1–8 months
        finished = ago >= 150 and rng.random() < 0.35
        kwargs = {"start_days_ago": ago, "duration_days": rng.randint(90, ago - 20) if finished else None}
    return EnrolmentSpec(
        uscc=spec.uscc, audit_round=audit_round, mode=AuditMode.ENTRUSTED if entrusted else AuditMode.SELF,
        consulting=rng.choice(serving) if entrusted else None, enterprise_type=enterprise_type,
        has_deadline_project=deadline_project, deadline_project_done=done,
        has_violation=rng.random() < 0.05, **kwargs,
    )


def _enrolments(rng, enterprises, consulting) -> tuple[list[EnrolmentSpec], list[EnrolmentSpec]]:
    group_of = {code: group for group, code in six_industry_codes()}
    water = [e for e in enterprises if e.data["water_related"]]
    history_set = rng.sample(water, 45)
    second_round = {id(e) for e in rng.sample(history_set, 5)}  # audited once before 2020
    history = [
        _enrolment(rng, e, group_of[e.data["industry_id"]], consulting,
                   audit_round=2 if id(e) in second_round else 1, history=True)
        for e in sorted(history_set, key=lambda e: e.uscc)
    ]
    history_ids = {id(e) for e in history_set}
    again = [e for e in history_set if id(e) not in second_round]
    fresh = [e for e in water if id(e) not in history_ids]
    current_set = rng.sample(again, 32) + rng.sample(fresh, min(18, len(fresh)))
    current = [
        _enrolment(rng, e, group_of[e.data["industry_id"]], consulting,
                   audit_round=2 if id(e) in history_ids else 1, history=False)
        for e in sorted(current_set, key=lambda e: e.uscc)
    ]
    return history, current


def _pick(enrolments: list[EnrolmentSpec], enterprises: dict[str, EnterpriseSpec], county: str,
          taken: set[str]) -> EnrolmentSpec:
    """The first enrolment of the current campaign in `county` (else anywhere) not already taken."""
    candidates = [e for e in enrolments if e.uscc not in taken]
    for e in candidates:
        if enterprises[e.uscc].data["county_id"] == county:
            return e
    return candidates[0]


def _users(names: _Names, data: DemoData) -> list[UserSpec]:
    agencies = {a.name: a for a in data.agencies}
    county_names = dict(baoding_counties())
    by_uscc = {e.uscc: e for e in data.enterprises}
    users: list[UserSpec] = []

    # Enterprise users: three enterprises of the current campaign, in counties that have branch accounts;
    # the first is audited with the first consulting agency, so consult_1 sees it too.
    taken: set[str] = set()
    for number, county in enumerate(["130602", "130608", DINGZHOU_CODE], start=1):
        enrolment = _pick(data.current_enrolments, by_uscc, county, taken)
        taken.add(enrolment.uscc)
        if number == 1:
            index = data.current_enrolments.index(enrolment)
            consulting = data.consulting[0]
            group = {c: g for g, c in six_industry_codes()}[by_uscc[enrolment.uscc].data["industry_id"]]
            if group not in consulting.groups:
                consulting = data.consulting[1]
            enrolment = dataclasses.replace(enrolment, mode=AuditMode.ENTRUSTED, consulting=consulting.name)
            data.current_enrolments[index] = enrolment
        users.append(UserSpec(f"ent_{number:03d}", Role.ENTERPRISE, names(), enterprise_uscc=enrolment.uscc))
    for number, consulting in enumerate(data.consulting, start=1):
        users.append(UserSpec(f"consult_{number}", Role.CONSULTANT, consulting.contact_person,
                              consulting=consulting.name))

    for prefix, code in [("jx", "130602"), ("qy", "130608"), ("ax", "130632")]:
        agency = agencies[branch_name(code, county_names[code])]
        users.append(UserSpec(f"{prefix}_staff", Role.BRANCH_STAFF, agency.section_chief_name, agency.name))
        users.append(UserSpec(f"{prefix}_leader", Role.BRANCH_LEADER, agency.deputy_name, agency.name))
    jx = agencies[branch_name("130602", county_names["130602"])]
    users.append(UserSpec("jx_inspector", Role.BRANCH_STAFF, names(), jx.name, is_inspector=True))

    # 定州: one agency at county and city level; four different people.
    dz = agencies[DINGZHOU_NAME]
    users += [
        UserSpec("dz_staff", Role.BRANCH_STAFF, dz.section_chief_name, dz.name),
        UserSpec("dz_leader", Role.BRANCH_LEADER, dz.deputy_name, dz.name),
        UserSpec("dz_city_staff", Role.CITY_STAFF, names(), dz.name),
        UserSpec("dz_city_leader", Role.CITY_LEADER, dz.head_name, dz.name),
    ]
    upper = [("bd", CITY_NAME, Role.CITY_STAFF, Role.CITY_LEADER),
             ("hb", PROVINCE_NAME, Role.PROVINCE_STAFF, Role.PROVINCE_LEADER)]
    for prefix, agency_name, staff, leader in upper:
        agency = agencies[agency_name]
        users.append(UserSpec(f"{prefix}_staff", staff, agency.section_chief_name, agency.name))
        users.append(UserSpec(f"{prefix}_leader", leader, agency.deputy_name, agency.name))
    users += [
        UserSpec("expert_1", Role.EXPERT, names()),
        UserSpec("expert_2", Role.EXPERT, names()),
        UserSpec("sysadmin", Role.SYSTEM_ADMIN, names()),
        UserSpec("secadmin", Role.SECURITY_ADMIN, names()),
        UserSpec("auditadmin", Role.AUDIT_ADMIN, names()),
    ]
    return users


@functools.cache
def build() -> DemoData:
    rng = random.Random(SEED)
    names = _Names(rng)
    data = DemoData()
    data.agencies = _agencies(names, rng)
    data.consulting = _consulting(names, rng)
    data.enterprises, data.accepted_uscc = _enterprises(names, rng)
    data.history_enrolments, data.current_enrolments = _enrolments(rng, data.enterprises, data.consulting)
    data.users = _users(names, data)
    return data
