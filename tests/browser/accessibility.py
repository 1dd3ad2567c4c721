"""axe-core in the browser tests: the page a person sees, checked for serious and critical
accessibility violations.

axe-core is vendored under tests/browser/vendor/axe-core/ (the npm package's `axe.min.js`
and its licences; the version is in the file's first line). It is evaluated through the
DevTools protocol rather than added as a `<script>` tag: the app's Content-Security-Policy
refuses inline scripts, and axe is a test tool, never served by the app.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# What a person is stopped by; "moderate" and "minor" are reported by axe, not failed here.
FAILING_IMPACTS = ("serious", "critical")

# One axe run per document, kept on the window: the page fixture's check as a page loads and
# a test's own call share it; `again` runs axe anew (after the page changed in place) once
# any run under way has finished (axe refuses to run twice at once).
# `preload: false`: axe would parse imported style sheets in <style> elements, which the
# CSP refuses; the one rule reading them (css-orientation-lock) has nothing to find in
# Bootstrap and hub.css.
RUN = """async ({impacts, again}) => {
    if (typeof axe === "undefined") {
        return null;
    }
    if (again || !window.hubAxeRun) {
        const previous = window.hubAxeRun || Promise.resolve();
        window.hubAxeRun = previous.catch(() => null).then(() =>
            axe.run(document, {resultTypes: ["violations"], preload: false}));
    }
    const results = await window.hubAxeRun;
    return results.violations
        .filter((violation) => impacts.includes(violation.impact))
        .map((violation) => ({
            id: violation.id,
            impact: violation.impact,
            help: violation.help,
            nodes: violation.nodes.slice(0, 5).map((node) => ({
                target: node.target.join(" "),
                summary: node.failureSummary,
            })),
        }));
}"""


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page, *, again: bool = False) -> list[dict]:
    """The serious and critical violations axe finds on the page's document (run once per
    document; `again` after the test changed the page without loading another). A document
    that is not HTML (/healthz's JSON, shown by Chromium) has none."""
    if page.evaluate("() => document.contentType") != "text/html":
        return []
    # RUN answers None when the page went on to another document after axe was put in:
    # axe goes into that one, once more; a page still moving on is checked by its own load.
    for _ in range(2):
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(axe_source())
        violations = page.evaluate(RUN, {"impacts": list(FAILING_IMPACTS), "again": again})
        if violations is not None:
            return violations
    return []


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']} ({violation['help']})")
        lines += [f"    {node['target']}: {node['summary']}" for node in violation["nodes"]]
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Fail with axe's findings (rule, element, why) when the page as it is now (after a
    click, a swapped fragment, a resized window) has a serious or critical violation."""
    violations = axe_violations(page, again=True)
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"
