"""Refuse an oversized upload while it arrives, not after it has been written to disk."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# Multipart headers and the other form fields travel with the file.
OVERHEAD = 64 * 1024


def upload_too_large(request) -> bool:
    """True when SizeLimitedUploadHandler stopped this request's upload (its file is then missing)."""
    return getattr(request, "upload_too_large", False)


def limit_megabytes() -> int:
    return max(1, settings.CPAUDIT_UPLOAD_MAX_BYTES // (1024 * 1024))


class SizeLimitedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts the bytes of the files of a request and stops reading them
    past CPAUDIT_UPLOAD_MAX_BYTES, so a huge POST never fills the disk. The rest of the body is read and
    discarded (connection_reset=False) so the user still gets a page saying why."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.total = 0
        self.limit = settings.CPAUDIT_UPLOAD_MAX_BYTES
        if content_length and content_length > self.limit + OVERHEAD and self.request is not None:
            self.request.upload_too_large = True

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.request is not None and upload_too_large(self.request):
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        self.total += len(raw_data)
        if self.total > self.limit:
            if self.request is not None:
                self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
