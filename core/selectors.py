"""Read-only queries behind the dashboard."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ResourceCount:
    label: str
    count: int
    url_name: str


@dataclass(frozen=True)
class ProviderCard:
    name: str
    kind: str
    state: str
    resources: tuple[ResourceCount, ...]


def dashboard_providers() -> list[ProviderCard]:
    """One card per service the hub connects, with its record counts."""
    return [
        ProviderCard(
            name="Recruitee",
            kind="ATS",
            state="not connected",
            resources=(
                ResourceCount("Candidates", 0, "dashboard"),
                ResourceCount("Offers", 0, "dashboard"),
            ),
        ),
        ProviderCard(
            name="Affinity",
            kind="CRM",
            state="not connected",
            resources=(
                ResourceCount("Organizations", 0, "dashboard"),
                ResourceCount("Persons", 0, "dashboard"),
            ),
        ),
        ProviderCard(
            name="Project tool",
            kind="Projects",
            state="not connected",
            resources=(ResourceCount("Projects", 0, "dashboard"),),
        ),
    ]
