"""Logging in through the real login form, in Chromium."""

from playwright.sync_api import expect


def test_login_shows_the_dashboard(logged_in_page, live_server, screenshot):
    page = logged_in_page
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator("[data-provider=Recruitee]")).to_be_visible()
    expect(page.locator("[data-provider=Affinity]")).to_be_visible()
    expect(page.locator("nav").get_by_role("link", name="Candidates")).to_be_visible()
    assert screenshot("dashboard").stat().st_size > 10_000


def test_wrong_password_shows_an_error(page, live_server, django_user_model):
    django_user_model.objects.create_user(username="carol", password="right-password-1")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "carol")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()


def test_anonymous_visitor_is_sent_to_login(page, live_server):
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")


def test_five_wrong_passwords_pause_logging_in_and_say_until_when(
    page, live_server, django_user_model, screenshot, browser_problems
):
    django_user_model.objects.create_user(username="dave", password="right-password-1")
    page.goto(f"{live_server.url}/accounts/login/")
    for _ in range(5):
        page.fill("input[name=username]", "dave")
        page.fill("input[name=password]", "wrong-password")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if page.get_by_test_id("locked-out").count():
            break
        expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    locked = page.get_by_test_id("locked-out")
    expect(locked).to_contain_text("Too many failed logins")
    expect(locked).to_contain_text("Try again in 15 minutes, after")
    screenshot("login-locked-out")
    page.get_by_role("link", name="Back to the login page").click()
    page.fill("input[name=username]", "dave")
    page.fill("input[name=password]", "right-password-1")
    page.click("button[type=submit]")
    expect(page.get_by_test_id("locked-out")).to_be_visible()  # even the right password
    # The paused login page answers 429 on purpose; Chromium logs each such answer.
    browser_problems[:] = [p for p in browser_problems if "status of 429" not in p]
