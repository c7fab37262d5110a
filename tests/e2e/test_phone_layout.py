"""On a phone (390 x 844, #19): the case list, the centre form and the attendance
grid fit the screen — no horizontal scrolling of the page, every input fully
visible — and the trainer marks a whole session present with one tap."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from app.demo import seed_demo
from app.extensions import db

from ..conftest import PASSWORD
from .conftest import ARTIFACTS, sign_in

PHONE = {"width": 390, "height": 844}

FITS = """() => {
  const width = window.innerWidth;
  const cut = [];
  for (const el of document.querySelectorAll('main input, main select, main textarea, main .select2-container, main button')) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (el.type === 'hidden' || box.width === 0 || style.visibility === 'hidden') continue;
    if (el.classList.contains('select2-hidden-accessible')) continue;
    if (box.left < -1 || box.right > width + 1) cut.push((el.name || el.id || el.className) + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
  }
  return {scroll: document.documentElement.scrollWidth, width: width, cut: cut};
}"""


@pytest.fixture(scope="module")
def demo(live_app):
    with live_app.app_context():
        list(seed_demo(cases=20, password=PASSWORD, echo=lambda s: None))


@pytest.fixture()
def phone(browser, request):
    context = browser.new_context(locale="uk-UA", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def _check(page, name):
    page.wait_for_load_state("networkidle")
    os.makedirs(os.path.join(ARTIFACTS, "e2e", "phone"), exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, "e2e", "phone", f"{name}.png"), full_page=True)
    result = page.evaluate(FITS)
    assert result["scroll"] <= result["width"], f"{name}: the page scrolls sideways {result}"
    assert result["cut"] == [], f"{name}: inputs cut at the screen's edge {result['cut']}"


def test_case_list_fits_a_phone(phone, live_url, demo):
    sign_in(phone, live_url, "caseworker")
    phone.goto(f"{live_url}/caseview/list/")
    _check(phone, "case-list")
    # the rows are cards: each cell says which column it is
    first = phone.locator("table.portal-list tbody tr").first
    assert first.locator("td[data-label='Номер випадку']").count() == 1


def test_centre_form_fits_a_phone(phone, live_url, demo):
    sign_in(phone, live_url, "lviv")
    phone.goto(f"{live_url}/centreview/add")
    _check(phone, "centre-form")
    # labels above their fields
    label = phone.locator("label[for=name]").bounding_box()
    field = phone.locator("#name").bounding_box()
    assert label["y"] + label["height"] <= field["y"] + 1


def test_attendance_grid_fits_a_phone_and_marks_a_session_present(phone, live_url, live_app, demo):
    from app.training.models import Workshop, WorkshopStatus

    with live_app.app_context():
        workshop_id = db.session.scalar(
            select(Workshop.id)
            .where(
                Workshop.status == WorkshopStatus.running,
                Workshop.sessions.any(),
                Workshop.participants.any(),
            )
            .limit(1)
        )
    assert workshop_id is not None, "the demo has a running workshop with participants"
    sign_in(phone, live_url, "admin")
    phone.goto(f"{live_url}/workshopview/attendance/{workshop_id}")
    _check(phone, "attendance")
    button = phone.locator(".portal-mark-all").first
    session = button.get_attribute("data-session")
    button.tap()
    marks = phone.locator(f"form.training-attendance select[name$='-{session}']")
    assert marks.count() >= 1
    assert set(marks.evaluate_all("els => els.map(e => e.value)")) == {"present"}
    box = marks.first.bounding_box()
    assert box["height"] >= 44  # a tap target for a thumb
