"""Where the user lands (issue #18): create and edit -> the record's page; a
child record -> the parent's page on that child's tab; delete of a child ->
the parent's page. FAB used its page history, which sent users to the home
page, a list or the edit form."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from app.cases.models import Case, CaseStatus, Contact
from app.extensions import db
from app.geography.models import Hromada
from app.providers.demo import demo_edrpou
from app.providers.models import Provider, Specialist
from app.training.models import TrainingSession, Workshop, WorkshopStatus

from .conftest import login
from .test_rule_parity import form_values, world  # noqa: F401  (seeded module world)


def _client(app, username="admin"):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _path(response) -> str:
    assert response.status_code == 302, response.status_code
    return re.sub(r"^https?://[^/]+", "", response.headers["Location"])


def _post_form(client, url, **changes):
    values = form_values(client.get(url).text)
    values.update({k: [v] for k, v in changes.items()})
    return client.post(url, data=values)


def test_create_and_edit_land_on_the_record(world):
    client = _client(world)
    with world.app_context():
        oblast = db.session.scalar(sa.select(Hromada.oblast_id).limit(1))
    edrpou = demo_edrpou(8765)
    created = client.post(
        "/providerview/add",
        data={"name": "ГО «Нова опора»", "kind": "ngo", "edrpou": edrpou, "oblast": str(oblast)},
    )
    with world.app_context():
        pk = db.session.scalar(sa.select(Provider.id).where(Provider.edrpou == edrpou))
    assert pk is not None and _path(created) == f"/providerview/show/{pk}"
    edited = _post_form(client, f"/providerview/edit/{pk}", head_name="Оксана Нова")
    assert _path(edited) == f"/providerview/show/{pk}"
    page = client.get(f"/providerview/show/{pk}")
    assert "Оксана Нова" in page.text and "Зміни збережено" in page.text
    specialist = client.post(
        "/specialistview/add",
        data={"provider": str(pk), "full_name": "Ірина Фахова", "active": "y"},
    )
    with world.app_context():
        sid = db.session.scalar(
            sa.select(Specialist.id).where(Specialist.full_name == "Ірина Фахова")
        )
    assert _path(specialist) == f"/specialistview/show/{sid}"


def test_a_case_record_lands_on_the_case_tab(world):
    client = _client(world)
    with world.app_context():
        case_id = db.session.scalar(
            sa.select(Case.id).where(Case.status == CaseStatus.active).order_by(Case.id).limit(1)
        )
    added = client.post(
        "/contactview/add",
        data={
            "case": str(case_id),
            "contact_on": dt.date.today().strftime("%d.%m.%Y"),
            "form": "visit",
            "summary": "Зустріч удома",
        },
    )
    assert _path(added) == f"/caseview/show/{case_id}#ContactView"
    with world.app_context():
        contact = db.session.scalar(
            sa.select(Contact.id).where(
                Contact.case_id == case_id, Contact.summary == "Зустріч удома"
            )
        )
    edited = _post_form(client, f"/contactview/edit/{contact}", summary="Зустріч у центрі")
    assert _path(edited) == f"/caseview/show/{case_id}#ContactView"
    deleted = client.post(f"/contactview/delete/{contact}")
    assert _path(deleted) == f"/caseview/show/{case_id}#ContactView"


def test_a_workshop_session_lands_on_the_workshop(world):
    client = _client(world)
    with world.app_context():
        workshop = db.session.scalar(
            sa.select(Workshop)
            .where(Workshop.status == WorkshopStatus.planned)
            .order_by(Workshop.id)
            .limit(1)
        )
        wid, day = workshop.id, workshop.start_date
    added = client.post(
        "/trainingsessionview/add",
        data={
            "workshop": str(wid),
            "day": day.strftime("%d.%m.%Y"),
            "hours": "2",
            "topic": "Самодопомога",
        },
    )
    assert _path(added) == f"/workshopview/show/{wid}"
    with world.app_context():
        sid = db.session.scalar(
            sa.select(TrainingSession.id).where(
                TrainingSession.workshop_id == wid, TrainingSession.topic == "Самодопомога"
            )
        )
    assert (
        _path(_post_form(client, f"/trainingsessionview/edit/{sid}", hours="3"))
        == f"/workshopview/show/{wid}"
    )


def test_a_record_page_reads_in_ukrainian_not_python(world):
    """Flags read Так/Ні and nothing reads «—» (pages printed True and None)."""
    client = _client(world)
    with world.app_context():
        provider = db.session.scalar(sa.select(Provider.id).limit(1))
        item = Specialist(provider_id=provider, full_name="Марта Порожня", active=True)
        db.session.add(item)
        db.session.commit()
        pk = item.id
    page = client.get(f"/specialistview/show/{pk}")
    cells = [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", page.text, flags=re.S)
    ]
    assert "Так" in cells and "—" in cells, cells
    assert not {"True", "False", "None"} & set(cells), cells


def test_edit_is_offered_where_the_user_may_edit_this_record(world):
    from app.providers.models import ProviderStatus

    admin, auditor = _client(world), _client(world, "auditor")
    with world.app_context():
        open_case = db.session.scalar(
            sa.select(Case.id).where(Case.status == CaseStatus.active).limit(1)
        )
        closed_case = db.session.scalar(
            sa.select(Case.id).where(Case.status == CaseStatus.closed).limit(1)
        )
        provider = db.session.scalar(
            sa.select(Provider.id).where(Provider.status == ProviderStatus.approved).limit(1)
        )
    assert (
        f'href="/providerview/edit/{provider}"' in admin.get(f"/providerview/show/{provider}").text
    )
    assert f'href="/caseview/edit/{open_case}"' in admin.get(f"/caseview/show/{open_case}").text
    assert "/caseview/edit/" not in admin.get(f"/caseview/show/{closed_case}").text
    assert "/providerview/edit/" not in auditor.get(f"/providerview/show/{provider}").text


def test_the_case_page_says_whose_case_it_is(world):
    client = _client(world)
    with world.app_context():
        case = db.session.scalar(
            sa.select(Case).where(Case.assigned_worker_id.is_not(None)).limit(1)
        )
        expected = (
            case.number,
            case.beneficiary.full_name,
            str(case.provider),
            case.assigned_worker.get_full_name(),
            case.id,
        )
    page = client.get(f"/caseview/show/{expected[4]}").text
    header = re.search(r'<div class="portal-case-header">(.*?)</div>', page, re.S).group(1)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", header))
    for part in expected[:4]:
        assert str(part) in text, (part, text)


def test_irreversible_actions_say_what_cannot_be_undone(world):
    """Finishing or cancelling a workshop, completing or cancelling a round and
    archiving a provider are styled as dangerous and ask to confirm, saying what
    happens (they looked like any other button)."""
    from app.providers.models import ProviderStatus
    from app.selection.models import RoundStatus, SelectionRound

    client = _client(world)
    with world.app_context():
        running = db.session.scalar(
            sa.select(Workshop.id).where(Workshop.status == WorkshopStatus.running).limit(1)
        )
        rnd = db.session.scalar(
            sa.select(SelectionRound.id)
            .where(SelectionRound.status == RoundStatus.evaluating)
            .limit(1)
        )
        provider = db.session.scalar(
            sa.select(Provider.id).where(Provider.status == ProviderStatus.approved).limit(1)
        )
    checks = [  # (page, action, words of the warning, also written beside the button)
        (f"/workshopview/show/{running}", "finish_action", "видає свідоцтва", False),
        (f"/workshopview/show/{running}", "cancel_action", "не можна відновити", False),
        (f"/selectionroundview/show/{rnd}", "complete", "змінювати не можна", True),
        (f"/providerview/show/{provider}", "archive", "не може відкривати випадки", True),
    ]
    for url, action, words, beside in checks:
        page = client.get(url).text
        form = re.search(r'<form[^>]*action="[^"]*/action/%s/[^"]*"[^>]*>' % action, page)
        assert form and "data-confirm=" in form.group(0) and words in form.group(0), (url, action)
        if beside:
            body = visible_text_of(re.sub(r"<form[^>]*>", "", page))
            assert words in body, (url, action)


def visible_text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
