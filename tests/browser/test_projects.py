"""Projects in Chromium: the list, creating one, importing a CSV and watching it finish."""

from __future__ import annotations

from playwright.sync_api import expect


def test_list_and_create_a_project(logged_in_page, live_server, synced_tool, screenshot):
    page = logged_in_page
    page.goto(f"{live_server.url}/projects/")
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    expect(page.get_by_test_id("project-table")).to_be_visible()
    expect(page.get_by_test_id("last-synced")).to_contain_text("Last synced")
    screenshot("projects-list")

    page.get_by_role("link", name="New project").click()
    expect(page.get_by_role("heading", name="New project")).to_be_visible()
    page.get_by_label("Name").fill("Browser launch")
    page.get_by_label("Description").fill("Made in Chromium")
    page.get_by_label("Workspace").select_option(label="Workspace 2")
    page.get_by_label("Owner").select_option(index=1)
    page.get_by_label("Start date").fill("2026-04-01")
    page.get_by_label("End date").fill("2026-03-01")
    page.get_by_label("Status").select_option("Active")
    page.get_by_label("Priority").select_option("High")
    page.get_by_label("Tags").fill("browser, demo")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_text("The end date must be on or after the start date.")).to_be_visible()
    screenshot("projects-form-error")

    page.get_by_label("End date").fill("2026-06-30")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_text("Project created in Project tool.")).to_be_visible()
    expect(page.get_by_role("heading", name="Browser launch")).to_be_visible()
    expect(page.get_by_test_id("project-description")).to_have_text("Made in Chromium")
    screenshot("projects-detail")


def test_import_a_csv_and_watch_it_finish(
    logged_in_page, live_server, synced_tool, task_worker, screenshot
):
    page = logged_in_page
    rows = ["name,workspace,owner,start_date,end_date,status,priority,tags"]
    rows += [
        f"Imported in browser {n},Workspace 1,2,2026-01-01,2026-02-01,Active,Low,csv"
        for n in range(120)
    ]
    rows += ["Bad date,Workspace 1,,2026-02-30,,,,", '"=SUM(A1)",Workspace 1,,,,,,']
    page.goto(f"{live_server.url}/projects/import/")
    expect(page.get_by_test_id("import-columns")).to_contain_text("priority")
    screenshot("projects-import-upload")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "projects.csv", "mimeType": "text/csv", "buffer": "\n".join(rows).encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("120 ready")
    expect(page.get_by_test_id("import-summary")).to_contain_text("2 with problems")
    screenshot("projects-import-preview")

    page.get_by_test_id("import-submit").click()
    expect(page.get_by_text("Import finished")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("import-counts")).to_contain_text(
        "120 created · 0 failed · 0 waiting"
    )
    expect(page.get_by_test_id("import-percent")).to_have_text("100%")
    # hub.js sizes the bar from data-progress (the CSP refuses style attributes).
    expect(page.get_by_test_id("import-percent")).to_have_attribute("style", "width: 100%;")
    expect(page.locator("[data-row='2']").get_by_text("Created")).to_be_visible()
    screenshot("projects-import-done")


def test_a_thousand_row_import_on_a_phone(logged_in_page, live_server, synced_tool, screenshot):
    """Its table scrolls sideways from the keyboard too (axe: a scrolling region without a
    link inside must take the focus itself), and its counts read with thousands separators."""
    page = logged_in_page
    page.set_viewport_size({"width": 390, "height": 844})
    rows = ["name,workspace,owner,start_date,end_date,status,priority,tags"]
    rows += [f"Phone import {n},Workspace 1,2,2026-01-01,,Active,Low," for n in range(1000)]
    page.goto(f"{live_server.url}/projects/import/")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "projects.csv", "mimeType": "text/csv", "buffer": "\n".join(rows).encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("1,000 ready")
    table = page.get_by_role("region", name="The file's rows")
    table.focus()
    page.keyboard.press("ArrowRight")
    # Chromium may scroll smoothly: wait for the move instead of reading it at once.
    page.wait_for_function("region => region.scrollLeft > 0", arg=table.element_handle())
    expect(page.get_by_role("link", name="Every row")).to_have_attribute("aria-current", "page")
    screenshot("projects-import-preview-phone")

    page.get_by_test_id("import-submit").click()
    counts = page.get_by_test_id("import-counts")
    expect(counts).to_have_text("0 created · 0 failed · 1,000 waiting")
