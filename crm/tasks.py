"""Background work of the crm app: filling the organization <-> person links.

Affinity's list answers carry no `person_ids` (affinity.md §2), so after a
sync the hub reads organizations it has never read by id, a bounded number
per run: each sync fills a little more, and an organization is read this way
only once (its detail and edit pages keep it fresh afterwards). The bound
keeps the account's monthly call budget for the people using the hub. The same task
reads the account's subdomain (whoami), for the "Open in Affinity" links.
"""

from __future__ import annotations

import logging

from django_tasks import task

from crm.links import organization_links_set
from crm.models import Organization
from crm.services import affinity_subdomain_refresh
from integrations.http.errors import ConfigurationError, IntegrationError, NotFoundError
from integrations.models import Connection
from integrations.models.synced import SyncStatus
from integrations.providers import affinity
from integrations.services.connections import connection_client

logger = logging.getLogger(__name__)

LINKS_FILL_PER_RUN = 100


@task()
def organization_links_fill_task(connection_id: int) -> int:
    """Read up to LINKS_FILL_PER_RUN never-read organizations by id; returns how many."""
    connection = Connection.objects.get(pk=connection_id)
    unread = Organization.objects.filter(
        connection=connection,
        links_loaded_at=None,
        is_deleted=False,
        sync_status=SyncStatus.SYNCED,
    ).values_list("remote_id", flat=True)[:LINKS_FILL_PER_RUN]
    filled = 0
    try:
        client = connection_client(connection, background=True)
        for remote_id in unread:
            try:
                record = affinity.organization_get(client, remote_id)
            except NotFoundError:
                continue  # deleted meanwhile: the next full sync marks it
            if record.person_ids is not None:
                organization_links_set(
                    connection_id=connection.pk,
                    organization_id=remote_id,
                    person_ids=record.person_ids,
                )
                filled += 1
        # For the "Open in Affinity" links: one unmetered call, kept a week.
        affinity_subdomain_refresh(connection=connection, client=client)
    except (IntegrationError, ConfigurationError) as error:
        logger.info("organization links: stopped after %d: %s", filled, error)
    return filled


def organization_links_fill_later(connection: Connection) -> None:
    organization_links_fill_task.enqueue(connection_id=connection.pk)
