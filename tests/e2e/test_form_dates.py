"""A date typed or pasted into a date field is kept for the server to check (#19):
the picker no longer drops «31.02.2026» or a pasted date closed with Esc; the server
refuses an impossible date with a Ukrainian message and saves nothing."""

from __future__ import annotations

from .conftest import sign_in


def test_pasted_date_survives_escape_and_an_impossible_one_is_refused(page, live_url):
    sign_in(page, live_url, "lviv")
    page.goto(f"{live_url}/centreview/add")
    page.wait_for_load_state("networkidle")
    field = page.locator("#planned_open_on")
    field.click()
    field.fill("15.03.2027")
    page.keyboard.press("Escape")
    page.locator("label[for=name]").click()  # focus leaves the field
    assert field.input_value() == "15.03.2027"
    field.click()
    field.fill("31.02.2027")
    page.keyboard.press("Escape")
    page.locator("label[for=name]").click()
    assert field.input_value() == "31.02.2027"  # kept, not reverted
    page.fill("#name", "Центр з неможливою датою")
    # the server's answer is what is checked here (the browser would first ask for the
    # other required fields)
    page.evaluate("document.getElementById('model_form').noValidate = true")
    with page.expect_navigation():
        page.locator("form button[type=submit]", has_text="Зберегти").first.click()
    page.wait_for_load_state("networkidle")
    assert "/centreview/add" in page.url
    summary = page.locator(".portal-error-summary")
    assert summary.count() == 1
    assert "31.02.2027" in page.locator("#planned_open_on").input_value()
    text = summary.inner_text()
    assert "Запланована дата відкриття" in text
