"""XLSX/CSV import of centres: all or nothing, per-row Ukrainian errors, idempotent.

The import runs as a background job (app.jobs); here jobs run eagerly inside the
upload request (JOBS_EAGER), so the upload redirects to the finished job's page,
which carries the report. tests/test_jobs.py runs imports in a real worker thread.
"""

from __future__ import annotations

import html
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.centers.importer import COLUMNS, MAX_ROWS
from app.centers.models import CentreStatus, ResilienceCentre
from app.demo import IVANO_FRANKIVSK, LVIV
from app.extensions import db
from app.providers.models import ProviderStatus

from .conftest import running_app, visible_text
from .test_centers_fixtures import (
    EDRPOU_DRAFT,
    EDRPOU_IF,
    EDRPOU_LVIV,
    EDRPOU_UNKNOWN,
    first_hromada,
    provider,
)

HEADERS = [c.header for c in COLUMNS]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with running_app(
        tmp_path_factory, JOBS_EAGER=True, JOBS_FOLDER=str(tmp_path_factory.mktemp("jobs"))
    ) as app:
        yield app


@pytest.fixture(scope="module")
def geo(app):
    with app.app_context():
        provider(EDRPOU_LVIV, LVIV, name="ГО «Опора Львів»")
        provider(EDRPOU_IF, IVANO_FRANKIVSK, name="БФ «Карпати разом»")
        provider(EDRPOU_DRAFT, LVIV, status=ProviderStatus.draft)
        db.session.commit()
        h1, h2 = first_hromada(LVIV, 0), first_hromada(LVIV, 1)
        h_if = first_hromada(IVANO_FRANKIVSK, 0)
        return {"h1": h1.code, "h2_name": h2.name, "h2_id": h2.id, "h_if": h_if.code}


def row(**values):
    base = {
        "name": "Центр",
        "address": "вул. Шевченка, 1",
        "provider_edrpou": EDRPOU_LVIV,
        "status": "працює",
        "psychologists": "2",
        "social_workers": "1",
    }
    base.update(values)
    return [base.get(c.key, "") for c in COLUMNS]


def xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows) -> bytes:
    lines = [";".join(HEADERS)] + [";".join(str(v) for v in r) for r in rows]
    return ("\ufeff" + "\n".join(lines)).encode("utf-8")


def page_text(response) -> str:
    return html.unescape(visible_text(response.text))


def upload(client, data, name="centres.xlsx"):
    """Upload, then follow to the job's page (the job ran eagerly in the request)."""
    return client.post(
        "/centres/import/",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def count(app, **where):
    with app.app_context():
        stmt = select(func.count(ResilienceCentre.id))
        for key, value in where.items():
            stmt = stmt.where(getattr(ResilienceCentre, key) == value)
        return db.session.scalar(stmt)


def good_rows(geo):
    flags = {
        k: "так"
        for k in (
            "acc_entrance",
            "acc_toilet",
            "acc_parking",
            "acc_tactile",
            "acc_visual",
            "acc_hearing_loop",
        )
    }
    return [
        row(
            external_code="LV-IMP-1",
            name="Імпортований центр 1",
            hromada=geo["h1"],
            address="вул. Зелена, 1",
            opened_on="01.03.2025",
            phone="067 123 45 67",
            dir_psychoeducation="так",
            svc_legal_aid="так",
            **flags,
        ),
        row(
            name="Імпортований центр 2",
            hromada=geo["h2_name"],
            address="вул. Зелена, 2",
            status="запланований",
            latitude="49,84",
            longitude="24.03",
        ),
        row(
            external_code="LV-IMP-3",
            name="Імпортований центр 3",
            hromada=geo["h1"],
            address="вул. Зелена, 3",
            status="Готується до відкриття",
            provider_edrpou=EDRPOU_IF,
        ),
    ]


def test_template_downloads(client_as):
    client = client_as("lviv")
    response = client.get("/centres/import/template/xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]] == HEADERS
    response = client.get("/centres/import/template/csv")
    assert response.data.startswith("\ufeff".encode("utf-8"))
    assert "Назва центру" in response.data.decode("utf-8-sig")


def test_import_page_is_permission_checked(client_as):
    assert client_as("ministry").get("/centres/import/").status_code == 403
    assert client_as("auditor").post("/centres/import/").status_code == 403
    text = visible_text(client_as("lviv").get("/centres/import/").text)
    assert "Імпорт центрів життєстійкості" in text and "Завантажити шаблон XLSX" in text


def test_good_file_is_imported_then_reimport_is_idempotent(app, client_as, geo):
    client = client_as("lviv")
    before = count(app)
    response = upload(client, xlsx(good_rows(geo)))
    assert response.request.path.startswith("/jobs/")  # the report is on the job's page
    text = page_text(response)
    assert "Імпорт завершено" in text and "створено: 3" in text, text[-1500:]
    assert count(app) == before + 3
    with app.app_context():
        c1 = db.session.scalar(
            select(ResilienceCentre).where(ResilienceCentre.external_code == "LV-IMP-1")
        )
        assert c1.status == CentreStatus.operating
        assert c1.phone == "+380671234567"
        assert c1.barrier_free is True and c1.svc_legal_aid is True
        assert c1.opened_on.isoformat() == "2025-03-01"
        assert c1.oblast.code == LVIV
        assert [h.to_status for h in c1.history] == [CentreStatus.operating]
        c2 = db.session.scalar(
            select(ResilienceCentre).where(ResilienceCentre.name == "Імпортований центр 2")
        )
        assert c2.hromada_id == geo["h2_id"] and c2.status == CentreStatus.planned
        assert c2.latitude == pytest.approx(49.84)
    # the same file again: nothing new
    response = upload(client, xlsx(good_rows(geo)))
    text = page_text(response)
    assert "створено: 0" in text and "без змін: 3" in text, text[-1500:]
    assert count(app) == before + 3
    # the same data as CSV with a change: updated in place, matched by provider + address
    rows = good_rows(geo)
    rows[1] = row(
        name="Імпортований центр 2 (нова назва)",
        hromada=geo["h2_name"],
        address="вул.  Зелена, 2",
        status="запланований",
        latitude="49,84",
        longitude="24.03",
    )
    response = upload(client, csv_bytes(rows), name="centres.csv")
    text = page_text(response)
    assert "створено: 0" in text and "оновлено: 1" in text, text[-1500:]
    assert count(app) == before + 3
    assert count(app, name="Імпортований центр 2 (нова назва)") == 1


def test_file_with_errors_writes_nothing_and_lists_rows(app, client_as, geo):
    client = client_as("lviv")
    before = count(app)
    rows = [
        row(name="Добрий рядок", hromada=geo["h1"], address="вул. Добра, 1"),
        row(name="Поганий код", hromada="UA99999999999999999", address="вул. Погана, 1"),
        row(
            name="Поганий ЄДРПОУ",
            hromada=geo["h1"],
            address="вул. Погана, 2",
            provider_edrpou="12345679",
        ),
        row(
            name="Невідомий надавач",
            hromada=geo["h1"],
            address="вул. Погана, 3",
            provider_edrpou=EDRPOU_UNKNOWN,
        ),
        row(
            name="Чернетка",
            hromada=geo["h1"],
            address="вул. Погана, 4",
            provider_edrpou=EDRPOU_DRAFT,
        ),
        row(name="Статус", hromada=geo["h1"], address="вул. Погана, 5", status="відкритий"),
        row(name="Чужа область", hromada=geo["h_if"], address="вул. Погана, 6"),
        row(
            name="Прапорець",
            hromada=geo["h1"],
            address="вул. Погана, 7",
            acc_toilet="можливо",
            psychologists="два",
        ),
    ]
    response = upload(client, xlsx(rows))
    text = page_text(response)
    assert count(app) == before
    assert "Нічого не імпортовано" in text
    assert "Рядок 3: невідомий код громади UA99999999999999999" in text
    assert "Рядок 4: некоректний код ЄДРПОУ 12345679" in text
    assert f"Рядок 5: у реєстрі немає надавача з кодом ЄДРПОУ {EDRPOU_UNKNOWN}" in text
    assert f"Рядок 6: надавач {EDRPOU_DRAFT} не затверджений" in text
    assert "Рядок 7: невідомий статус «відкритий»" in text
    assert "Рядок 8: громада" in text and "не належить до вашої області" in text
    assert "Рядок 9: «Безбар'єрність: доступний туалет»: вкажіть «так» або «ні»" in text
    assert "Рядок 9: «Кількість психологів»: «два» — не число" in text
    assert "Рядок 2" not in text


def test_status_change_by_reimport_is_refused(app, client_as, geo):
    client = client_as("lviv")
    rows = good_rows(geo)
    rows[0][HEADERS.index("Статус")] = "закрито"
    response = upload(client, xlsx(rows))
    text = page_text(response)
    assert "Рядок 2: центр «Імпортований центр 1» уже існує зі статусом «Працює»" in text
    assert count(app, status=CentreStatus.closed) == 0


def test_file_level_errors(client_as, geo):
    client = client_as("lviv")
    # type and size are checked in the request, before any job is queued
    response = upload(client, b"hello", name="centres.txt")
    assert response.request.path == "/centres/import/"
    text = visible_text(response.text)
    assert "Завантажте файл у форматі .xlsx або .csv" in text
    text = visible_text(upload(client, b"not a zip", name="centres.xlsx").text)
    assert "не є коректною книгою XLSX" in text
    text = visible_text(upload(client, "Назва;Адреса\nа;б".encode(), name="c.csv").text)
    assert "У файлі немає стовпця" in text and "ЄДРПОУ надавача" in text
    big = [row(name=f"Ц{n}", hromada=geo["h1"], address=f"вул. {n}") for n in range(MAX_ROWS + 1)]
    text = visible_text(upload(client, csv_bytes(big), name="big.csv").text)
    assert f"понад {MAX_ROWS} рядків" in text


def test_two_rows_of_one_centre_are_an_error_for_both(app, client_as, geo):
    """One row finds «Імпортований центр 1» by its code (with a new address),
    another by its provider and old address: the import used to apply both («оновлено: 2») and lose the
    first row's data. Now both rows are refused and nothing is written."""
    client = client_as("lviv")
    upload(client, xlsx(good_rows(geo)))  # the centres exist (idempotent if they did)
    with app.app_context():
        centre = db.session.scalar(
            select(ResilienceCentre).where(ResilienceCentre.external_code == "LV-IMP-1")
        )
        before = (centre.name, centre.phone, centre.version)
    rows = [
        row(
            external_code="LV-IMP-1",
            name="Нова назва з коду",
            hromada=geo["h1"],
            address="вул. Зелена, 10",
            phone="067 111 11 11",
        ),
        row(
            name="Нова назва з адреси",
            hromada=geo["h1"],
            address="вул. Зелена, 1",
            phone="067 222 22 22",
        ),
    ]
    text = page_text(upload(client, xlsx(rows)))
    assert "Нічого не імпортовано" in text
    assert "Рядок 2: рядки 2, 3 описують той самий центр «Імпортований центр 1»" in text
    assert "Рядок 3: рядки 2, 3 описують той самий центр «Імпортований центр 1»" in text
    with app.app_context():
        db.session.expire_all()
        centre = db.session.get(ResilienceCentre, centre.id)
        assert (centre.name, centre.phone, centre.version) == before


def test_a_new_code_at_a_coded_centres_address_is_refused(app, client_as, geo):
    client = client_as("lviv")
    upload(client, xlsx(good_rows(geo)))
    before = count(app)
    rows = [
        row(
            external_code="LV-IMP-NEW",
            name="Інший код",
            hromada=geo["h1"],
            address="вул. Зелена, 1",
        )
    ]
    text = page_text(upload(client, xlsx(rows)))
    assert (
        "Рядок 2: у надавача вже є центр «Імпортований центр 1» за цією адресою з кодом "
        "«LV-IMP-1»" in text
    )
    assert count(app) == before
