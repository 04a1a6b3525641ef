"""Synthetic province-scale data, deterministic from a seed (issue 15).

The base is the demo (`load_demo`: the province, its cities and counties with real GB/T 2260 codes,
agencies, every role's accounts, the two campaigns, applications in every state, reports). `grow`
then adds, through bulk paths (bulk_create, no services — speed is the point here, never in the
platform): enterprises up to N over the six industries (and ~10% others) in the campaign's counties,
enrolments in the two campaigns (40% of N in the current one, 10% in the history one), step records in
plausible stages (stage by stage, the stage reached partly done), about 5 options per enrolment past
stage 2, a draft monthly report for every branch and month of the current year, and log entries
(20 per enterprise: a million at N = 50,000) appended to the chain with their SM3 digests, so
`verify-log` passes. Nothing here runs in production: the runner uses cpaudit.settings.bench.
"""

import datetime as dt
import json
import random
import types
import uuid

from django.db import connection, models, transaction
from django.utils import timezone

from cpaudit.campaigns.models import Campaign, CampaignCounty, Enrolment, EnterpriseType
from cpaudit.core.chain import entry_digest
from cpaudit.core.models import ActionLog, LogHead
from cpaudit.demo.data import make_uscc
from cpaudit.org.models import Agency
from cpaudit.org.roles import AgencyKind
from cpaudit.progress.models import Option, OptionCategory, OptionStatus, ReviewStatus, StepRecord, StepStatus
from cpaudit.progress.steps import stages
from cpaudit.registry.industries import six_industry_codes
from cpaudit.registry.models import ConsultingAgency, Enterprise, Industry, ManagementLevel
from cpaudit.reports.models import MonthlyReport, ReportKind

LOG_PER_ENTERPRISE = 20
BATCH = 5000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
WORDS = ("华泰", "德润", "弘毅", "恒通", "金源", "鑫达", "瑞丰", "宏远", "天成", "永安", "盛世", "新华", "东方", "北辰",
         "长城", "冀中", "燕赵", "白洋", "太行", "清源", "绿洲", "博远", "中恒", "联创", "广汇", "嘉禾", "兴隆", "荣盛")
TRADES = {"造纸": "纸业", "印染": "印染", "制革": "皮革", "化工": "化工", "电镀": "表面处理", "食品": "食品"}
NATURES = ("有限责任公司", "股份有限公司", "私营企业", "国有企业", "外商投资企业")
# Reached stage (0 = not started) and its weight: most audits are under way, some finished.
STAGE_WEIGHTS = ((0, 10), (1, 8), (2, 12), (3, 15), (4, 15), (5, 14), (6, 12), (7, 14))


def _choice_weighted(rng: random.Random, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _aware(day: dt.date, rng: random.Random) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(8 + rng.randrange(10), rng.randrange(60))))


def _converter(field):
    ops, features = connection.ops, connection.features
    if isinstance(field, models.JSONField):
        return lambda v: json.dumps(v, ensure_ascii=False)
    if isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if isinstance(field, models.UUIDField):
        return (lambda v: v) if features.has_native_uuid_field else (lambda v: v.hex)
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else str(v)
    return None


def fast_insert(model, rows: list[dict]) -> None:
    """INSERT rows (dicts of attname → Python value; missing keys take the field's default) with one
    executemany per batch: Django's bulk_create spends most of a million-row load compiling SQL."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in rows[0])]
    convert = [(f.attname, _converter(f), f.get_default()) for f in fields]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            params = []
            for row in rows[start:start + BATCH]:
                values = []
                for name, conv, default in convert:
                    value = row.get(name, default)
                    values.append(conv(value) if conv else value)
                params.append(values)
            cursor.executemany(sql, params)


def grow(n: int, *, seed: int = 15, today: dt.date) -> dict[str, int]:
    """Grow the loaded demo to n enterprises (and everything hanging off them). Deterministic for a given
    database state, n, seed and today. Returns counts by kind."""
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    with transaction.atomic():
        current = Campaign.objects.filter(status=Campaign.Status.ACTIVE).order_by("-year", "slug").first()
        history = Campaign.objects.exclude(pk=current.pk).order_by("-year", "slug").first()
        counties = sorted(CampaignCounty.objects.filter(campaign=current).values_list("county_id", flat=True))
        counts["企业"] = _enterprises(rng, n, counties)
        counts["审核企业"], counts["审核步骤记录"], counts["清洁生产方案"] = _enrolments(rng, n, current, history, today)
        counts["月度报告"] = _reports(rng, current, counties, today)
        counts["操作日志"] = _log(rng, n * LOG_PER_ENTERPRISE, today)
    with connection.cursor() as cursor:  # statistics, as a maintained database has them
        cursor.execute("ANALYZE")
    return counts


def _enterprises(rng: random.Random, n: int, counties: list[str]) -> int:
    missing = n - Enterprise.objects.count()
    if missing <= 0:
        return 0
    six = six_industry_codes()
    known = set(Industry.objects.filter(code__in=[c for _, c in six]).values_list("code", flat=True))
    six = [(g, c) for g, c in six if c in known]
    others = list(Industry.objects.filter(level=4).exclude(code__in=known).order_by("code")
                  .values_list("code", flat=True)[:200])
    used = set(Enterprise.objects.values_list("uscc", flat=True))
    batch, now = [], timezone.now()
    for i in range(missing):
        county = counties[i % len(counties)] if i % 3 else rng.choice(counties)
        if rng.random() < 0.9:
            group, code = rng.choice(six)
            trade = next((v for k, v in TRADES.items() if k in group), "制品")
        else:
            code, trade = rng.choice(others), "制品"
        uscc = make_uscc("9113" + county[2:6], rng)
        while uscc in used:
            uscc = make_uscc("9113" + county[2:6], rng)
        used.add(uscc)
        name = f"保定{rng.choice(WORDS)}{rng.choice(WORDS)}{trade}{NATURES[i % 2]}第{i + 1}厂"
        money = rng.randrange(100, 500000)
        batch.append(dict(
            name=name, uscc=uscc, uscc_check_accepted=False, county_id=county,
            address=f"河北省保定市某某路{rng.randrange(1, 999)}号",
            postcode="0710" + f"{rng.randrange(100):02d}", legal_representative=rng.choice(SURNAMES) + "某",
            contact_person=rng.choice(SURNAMES) + "经理", contact_phone=f"0312-{rng.randrange(10**7):07d}",
            nature=rng.choice(NATURES), industry_id=code, registered_capital=money // 10,
            main_business_revenue=money, annual_output_value=money, annual_sales=money,
            main_products=trade, management_level=rng.choice(list(ManagementLevel.values)),
            water_related=rng.random() < 0.8, created_at=now, updated_at=now,
        ))
    fast_insert(Enterprise, batch)
    return len(batch)


def _enrolments(rng: random.Random, n: int, current: Campaign, history: Campaign | None,
                today: dt.date) -> tuple[int, int, int]:
    consulting = list(ConsultingAgency.objects.order_by("pk").values_list("pk", flat=True))
    plans = [(current, int(n * 0.4))] + ([(history, int(n * 0.1))] if history else [])
    made = records = options = 0
    for campaign, target in plans:
        enrolled = set(Enrolment.objects.filter(campaign=campaign).values_list("enterprise_id", flat=True))
        missing = target - len(enrolled)
        if missing <= 0:
            continue
        candidates = list(Enterprise.objects.exclude(pk__in=enrolled).order_by("pk").values_list("pk", flat=True))
        chosen = sorted(rng.sample(candidates, min(missing, len(candidates))))
        year_start = dt.date(campaign.year, 1, 1)
        end = min(today, dt.date(campaign.year, 12, 31))
        span = max((end - year_start).days, 1)
        for start in range(0, len(chosen), BATCH):
            batch = []
            for pk in chosen[start:start + BATCH]:
                entrusted = consulting and rng.random() < 0.6
                batch.append(dict(
                    campaign_id=campaign.pk, enterprise_id=pk, audit_round=1,
                    mode="entrusted" if entrusted else "self",
                    consulting_agency_id=rng.choice(consulting) if entrusted else None,
                    start_date=year_start + dt.timedelta(days=rng.randrange(min(span, 60))),
                    enterprise_type=rng.choice(list(EnterpriseType.values)), has_deadline_project=False,
                    has_violation=False, created_at=_aware(year_start, rng),
                ))
            fast_insert(Enrolment, batch)
            made += len(batch)
            ids = list(Enrolment.objects.filter(campaign=campaign, enterprise_id__in=[e["enterprise_id"] for e in batch])
                       .order_by("pk").values_list("pk", "start_date"))
            r, o = _progress(rng, ids, end)
            records += r
            options += o
    return made, records, options


def _progress(rng: random.Random, enrolments, end: dt.date) -> tuple[int, int]:
    all_stages = stages()
    records, options, now = [], [], timezone.now()
    for pk, start in enrolments:
        reached = _choice_weighted(rng, STAGE_WEIGHTS)
        if reached == 0:
            continue
        day = start
        days_left = max((end - start).days, 1)
        per_step = max(days_left // 40, 1)
        for stage in all_stages[:reached]:
            last = stage.number == reached
            done_here = rng.randrange(len(stage.steps) + 1) if last else len(stage.steps)
            for i, step in enumerate(stage.steps):
                if i > done_here:
                    break
                completed = i < done_here
                began = min(day, end)
                finished = min(began + dt.timedelta(days=rng.randrange(per_step + 1)), end)
                day = finished
                at = _aware(finished, rng)
                review = (ReviewStatus.CONFIRMED if rng.random() < 0.7 else ReviewStatus.PENDING) if completed \
                    else ReviewStatus.NONE
                records.append(dict(
                    enrolment_id=pk, step_id=step.number, note="", review_reason="",
                    status=StepStatus.COMPLETED if completed else StepStatus.IN_PROGRESS,
                    start_date=began, completion_date=finished if completed else None, recorded_at=at,
                    review=review, reviewed_at=at + dt.timedelta(days=2) if review == ReviewStatus.CONFIRMED else None,
                ))
        if reached >= 3:
            for k in range(rng.randrange(3, 8)):
                investment = rng.choice((0, 1, 5, 20, 80, 300))
                status = rng.choice(list(OptionStatus.values))
                options.append(dict(
                    enrolment_id=pk, category_reason="", other_pollutant="", flags=[], created_at=now, updated_at=now, name=f"方案{k + 1}：{rng.choice(('中水回用', '余热回收', '变频改造', '工艺优化', '管网改造'))}",
                    category=OptionCategory.HIGH if investment >= 50 else OptionCategory.LOW,
                    source_step_id=rng.choice((10, 11, 14, 15, 16)), investment=investment, status=status,
                    abandon_reason="经济上不可行" if status == OptionStatus.ABANDONED else "",
                    expected_water_t=rng.randrange(100, 5000), expected_economic_wan=rng.randrange(1, 50),
                    achieved_water_t=rng.randrange(100, 5000) if status == OptionStatus.IMPLEMENTED else None,
                ))
    fast_insert(StepRecord, records)
    fast_insert(Option, options)
    return len(records), len(options)


def _reports(rng: random.Random, campaign: Campaign, counties: list[str], today: dt.date) -> int:
    """A draft branch report for every branch of the campaign's counties and every month of its year so far."""
    branches = list(Agency.objects.filter(kind__in=[AgencyKind.COUNTY, AgencyKind.DIRECT_COUNTY],
                                          division_id__in=counties).order_by("pk"))
    existing = set(MonthlyReport.objects.filter(campaign=campaign, kind=ReportKind.BRANCH)
                   .values_list("agency_id", "month"))
    rows = []
    for month in range(1, 13):
        first = dt.date(campaign.year, month, 1)
        if first > today:
            break
        for agency in branches:
            if (agency.pk, first) not in existing:
                rows.append(MonthlyReport(kind=ReportKind.BRANCH, campaign=campaign, agency=agency, month=first,
                                          problems="个别企业进度滞后，已督促。" if rng.random() < 0.5 else ""))
    MonthlyReport.objects.bulk_create(rows)
    return len(rows)


def _log(rng: random.Random, count: int, today: dt.date) -> int:
    """Append `count` entries modelled on the demo's own entries (same actions, actors and objects, new
    ids and times over the past year), chained: each digest covers the previous one."""
    missing = count - ActionLog.objects.count()
    if missing <= 0:
        return 0
    templates = list(ActionLog.objects.order_by("seq")[:2000])  # actor_id is the attname canonical() reads
    head = LogHead.objects.select_for_update().get(pk=1)
    seq, prev = head.seq, head.digest
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=365), dt.time(8)))
    step = dt.timedelta(seconds=max(365 * 86400 // missing, 1))
    batch = []
    for i in range(missing):
        t = templates[i % len(templates)]
        seq += 1
        entry = types.SimpleNamespace(
            seq=seq, time=start + step * i, actor_id=t.actor_id, actor_name=t.actor_name, actor_role=t.actor_role,
            actor_agency=t.actor_agency, action=t.action, object_type=t.object_type,
            object_id=str(rng.randrange(1, 60000)), object_repr=t.object_repr, changes=t.changes, data=t.data,
            group=uuid.UUID(int=rng.getrandbits(128), version=4), ip=f"10.0.{rng.randrange(256)}.{rng.randrange(256)}",
            prev_digest=prev,
        )
        entry.digest = entry_digest(entry)
        prev = entry.digest
        batch.append(vars(entry))
        if len(batch) >= BATCH:
            fast_insert(ActionLog, batch)
            batch = []
    fast_insert(ActionLog, batch)
    LogHead.objects.filter(pk=1).update(seq=seq, digest=prev)
    return missing
