from django.urls import reverse

from cpaudit.jobs import services
from cpaudit.jobs.models import Job
from cpaudit.org.roles import Role


def test_job_page_refreshes_until_done(world, login):
    user = world.users[Role.BRANCH_STAFF]
    job = Job.objects.create(kind="registry.export", created_by=user)
    client = login(user)
    html = client.get(reverse("jobs:job_detail", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in html
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE)
    html = client.get(reverse("jobs:job_detail", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' not in html


def test_download_serves_only_files_inside_the_job_dir(world, login):
    user = world.users[Role.BRANCH_STAFF]
    inside = services.job_dir() / "result.xlsx"
    inside.write_bytes(b"PK-test")
    good = Job.objects.create(kind="registry.export", created_by=user, status=Job.Status.DONE,
                              result_file=str(inside), result_filename="名录.xlsx")
    evil = Job.objects.create(kind="registry.export", created_by=user, status=Job.Status.DONE,
                              result_file="/etc/passwd", result_filename="x")
    client = login(user)
    response = client.get(reverse("jobs:job_download", args=[good.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"PK-test"
    assert client.get(reverse("jobs:job_download", args=[evil.pk])).status_code == 404
