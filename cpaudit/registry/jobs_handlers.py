"""Background jobs of the registry: Excel import and export of the enterprise list.

Both run in the name of the user who started them (params["user_id"]): that user's rights and
jurisdiction apply exactly as if the work were done in the request.
"""

import uuid

from django.utils import timezone

from cpaudit.core import clock
from cpaudit.core.log import reset_request_context, set_request_context
from cpaudit.jobs.models import Job
from cpaudit.jobs.registry import job_handler
from cpaudit.jobs.services import job_dir

from . import selectors
from .excel.exporter import export_enterprises
from .excel.files import user_by_id
from .excel.importer import import_enterprises

MAX_REPORTED_ERRORS = 500


@job_handler("registry.import", "导入企业名录")
def run_import(job: Job, report) -> dict:
    """params: {"path", "campaign", "dry_run", "user_id"} (and optionally "filename", the upload's name)."""
    params = job.params
    user = user_by_id(params.get("user_id") or job.created_by_id)
    token = set_request_context()
    try:
        result = import_enterprises(
            actor=user, path=params["path"], campaign_slug=params.get("campaign") or None,
            dry_run=bool(params.get("dry_run")), progress=report, filename=params.get("filename") or "",
        )
    finally:
        reset_request_context(token)
    out = {
        "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
        "enrolled": result.enrolled, "rows": result.rows, "dry_run": result.dry_run,
        "error_count": len(result.errors),
        "errors": [error.as_dict() for error in result.errors[:MAX_REPORTED_ERRORS]],
    }
    if result.notices:  # mappings applied and coarse codes: shown on the job page, not errors
        out["notices"] = [notice.as_dict() for notice in result.notices[:MAX_REPORTED_ERRORS]]
    if result.errors:
        out["_status"] = Job.Status.FAILED
        message = f"文件有 {len(result.errors)} 处错误，未导入任何数据"
        if len(result.errors) > MAX_REPORTED_ERRORS:
            message += f"（下面列出前 {MAX_REPORTED_ERRORS} 处）"
    else:
        message = ("试运行（未写入）：" if result.dry_run else "") + result.summary()
    report(result.rows, result.rows, message)
    return out


@job_handler("registry.export", "导出企业名录")
def run_export(job: Job, report) -> dict:
    """params: {"user_id", "filters"}: the list page's filters (q, county, industry, management_level,
    water_related, sort), as in cpaudit.registry.selectors.enterprise_list. The file is in the job
    directory only when the export was logged (cpaudit.registry.excel.exporter)."""
    user = user_by_id(job.params.get("user_id") or job.created_by_id)
    filters = {key: (value[-1] if isinstance(value, list) and value else value)
               for key, value in (job.params.get("filters") or {}).items()}
    queryset = selectors.enterprise_list(user, filters)
    name = f"enterprises-{job.pk}-{uuid.uuid4().hex[:12]}.xlsx"
    token = set_request_context()
    try:
        count = export_enterprises(actor=user, path=job_dir() / name, queryset=queryset, progress=report)
    finally:
        reset_request_context(token)
    download = f"企业名录-{timezone.localtime(clock.server_now()):%Y%m%d-%H%M}.xlsx"
    Job.objects.filter(pk=job.pk).update(result_file=name, result_filename=download,
                                         message=f"已导出 {count} 家企业")
    job.result_file, job.result_filename = name, download
    return {"rows": count}
