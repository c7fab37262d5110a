"""Provider registry and specialists: scope on every path, forms, lists, labels."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.demo import IVANO_FRANKIVSK, LVIV, oblast_id
from app.extensions import db
from app.providers.demo import demo_edrpou
from app.providers.models import Provider, ProviderKind, ProviderStatus, Specialist
from app.security.models import PortalUser

from .conftest import count_queries, jwt_headers, visible_text

FRANK_NAME = "Івано-Франківський фонд «Смерека»"
FRANK_EDRPOU = demo_edrpou(900)
LVIV_NAME = "Львівська громадська організація «Лев»"
OWN_NAME = "Надавач фахівця «Власний»"
FRANK_SPECIALIST = "Гуцул Оксана Петрівна"
LVIV_SPECIALIST = "Франко Іван Якович"
IDS: dict = {}


@pytest.fixture(scope="module", autouse=True)
def data(app):
    with app.app_context():
        lviv, frank = oblast_id(db.session, LVIV), oblast_id(db.session, IVANO_FRANKIVSK)
        providers = {
            "frank": Provider(
                name=FRANK_NAME,
                kind=ProviderKind.charity,
                edrpou=FRANK_EDRPOU,
                oblast_id=frank,
                status=ProviderStatus.draft,
            ),
            "lviv": Provider(
                name=LVIV_NAME,
                kind=ProviderKind.ngo,
                edrpou=demo_edrpou(901),
                oblast_id=lviv,
                status=ProviderStatus.draft,
            ),
            "own": Provider(
                name=OWN_NAME,
                kind=ProviderKind.ngo,
                edrpou=demo_edrpou(902),
                oblast_id=lviv,
                status=ProviderStatus.approved,
            ),
        }
        # Enough rows for the page-size statement-count test.
        for n in range(60):
            db.session.add(
                Provider(
                    name=f"Надавач для списку {n:02d}",
                    kind=ProviderKind.other,
                    edrpou=demo_edrpou(1000 + n),
                    oblast_id=lviv if n % 2 else frank,
                    hromada_id=None,
                    status=ProviderStatus.approved,
                )
            )
        db.session.add_all(providers.values())
        db.session.flush()
        db.session.add(
            Specialist(
                provider_id=providers["frank"].id, full_name=FRANK_SPECIALIST, position="Психолог"
            )
        )
        db.session.add(
            Specialist(
                provider_id=providers["own"].id, full_name=LVIV_SPECIALIST, position="Кейс-менеджер"
            )
        )
        for pid in db.session.scalars(sa.select(Provider.id).limit(60)):
            db.session.add(Specialist(provider_id=pid, full_name=f"Фахівець {pid}"))
        db.session.flush()
        IDS.update({k: v.id for k, v in providers.items()})
        IDS["frank_spec"] = db.session.scalar(
            sa.select(Specialist.id).where(Specialist.full_name == FRANK_SPECIALIST)
        )
        IDS["lviv_spec"] = db.session.scalar(
            sa.select(Specialist.id).where(Specialist.full_name == LVIV_SPECIALIST)
        )
        db.session.scalar(
            sa.select(PortalUser).where(PortalUser.username == "caseworker")
        ).provider_id = IDS["own"]
        db.session.commit()


def provider(pk):
    db.session.expire_all()
    return db.session.get(Provider, pk)


def snapshot(app, pk):
    with app.app_context():
        p = provider(pk)
        return (p.name, p.status, p.version)


# --- providers: every path refuses the other oblast ---------------------------------------


def test_list_shows_own_oblast_only(app, client_as):
    text = visible_text(client_as("lviv").get("/providerview/list/?psize_ProviderView=100").text)
    assert LVIV_NAME in text and FRANK_NAME not in text
    text = visible_text(
        client_as("frankivsk").get("/providerview/list/?psize_ProviderView=100").text
    )
    assert FRANK_NAME in text and LVIV_NAME not in text
    text = visible_text(
        client_as("ministry").get("/providerview/list/?psize_ProviderView=100&_flt_0_name=«").text
    )
    assert FRANK_NAME in text and LVIV_NAME in text


def test_out_of_scope_provider_on_every_browser_path(app, client_as):
    pk, before = IDS["frank"], snapshot(app, IDS["frank"])
    client = client_as("lviv")
    assert client.get(f"/providerview/show/{pk}").status_code == 404
    assert client.get(f"/providerview/edit/{pk}").status_code == 404
    r = client.post(
        f"/providerview/edit/{pk}",
        data={
            "name": "Захоплено",
            "kind": "ngo",
            "edrpou": FRANK_EDRPOU,
            "oblast": str(IDS.get("lviv_oblast", 1)),
        },
    )
    assert r.status_code == 404
    assert client.post(f"/providerview/delete/{pk}").status_code == 404
    assert client.post(f"/providerview/action/submit/{pk}").status_code == 404
    r = client.post(
        "/providerview/action_post", data={"action": "submit", "rowid": [IDS["lviv"], pk]}
    )
    assert r.status_code == 404
    assert snapshot(app, pk) == before
    assert snapshot(app, IDS["lviv"])[1] == ProviderStatus.draft  # bulk is all-or-nothing
    for fmt in ("csv", "xlsx"):
        r = client.get(f"/providerview/export/{fmt}")
        assert r.status_code == 200
        body = r.data.decode("utf-8-sig") if fmt == "csv" else _xlsx_text(r.data)
        assert LVIV_NAME in body and FRANK_NAME not in body and FRANK_EDRPOU not in body
    r = client.get("/lookup/provider?q=Смерека")
    assert r.status_code == 200 and r.json["results"] == []


def _xlsx_text(data: bytes) -> str:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return "\n".join(
        ";".join("" if v is None else str(v) for v in row)
        for row in sheet.iter_rows(values_only=True)
    )


def test_out_of_scope_provider_on_every_api_path(app):
    pk, before = IDS["frank"], snapshot(app, IDS["frank"])
    client = app.test_client()
    headers = jwt_headers(client, "lviv")
    assert client.get(f"/api/v1/provider/{pk}", headers=headers).status_code == 404
    listing = client.get("/api/v1/provider/?q=(page_size:100)", headers=headers).json
    assert FRANK_NAME not in str(listing) and LVIV_NAME in str(listing)
    r = client.put(f"/api/v1/provider/{pk}", headers=headers, json={"name": "Захоплено"})
    assert r.status_code == 404
    assert client.delete(f"/api/v1/provider/{pk}", headers=headers).status_code in (403, 404)
    for name in ("submit", "approve"):
        r = client.post(f"/api/v1/provider/{pk}/{name}", headers=headers, json={})
        assert r.status_code in (403, 404) and FRANK_NAME not in r.text
    assert client.post(f"/api/v1/provider/{pk}/submit", headers=headers).status_code == 404
    assert client.get(f"/api/v1/provider/{pk}/history", headers=headers).status_code == 404
    assert snapshot(app, pk) == before


def test_regional_admin_cannot_move_provider_to_another_oblast(app, client_as):
    with app.app_context():
        frank = oblast_id(db.session, IVANO_FRANKIVSK)
        p = provider(IDS["lviv"])
        data = {
            "name": p.name,
            "kind": "ngo",
            "edrpou": p.edrpou,
            "oblast": str(frank),
            "version": str(p.version),
        }
    r = client_as("lviv").post(f"/providerview/edit/{IDS['lviv']}", data=data)
    assert r.status_code == 200
    assert snapshot(app, IDS["lviv"])[0] == LVIV_NAME
    with app.app_context():
        assert provider(IDS["lviv"]).oblast_id == oblast_id(db.session, LVIV)


def test_caseworker_sees_own_provider_only(app, client_as):
    client = client_as("caseworker")
    text = visible_text(client.get("/providerview/list/").text)
    assert OWN_NAME in text and LVIV_NAME not in text
    assert client.get(f"/providerview/show/{IDS['own']}").status_code == 200
    assert client.get(f"/providerview/show/{IDS['lviv']}").status_code == 404
    headers = jwt_headers(client, "caseworker")
    assert client.get("/api/v1/provider/", headers=headers).json["count"] == 1
    assert client.get("/providerview/add").status_code == 403
    assert client.get("/providerview/export/csv").status_code == 403


def test_read_only_roles_cannot_write(app, client_as):
    for username in ("trainer", "auditor"):
        client = client_as(username)
        assert client.get("/providerview/list/").status_code == 200
        assert client.get("/providerview/add").status_code == 403
        assert client.post(f"/providerview/delete/{IDS['lviv']}").status_code == 403
        assert client.post(f"/providerview/action/approve/{IDS['lviv']}").status_code == 403
    assert client_as("auditor").get("/specialistview/list/").status_code == 403


# --- specialists ------------------------------------------------------------------------------


def test_out_of_scope_specialist_on_every_path(app, client_as):
    pk = IDS["frank_spec"]
    client = client_as("lviv")
    text = visible_text(client.get("/specialistview/list/?psize_SpecialistView=100").text)
    assert LVIV_SPECIALIST in text and FRANK_SPECIALIST not in text
    assert client.get(f"/specialistview/show/{pk}").status_code == 404
    assert client.get(f"/specialistview/edit/{pk}").status_code == 404
    r = client.post(
        f"/specialistview/edit/{pk}", data={"full_name": "Захоплено", "provider": str(IDS["lviv"])}
    )
    assert r.status_code == 404
    assert client.post(f"/specialistview/delete/{pk}").status_code == 404
    csv = client.get("/specialistview/export/csv").data.decode("utf-8-sig")
    assert LVIV_SPECIALIST in csv and FRANK_SPECIALIST not in csv
    headers = jwt_headers(client, "lviv")
    assert client.get(f"/api/v1/specialist/{pk}", headers=headers).status_code == 404
    assert (
        client.put(
            f"/api/v1/specialist/{pk}", headers=headers, json={"full_name": "Захоплено"}
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/specialist/{pk}", headers=headers).status_code == 404
    assert (
        FRANK_SPECIALIST
        not in client.get("/api/v1/specialist/?q=(page_size:100)", headers=headers).text
    )
    with app.app_context():
        assert db.session.get(Specialist, pk).full_name == FRANK_SPECIALIST


def test_specialist_cannot_be_added_to_a_provider_out_of_scope(app, client_as):
    client = client_as("lviv")
    r = client.post(
        "/specialistview/add",
        data={"provider": str(IDS["frank"]), "full_name": "Підкинутий фахівець"},
    )
    assert r.status_code == 200
    assert "Оберіть значення зі списку" in visible_text(r.text)
    r = client.post(
        "/specialistview/add",
        data={
            "provider": str(IDS["lviv"]),
            "full_name": "Новий фахівець Львова",
            "phone": "067 123 45 67",
            "active": "y",
        },
    )
    assert r.status_code == 302
    with app.app_context():
        spec = db.session.scalar(
            sa.select(Specialist).where(Specialist.full_name == "Новий фахівець Львова")
        )
        assert spec.provider_id == IDS["lviv"] and spec.phone == "+380671234567"


def test_caseworker_manages_own_specialists(app, client_as):
    client = client_as("caseworker")
    text = visible_text(client.get("/specialistview/list/").text)
    assert LVIV_SPECIALIST in text and FRANK_SPECIALIST not in text
    assert client.get(f"/specialistview/show/{IDS['frank_spec']}").status_code == 404
    r = client.post(
        "/specialistview/add", data={"provider": str(IDS["lviv"]), "full_name": "Чужий фахівець"}
    )
    assert "Оберіть значення зі списку" in visible_text(r.text)


# --- forms ------------------------------------------------------------------------------------


def test_bad_fields_give_ukrainian_errors_and_keep_input(app, client_as):
    with app.app_context():
        lviv = oblast_id(db.session, LVIV)
    client = client_as("lviv")
    r = client.post(
        "/providerview/add",
        data={
            "name": "Організація з помилками",
            "kind": "ngo",
            "edrpou": "12345670",
            "oblast": str(lviv),
            "phone": "12-34",
            "email": "не-пошта",
        },
    )
    assert r.status_code == 200
    text = visible_text(r.text)
    assert "контрольна цифра не збігається" in text
    assert "«12-34»" in text and "+380671234567" in text  # the one phone parser's message
    assert "правильну адресу електронної пошти" in text
    assert 'value="Організація з помилками"' in r.text and 'value="12-34"' in r.text
    r = client.post(
        "/providerview/add",
        data={"name": "Дублікат", "kind": "ngo", "edrpou": FRANK_EDRPOU, "oblast": str(lviv)},
    )
    assert "Надавача з таким кодом ЄДРПОУ вже зареєстровано" in visible_text(r.text)
    r = client.post(
        "/providerview/add",
        data={"name": "Короткий код", "kind": "ngo", "edrpou": "123", "oblast": str(lviv)},
    )
    assert "має складатися з 8 цифр" in visible_text(r.text)
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Provider)
                .where(Provider.name.in_(["Організація з помилками", "Дублікат", "Короткий код"]))
            )
            == 0
        )


def test_valid_provider_is_created_as_draft(app, client_as):
    with app.app_context():
        lviv = oblast_id(db.session, LVIV)
    r = client_as("lviv").post(
        "/providerview/add",
        data={
            "name": "Нова громадська організація",
            "kind": "ngo",
            "edrpou": demo_edrpou(950),
            "oblast": str(lviv),
            "phone": "0671112233",
            "email": "new@example.org",
        },
    )
    assert r.status_code == 302
    with app.app_context():
        p = db.session.scalar(
            sa.select(Provider).where(Provider.name == "Нова громадська організація")
        )
        assert p.status == ProviderStatus.draft and p.phone == "+380671112233"


def test_regional_admin_cannot_create_in_other_oblast(app, client_as):
    with app.app_context():
        frank = oblast_id(db.session, IVANO_FRANKIVSK)
    r = client_as("lviv").post(
        "/providerview/add",
        data={
            "name": "Чужа організація",
            "kind": "ngo",
            "edrpou": demo_edrpou(951),
            "oblast": str(frank),
        },
    )
    assert r.status_code == 200
    with app.app_context():
        assert (
            db.session.scalar(sa.select(Provider.id).where(Provider.name == "Чужа організація"))
            is None
        )


def test_only_drafts_can_be_deleted(app, client_as):
    r = client_as("ministry").post(f"/providerview/delete/{IDS['own']}", follow_redirects=True)
    assert "лише надавача у статусі «Чернетка»" in visible_text(r.text)
    with app.app_context():
        assert provider(IDS["own"]) is not None


# --- lists: labels and statement counts -------------------------------------------------------


def test_ukrainian_labels(app, client_as):
    client = client_as("ministry")
    text = visible_text(client.get("/providerview/list/").text)
    for label in ("Надавачі соціальних послуг", "Код ЄДРПОУ", "Статус", "Фахівці"):
        assert label in text
    text = visible_text(client.get("/providerview/add").text)
    for label in (
        "Повна назва",
        "Організаційна форма",
        "Територіальна громада",
        "Електронна пошта",
    ):
        assert label in text
    text = visible_text(client.get("/specialistview/list/").text)
    for label in ("Фахівці надавачів соціальних послуг", "Посада"):
        assert label in text
    text = visible_text(client_as("lviv").get("/specialistview/add").text)
    for label in ("Прізвище, ім'я, по батькові", "Кваліфікація", "Працює зараз"):
        assert label in text


def test_relation_pickers_are_ajax(app, client_as):
    html = client_as("lviv").get("/specialistview/add").text
    assert 'data-lookup-url="/lookup/provider"' in html
    assert LVIV_NAME not in html  # no whole-table dropdown
    html = client_as("ministry").get("/providerview/add").text
    assert 'data-lookup-url="/lookup/hromada"' in html


@pytest.mark.parametrize(
    "view,url",
    [("ProviderView", "/providerview/list/"), ("SpecialistView", "/specialistview/list/")],
)
def test_list_statement_count_does_not_grow_with_page_size(app, client_as, view, url):
    client = client_as("ministry")
    client.get(url)  # warm up
    counts = []
    for size in (10, 50):
        with count_queries(app) as statements:
            r = client.get(f"{url}?psize_{view}={size}")
        assert r.status_code == 200
        counts.append(len(statements))
    assert counts[1] <= counts[0], counts


def _card(html: str, label: str) -> int:
    import re

    match = re.search(
        r'portal-card-number">(\d+)</div>\s*<div class="portal-card-label">'
        r"(?:<a [^>]*>)?" + re.escape(label),
        html,
    )
    assert match, label
    return int(match.group(1))


def test_home_cards_respect_scope(app, client_as):
    with app.app_context():

        def approved(oblast=None):
            stmt = (
                sa.select(sa.func.count())
                .select_from(Provider)
                .where(Provider.status == ProviderStatus.approved)
            )
            if oblast:
                stmt = stmt.where(Provider.oblast_id == oblast_id(db.session, oblast))
            return db.session.scalar(stmt)

        expected = {
            "frankivsk": approved(IVANO_FRANKIVSK),
            "lviv": approved(LVIV),
            "ministry": approved(),
        }
    assert expected["frankivsk"] < expected["ministry"]
    for username, value in expected.items():
        html = client_as(username).get("/").text
        assert _card(html, "Затверджені надавачі") == value, username
    # Approval is not a case worker's work: no provider cards on their home page.
    assert "Затверджені надавачі" not in client_as("caseworker").get("/").text


def test_api_create_validates_fields_and_scope(app):
    client = app.test_client()
    headers = jwt_headers(client, "lviv")
    with app.app_context():
        lviv, frank = oblast_id(db.session, LVIV), oblast_id(db.session, IVANO_FRANKIVSK)
    base = {"name": "Надавач з API", "kind": "ngo", "oblast": lviv}
    r = client.post("/api/v1/provider/", headers=headers, json={**base, "edrpou": "12345670"})
    assert r.status_code == 400 and "контрольна цифра" in r.json["message"]
    r = client.post(
        "/api/v1/provider/",
        headers=headers,
        json={**base, "edrpou": demo_edrpou(960), "phone": "123"},
    )
    assert r.status_code == 400 and "+380XXXXXXXXX" in r.json["message"]
    r = client.post(
        "/api/v1/provider/",
        headers=headers,
        json={**base, "edrpou": demo_edrpou(960), "email": "ні"},
    )
    assert r.status_code == 400 and "електронної пошти" in r.json["message"]
    r = client.post(
        "/api/v1/provider/",
        headers=headers,
        json={**base, "edrpou": demo_edrpou(960), "oblast": frank},
    )
    assert r.status_code == 403
    r = client.post(
        "/api/v1/provider/",
        headers=headers,
        json={**base, "edrpou": demo_edrpou(960), "phone": "067 000 11 22"},
    )
    assert r.status_code == 201, r.text
    r = client.post(
        "/api/v1/provider/",
        headers=headers,
        json={**base, "name": "Дублікат з API", "edrpou": demo_edrpou(960)},
    )
    assert r.status_code == 400
    assert "Надавача з таким кодом ЄДРПОУ вже зареєстровано" in r.json["message"]
    with app.app_context():
        created = db.session.scalars(
            sa.select(Provider).where(Provider.edrpou == demo_edrpou(960))
        ).all()
        assert [(p.name, p.status, p.phone, p.oblast_id) for p in created] == [
            ("Надавач з API", ProviderStatus.draft, "+380670001122", lviv)
        ]
