"""An upload handler that stops reading a file past the import's size cap.

Django would otherwise stream a 20 MB upload to a temporary file before the
view can look at it. This handler sits first in the chain: past the cap it
raises `StopUpload(connection_reset=False)`, and Django discards the rest of
the body chunk by chunk (never holding it in memory) and leaves the file out
of `request.FILES`; the view then reads `too_large` and says why.
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeCapUploadHandler(FileUploadHandler):
    def __init__(self, request=None, *, cap: int) -> None:
        super().__init__(request)
        self.cap = cap
        self.received = 0
        self.too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # The whole body is announced larger than the cap (plus room for the other fields).
        if content_length and content_length > self.cap + 64 * 1024:
            self.too_large = True

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.too_large or self.received > self.cap:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data  # the next handler stores it

    def file_complete(self, file_size: int) -> None:
        return None
