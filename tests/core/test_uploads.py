"""An oversized upload is cut off while it arrives: nothing past the limit reaches the disk."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpaudit.jobs.models import Job
from cpaudit.org.roles import Role


def test_oversized_import_is_refused_with_a_message(world, client, settings):
    settings.CPAUDIT_UPLOAD_MAX_BYTES = 1024
    client.force_login(world.users[Role.BRANCH_STAFF])
    big = SimpleUploadedFile("名录.xlsx", b"x" * 200_000)
    response = client.post(reverse("registry:enterprise_import"), {"file": big})
    assert response.status_code == 200 and "文件过大" in response.content.decode()
    assert not Job.objects.exists()


def test_handler_stops_counting_past_the_limit(rf, settings):
    import pytest
    from django.core.files.uploadhandler import StopUpload

    from cpaudit.core.uploads import SizeLimitedUploadHandler

    settings.CPAUDIT_UPLOAD_MAX_BYTES = 10
    request = rf.post("/")
    handler = SizeLimitedUploadHandler(request)
    handler.handle_raw_input(None, {}, 100, b"b")
    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"1234567", 5)
    assert request.upload_too_large is True
