"""The `opt_fields` values Asana's OpenAPI document allows, per resource.

Asana/openapi `defs/asana_oas.yaml` @fc9f8dc lists them as an enum on each
route (project-tool.md §8); every route of a resource shares its list, and list
routes add the parts of `next_page` (PAGING). The fake refuses anything else
with a 400, as the real service may. tests/unit/integrations/test_asana_fields.py
checks these sets against the document in ../shared/specs/.
"""

from __future__ import annotations

PAGING = ("offset", "path", "uri")

# A custom field's value, as projects and users carry it (`custom_fields.<name>`).
CUSTOM_FIELD_VALUE = (
    "date_value",
    "date_value.date",
    "date_value.date_time",
    "display_value",
    "enabled",
    "enum_options",
    "enum_options.color",
    "enum_options.enabled",
    "enum_options.name",
    "enum_value",
    "enum_value.color",
    "enum_value.enabled",
    "enum_value.name",
    "id_prefix",
    "input_restrictions",
    "is_formula_field",
    "multi_enum_values",
    "multi_enum_values.color",
    "multi_enum_values.enabled",
    "multi_enum_values.name",
    "name",
    "number_value",
    "representation_type",
    "text_value",
    "type",
)
# A custom field's definition, as `custom_field_settings.custom_field.<name>`.
CUSTOM_FIELD_DEFINITION = (
    "asana_created_field",
    "created_by",
    "created_by.name",
    "currency_code",
    "custom_label",
    "custom_label_position",
    "date_value",
    "date_value.date",
    "date_value.date_time",
    "default_access_level",
    "description",
    "display_value",
    "enabled",
    "enum_options",
    "enum_options.color",
    "enum_options.enabled",
    "enum_options.name",
    "enum_value",
    "enum_value.color",
    "enum_value.enabled",
    "enum_value.name",
    "format",
    "has_notifications_enabled",
    "html_text_value",
    "id_prefix",
    "input_restrictions",
    "is_formula_field",
    "is_global_to_workspace",
    "is_value_read_only",
    "multi_enum_values",
    "multi_enum_values.color",
    "multi_enum_values.enabled",
    "multi_enum_values.name",
    "name",
    "number_value",
    "people_value",
    "people_value.name",
    "precision",
    "privacy_setting",
    "reference_value",
    "reference_value.name",
    "representation_type",
    "resource_subtype",
    "text_value",
    "type",
)


def _under(prefix: str, names: tuple[str, ...]) -> tuple[str, ...]:
    return (prefix, *(f"{prefix}.{name}" for name in names))


CUSTOM_FIELDS = _under("custom_fields", CUSTOM_FIELD_VALUE)
CUSTOM_FIELD_SETTINGS = (
    "custom_field_settings",
    *_under("custom_field_settings.custom_field", CUSTOM_FIELD_DEFINITION),
    "custom_field_settings.is_important",
    "custom_field_settings.parent",
    "custom_field_settings.parent.name",
    "custom_field_settings.project",
    "custom_field_settings.project.name",
)

PROJECT = frozenset(
    (
        "archived",
        "color",
        "completed",
        "completed_at",
        "completed_by",
        "completed_by.name",
        "created_at",
        "created_from_template",
        "created_from_template.name",
        "current_status",
        "current_status.author",
        "current_status.author.name",
        "current_status.color",
        "current_status.created_at",
        "current_status.created_by",
        "current_status.created_by.name",
        "current_status.html_text",
        "current_status.modified_at",
        "current_status.text",
        "current_status.title",
        "current_status_update",
        "current_status_update.resource_subtype",
        "current_status_update.title",
        "default_access_level",
        "default_view",
        "due_date",
        "due_on",
        "followers",
        "followers.name",
        "html_notes",
        "icon",
        "members",
        "members.name",
        "minimum_access_level_for_customization",
        "minimum_access_level_for_sharing",
        "modified_at",
        "name",
        "notes",
        "owner",
        "permalink_url",
        "privacy_setting",
        "project_brief",
        "public",
        "start_on",
        "team",
        "team.name",
        "workspace",
        "workspace.name",
        *CUSTOM_FIELDS,
        *CUSTOM_FIELD_SETTINGS,
    )
)
USER = frozenset(
    (
        "email",
        "name",
        "photo",
        "photo.image_1024x1024",
        "photo.image_128x128",
        "photo.image_21x21",
        "photo.image_27x27",
        "photo.image_36x36",
        "photo.image_60x60",
        "workspaces",
        "workspaces.name",
        *CUSTOM_FIELDS,
    )
)
TEAM = frozenset(
    (
        "description",
        "edit_team_name_or_description_access_level",
        "edit_team_visibility_or_trash_team_access_level",
        "endorsed",
        "guest_invite_management_access_level",
        "html_description",
        "join_request_management_access_level",
        "member_invite_management_access_level",
        "name",
        "organization",
        "organization.name",
        "permalink_url",
        "team_content_management_access_level",
        "team_member_removal_access_level",
        "visibility",
        *CUSTOM_FIELD_SETTINGS,
    )
)
WORKSPACE = frozenset(
    (
        "email_domains",
        "is_organization",
        "name",
    )
)
