"""The import's write phase (excel/importer.py validates and plans; this writes the plan).

One transaction: bulk_create for new enterprises, one executemany UPDATE per set of changed fields for
changed ones, the enrolments, the log entries. When at most LOG_EACH_LIMIT enterprises are created or
updated, each gets the usual "registry.enterprise.created/updated" entry with its field changes;
above that, the summary entry "registry.import.completed" (with the file's SM3) stands for them.
"""

from dataclasses import dataclass, field

from django.db import connections, router, transaction

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core import clock
from cpaudit.core.log import diff, log_action, snapshot
from cpaudit.registry.models import Enterprise
from cpaudit.registry.services import ENTERPRISE_FIELDS, acceptance_note

LOG_EACH_LIMIT = 1000  # per-enterprise log entries up to this many changed enterprises
LOOKUP_CHUNK = 500
WRITE_BATCH = 500
UPDATE_BATCH = 5000


@dataclass
class Plan:
    create: list[Enterprise] = field(default_factory=list)
    # (instance with the new values, snapshot before, names of the changed fields)
    update: list[tuple[Enterprise, dict, tuple[str, ...]]] = field(default_factory=list)
    existing: list[Enterprise] = field(default_factory=list)  # every row's stored enterprise


def to_enrol(campaign: Campaign, plan: Plan) -> list[Enterprise]:
    enrolled = set(Enrolment.objects.filter(campaign=campaign).values_list("enterprise_id", flat=True))
    return [e for e in plan.create + plan.existing if e.pk is None or e.pk not in enrolled]


def write(actor, plan: Plan, campaign, result, filename: str) -> None:
    """Create and update the planned enterprises, enrol them in `campaign`, log; one transaction."""
    each = len(plan.create) + len(plan.update) <= LOG_EACH_LIMIT
    with transaction.atomic():
        targets = to_enrol(campaign, plan) if campaign is not None else []
        if plan.create:
            Enterprise.objects.bulk_create(plan.create, batch_size=WRITE_BATCH)
            fill_pks(plan.create)
        if plan.update:
            # Each row writes only its own changed fields (grouped: few distinct sets), so a field the
            # file leaves as it was is not overwritten with what was read before the transaction.
            now = clock.server_now()
            groups: dict[tuple[str, ...], list[Enterprise]] = {}
            for enterprise, _, changed in plan.update:
                enterprise.updated_at = now
                groups.setdefault(changed, []).append(enterprise)
            for changed, objs in groups.items():
                update_rows(objs, [*changed, "updated_at"])
        if each:
            log_each(actor, plan)
        enrolments = [Enrolment(campaign=campaign, enterprise=e) for e in targets]
        if enrolments:
            Enrolment.objects.bulk_create(enrolments, batch_size=WRITE_BATCH)
            if len(enrolments) <= LOG_EACH_LIMIT:
                if any(e.pk is None for e in enrolments):
                    pks = dict(Enrolment.objects.filter(campaign=campaign).values_list("enterprise_id", "pk"))
                    for enrolment in enrolments:
                        enrolment.pk = pks[enrolment.enterprise_id]
                log_enrolments(actor, campaign, enrolments)
        result.enrolled = len(enrolments)
        log_action(actor=actor, action="registry.import.completed", object_type="registry.enterprise",
                   object_repr=f"企业名录导入：{filename}"[:300], data={
                       "filename": filename, "sm3": result.digest, "rows": result.rows,
                       "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                       "campaign": campaign.slug if campaign else None, "enrolled": len(enrolments),
                       "logged_each": each,
                   })


def update_rows(objs: list[Enterprise], fields: list[str]) -> None:
    """UPDATE `fields` of each object: one parametrized statement run for all rows (executemany).

    Not QuerySet.bulk_update: its CASE WHEN per field costs about 2 ms a row on SQLite whatever the
    batch size (measured: 20,000 rows in 40 s); this runs the same 20,000 in about 1.3 s."""
    using = router.db_for_write(Enterprise)
    connection = connections[using]
    meta = Enterprise._meta
    model_fields = [meta.get_field(name) for name in fields]
    qn = connection.ops.quote_name
    sql = (f"UPDATE {qn(meta.db_table)} SET " + ", ".join(f"{qn(f.column)} = %s" for f in model_fields)
           + f" WHERE {qn(meta.pk.column)} = %s")
    with connection.cursor() as cursor:
        for start in range(0, len(objs), UPDATE_BATCH):
            cursor.executemany(sql, [
                [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in model_fields] + [obj.pk]
                for obj in objs[start:start + UPDATE_BATCH]
            ])


def fill_pks(created: list[Enterprise]) -> None:
    """Databases that return no ids from bulk inserts: look them up by code."""
    if all(e.pk is not None for e in created):
        return
    pks: dict[str, int] = {}
    codes = [e.uscc for e in created]
    for start in range(0, len(codes), LOOKUP_CHUNK):
        chunk = codes[start:start + LOOKUP_CHUNK]
        pks.update(Enterprise.objects.filter(uscc__in=chunk).values_list("uscc", "pk"))
    for enterprise in created:
        enterprise.pk = pks[enterprise.uscc]


def log_each(actor, plan: Plan) -> None:
    """One entry per enterprise; an accepted failing check is noted in it, as the form's service does."""
    for enterprise in plan.create:
        log_action(actor=actor, action="registry.enterprise.created", obj=enterprise,
                   changes=diff({}, snapshot(enterprise, ENTERPRISE_FIELDS)),
                   data={"source": "import", **acceptance_note(enterprise)})
    for enterprise, before, _ in plan.update:
        changes = diff(before, snapshot(enterprise, ENTERPRISE_FIELDS))
        note = acceptance_note(enterprise) if {"uscc", "uscc_check_accepted"} & set(changes) else {}
        log_action(actor=actor, action="registry.enterprise.updated", obj=enterprise, changes=changes,
                   data={"source": "import", **note})


def log_enrolments(actor, campaign: Campaign, enrolments: list[Enrolment]) -> None:
    from cpaudit.campaigns.services import ENROLMENT_FIELDS

    for enrolment in enrolments:
        log_action(actor=actor, action="campaigns.enrolment.created", obj=enrolment,
                   object_repr=f"{enrolment.enterprise.name} · {campaign.year}",
                   changes=diff({}, snapshot(enrolment, ENROLMENT_FIELDS)),
                   data={"campaign": campaign.slug, "enterprise": enrolment.enterprise.uscc,
                         "source": "import"})
