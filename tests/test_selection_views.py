"""Selection views and API: scope on every path, documents, scores form,
results page and export, list statement counts, Ukrainian labels."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.demo import IVANO_FRANKIVSK, LVIV, oblast_id
from app.extensions import db
from app.providers.demo import demo_edrpou
from app.providers.models import Provider, ProviderKind, ProviderStatus
from app.security.models import PortalUser
from app.selection.models import (
    Application,
    ApplicationDocument,
    CommissionMember,
    Criterion,
    Decision,
    Programme,
    RoundStatus,
    Score,
    SelectionRound,
)

from .conftest import count_queries, jwt_headers, visible_text

IDS: dict = {}
LVIV_ROUND = "Відбір центрів життєстійкості Львівщини"
FRANK_ROUND = "Відбір центрів життєстійкості Прикарпаття"
NATIONAL_ROUND = "Загальнодержавний відбір супроводу ветеранів"
LVIV_PROVIDER = "ГО «Львівська підтримка»"
FRANK_PROVIDER = "БФ «Карпатська підтримка»"
PDF = b"%PDF-1.4\n% test document\n"


def user(username):
    return db.session.scalar(sa.select(PortalUser).where(PortalUser.username == username))


@pytest.fixture(scope="module", autouse=True)
def data(app, tmp_path_factory):
    app.config["UPLOAD_FOLDER"] = str(tmp_path_factory.mktemp("uploads"))
    with app.app_context():
        lviv, frank = oblast_id(db.session, LVIV), oblast_id(db.session, IVANO_FRANKIVSK)
        ministry = user("ministry")

        def provider(name, oblast, n):
            p = Provider(
                name=name,
                kind=ProviderKind.ngo,
                edrpou=demo_edrpou(n),
                oblast_id=oblast,
                status=ProviderStatus.approved,
            )
            db.session.add(p)
            return p

        lviv_p = provider(LVIV_PROVIDER, lviv, 2000)
        frank_p = provider(FRANK_PROVIDER, frank, 2001)
        extra = [
            provider(f"Учасник загального відбору {i:02d}", lviv if i % 2 else frank, 2100 + i)
            for i in range(40)
        ]

        def rnd(title, oblast, status):
            r = SelectionRound(
                title=title,
                programme=Programme.centre,
                oblast_id=oblast,
                announced_on=dt.date(2026, 1, 10),
                deadline=dt.date(2026, 2, 10),
                status=status,
                winners_count=1,
                reserve_count=1,
            )
            db.session.add(r)
            db.session.flush()
            db.session.add(
                Criterion(
                    round_id=r.id, name="Досвід роботи", weight=Decimal(2), max_score=10, position=1
                )
            )
            db.session.add(
                Criterion(
                    round_id=r.id,
                    name="Кадрове забезпечення",
                    weight=Decimal(1),
                    max_score=10,
                    position=2,
                )
            )
            db.session.add(CommissionMember(round_id=r.id, user_id=ministry.id))
            return r

        lviv_r = rnd(LVIV_ROUND, lviv, RoundStatus.evaluating)
        frank_r = rnd(FRANK_ROUND, frank, RoundStatus.evaluating)
        national = rnd(NATIONAL_ROUND, None, RoundStatus.evaluating)
        for i in range(25):
            rnd(f"Архівний відбір {i:02d}", lviv if i % 2 else frank, RoundStatus.completed)
        db.session.flush()
        apps = {
            "lviv": Application(
                round_id=lviv_r.id,
                provider_id=lviv_p.id,
                submitted_on=dt.date(2026, 1, 20),
                eligible=True,
            ),
            "frank": Application(
                round_id=frank_r.id,
                provider_id=frank_p.id,
                submitted_on=dt.date(2026, 1, 21),
                eligible=True,
            ),
            "nat_lviv": Application(
                round_id=national.id,
                provider_id=lviv_p.id,
                submitted_on=dt.date(2026, 1, 22),
                eligible=True,
            ),
            "nat_frank": Application(
                round_id=national.id,
                provider_id=frank_p.id,
                submitted_on=dt.date(2026, 1, 23),
                eligible=True,
            ),
        }
        db.session.add_all(apps.values())
        db.session.flush()
        for p in extra:
            db.session.add(
                Application(
                    round_id=national.id,
                    provider_id=p.id,
                    submitted_on=dt.date(2026, 1, 25),
                    eligible=True,
                )
            )
        db.session.flush()
        doc_dir = os.path.join(app.config["UPLOAD_FOLDER"], "selection")
        os.makedirs(doc_dir, exist_ok=True)
        with open(os.path.join(doc_dir, "frankdoc.pdf"), "wb") as fh:
            fh.write(PDF)
        doc = ApplicationDocument(
            application_id=apps["frank"].id,
            doc_type="statute",
            filename="статут.pdf",
            stored_name="frankdoc.pdf",
            size=len(PDF),
        )
        db.session.add(doc)
        db.session.commit()
        IDS.update(
            lviv_round=lviv_r.id,
            frank_round=frank_r.id,
            national=national.id,
            frank_doc=doc.id,
            lviv_provider=lviv_p.id,
            frank_provider=frank_p.id,
            **{f"app_{k}": v.id for k, v in apps.items()},
        )


def app_state(app, key):
    with app.app_context():
        db.session.expire_all()
        a = db.session.get(Application, IDS[key])
        return (a.decision, a.notes, a.version, len(a.documents))


# --- scope ------------------------------------------------------------------------------------


def test_regional_admin_sees_own_and_national_rounds(app, client_as):
    text = visible_text(
        client_as("lviv").get("/selectionroundview/list/?psize_SelectionRoundView=100").text
    )
    assert LVIV_ROUND in text and NATIONAL_ROUND in text and FRANK_ROUND not in text
    client = client_as("lviv")
    assert client.get(f"/selectionroundview/show/{IDS['lviv_round']}").status_code == 200
    headers = jwt_headers(client, "lviv")
    listing = json.dumps(
        client.get("/api/v1/selection_round/?q=(page_size:100)", headers=headers).json,
        ensure_ascii=False,
    )
    assert LVIV_ROUND in listing and NATIONAL_ROUND in listing and FRANK_ROUND not in listing


def test_out_of_scope_round_on_every_path(app, client_as):
    pk = IDS["frank_round"]
    client = client_as("lviv")
    for url in (
        f"/selectionroundview/show/{pk}",
        f"/selectionroundview/results/{pk}",
        f"/selectionroundview/results/{pk}/csv",
        f"/selectionroundview/results/{pk}/xlsx",
    ):
        r = client.get(url)
        assert r.status_code == 404, url
        assert FRANK_PROVIDER not in r.text
    # Writing paths: regional administrators may not write rounds at all.
    assert client.get(f"/selectionroundview/edit/{pk}").status_code in (403, 404)
    assert client.post(
        f"/selectionroundview/edit/{pk}", data={"title": "Захоплено"}
    ).status_code in (403, 404)
    assert client.post(f"/selectionroundview/delete/{pk}").status_code in (403, 404)
    assert client.post(
        f"/selectionroundview/action/cancel/{pk}", data={"reason": "x"}
    ).status_code in (403, 404)
    for fmt in ("csv", "xlsx"):
        body = client.get(f"/selectionroundview/export/{fmt}").data
        text = body.decode("utf-8-sig") if fmt == "csv" else _xlsx_text(body)
        assert LVIV_ROUND in text and FRANK_ROUND not in text
    headers = jwt_headers(client, "lviv")
    assert client.get(f"/api/v1/selection_round/{pk}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/selection_round/{pk}/results", headers=headers).status_code == 404
    assert client.put(
        f"/api/v1/selection_round/{pk}", headers=headers, json={"title": "Захоплено"}
    ).status_code in (403, 404)
    assert client.delete(f"/api/v1/selection_round/{pk}", headers=headers).status_code in (403, 404)
    assert client.post(
        f"/api/v1/selection_round/{pk}/cancel", headers=headers, json={"reason": "x"}
    ).status_code in (403, 404)
    with app.app_context():
        r = db.session.get(SelectionRound, pk)
        assert r.title == FRANK_ROUND and r.status == RoundStatus.evaluating


def _xlsx_text(data: bytes) -> str:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return "\n".join(
        ";".join("" if v is None else str(v) for v in row)
        for row in sheet.iter_rows(values_only=True)
    )


def test_out_of_scope_application_on_every_path(app, client_as):
    pk, before = IDS["app_frank"], app_state(app, "app_frank")
    client = client_as("lviv")
    text = visible_text(client.get("/applicationview/list/?psize_ApplicationView=100").text)
    assert LVIV_PROVIDER in text and FRANK_PROVIDER not in text
    for url in (
        f"/applicationview/show/{pk}",
        f"/applicationview/document/{pk}/{IDS['frank_doc']}",
    ):
        r = client.get(url)
        assert r.status_code == 404 and PDF not in r.data, url
    assert client.get(f"/applicationview/edit/{pk}").status_code in (403, 404)
    assert client.post(f"/applicationview/edit/{pk}", data={"notes": "Захоплено"}).status_code in (
        403,
        404,
    )
    assert client.post(f"/applicationview/delete/{pk}").status_code in (403, 404)
    assert client.post(
        f"/applicationview/upload/{pk}",
        data={"doc_type": "other", "file": (io.BytesIO(PDF), "x.pdf")},
    ).status_code in (403, 404)
    assert client.post(f"/applicationview/scores/{pk}").status_code in (403, 404)
    for fmt in ("csv", "xlsx"):
        body = client.get(f"/applicationview/export/{fmt}").data
        text = body.decode("utf-8-sig") if fmt == "csv" else _xlsx_text(body)
        assert LVIV_PROVIDER in text and FRANK_PROVIDER not in text
    headers = jwt_headers(client, "lviv")
    assert client.get(f"/api/v1/selection_application/{pk}", headers=headers).status_code == 404
    listing = json.dumps(
        client.get("/api/v1/selection_application/?q=(page_size:100)", headers=headers).json,
        ensure_ascii=False,
    )
    assert LVIV_PROVIDER in listing and FRANK_PROVIDER not in listing
    assert client.put(
        f"/api/v1/selection_application/{pk}", headers=headers, json={"notes": "Захоплено"}
    ).status_code in (403, 404)
    assert client.delete(f"/api/v1/selection_application/{pk}", headers=headers).status_code in (
        403,
        404,
    )
    assert app_state(app, "app_frank") == before


def test_national_round_results_show_own_oblast_rows_only(app, client_as):
    client = client_as("lviv")
    text = visible_text(client.get(f"/selectionroundview/results/{IDS['national']}").text)
    assert LVIV_PROVIDER in text and FRANK_PROVIDER not in text
    csv_text = client.get(f"/selectionroundview/results/{IDS['national']}/csv").data.decode(
        "utf-8-sig"
    )
    assert LVIV_PROVIDER in csv_text and FRANK_PROVIDER not in csv_text
    assert client.get(f"/applicationview/show/{IDS['app_nat_frank']}").status_code == 404


def test_roles_without_selection_access(app, client_as):
    for username in ("trainer", "caseworker"):
        client = client_as(username)
        assert client.get("/selectionroundview/list/").status_code == 403
        assert client.get(f"/selectionroundview/results/{IDS['lviv_round']}").status_code == 403
        assert client.get("/applicationview/list/").status_code == 403
        assert (
            client.get(
                f"/applicationview/document/{IDS['app_frank']}/{IDS['frank_doc']}"
            ).status_code
            == 403
        )
    auditor = client_as("auditor")
    assert auditor.get(f"/selectionroundview/results/{IDS['frank_round']}").status_code == 200
    assert auditor.get("/applicationview/add").status_code == 403
    assert auditor.post(f"/applicationview/scores/{IDS['app_frank']}").status_code == 403


# --- documents --------------------------------------------------------------------------------


def test_document_upload_and_download(app, client_as, monkeypatch):
    pk = IDS["app_lviv"]
    ministry = client_as("ministry")
    r = ministry.post(
        f"/applicationview/upload/{pk}",
        follow_redirects=True,
        data={"doc_type": "proposal", "file": (io.BytesIO(PDF + b"lviv"), "пропозиція.pdf")},
    )
    assert "Документ завантажено" in visible_text(r.text)
    r = ministry.post(
        f"/applicationview/upload/{pk}",
        follow_redirects=True,
        data={"doc_type": "other", "file": (io.BytesIO(b"MZ..."), "virus.exe")},
    )
    assert "Такий тип файлу не приймається" in visible_text(r.text)
    from app.providers import services

    monkeypatch.setattr(services, "MAX_DOCUMENT_BYTES", 10)
    r = ministry.post(
        f"/applicationview/upload/{pk}",
        follow_redirects=True,
        data={"doc_type": "other", "file": (io.BytesIO(b"x" * 11), "big.pdf")},
    )
    assert "Файл завеликий" in visible_text(r.text)
    monkeypatch.undo()
    with app.app_context():
        docs = db.session.scalars(
            sa.select(ApplicationDocument).where(ApplicationDocument.application_id == pk)
        ).all()
        assert [d.filename for d in docs] == ["пропозиція.pdf"]
        doc = docs[0]
        stored = os.path.join(app.config["UPLOAD_FOLDER"], "selection", doc.stored_name)
        assert os.path.isfile(stored) and "static" not in stored
        assert doc.stored_name != doc.filename
    # A regional administrator of the provider's oblast reads it, as an attachment.
    r = client_as("lviv").get(f"/applicationview/document/{pk}/{doc.id}")
    assert r.status_code == 200 and r.data == PDF + b"lviv"
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["Content-Type"] == "application/octet-stream"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    # The document id must belong to the application in the URL.
    r = client_as("ministry").get(f"/applicationview/document/{pk}/{IDS['frank_doc']}")
    assert r.status_code == 404
    assert (
        client_as("lviv")
        .post(
            f"/applicationview/upload/{pk}",
            data={"doc_type": "other", "file": (io.BytesIO(PDF), "x.pdf")},
        )
        .status_code
        == 403
    )


# --- scores and results -----------------------------------------------------------------------


def test_commission_member_scores_through_the_form(app, client_as):
    pk = IDS["app_lviv"]
    with app.app_context():
        crits = db.session.scalars(
            sa.select(Criterion)
            .where(Criterion.round_id == IDS["lviv_round"])
            .order_by(Criterion.position)
        ).all()
        c1, c2 = crits[0].id, crits[1].id
    ministry = client_as("ministry")
    page = visible_text(ministry.get(f"/applicationview/show/{pk}").text)
    assert "Мої оцінки" in page and "Оцінки комісії" in page
    r = ministry.post(
        f"/applicationview/scores/{pk}",
        follow_redirects=True,
        data={f"score_{c1}": "12", f"score_{c2}": "5"},
    )
    assert "цілим числом від 0 до 10" in visible_text(r.text)
    r = ministry.post(
        f"/applicationview/scores/{pk}",
        follow_redirects=True,
        data={f"score_{c1}": "8", f"score_{c2}": "6", f"comment_{c1}": "Добре"},
    )
    assert "Бали збережено" in visible_text(r.text)
    with app.app_context():
        a = db.session.get(Application, pk)
        assert a.total_score == Decimal("22.000") and a.rank == 1
        assert (
            db.session.scalar(
                sa.select(Score.comment).where(Score.application_id == pk, Score.criterion_id == c1)
            )
            == "Добре"
        )
    # Not a member of this round's commission: refused with a message.
    with app.app_context():
        from app.cli import create_user
        from app.security import roles

        create_user("ministry3", "Test-Password-2025!", roles.MINISTRY)
    r = client_as("ministry3").post(
        f"/applicationview/scores/{pk}", follow_redirects=True, data={f"score_{c1}": "1"}
    )
    assert "лише члени комісії" in visible_text(r.text)


def test_results_page_and_export_content(app, client_as):
    pk = IDS["national"]
    with app.app_context():
        national = db.session.get(SelectionRound, pk)
        crit = national.criteria[0]
        ministry = user("ministry")
        db.session.add(
            Score(
                application_id=IDS["app_nat_frank"],
                criterion_id=crit.id,
                member_id=ministry.id,
                value=9,
            )
        )
        db.session.add(
            Score(
                application_id=IDS["app_nat_lviv"],
                criterion_id=crit.id,
                member_id=ministry.id,
                value=7,
            )
        )
        db.session.commit()
        # Completing needs every member's score on every criterion (SEL-07): the
        # others give both applications the same, so the first criterion ranks them.
        given = set(
            db.session.execute(
                sa.select(Score.application_id, Score.criterion_id, Score.member_id)
            ).all()
        )
        for member in national.commission:
            for criterion in national.criteria:
                for app_id in db.session.scalars(
                    sa.select(Application.id).where(Application.round_id == pk)
                ):
                    if (app_id, criterion.id, member.user_id) not in given:
                        db.session.add(
                            Score(
                                application_id=app_id,
                                criterion_id=criterion.id,
                                member_id=member.user_id,
                                value=5,
                            )
                        )
        db.session.commit()
    client = client_as("ministry")
    r = client.post(f"/selectionroundview/recalculate/{pk}", follow_redirects=True)
    text = visible_text(r.text)
    assert "Результати конкурсного відбору" in text
    assert text.index(FRANK_PROVIDER) < text.index(LVIV_PROVIDER)
    r = client.post(
        f"/selectionroundview/action/complete/{pk}",
        follow_redirects=True,
        data={"protocol_number": "21-к", "protocol_date": "05.03.2026"},
    )
    assert "Статус конкурсного відбору змінено" in visible_text(r.text)

    r = client.get(f"/selectionroundview/results/{pk}/csv")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Місце",
        "Надавач",
        "Код ЄДРПОУ",
        "Область",
        "Загальний бал",
        "Рішення",
        "Номер протоколу",
        "Дата протоколу",
    ]
    assert rows[1][:2] == ["1", FRANK_PROVIDER] and rows[1][4] == "23.0"  # 2 x 9 + 1 x 5
    assert rows[1][5] == "Переможець" and rows[1][6:] == ["21-к", "05.03.2026"]
    assert rows[2][:2] == ["2", LVIV_PROVIDER] and rows[2][5] == "Резерв"
    assert {row[5] for row in rows[3:]} == {"Відмовлено"}
    assert [int(row[0]) for row in rows[1:]] == list(range(1, len(rows)))

    r = client.get(f"/selectionroundview/results/{pk}/xlsx")
    sheet = load_workbook(io.BytesIO(r.data), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == (NATIONAL_ROUND,)
    assert values[1][0] == "Місце"
    assert values[2][:2] == (1, FRANK_PROVIDER) and values[2][5] == "Переможець"
    with app.app_context():
        assert db.session.get(Application, IDS["app_nat_frank"]).decision == Decision.winner
        # The appeal window has passed: the round is awarded (no lots: no agreements).
        db.session.execute(
            sa.update(SelectionRound)
            .where(SelectionRound.id == pk)
            .values(appeal_until=dt.date.today() - dt.timedelta(days=1))
        )
        db.session.commit()
    r = client.post(f"/selectionroundview/action/award/{pk}", follow_redirects=True)
    assert "Статус конкурсного відбору змінено" in visible_text(r.text)
    # A completed round is read-only.
    r = client.post(
        f"/selectionroundview/action/cancel/{pk}", follow_redirects=True, data={"reason": "Помилка"}
    )
    assert "не дозволений" in visible_text(r.text)


def test_application_form_rules_keep_input(app, client_as):
    client = client_as("admin")
    html = client.get("/applicationview/add").text
    assert 'data-lookup-url="/lookup/open_round"' in html
    assert 'data-lookup-url="/lookup/approved_provider"' in html
    assert FRANK_PROVIDER not in html
    with app.app_context():
        open_round = SelectionRound(
            title="Відкритий відбір Львівщини",
            programme=Programme.family,
            oblast_id=oblast_id(db.session, LVIV),
            announced_on=dt.date(2026, 4, 1),
            deadline=dt.date(2026, 5, 1),
            status=RoundStatus.accepting,
        )
        db.session.add(open_round)
        db.session.commit()
        rid = open_round.id
    r = client.post(
        "/applicationview/add",
        data={
            "round": str(rid),
            "provider": str(IDS["frank_provider"]),
            "submitted_on": "02.04.2026",
            "notes": "Примітка до заявки",
        },
    )
    assert r.status_code == 200
    assert "не належить до області" in visible_text(r.text)
    assert "Примітка до заявки" in r.text
    r = client.post(
        "/applicationview/add",
        data={
            "round": str(rid),
            "provider": str(IDS["lviv_provider"]),
            "submitted_on": "02.04.2026",
        },
    )
    assert r.status_code == 302
    r = client.post(
        "/applicationview/add",
        data={
            "round": str(rid),
            "provider": str(IDS["lviv_provider"]),
            "submitted_on": "03.04.2026",
        },
    )
    assert "уже подав заявку" in visible_text(r.text)
    lookup = client.get("/lookup/open_round?q=Відкритий").json["results"]
    assert [x["id"] for x in lookup] == [rid]


def test_round_setup_through_the_show_page(app, client_as):
    client = client_as("ministry")
    r = client.post(
        "/selectionroundview/add",
        data={
            "title": "Новий відбір",
            "programme": "servicemen",
            "announced_on": "01.05.2026",
            "deadline": "01.04.2026",
            "winners_count": "2",
            "reserve_count": "1",
        },
    )
    assert "не може бути раніше дати оголошення" in visible_text(r.text)
    r = client.post(
        "/selectionroundview/add",
        data={
            "title": "Новий відбір",
            "programme": "servicemen",
            "announced_on": "01.05.2026",
            "deadline": "01.06.2026",
            "winners_count": "2",
            "reserve_count": "1",
        },
    )
    assert r.status_code == 302
    with app.app_context():
        pk = db.session.scalar(
            sa.select(SelectionRound.id).where(SelectionRound.title == "Новий відбір")
        )
        ministry_id = user("ministry").id
    show = f"/selectionroundview/show/{pk}"
    r = client.post(f"/selectionroundview/action/start_evaluation/{pk}", follow_redirects=True)
    assert "не дозволений" in visible_text(r.text)
    client.post(f"/selectionroundview/action/open_applications/{pk}")
    r = client.post(f"/selectionroundview/action/start_evaluation/{pk}", follow_redirects=True)
    assert "Додайте критерії оцінювання" in visible_text(r.text)
    r = client.post(
        f"/selectionroundview/criterion/{pk}",
        follow_redirects=True,
        data={"name": "Досвід", "weight": "-1"},
    )
    assert "додатну вагу" in visible_text(r.text)
    client.post(
        f"/selectionroundview/criterion/{pk}",
        data={"name": "Досвід", "weight": "2,5", "max_score": "10"},
    )
    lookup = client.get("/lookup/commission_user?q=ministry").json["results"]
    assert ministry_id in [x["id"] for x in lookup]
    assert client_as("auditor").get("/lookup/commission_user?q=ministry").json["results"] == []
    client.post(
        f"/selectionroundview/member/{pk}", data={"user_id": str(ministry_id), "role": "Голова"}
    )
    r = client.post(
        f"/selectionroundview/member/{pk}",
        follow_redirects=True,
        data={"user_id": str(ministry_id)},
    )
    assert "вже є членом комісії" in visible_text(r.text)
    r = client.post(f"/selectionroundview/action/start_evaluation/{pk}", follow_redirects=True)
    text = visible_text(r.text)
    assert "Статус конкурсного відбору змінено" in text and "Оцінювання" in text
    with app.app_context():
        rnd = db.session.get(SelectionRound, pk)
        assert rnd.status == RoundStatus.evaluating
        assert [(c.name, c.weight) for c in rnd.criteria] == [("Досвід", Decimal("2.5"))]
    # criteria are frozen once evaluation started
    r = client.post(
        f"/selectionroundview/criterion/{pk}",
        follow_redirects=True,
        data={"name": "Пізній", "weight": "1"},
    )
    assert "лише до початку оцінювання" in visible_text(r.text)
    assert client.get(show).status_code == 200


def _new_round(client, title):
    r = client.post(
        "/selectionroundview/add",
        data={
            "title": title,
            "programme": "servicemen",
            "announced_on": "01.05.2026",
            "deadline": "01.06.2026",
            "winners_count": "2",
            "reserve_count": "1",
        },
    )
    assert r.status_code == 302
    return int(r.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def _criteria(app, pk):
    with app.app_context():
        return [(c.name, c.weight) for c in db.session.get(SelectionRound, pk).criteria]


def _members(app, pk):
    with app.app_context():
        return [m.user_id for m in db.session.get(SelectionRound, pk).commission]


def test_criteria_and_commission_rules_hold_on_the_web_and_the_rest_path(app, client_as):
    """One service per step (add/remove a criterion, add/remove a member): the
    round's page and the REST API refuse the same things with the same
    Ukrainian message and change nothing."""
    web = client_as("ministry")
    pk = _new_round(web, "Відбір для перевірки правил")
    api = app.test_client()
    ministry = jwt_headers(api, "ministry")
    base = f"/api/v1/selection_round/{pk}"
    with app.app_context():
        ministry_id = user("ministry").id

    # a criterion needs a name, a weight above 0 and a maximum score of 1-100
    for body in (
        {"name": "Досвід", "weight": -1},
        {"name": "", "weight": 1},
        {"name": "Досвід", "weight": 1, "max_score": 101},
        {"name": "Досвід", "weight": True},
    ):
        r = api.post(f"{base}/criterion", headers=ministry, json=body)
        assert r.status_code == 400 and "додатну вагу" in r.json["message"], body
    r = web.post(
        f"/selectionroundview/criterion/{pk}",
        data={"name": "Досвід", "weight": "-1"},
        follow_redirects=True,
    )
    assert "додатну вагу" in visible_text(r.text)
    assert _criteria(app, pk) == []
    r = api.post(f"{base}/criterion", headers=ministry, json={"name": "Досвід", "weight": 2.5})
    assert r.status_code == 201 and r.json["position"] == 1
    first = r.json["id"]
    r = api.post(f"{base}/criterion", headers=ministry, json={"name": "План", "weight": "0,5"})
    assert r.status_code == 201 and r.json["position"] == 2
    web.post(f"/selectionroundview/criterion/{pk}", data={"name": "Команда", "weight": "1"})
    assert _criteria(app, pk) == [
        ("Досвід", Decimal("2.5")),
        ("План", Decimal("0.5")),
        ("Команда", Decimal("1")),
    ]
    # only organisers; a regional administrator reads the round but sets nothing up
    lviv = jwt_headers(api, "lviv")
    r = api.post(f"{base}/criterion", headers=lviv, json={"name": "X", "weight": 1})
    assert r.status_code == 403  # refused by the permission check, before the service
    assert (
        api.delete(f"{base}/criterion/{first}", headers=jwt_headers(api, "auditor")).status_code
        == 403
    )
    # another round's criterion is not this round's
    assert api.delete(f"{base}/criterion/999999", headers=ministry).status_code == 404
    assert web.post(f"/selectionroundview/criterion/{pk}/999999/delete").status_code == 404
    assert api.delete(f"{base}/criterion/{first}", headers=ministry).status_code == 200
    assert [name for name, _w in _criteria(app, pk)] == ["План", "Команда"]

    # the commission: a user who may sit on it, once
    r = api.post(
        f"{base}/commission", headers=ministry, json={"user_id": ministry_id, "role": "Голова"}
    )
    assert r.status_code == 201
    member = r.json["id"]
    r = api.post(f"{base}/commission", headers=ministry, json={"user_id": ministry_id})
    assert r.status_code == 400 and "вже є членом комісії" in r.json["message"]
    r = web.post(
        f"/selectionroundview/member/{pk}",
        data={"user_id": str(ministry_id)},
        follow_redirects=True,
    )
    assert "вже є членом комісії" in visible_text(r.text)
    r = api.post(f"{base}/commission", headers=ministry, json={"user_id": 999999})
    assert r.status_code == 422 and "Оберіть значення зі списку" in r.json["message"]
    assert _members(app, pk) == [ministry_id]

    # once the evaluation starts the criteria are fixed, on both paths
    web.post(f"/selectionroundview/action/open_applications/{pk}")
    r = web.post(f"/selectionroundview/action/start_evaluation/{pk}", follow_redirects=True)
    assert "Оцінювання" in visible_text(r.text)
    r = api.post(f"{base}/criterion", headers=ministry, json={"name": "Пізній", "weight": 1})
    assert r.status_code == 409 and "лише до початку оцінювання" in r.json["message"]
    second = api.get(f"{base}", headers=ministry).status_code  # the round still reads
    assert second == 200
    with app.app_context():
        kept = [c.id for c in db.session.get(SelectionRound, pk).criteria]
    r = api.delete(f"{base}/criterion/{kept[0]}", headers=ministry)
    assert r.status_code == 409
    r = web.post(f"/selectionroundview/criterion/{pk}/{kept[0]}/delete", follow_redirects=True)
    assert "лише до початку оцінювання" in visible_text(r.text)
    assert [name for name, _w in _criteria(app, pk)] == ["План", "Команда"]

    # a closed round's commission cannot change, on both paths
    web.post(f"/selectionroundview/action/cancel/{pk}", data={"reason": "Перевірка правил"})
    with app.app_context():
        assert db.session.get(SelectionRound, pk).status == RoundStatus.cancelled
    r = api.delete(f"{base}/commission/{member}", headers=ministry)
    assert r.status_code == 400 and "скасованого відбору" in r.json["message"]
    r = web.post(f"/selectionroundview/member/{pk}/{member}/delete", follow_redirects=True)
    assert "скасованого відбору" in visible_text(r.text)
    assert _members(app, pk) == [ministry_id]


def test_api_round_transition_and_results(app):
    client = app.test_client()
    ministry, lviv = jwt_headers(client, "ministry"), jwt_headers(client, "lviv")
    pk = IDS["lviv_round"]
    r = client.get(f"/api/v1/selection_round/{pk}/results", headers=lviv)
    assert r.status_code == 200 and r.json["result"][0]["provider"] == LVIV_PROVIDER
    assert (
        client.post(f"/api/v1/selection_round/{pk}/complete", headers=lviv, json={}).status_code
        == 403
    )
    r = client.post(f"/api/v1/selection_round/{pk}/complete", headers=ministry, json={})
    assert r.status_code == 400 and "протоколу" in r.json["message"]
    r = client.post(
        f"/api/v1/selection_round/{pk}/complete",
        headers=ministry,
        json={"protocol_number": "3", "protocol_date": "2026-03-10", "version": 999},
    )
    assert r.status_code == 409
    r = client.get(f"/api/v1/selection_round/{pk}", headers=ministry)
    version = r.json["result"]["version"]
    r = client.post(
        f"/api/v1/selection_round/{pk}/complete",
        headers=ministry,
        json={"protocol_number": "3", "protocol_date": "2026-03-10", "version": version},
    )
    assert r.status_code == 200 and r.json["status"] == "appeals"


# --- lists ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "view,url",
    [
        ("SelectionRoundView", "/selectionroundview/list/"),
        ("ApplicationView", "/applicationview/list/"),
    ],
)
def test_list_statement_count_does_not_grow_with_page_size(app, client_as, view, url):
    client = client_as("ministry")
    client.get(url)
    counts = []
    for size in (10, 50):
        with count_queries(app) as statements:
            r = client.get(f"{url}?psize_{view}={size}")
        assert r.status_code == 200
        rows = len(re.findall(r'class="action_check"', r.text)) or r.text.count("<tr")
        assert rows >= min(size, 20)
        counts.append(len(statements))
    assert counts[1] <= counts[0], counts


def test_ukrainian_labels(app, client_as):
    client = client_as("ministry")
    text = visible_text(client.get("/selectionroundview/list/").text)
    for label in (
        "Конкурсні відбори",
        "Програма",
        "Територія",
        "Кінцевий строк подання заявок",
        "Конкурсний відбір",
        "Заявки",
        "Центри життєстійкості",
        "Завершено",
    ):
        assert label in text, label
    text = visible_text(client.get("/selectionroundview/add").text)
    for label in (
        "Оголосити конкурсний відбір",
        "Кількість переможців",
        "Область (порожньо для загальнодержавного відбору)",
    ):
        assert label in text, label
    text = visible_text(client.get("/applicationview/list/").text)
    for label in ("Заявки на конкурсний відбір", "Загальний бал", "Місце", "Рішення"):
        assert label in text, label
    text = visible_text(client.get("/applicationview/add").text)
    for label in ("Зареєструвати заявку", "Дата подання"):
        assert label in text, label


def test_api_application_rules(app):
    client = app.test_client()
    ministry, lviv = jwt_headers(client, "ministry"), jwt_headers(client, "lviv")
    r = client.post(
        "/api/v1/selection_application/",
        headers=jwt_headers(client, "admin"),
        json={
            "round": IDS["frank_round"],
            "provider": IDS["frank_provider"],
            "submitted_on": "2026-01-30",
        },
    )
    assert r.status_code == 400 and "не приймає заявок" in r.json["message"]
    r = client.post(
        "/api/v1/selection_application/",
        headers=ministry,
        json={
            "round": IDS["frank_round"],
            "provider": IDS["frank_provider"],
            "submitted_on": "2026-01-30",
        },
    )
    assert r.status_code == 400 and "працівники міністерства їх розглядають" in r.json["message"]
    assert (
        client.post(
            "/api/v1/selection_application/",
            headers=lviv,
            json={"round": IDS["frank_round"], "provider": IDS["lviv_provider"]},
        ).status_code
        == 403
    )
    r = client.post(
        "/api/v1/selection_round/",
        headers=ministry,
        json={
            "title": "Відбір з API",
            "programme": "family",
            "announced_on": "2026-06-01",
            "deadline": "2026-05-01",
        },
    )
    assert r.status_code == 400 and "раніше дати оголошення" in r.json["message"]
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(SelectionRound.id).where(SelectionRound.title == "Відбір з API")
            )
            is None
        )
