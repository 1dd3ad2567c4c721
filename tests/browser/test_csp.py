"""The CSP holds in a real browser, and the page fixture reports what it refuses."""


def test_an_injected_inline_script_is_refused_and_reported(logged_in_page, browser_problems):
    page = logged_in_page
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.appendChild(script);
        }"""
    )
    page.wait_for_timeout(100)
    assert page.evaluate("() => window.injected") is None
    assert any("Content Security Policy" in problem for problem in browser_problems)
    browser_problems.clear()  # seen; the fixture would fail the test on it otherwise


def test_the_layouts_scripts_run_under_the_csp(logged_in_page):
    page = logged_in_page
    assert page.evaluate("() => typeof htmx.onLoad") == "function"
    assert page.evaluate("() => htmx.config.allowEval") is False
    page.click("[data-testid=user-menu]")  # Bootstrap's script opens the user menu
    assert page.locator(".dropdown-menu.show").is_visible()
