"""A job's progress page (refreshes itself until done) and its result file. Only its creator sees it."""

from pathlib import Path

from django.http import FileResponse, Http404
from django.shortcuts import render

from cpaudit.core.views import domain_view
from cpaudit.org import access

from .models import Job
from .registry import LABELS
from .services import handlers, job_dir


@domain_view
def job_detail(request, pk):
    job = access.get_in_scope(request.user, Job.objects.all(), pk=pk)
    handlers()  # the labels of every kind
    return render(request, "jobs/job_detail.html", {"job": job, "label": LABELS.get(job.kind, job.kind)})


@domain_view
def job_download(request, pk):
    job = access.get_in_scope(request.user, Job.objects.all(), pk=pk)
    if job.status != Job.Status.DONE or not job.result_file:
        raise Http404("文件尚未生成")
    path = Path(job.result_file)
    if not path.is_absolute():
        path = job_dir() / path
    if not path.resolve().is_relative_to(job_dir().resolve()) or not path.exists():
        raise Http404("文件不存在")
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_filename or path.name)
