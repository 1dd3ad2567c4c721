"""Resources described as data, and the registry the pages and the dashboard read.

What `ModelAdmin` is to the Django admin, `ResourcePages` is to a provider's
pages: one subclass per resource (candidates, offers, organizations, persons,
projects) says what its pages show — model, labels, list columns, search,
filters, sort keys, page size, detail fields, form, sync resource, outbox
operations — and fills in small hooks for the provider's own rules. The views
in `core.resource_views` turn every description into pages, so "connection
required", reporting a write, the list context, pagination and the
not-connected page exist once.

An app declares its resources (in its `views.py`, next to its own rules),
registers them in `AppConfig.ready()` with `register(...)`, and includes
`pages.urls()` in its `urls.py`. The dashboard and the possible-duplicate
links read the registry (`registered()`, `for_model()`), so `core` imports no
app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import Model, QuerySet
from django.urls import URLPattern, path, reverse

from core.bulk import BulkAction
from core.export import FORMATS, ExportColumn, field_column
from core.forms import ConfirmForm, ListFilterForm
from core.search import search_bound
from core.sorting import Sorting
from integrations.refresh import Refresh
from integrations.selectors import active_connections

if TYPE_CHECKING:
    from django.core.paginator import Page
    from django.forms import Form
    from django.http import HttpRequest, QueryDict

    from integrations.models import Connection, OutboxItem
    from integrations.sync.resources import SyncedResource

# The pages a resource has unless it says otherwise. "delete" (a confirmation page that
# sends the delete through the outbox) is opt-in: add it to `pages` and fill in delete().
PAGES = ("list", "create", "detail", "edit")
# What a user may do with a resource (`ResourcePages.allows`): see its pages, or also write.
ACTIONS = ("view", "change")


@dataclass(frozen=True)
class Service:
    """A provider kind the hub connects: a dashboard card and the not-connected page's words.

    `providers` are the provider keys whose connection serves the pages, in order
    of preference (the generic project tool before Asana).
    """

    name: str  # "Recruitee", "Project tool"
    kind: str  # "ATS", "CRM", "Projects"
    providers: tuple[str, ...]
    description: str = ""  # "Candidates and offers appear here once …"
    # The default group of the team that uses it ("Recruiting"): `ensure_groups` gives it
    # the view and change rights of the service's resources. "" for no default group.
    team: str = ""

    @property
    def not_connected(self) -> str:
        """The not-connected page's heading."""
        if len(self.providers) > 1:
            return f"No {self.name.lower()} is connected"
        return f"{self.name} is not connected"

    @property
    def admin_provider(self) -> str:
        """The provider the admin's "add a connection" link preselects ("" for a choice)."""
        return self.providers[0] if len(self.providers) == 1 else ""


@dataclass(frozen=True)
class ListColumn:
    """One column of a list: its heading, the `Sorting` key it sorts by ("" for none)."""

    label: str
    sort: str = ""
    css_class: str = ""


class ResourcePages:
    """One resource's pages, described as data plus small hooks (see the module docstring).

    Class attributes are the description; a subclass sets them and overrides only
    the hooks its provider needs. Defaults are what most resources do.
    """

    # --- what it is -----------------------------------------------------------------
    service: ClassVar[Service]
    app: ClassVar[str]  # the URL namespace and template folder: "ats"
    name: ClassVar[str]  # URL names and templates: "candidate" -> "ats:candidate_list"
    path: ClassVar[str]  # the URL prefix: "candidates"
    model: ClassVar[type[Model]]
    singular: ClassVar[str]  # "Candidate"
    plural: ClassVar[str]  # "Candidates"
    subtitle: ClassVar[str] = ""  # the list page's header line
    pages: ClassVar[tuple[str, ...]] = PAGES  # which of PAGES (and "delete") it has
    # --- its list -------------------------------------------------------------------
    list_columns: ClassVar[tuple[ListColumn, ...]] = ()  # partials/list_headings.html
    search: ClassVar[bool] = True  # a search box (core/search.py over `search_text`)
    filter_form: ClassVar[type[ListFilterForm]] = ListFilterForm  # parses `?q=&sort=&…`
    sorting: ClassVar[Sorting | None] = None
    per_page: ClassVar[int] = 25
    # Stop counting this many rows past the page shown ("More than N …"), for lists
    # too long to count (core/pagination.py), unless the search index bounds the search
    # (`list_count_limit()`); None counts exactly.
    count_limit: ClassVar[int | None] = None
    # --- its record and form --------------------------------------------------------
    detail_fields: ClassVar[tuple[str, ...]] = ()
    form_class: ClassVar[type[Form] | None] = None  # an OutboxFormMixin form
    # --- how it reaches the provider --------------------------------------------------
    sync_resource: ClassVar[SyncedResource | None] = None
    outbox_operations: ClassVar[tuple[str, ...]] = ()  # names of its OutboxOperations
    # --- who may use it ---------------------------------------------------------------
    # The Django permissions ("app_label.codename") to see its pages ("view") and to write
    # through them ("change": create, edit, delete, import, sync now). "" takes the model's
    # default permissions (`ats.view_candidate`, `ats.change_candidate`), which the admin's
    # group editor lists; a resource whose model is shared by several (a generic model)
    # names its own.
    view_permission: ClassVar[str] = ""
    change_permission: ClassVar[str] = ""

    # --- naming -----------------------------------------------------------------------

    def url_name(self, page: str) -> str:
        """`ats:candidate_list`, `ats:candidate_detail`, … (the app's URL namespace)."""
        return f"{self.app}:{self.name}_{page}"

    def url(self, page: str, *args: Any) -> str:
        return reverse(self.url_name(page), args=args)

    def detail_url_prefix(self) -> str:
        """A record page's URL up to its primary key: a list row links to
        `{{ detail_url_prefix }}{{ row.pk }}/` (`urls()` routes `<path>/<pk>/` under the list's
        `<path>/`), instead of reversing a URL per row (about 40 µs each)."""
        return self.url("list")

    def template(self, page: str) -> str:
        """`ats/candidate_list.html`, `_detail.html`; create and edit share `_form.html`;
        delete is `_confirm_delete.html`."""
        suffix = {"create": "form", "edit": "form", "delete": "confirm_delete"}.get(page, page)
        return f"{self.app}/{self.name}_{suffix}.html"

    def urls(self) -> list[URLPattern]:
        """The URL patterns of the pages it has, for the app's `urls.py`; a list also gets
        its exports (`<path>/export.csv`, `.xlsx`, named `<name>_export_csv|xlsx`; one written
        in the background at `<path>/exports/<token>/` and `…/download/`, `<name>_export`,
        `_export_download`) and its bulk actions (`<path>/bulk/`, `<path>/bulk/<token>/`:
        `<name>_bulk`, `_bulk_result`)."""
        # Imported here: resource_views imports this module (a real cycle, not a test seam).
        from core import resource_views as views

        exports = [
            path(
                f"{self.path}/export.{kind}",
                views.export_page,
                {"resource": self, "kind": kind},
                name=f"{self.name}_export_{kind}",
            )
            for kind in FORMATS
        ] + [
            path(
                f"{self.path}/exports/<uuid:token>/",
                views.list_export_page,
                {"resource": self},
                name=f"{self.name}_export",
            ),
            path(
                f"{self.path}/exports/<uuid:token>/download/",
                views.list_export_download,
                {"resource": self},
                name=f"{self.name}_export_download",
            ),
        ]
        routes = {
            "list": (f"{self.path}/", views.list_page),
            "create": (f"{self.path}/new/", views.create_page),
            "detail": (f"{self.path}/<int:pk>/", views.detail_page),
            "edit": (f"{self.path}/<int:pk>/edit/", views.edit_page),
            "delete": (f"{self.path}/<int:pk>/delete/", views.delete_page),
        }
        pages = [
            path(route, view, {"resource": self}, name=f"{self.name}_{page}")
            for page, (route, view) in routes.items()
            if page in self.pages
        ]
        bulk = [
            path(
                f"{self.path}/bulk/", views.bulk_page, {"resource": self}, name=f"{self.name}_bulk"
            ),
            path(
                f"{self.path}/bulk/<uuid:token>/",
                views.bulk_result_page,
                {"resource": self},
                name=f"{self.name}_bulk_result",
            ),
        ]
        return pages + (exports + bulk if "list" in self.pages else [])

    # --- permissions --------------------------------------------------------------------

    @classmethod
    def permission(cls, action: str) -> str:
        """The permission behind `action` ("view" or "change")."""
        if action not in ACTIONS:
            raise ValueError(f"Unknown action {action!r}; one of {ACTIONS}")
        declared = cls.view_permission if action == "view" else cls.change_permission
        if declared:
            return declared
        meta = cls.model._meta
        return f"{meta.app_label}.{action}_{meta.model_name}"

    @classmethod
    def allows(cls, user: Any, action: str) -> bool:
        """Whether `user` may `action` ("view" or "change") here: by their permissions
        (their own and their groups'), as in the admin; superusers may do everything. Staff
        are no exception: `is_staff` only lets them sign in to the admin. The right to
        change includes the right to see (as in the admin)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if user.is_superuser:
            return True
        if action == "view" and user.has_perm(cls.permission("change")):
            return True
        return user.has_perm(cls.permission(action))

    # --- hooks: the connection and the records -----------------------------------------

    def connection(self) -> Connection | None:
        """The connection the pages use: the first active one, in provider order."""
        return active_connections(self.service.providers).first()

    def sync_resource_for(self, connection: Connection) -> SyncedResource | None:
        """The sync resource behind the list (a provider group may differ per provider)."""
        return self.sync_resource

    def list_rows(self, *, connection: Connection, filters: Any) -> QuerySet:
        """The list's rows, searched, filtered and sorted (`filters` from the filter form)."""
        raise NotImplementedError(f"{type(self).__name__} must implement list_rows()")

    def list_count_limit(self, *, filters: Any) -> int | None:
        """How far the list's count goes: `count_limit` rows past the page, or all of them
        when the search index bounds the search (`search_bound`: a few thousand rows at
        most, found by the index, so cheap to count exactly)."""
        if self.count_limit is None:
            return None
        bound = search_bound(self.model._default_manager.all(), filters.search)
        return self.count_limit if bound is None else bound

    def load_rows(self, pks: list[Any]) -> list[Any]:
        """With `count_limit`: the rows of these primary keys, as the list shows them."""
        return list(self.model._default_manager.filter(pk__in=pks))

    def has_records(self, *, connection: Connection) -> bool:
        """Whether anything was ever synced or created here (else the first sync starts)."""
        return self.model._default_manager.filter(connection=connection).exists()

    def first_syncs_needed(self, *, connection: Connection) -> list[SyncedResource]:
        """Other resources these pages show (filters, pickers) that have no records yet:
        their first sync starts with this list's."""
        return []

    def get_record(self, *, connection: Connection, pk: int) -> Model | None:
        manager = self.model._default_manager
        return manager.filter(connection=connection, pk=pk, is_deleted=False).first()

    def refresh_from_provider(self, record: Any, *, user: Any, editing: bool) -> Refresh:
        """Fetch the record from the provider and store it (the detail and edit pages show
        fresh data); `editing` on the edit page's GET. Default: the synced copy as it is."""
        return Refresh(fresh=False)

    def export_rows(self, *, connection: Connection, filters: Any) -> QuerySet:
        """The rows an export of the list holds: all of `list_rows()`, not just a page."""
        return self.list_rows(connection=connection, filters=filters)

    def export_columns(self, *, connection: Connection) -> list[ExportColumn]:
        """The export's columns. Default: the remote id, the detail fields and the creation
        time; a resource names its own (what its list shows, in full)."""
        meta = self.model._meta
        return [
            field_column(f"{connection.provider_display} id", "remote_id"),
            *(field_column(str(meta.get_field(f).verbose_name).capitalize(), f)
              for f in self.detail_fields),
            field_column("Created", "remote_created_at"),
        ]  # fmt: skip

    # --- hooks: what the pages show ---------------------------------------------------

    def filter_form_kwargs(self, *, connection: Connection) -> dict[str, Any]:
        """Extra arguments of the filter form (choices read from the synced copy)."""
        return {}

    def bound_filter_form(self, data: QueryDict, *, connection: Connection) -> ListFilterForm:
        """The list's filter form over `data` (a request's query string, or an export's)."""
        kwargs = self.filter_form_kwargs(connection=connection)
        return self.filter_form(data, sorting=self.sorting, **kwargs)

    def list_context(
        self, request: HttpRequest, *, connection: Connection, form: ListFilterForm, page: Page
    ) -> dict[str, Any]:
        """What the list template needs beyond the shared list context."""
        return {}

    def detail_context(
        self, request: HttpRequest, *, record: Any, refresh: Refresh
    ) -> dict[str, Any]:
        return {}

    # --- hooks: writing ---------------------------------------------------------------

    def form_kwargs(self, *, connection: Connection, record: Any | None) -> dict[str, Any]:
        """Arguments of the create (`record` None) or edit form besides data and initial."""
        return {}

    def initial(self, record: Any) -> dict[str, Any]:
        """The edit form's values (as the provider last confirmed them)."""
        return {}

    def create(
        self, request: HttpRequest, *, connection: Connection, form: Any
    ) -> OutboxItem | dict[str, Any]:
        """Send the create through the outbox. A dict instead writes nothing and shows the
        form again with that context (a provider's rule, e.g. a duplicate warning)."""
        raise NotImplementedError(f"{type(self).__name__} must implement create()")

    def update(self, request: HttpRequest, *, record: Any, form: Any) -> OutboxItem | None:
        """Send the edit through the outbox; None when nothing changed."""
        raise NotImplementedError(f"{type(self).__name__} must implement update()")

    def edit_blocked(self, record: Any) -> str:
        """Why the record cannot be edited now ("" if it can): shown on its detail page."""
        if getattr(record, "remote_id", None) is None:
            provider = record.connection.provider_display
            return f"This {self.singular.lower()} can be edited once {provider} has it."
        return ""

    def written(self, *, record: Any | None, created: bool, provider: str) -> str:
        """The success message of a write the provider confirmed."""
        verb = "created" if created else "updated"
        return f"{self.singular} {verb} in {provider}."

    # --- hooks: deleting (with "delete" in `pages`) --------------------------------------

    def delete_blocked(self, record: Any) -> str:
        """Why the record cannot be deleted now ("" if it can): shown on its detail page."""
        if getattr(record, "remote_id", None) is None:
            provider = record.connection.provider_display
            return f"This {self.singular.lower()} can be deleted once {provider} has it."
        return ""

    def delete(self, request: HttpRequest, *, record: Any, form: Any) -> OutboxItem:
        """Send the delete through the outbox (`form` is a `core.forms.ConfirmForm`)."""
        raise NotImplementedError(f"{type(self).__name__} must implement delete()")

    def deleted(self, *, record: Any, provider: str) -> str:
        """The success message of a delete the provider confirmed."""
        return f"{self.singular} “{record}” deleted in {provider}."

    # --- hooks: bulk actions on the list's ticked rows -----------------------------------

    def bulk_actions(self, *, connection: Connection) -> list[BulkAction]:
        """What the list offers for its ticked rows (`core.bulk`); by default "Delete" where
        the resource has a delete page, each row as its delete page would send it."""
        if "delete" not in self.pages:
            return []
        provider = connection.provider_display
        confirm = f"Delete the ticked {self.plural.lower()} from {provider}? This cannot be undone."
        return [
            BulkAction(
                "delete", "Delete", write=self._bulk_delete, blocked=self.delete_blocked,
                confirm=confirm,
            )
        ]  # fmt: skip

    def _bulk_delete(self, request: HttpRequest, record: Any, target: str, key: str) -> OutboxItem:
        # `delete()` takes the confirmation form its page would have made: the same here.
        form = ConfirmForm({"submission_key": key})
        form.is_valid()
        return self.delete(request, record=record, form=form)


# url name of the list page -> its description; filled by the apps' AppConfig.ready().
_registry: dict[str, ResourcePages] = {}


def register(*resources: ResourcePages) -> None:
    """Register resource descriptions (from the app's `AppConfig.ready()`), in page order."""
    for resource in resources:
        key = resource.url_name("list")
        if key in _registry:
            raise ValueError(f"{key} is registered twice")
        _registry[key] = resource


def registered() -> list[ResourcePages]:
    """Every registered resource, in the order of INSTALLED_APPS and registration."""
    return list(_registry.values())


def services() -> list[tuple[Service, list[ResourcePages]]]:
    """The registered resources grouped by service (a dashboard card each), in order."""
    grouped: dict[Service, list[ResourcePages]] = {}
    for resource in registered():
        grouped.setdefault(resource.service, []).append(resource)
    return list(grouped.items())


# A provider whose pages are built at run time, not registered -> their class, whose
# `allows` is their rule: the APIs connected from their document ("openapi"), each active
# connection with pages of its own. Filled by the app's `AppConfig.ready()`.
_generated: dict[str, type[ResourcePages]] = {}


def register_generated(provider: str, pages: type[ResourcePages]) -> None:
    """Register the class of the pages built at run time for `provider`'s connections
    (again: nothing; another for a taken provider: an error)."""
    held = _generated.get(provider)
    if held is not None and held is not pages:
        raise ValueError(f"Pages built for {provider!r} are registered twice")
    _generated[provider] = pages


def generated_allowed(user: Any, action: str) -> list[str]:
    """The providers whose pages built at run time (`register_generated`) `user` may
    `action` ("view" or "change") on every active connection of theirs."""
    return [provider for provider, pages in _generated.items() if pages.allows(user, action)]


def connection_on_pages(connection: Connection) -> bool:
    """Whether some pages use `connection`: registered pages, the first active connection
    in their service's provider order; pages built at run time (`register_generated`),
    each active connection of their provider. Any other one is reachable from the admin
    only."""
    if connection.provider in _generated:
        return connection.is_active
    return any(
        resource.connection() == connection
        for resource in registered()
        if connection.provider in resource.service.providers
    )


def for_model(label: str) -> ResourcePages | None:
    """The resource whose model has this label ("ats.Candidate") and a detail page."""
    found = (r for r in registered() if r.model._meta.label == label and "detail" in r.pages)
    return next(found, None)


def list_of(synced: SyncedResource, connection: Connection) -> ResourcePages | None:
    """The registered list page `synced` fills on `connection`, if any (a picker's users:
    none). A resource's sync may differ per provider (`sync_resource_for`)."""
    served = [r for r in registered() if connection.provider in r.service.providers]
    lists = [r for r in served if "list" in r.pages and r.sync_resource_for(connection)]
    return next((r for r in lists if r.sync_resource_for(connection).key == synced.key), None)


def for_sync(synced: SyncedResource) -> list[ResourcePages]:
    """The resources whose pages a sync resource feeds: those listing it, else (a picker's
    users, workspaces) every resource of the services its provider serves."""
    served = [r for r in registered() if synced.provider in r.service.providers]
    listing = [r for r in served if r.sync_resource and r.sync_resource.key == synced.key]
    return listing or served


def sync_allows(synced: SyncedResource, user: Any, action: str) -> bool:
    """Whether `user` may `action` ("view": see its progress; "change": start it) the sync
    of `synced`: by the rights of a registered resource it feeds (`for_sync`), or of the
    pages built at run time for its provider (`register_generated`)."""
    generated = _generated.get(synced.provider)
    if generated is not None:
        return generated.allows(user, action)
    return any(r.allows(user, action) for r in for_sync(synced))


def connections_shown(synced: SyncedResource, user: Any) -> QuerySet[Connection] | None:
    """The connections whose list fed by `synced` `user` may see, as a query (a check in
    the one query it guards), or None if they may see no list it feeds. Registered pages
    show one: the first active connection of their service (their `connection()`); pages
    built at run time (`register_generated`), every active connection of their provider
    (as `connection_on_pages`)."""
    if not sync_allows(synced, user, "view"):
        return None
    if synced.provider in _generated:
        return active_connections([synced.provider])
    pages = [r for r in for_sync(synced) if r.allows(user, "view")]
    return active_connections(pages[0].service.providers)[:1]


def allowed(user: Any, action: str) -> list[ResourcePages]:
    """The registered resources `user` may `action` ("view" or "change")."""
    return [r for r in registered() if r.allows(user, action)]
