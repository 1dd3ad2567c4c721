"""Template filters for showing provider data safely, the registry-built menu, and what
the user may do (buttons a user may not use are not shown)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from urllib.parse import urlsplit

from django import template
from django.utils.formats import date_format, time_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core.resources import ResourcePages, allowed, sync_allows
from core.sorting import header
from integrations import shown_errors
from integrations.models import Connection, OutboxItem
from integrations.sync.resources import SyncedResource

register = template.Library()


@register.filter
def http_url(value: object) -> str:
    """The value if it is an http(s) URL, else "": only those become links or images.

    Provider data is untrusted; a `javascript:` or `data:` URL must never reach an
    href or src. Autoescaping still applies to what this returns.
    """
    if not isinstance(value, str):
        return ""
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme in ("http", "https") and parts.netloc else ""


@register.filter
def duration(seconds: float | None) -> str:
    """A duration in words ("45 seconds", "1 minute 5 seconds", "2 hours 3 minutes");
    "" for None."""
    if seconds is None:
        return ""
    whole = round(seconds)
    if whole < 1:
        return "less than a second"
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = (
        [(hours, "hour"), (minutes, "minute")] if hours else [(minutes, "minute"), (secs, "second")]
    )
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words)


@register.filter
def email_breaks(value: object) -> str:
    """An email address, escaped, that may wrap after its `@` and its dots
    (`firstname.<wbr>lastname@<wbr>example.<wbr>com`), not in the middle of a word; a
    table column is then as narrow as its longest part, not one letter. A part wider than
    the whole screen still breaks (`.email`'s `overflow-wrap: break-word` in hub.css)."""
    if not value:
        return ""
    text = escape(value).replace("@", "@<wbr>").replace(".", ".<wbr>")
    return mark_safe(f'<span class="email">{text}</span>')  # noqa: S308


@register.filter(expects_localtime=True)
def when(value: datetime | None, shown: str = "j M Y, H:i") -> str:
    """A date and time with its time zone, "8 Jan 2023, 06:44 UTC": the hub shows times
    in its TIME_ZONE, which a reader in another one cannot guess."""
    if not isinstance(value, datetime):
        return ""
    return f"{date_format(value, shown)} {value.tzname()}"


@register.filter(expects_localtime=True)
def time_element(value: datetime, shown: str = "j M Y") -> str:
    """A time in a table cell, `<time datetime="2026-03-01T09:30:00+00:00" title="March 1,
    2026, 9:30 a.m. UTC">1 Mar 2026</time>`: the ISO time, the date and time in the hub's
    formats (DATE_FORMAT, TIME_FORMAT) and its time zone as the tooltip, the date as
    `shown` in the cell.

    A list page shows 50 of them; Django's formatting (lazy month names, "a.m.") costs
    about 30 µs a call, so each day's and each minute's words are made once
    (`_day_words`, `_minute_words`) and looked up after that."""
    language = get_language()
    day, minute = (
        _day_words(value.date(), shown, language),
        _minute_words(value.hour, value.minute, language),
    )
    return format_html(
        '<time datetime="{}" title="{}, {} {}">{}</time>',
        value.isoformat(), day[0], minute, value.tzname(), day[1],
    )  # fmt: skip


@lru_cache(maxsize=10_000)  # every day of 27 years
def _day_words(day: date, shown: str, language: str | None) -> tuple[str, str]:
    """The day in DATE_FORMAT and as `shown` (`language` keys the cache: it is the current one)."""
    return date_format(day, "DATE_FORMAT"), date_format(day, shown)


@lru_cache(maxsize=24 * 60)
def _minute_words(hour: int, minute: int, language: str | None) -> str:
    return time_format(time(hour, minute), "TIME_FORMAT")


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url: str


@register.simple_tag(takes_context=True)
def resource_menu(context: template.Context) -> list[MenuEntry]:
    """The navbar's entries: each registered resource's list page the user may see, in
    registration order (so a provider app's pages appear once it registers them; none is
    named here)."""
    return [
        MenuEntry(r.plural, r.url("list"))
        for r in allowed(context["user"], "view")
        if "list" in r.pages
    ]


@register.simple_tag(takes_context=True)
def may(context: template.Context, resource: ResourcePages | None, action: str) -> bool:
    """`{% may resource "change" as can_change %}`: whether the user may (`allows`)."""
    return resource is not None and resource.allows(context["user"], action)


@register.simple_tag(takes_context=True)
def may_sync(context: template.Context, synced: SyncedResource) -> bool:
    """`{% may_sync sync.resource as can_sync %}`: "Sync now" needs the change right of a
    list the sync feeds (`core.resources.sync_allows`)."""
    return sync_allows(synced, context["user"], "change")


@register.inclusion_tag("partials/switched_off.html")
def switched_off_notice(*providers: str) -> dict[str, object]:
    """Why a provider's pages have no connection: one that was switched off, and the reason."""
    connections = Connection.objects.filter(provider__in=providers, is_active=False).exclude(
        disabled_reason=""
    )
    return {"connections": list(connections)}


@register.inclusion_tag("partials/sort_header.html", takes_context=True)
def sort_header(context: template.Context, key: str, label: str, css_class: str = "") -> dict:
    """A sortable column heading; the view passes `sorting`, `sort` and `sort_query`."""
    found = header(context["sorting"], context["sort"], key, label, context.get("sort_query", ""))
    return {**found, "key": key, "css_class": css_class}


class LiveListNode(template.Node):
    def __init__(self, content: template.NodeList) -> None:
        self.content = content

    def render(self, context: template.Context) -> str:
        content = self.content.render(context)
        if context.get("live") is None:
            return content
        partial = context.template.engine.get_template("partials/live_list.html")
        with context.push(content=mark_safe(content)):  # noqa: S308 - rendered, escaped
            return partial.render(context)


@register.tag
def live_list(parser: template.base.Parser, token: template.base.Token) -> LiveListNode:
    """`{% live_list %}…{% endlive_list %}` around a list's table: with the view's `live`
    (core.resource_views.LiveList) it refreshes itself when its records change
    (partials/live_list.html); without, it is the content as it is."""
    content = parser.parse(("endlive_list",))
    parser.delete_first_token()
    return LiveListNode(content)


@register.filter
def dismissed_by(item: OutboxItem) -> str:
    """Who dismissed an outbox row, in words (`shown_errors.dismissed_by`)."""
    return shown_errors.dismissed_by(item)


@register.filter
def audit_value(value: object) -> str:
    """A value in the audit trail as a person reads it: lists joined, empty as "—"."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    return str(value)


# The page an audit entry was made from, by the last word of its URL name.
PAGE_WORDS = {
    "create": "the new {} form",
    "edit": "the {} edit form",
    "delete": "the {} delete page",
    "bulk": "a bulk action on the {} list",
    "note_add": "the {} page (a note)",
    "detail": "the {} page",
}


@register.filter
def page_words(url_name: str) -> str:
    """A page's URL name as a person reads it: "ats:candidate_edit" -> "the candidate
    edit form"; a name without a known ending as its words ("project import submit")."""
    name = str(url_name).rsplit(":", 1)[-1]
    for ending, words in PAGE_WORDS.items():
        if name.endswith(f"_{ending}"):
            return words.format(name.removesuffix(f"_{ending}").replace("_", " "))
    return name.replace("_", " ")


@register.filter
def field_label(name: str) -> str:
    """A model field's name as words: "first_name" -> "First name"."""
    return str(name).replace("_", " ").capitalize()
