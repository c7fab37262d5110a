"""Signing in, in Ukrainian, in a real browser, with CSRF and CSP on."""

from .conftest import sign_in


def test_sign_in_shows_ukrainian_home(page, live_url):
    page.goto(f"{live_url}/login/")
    assert page.locator("html").get_attribute("lang") == "uk"
    assert page.locator("input[type=submit], button[type=submit]").count() == 1
    sign_in(page, live_url, "ministry")
    body = page.inner_text("body")
    assert "Ваші ролі: Працівник міністерства" in body
    assert "Довідники" in body and "Реєстри" in body
    assert page.locator("a[href='/logout/']").count() == 1
    assert page.console_errors == [], "no CSP violations or script errors"


def test_wrong_password_stays_on_login_with_ukrainian_message(page, live_url):
    sign_in(page, live_url, "ministry", "not-the-password-1")
    assert "/login" in page.url
    assert "Невірний вхід" in page.inner_text("body") or "Неправильн" in page.inner_text("body")


def test_hromada_search_and_date_picker_work(page, live_url):
    sign_in(page, live_url, "lviv")
    page.goto(f"{live_url}/providerview/add")
    assert page.console_errors == []
    # The AJAX picker searches the server and lists only the user's oblast.
    page.click("#hromada + .select2 .select2-selection")
    page.fill(".select2-search__field", "Жовк")
    option = page.locator(".select2-results__option", has_text="Жовківська")
    option.first.wait_for(timeout=5000)
    assert "Львівська область" in option.first.inner_text()
    assert page.locator(".select2-results__option").count() == 1
    # The oblast dropdown offers only the user's own oblast.
    oblast_options = page.locator("select#oblast option").all_inner_texts()
    assert [o for o in oblast_options if o.strip()] == ["Львівська область"]
