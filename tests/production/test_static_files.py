"""The static files collect with the production storage, and every reference in them resolves."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command

STATIC_SOURCE = Path(settings.BASE_DIR) / "static"
# What ManifestStaticFilesStorage follows: CSS url(...) and source-map comments.
REFERENCE = re.compile(
    r"""url\(\s*['"]?(?!data:|#)([^'")?#]+)|sourceMappingURL=(\S+?)(?:\s|\*/|$)"""
)


def referenced_files() -> list[tuple[Path, Path]]:
    pairs = []
    for path in sorted(STATIC_SOURCE.rglob("*")):
        if path.suffix not in {".css", ".js"}:
            continue
        for match in REFERENCE.finditer(path.read_text(encoding="utf-8")):
            target = match.group(1) or match.group(2)
            pairs.append((path, path.parent / target))
    return pairs


def test_every_file_that_a_static_file_references_is_in_the_repository():
    missing = [
        f"{source.relative_to(STATIC_SOURCE)} -> {target.name}"
        for source, target in referenced_files()
        if not target.is_file()
    ]
    assert referenced_files(), "the scan found the vendored fonts at least"
    assert missing == []


def test_the_session_collected_every_file_the_layout_links_with_hashed_names():
    for name in ("vendor/bootstrap/bootstrap.min.css", "vendor/htmx/htmx.min.js", "css/hub.css"):
        hashed = staticfiles_storage.stored_name(name)
        assert hashed != name
        assert (Path(settings.STATIC_ROOT) / hashed).is_file()


def test_a_dangling_source_map_reference_fails_collectstatic(tmp_path, settings):
    source = tmp_path / "static"
    source.mkdir()
    (source / "vendor.min.js").write_text("var x=1;\n//# sourceMappingURL=vendor.min.js.map\n")
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "collected"
    with pytest.raises(ValueError, match=r"vendor\.min\.js\.map"):
        call_command("collectstatic", interactive=False, verbosity=0)
