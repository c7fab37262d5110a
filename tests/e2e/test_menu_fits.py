"""The menu fits one row at 1280 px for every role (#19): the registers grouped,
personal pages (sessions, jobs) under the user's own menu."""

from __future__ import annotations

import pytest

from .conftest import sign_in

ROLES = ["admin", "ministry", "lviv", "trainer", "caseworker", "auditor", "provider"]

ROWS = """() => {
  const tops = new Set();
  for (const li of document.querySelectorAll('nav .navbar-nav > li')) {
    const box = li.getBoundingClientRect();
    if (box.width > 0) tops.add(Math.round(box.top));
  }
  return {rows: tops.size, items: [...document.querySelectorAll('nav .navbar-nav > li')].map(li => li.innerText.trim())};
}"""


@pytest.mark.parametrize("role", ROLES)
def test_menu_fits_one_row_at_1280(browser, live_url, role):
    context = browser.new_context(locale="uk-UA", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, live_url, role)
    result = page.evaluate(ROWS)
    context.close()
    assert result["rows"] == 1, result
