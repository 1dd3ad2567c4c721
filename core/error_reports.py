"""Error pages and reports never show a value a view marks sensitive."""

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter


class SensitiveAlwaysHiddenFilter(SafeExceptionReporterFilter):
    """Django hides `sensitive_post_parameters` only with DEBUG off; this hides them
    on DEBUG pages too (a token typed into the admin's connection form), since a
    developer's screen or a shared log is no place for a credential either."""

    def is_active(self, request: HttpRequest | None) -> bool:
        return True
