"""The 应开展未开展 comparison itself: pure, on plain values (the selectors load them in bulk).

The campaign's scope (`Scope`): its industries (GB/T 4754-2017 classes), its counties flagged in the
basin, 涉水 if required, 双超/双有 if required. An enterprise is in scope, out of it (with why), or
undetermined (a coarse industry code, an unknown 涉水): undetermined ones need a person.

Sources: the platform's registry (every enterprise of the campaign's counties the viewer sees) and
optionally an imported register (register.py). A register row is matched to the registry by USCC;
when its code is missing or fails the check, by normalized name (reported as a name match); a name
shared by several enterprises is not guessed. Results, each a list of `Item`:
  missing       in scope, not enrolled, not exempted (whether or not in the platform's registry)
  exempted      an approved exemption (listed apart); a proposed one stays in `missing`, noted
  out_of_scope  enrolled but out of scope (with the enrolment's reason, if any)
  not_started   enrolled, no step started;  stalled: enrolled, started, not moved for stale_days
  needs_person  rows that could not be mapped or decided: never dropped
"""

from dataclasses import dataclass, field

from cpaudit.registry.industries import CLASS_LEVEL, codes_2017

from .register import RegisterRow, norm_name

IN, OUT, UNDETERMINED = "in", "out", "undetermined"


@dataclass(frozen=True)
class Scope:
    industries: frozenset[str]
    counties: dict  # campaign county → in the basin
    water_only: bool = True
    double_only: bool = False

    def verdict(self, *, industry: str, county: str, water: bool | None,
                double: bool | None) -> tuple[str, list[str]]:
        """(IN | OUT | UNDETERMINED, the reasons for OUT or UNDETERMINED)."""
        out, unsure = [], []
        if not county:
            unsure.append("所在县（区）未能确定")
        elif county not in self.counties:
            out.append("不在本批次范围县（市、区）")
        elif not self.counties[county]:
            out.append("所在县（区）不在流域范围内")
        found = self._industry(industry)
        if found == OUT:
            out.append("行业不在本批次范围内")
        elif found == UNDETERMINED:
            unsure.append(f"行业代码“{industry}”层级不足，不能确定是否属于本批次行业" if industry else "行业未能确定")
        if self.water_only:
            if water is False:
                out.append("非涉水企业")
            elif water is None:
                unsure.append("是否涉水未知")
        if self.double_only:
            if double is False:
                out.append("非双超/双有企业")
            elif double is None:
                unsure.append("未标明是否双超/双有")
        if out:
            return OUT, out
        return (UNDETERMINED, unsure) if unsure else (IN, [])

    def _industry(self, code: str) -> str:
        if not code:
            return UNDETERMINED
        if code in self.industries:
            return IN
        row = codes_2017().get(code)
        if row is None or row.level == CLASS_LEVEL:
            return OUT
        under = {c for c, r in codes_2017().items() if r.level == CLASS_LEVEL and c.startswith(code)} \
            if row.level > 1 else set()
        if under and under <= self.industries:
            return IN
        if under and not (under & self.industries):
            return OUT
        return UNDETERMINED


@dataclass(frozen=True)
class Company:
    """An enterprise of the platform's registry."""

    pk: int
    name: str
    uscc: str
    county: str
    industry: str
    water: bool


@dataclass(frozen=True)
class Enrolled:
    pk: int
    company: Company
    reached_stage: int
    stale: bool
    scope_reason: str
    last_moved: object = None  # datetime


@dataclass(frozen=True)
class Exempt:
    pk: int
    enterprise_id: int | None
    uscc: str
    name: str
    approved: bool
    label: str  # reason and state, as shown


@dataclass
class Item:
    name: str
    uscc: str = ""
    county: str = ""
    industry: str = ""
    source: str = ""  # 平台名录 / 外部名录第N行
    match: str = ""  # 代码匹配 / 名称匹配 / 平台名录 / 未在平台登记
    enterprise_id: int | None = None
    enrolment_id: int | None = None
    detail: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class Result:
    missing: list[Item] = field(default_factory=list)
    exempted: list[Item] = field(default_factory=list)
    out_of_scope: list[Item] = field(default_factory=list)
    not_started: list[Item] = field(default_factory=list)
    stalled: list[Item] = field(default_factory=list)
    needs_person: list[Item] = field(default_factory=list)
    register_rows: int = 0
    register_out_of_scope: int = 0

    SECTIONS = (("missing", "应开展未开展"), ("exempted", "已豁免（另列）"), ("out_of_scope", "已纳入但不在范围内"),
                ("not_started", "已纳入未启动"), ("stalled", "已纳入但停滞"), ("needs_person", "需人工核定"))

    def sections(self) -> list[tuple[str, str, list[Item]]]:
        return [(key, label, getattr(self, key)) for key, label in self.SECTIONS]


def compare(scope: Scope, companies: list[Company], enrolled: list[Enrolled], exemptions: list[Exempt],
            rows: list[RegisterRow] | None = None) -> Result:
    result = Result()
    enrolled_ids = {e.company.pk for e in enrolled}
    by_uscc = {c.uscc: c for c in companies}
    by_name: dict[str, list[Company]] = {}
    for c in companies:
        by_name.setdefault(norm_name(c.name), []).append(c)
    exempt_keys = {}
    for x in exemptions:
        for key in (("id", x.enterprise_id), ("uscc", x.uscc), ("name", norm_name(x.name))):
            if key[1]:
                exempt_keys.setdefault(key, x)

    def exemption(pk, uscc, name):
        for key in (("id", pk), ("uscc", uscc), ("name", norm_name(name))):
            if key[1] and key in exempt_keys:
                return exempt_keys[key]
        return None

    missing: dict[object, Item] = {}  # company pk or ("row", n) → item

    def add_missing(key, item: Item, pk, uscc):
        found = exemption(pk, uscc, item.name)
        if found is not None and found.approved:
            item.detail = found.label
            result.exempted.append(item)
            return
        if found is not None:
            item.notes.append(found.label)
        missing[key] = item

    for c in companies:
        if c.pk in enrolled_ids:
            continue
        verdict, reasons = scope.verdict(industry=c.industry, county=c.county, water=c.water, double=None)
        item = Item(c.name, c.uscc, c.county, c.industry, "平台名录", "平台名录", c.pk)
        if verdict == IN:
            add_missing(c.pk, item, c.pk, c.uscc)
        elif verdict == UNDETERMINED:
            item.detail = "；".join(reasons)
            result.needs_person.append(item)

    for row in rows or []:
        result.register_rows += 1
        source = f"外部名录第{row.row}行"
        notes = [n for n in (row.uscc_note, row.industry_note, row.county_note) if n]
        company, match = None, "未在平台登记"
        if row.uscc:
            company = by_uscc.get(row.uscc)
            match = "代码匹配" if company else match
        else:
            named = by_name.get(norm_name(row.name), [])
            if len(named) == 1:
                company, match = named[0], "名称匹配"
            elif len(named) > 1:
                listed = "、".join(f"{c.name}（{c.uscc}）" for c in named)
                result.needs_person.append(Item(row.name, row.uscc_raw, row.county, row.industry, source, "名称重复",
                                                detail=f"名称与平台名录中多家企业相同：{listed}", notes=notes))
                continue
        if row.problems:
            result.needs_person.append(Item(row.name, row.uscc or row.uscc_raw, row.county or row.county_text,
                                            row.industry or row.industry_text, source, match,
                                            company.pk if company else None, detail="；".join(row.problems),
                                            notes=notes))
            continue
        if company is not None and company.pk in enrolled_ids:
            continue  # enrolled: covered
        verdict, reasons = scope.verdict(industry=row.industry, county=row.county, water=row.water,
                                         double=row.double)
        if verdict == OUT:
            result.register_out_of_scope += 1
            continue
        if verdict == UNDETERMINED:
            result.needs_person.append(Item(row.name, row.uscc or row.uscc_raw, row.county, row.industry, source,
                                            match, company.pk if company else None, detail="；".join(reasons),
                                            notes=notes))
            continue
        if company is not None and company.pk in missing:
            item = missing[company.pk]
            item.source += f"、{source}"
            item.match = match
            item.notes.extend(notes)
            continue
        if company is not None:
            item = Item(company.name, company.uscc, company.county, company.industry, source, match, company.pk,
                        notes=notes)
            add_missing(company.pk, item, company.pk, company.uscc)
        else:
            item = Item(row.name, row.uscc or row.uscc_raw, row.county, row.industry, source, match, notes=notes)
            add_missing(("row", row.row), item, None, row.uscc)
    result.missing = sorted(missing.values(), key=lambda i: (i.county, i.name))

    for e in enrolled:
        c = e.company
        item = Item(c.name, c.uscc, c.county, c.industry, "本批次名单", "", c.pk, e.pk)
        verdict, reasons = scope.verdict(industry=c.industry, county=c.county, water=c.water, double=None)
        if verdict == OUT:
            result.out_of_scope.append(Item(**{**item.__dict__, "detail": "；".join(reasons),
                                               "notes": [f"纳入理由：{e.scope_reason}" if e.scope_reason
                                                         else "未说明范围外纳入理由"]}))
        if e.reached_stage == 0:
            result.not_started.append(Item(**{**item.__dict__, "notes": []}))
        elif e.stale:
            moved = f"最近进展：{e.last_moved:%Y-%m-%d}" if e.last_moved else ""
            result.stalled.append(Item(**{**item.__dict__, "detail": f"已实施到第{e.reached_stage}阶段；{moved}",
                                          "notes": []}))
    return result
