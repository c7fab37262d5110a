"""Accessibility of every page type, for every role (#19): axe-core in Chromium.

axe-core is the npm package (``tests/a11y/package.json``, installed by ``.ci/run``
with ``npm ci``; never fetched at test time). Each role's pages are found by
crawling its own menu: every list, the first record's page, its edit form and the
add form. A critical or serious violation of a WCAG 2.x A/AA rule fails the test;
the counts per page (moderate and minor too) are printed and written to
``test-artifacts/a11y.json``.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter

import pytest

from app.demo import seed_demo

from ..conftest import PASSWORD
from .conftest import ARTIFACTS, sign_in

AXE = os.path.join(
    os.path.dirname(os.path.dirname(__file__)), "a11y", "node_modules", "axe-core", "axe.min.js"
)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ROLES = os.environ.get("A11Y_ROLES", "admin,ministry,lviv,trainer,caseworker,auditor").split(",")
FAILING = {"critical", "serious"}

pytestmark = pytest.mark.skipif(
    not os.path.exists(AXE), reason="axe-core is not installed (npm ci --prefix tests/a11y)"
)


@pytest.fixture(scope="module")
def demo(live_app):
    with live_app.app_context():
        list(seed_demo(cases=30, password=PASSWORD, echo=lambda s: None))


def _page_type(path: str) -> str:
    """/centreview/show/12 → /centreview/show/<id>."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    return re.sub(r"/\d+(?=/|$)", "/<id>", path)


def _menu_pages(page, live_url) -> list[str]:
    links = page.eval_on_selector_all(
        ".navbar a[href^='/']", "els => els.map(e => e.getAttribute('href'))"
    )
    skip = ("/logout", "/lang/", "/login", "#")
    return sorted({href for href in links if href and not href.startswith(skip)})


def _record_pages(page, live_url, list_path) -> list[str]:
    """The first row's page and edit form, and the add form, of a list."""
    found = page.eval_on_selector_all(
        "table a[href*='/show/'], table a[href*='/edit/'], a[href$='/add']",
        "els => els.map(e => e.getAttribute('href'))",
    )
    wanted, seen = [], set()
    for href in found:
        kind = _page_type(href)
        if kind not in seen and href.startswith("/"):
            seen.add(kind)
            wanted.append(href)
    return wanted


def _axe(page) -> list[dict]:
    page.add_script_tag(path=AXE)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        TAGS,
    )
    return result["violations"]


def _crawl(browser, live_url, role, locale, seen_types, report, failures, rules, records=True):
    """Visit the role's home, its menu's lists and (``records``) the first record's
    page and forms of each list; run axe on each page type not seen yet."""
    # bypass_csp: axe is injected as a script tag (the portal allows no inline script)
    context = browser.new_context(
        locale=locale, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    sign_in(page, live_url, role)
    if not locale.startswith("uk"):
        page.goto(f"{live_url}/lang/en")
    queue = ["/", *_menu_pages(page, live_url)]
    while queue:
        path = queue.pop(0)
        kind = _page_type(path)
        if kind in seen_types and kind != "/":
            continue
        seen_types.add(kind)
        response = page.goto(live_url + path)
        if (
            response is None
            or response.status != 200
            or "text/html" not in (response.headers.get("content-type") or "")
        ):
            continue
        page.wait_for_load_state("networkidle")
        if records and path.rstrip("/").endswith("/list"):
            queue.extend(_record_pages(page, live_url, path))
        counts = Counter()
        for violation in _axe(page):
            impact = violation.get("impact") or "minor"
            counts[impact] += len(violation["nodes"])
            rules[f"{violation['id']} ({impact})"] += len(violation["nodes"])
            if impact in FAILING:
                failures.append(
                    f"{role} {locale} {kind}: {violation['id']} ({impact}, "
                    f"{len(violation['nodes'])}): "
                    f"{[n['target'] for n in violation['nodes'][:6]]}"
                )
        report[f"{role} {locale} {kind}"] = dict(counts)
    context.close()


@pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="markup does not depend on the database: checked on the SQLite run",
)
def test_no_critical_or_serious_violation_on_any_page_type(browser, live_url, demo):
    """Every page type as the administrator (who reaches them all), then each role's
    own pages that the administrator's crawl did not cover, and every role's home
    page; the lists again in English."""
    report, failures, rules = {}, [], Counter()
    seen: set = set()
    for role in ROLES:
        _crawl(browser, live_url, role, "uk-UA", seen, report, failures, rules)
    _crawl(browser, live_url, "admin", "en-GB", set(), report, failures, rules, records=False)
    os.makedirs(ARTIFACTS, exist_ok=True)
    with open(os.path.join(ARTIFACTS, "a11y.json"), "w", encoding="utf-8") as fh:
        json.dump(
            {"pages": report, "rules": dict(rules.most_common()), "failures": failures},
            fh,
            ensure_ascii=False,
            indent=1,
            sort_keys=True,
        )
    totals = Counter()
    for counts in report.values():
        totals.update(counts)
    print(f"axe: {len(report)} pages (role x page type); violating elements: {dict(totals)}")
    print(f"axe: by rule: {dict(rules.most_common())}")
    for key in sorted(report):
        print(f"  {key}: {report[key]}")
    assert len(report) >= 100, len(report)  # a crawl that reaches little proves little
    assert failures == [], "\n".join(failures[:80])
