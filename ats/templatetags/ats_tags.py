"""Template helpers for the candidate pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def offer_title(offer_id: str, titles: dict[str, str]) -> str:
    """The synced offer's title for a placement, or "Offer <id>" when it is not synced."""
    return titles.get(offer_id) or f"Offer {offer_id}" if isinstance(titles, dict) else ""


@register.filter
def source_label(value: Any) -> str:
    """Recruitee's source key for people: "career_site" -> "Career site"."""
    return str(value or "").replace("_", " ").strip().capitalize()
