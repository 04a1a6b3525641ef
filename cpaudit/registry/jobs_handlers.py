"""Background jobs of the registry: Excel import and export of the enterprise list.

Both run in the name of the user who started them (params["user_id"]): that user's rights and
jurisdiction apply exactly as if the work were done in the request.

The import is all or nothing (one transaction), so running it again after its worker died mid-way is
safe: it is registered idempotent and queued again (cpaudit.jobs.recovery). Its uploaded file is
removed once the job ends for good. The export is not run again (a second run would be a second
logged export): a failed export's file, finished or partial, is removed.
"""

import uuid

from django.utils import timezone

from cpaudit.core import clock
from cpaudit.core.log import reset_request_context, set_request_context
from cpaudit.jobs.models import Job
from cpaudit.jobs.registry import job_handler
from cpaudit.jobs.services import job_dir, remove_job_file

from . import selectors
from .excel.exporter import export_enterprises
from .excel.files import user_by_id
from .excel.importer import import_enterprises


def _remove_upload(job: Job) -> None:
    """The uploaded file, once no other unfinished job reads it (the upload page names a file by its
    SM3: the same file uploaded twice is one file)."""
    path = job.params.get("path") or ""
    if not path:
        return
    others = (Job.objects.filter(kind=job.kind, params__path=path)
              .exclude(pk=job.pk).exclude(status__in=[Job.Status.DONE, Job.Status.FAILED]))
    if not others.exists():
        remove_job_file(path)


@job_handler("registry.import", "导入企业名录", idempotent=True, on_end=_remove_upload)
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
        "error_count": result.error_count,
        "errors": [error.as_dict() for error in result.errors],  # the first CPAUDIT_IMPORT_MAX_ERRORS
    }
    if result.notices:  # mappings applied and coarse codes: shown on the job page, not errors
        out["notices"] = [notice.as_dict() for notice in result.notices]
    if result.errors:
        out["_status"] = Job.Status.FAILED
        if result.error_count == 1 and not result.errors[0].row:  # the file as a whole: say why directly
            message = f"未导入任何数据：{result.errors[0].message}"
        else:
            message = f"文件有 {result.error_count} 处错误，未导入任何数据"
        if result.error_count > len(result.errors):
            message += f"（下面列出前 {len(result.errors)} 处；改正后再导入会列出其余的）"
    else:
        message = ("试运行（未写入）：" if result.dry_run else "") + result.summary()
    report(result.rows, result.rows, message)
    return out


def _remove_export(job: Job) -> None:
    """A failed export's partial file, left when its worker died while writing it (the file itself, if
    it was moved into place, goes next, as every failed job's: jobs.services.job_ended)."""
    if job.status != Job.Status.FAILED or not job.result_file:
        return
    for partial in job_dir().glob(f".{job.result_file}.*.part"):
        remove_job_file(partial.name)


@job_handler("registry.export", "导出企业名录", on_end=_remove_export)
def run_export(job: Job, report) -> dict:
    """params: {"user_id", "filters"}: the list page's filters (q, county, industry, management_level,
    water_related, sort), as in cpaudit.registry.selectors.enterprise_list. The file is in the job
    directory only when the export was logged (cpaudit.registry.excel.exporter)."""
    user = user_by_id(job.params.get("user_id") or job.created_by_id)
    filters = {key: (value[-1] if isinstance(value, list) and value else value)
               for key, value in (job.params.get("filters") or {}).items()}
    queryset = selectors.enterprise_list(user, filters)
    name = f"enterprises-{job.pk}-{uuid.uuid4().hex[:12]}.xlsx"
    # Named on the job before it exists: whatever becomes of the job, its end knows which file to remove.
    Job.objects.filter(pk=job.pk).update(result_file=name)
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

