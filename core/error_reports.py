"""Error pages and reports never show a value a view marks sensitive, nor a variable
that holds a credential."""

from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter


class SensitiveAlwaysHiddenFilter(SafeExceptionReporterFilter):
    """Django hides `sensitive_post_parameters` only with DEBUG off; this hides them
    on DEBUG pages too (a token typed into the admin's connection form), since a
    developer's screen or a shared log is no place for a credential either.

    Each frame's variables are cleansed as Django cleanses settings: one whose name looks
    like a credential (`hidden_settings`: token, key, secret, auth…), and any such key
    inside a dict, list or tuple (the `{"Authorization": "Bearer …"}` a client builds)."""

    def is_active(self, request: HttpRequest | None) -> bool:
        return True

    def get_traceback_frame_variables(self, request: HttpRequest, tb_frame: Any) -> Any:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleanse_setting(name, value)) for name, value in variables]
