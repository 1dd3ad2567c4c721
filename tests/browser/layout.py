"""Layout checks shared by the browser tests: what a person sees cut off or spilling over."""

from __future__ import annotations

# Elements reaching past the right edge of the window, unless a scroll container (a
# .table-responsive) holds them: an absolutely placed one is held only when a positioned
# element inside the container (or the container) is what it is placed against.
OVERFLOWING = """() => {
    const width = window.innerWidth;
    const offenders = [];
    for (const element of document.body.querySelectorAll("*")) {
        const box = element.getBoundingClientRect();
        if (box.right <= width + 1) continue;
        const placed = ["absolute", "fixed"].includes(getComputedStyle(element).position);
        let parent = element.parentElement, positioned = false, held = false;
        while (parent && parent !== document.body) {
            const style = getComputedStyle(parent);
            positioned = positioned || style.position !== "static";
            if (["auto", "scroll", "hidden"].includes(style.overflowX)) {
                held = !placed || positioned;
                break;
            }
            parent = parent.parentElement;
        }
        if (!held) offenders.push(`${element.tagName.toLowerCase()}.${element.className}`);
    }
    return {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: width,
        offenders: offenders.slice(0, 5),
    };
}"""

# Selects that cannot show a choice in full: the text's width with the select's font, plus
# its padding (Bootstrap's arrow sits in the right padding), against the select's inner
# width; and the plain `scrollWidth > clientWidth` overflow. `every` option must fit on a
# laptop; on a phone the one chosen (a long name can be wider than the screen itself).
CLIPPED_SELECTS = """(every) => {
    const context = document.createElement("canvas").getContext("2d");
    const width = (text) => context.measureText(text).width;
    const clipped = [];
    for (const select of document.querySelectorAll("select")) {
        if (!select.offsetParent || select.multiple) continue;
        const style = getComputedStyle(select);
        context.font = style.font;
        const shown = every ? Array.from(select.options) : Array.from(select.selectedOptions);
        const text = shown.map((o) => o.text).reduce((a, b) => (width(a) >= width(b) ? a : b), "");
        const needed = context.measureText(text).width
            + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
        if (needed > select.clientWidth + 1 || select.scrollWidth > select.clientWidth) {
            const needs = `needs ${Math.ceil(needed)} px, has ${select.clientWidth}`;
            clipped.push(`${select.name}: "${text}" ${needs}`);
        }
    }
    return clipped;
}"""


# Empty text boxes whose placeholder (the hint of what to type) is cut off: typed in as
# the value for a moment, where the box scrolls its text when it is wider than the room
# left (a search box keeps room for its clear button).
CLIPPED_PLACEHOLDERS = """() => {
    const clipped = [];
    for (const input of document.querySelectorAll("input[placeholder]")) {
        if (!input.offsetParent || input.value) continue;
        input.value = input.placeholder;
        const [needed, has] = [input.scrollWidth, input.clientWidth];
        input.value = "";
        const text = `${input.name}: "${input.placeholder}"`;
        if (needed > has) clipped.push(`${text} needs ${needed} px, has ${has}`);
    }
    return clipped;
}"""


def layout_problems(page, *, every_option: bool) -> list[str]:
    """What does not fit the window: the page wider than it (and the elements past its
    edge), selects cutting off their chosen text (`every_option`: any of their options),
    text boxes cutting off their placeholder."""
    problems = []
    overflow = page.evaluate(OVERFLOWING)
    if overflow["scrollWidth"] > overflow["innerWidth"] or overflow["offenders"]:
        problems.append(
            f"{overflow['scrollWidth']} px wide in a {overflow['innerWidth']} px window: "
            f"{overflow['offenders']}"
        )
    problems += [
        f"cut-off select {select}" for select in page.evaluate(CLIPPED_SELECTS, every_option)
    ]
    problems += [f"cut-off placeholder {box}" for box in page.evaluate(CLIPPED_PLACEHOLDERS)]
    return problems
