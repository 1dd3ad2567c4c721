"""The one documented set of demo credentials the sandbox accepts.

Public on purpose (the README prints them): they open fake data only.
"""

RECRUITEE_COMPANY_ID = "1"
RECRUITEE_TOKEN = "sandbox-recruitee"  # noqa: S105
AFFINITY_API_KEY = "sandbox-affinity"
PROJECTS_TOKEN = "sandbox-projects"  # noqa: S105
PROJECTS_CLIENT_ID = "sandbox-client"
PROJECTS_CLIENT_SECRET = "sandbox-secret"  # noqa: S105
ASANA_TOKEN = "sandbox-asana"  # noqa: S105

DEMO_CREDENTIALS: dict[str, dict[str, str]] = {
    "recruitee": {"company_id": RECRUITEE_COMPANY_ID, "token": RECRUITEE_TOKEN},
    "affinity": {"api_key": AFFINITY_API_KEY},
    "projects": {
        "token": PROJECTS_TOKEN,
        "client_id": PROJECTS_CLIENT_ID,
        "client_secret": PROJECTS_CLIENT_SECRET,
    },
    "asana": {"token": ASANA_TOKEN},
}
