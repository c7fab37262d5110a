"""Uploaded documents: content must match the extension, no archives, no active
content; files are served only through their record, with scope checked; FAB's
generic ``/<view>/download/<filename>`` route does not exist."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.common.uploads import upload_problem
from app.demo import IVANO_FRANKIVSK, LVIV, oblast_id
from app.extensions import db
from app.providers.demo import demo_edrpou
from app.providers.models import Provider, ProviderKind, ProviderStatus
from app.selection.models import (
    Application,
    ApplicationDocument,
    CommissionMember,
    Programme,
    RoundStatus,
    SelectionRound,
)

from .conftest import visible_text

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, content in entries.items():
            package.writestr(name, content)
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "Кошторис"
    book.save(buffer)
    return buffer.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"/>'
)
DOCX = _zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
ODS = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})

GOOD = [
    ("статут.pdf", PDF),
    ("фото.png", PNG),
    ("скан.jpg", JPEG),
    ("скан.jpeg", JPEG),
    ("лист.doc", OLE),
    ("таблиця.xls", OLE),
    ("договір.docx", DOCX),
    ("кошторис.xlsx", _xlsx()),
    ("звіт.odt", ODT),
    ("таблиця.ods", ODS),
]

WRONG = [
    ("фото.png", PDF),
    ("статут.pdf", PNG),
    ("скан.jpg", b"plain text"),
    ("лист.doc", DOCX),
    ("звіт.odt", ODS),
    ("таблиця.ods", ODT),
]
ARCHIVES = [
    ("документи.docx", _zip({"a.pdf": PDF})),
    ("документи.odt", _zip({"a.pdf": PDF})),
    ("статут.pdf", _zip({"a.pdf": PDF})),
    ("статут.pdf", b"\x1f\x8b\x08\x00" + b"\x00" * 20),
    ("статут.pdf", b"Rar!\x1a\x07\x00" + b"\x00" * 20),
    ("статут.pdf", b"7z\xbc\xaf\x27\x1c" + b"\x00" * 20),
]
ACTIVE = [
    ("статут.pdf", b"MZ\x90\x00" + b"\x00" * 60),  # a Windows program
    ("статут.pdf", b"\x7fELF" + b"\x00" * 60),
    ("фото.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("статут.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    (
        "статут.pdf",
        PDF.replace(
            b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
        ),
    ),
    (
        "статут.pdf",
        PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /Launch /F (cmd.exe) >>"),
    ),
    (
        "договір.docx",
        _zip(
            {
                "[Content_Types].xml": CONTENT_TYPES,
                "word/document.xml": b"<w/>",
                "word/vbaProject.bin": b"\x00",
            }
        ),
    ),
    (
        "кошторис.xlsx",
        _zip(
            {
                "[Content_Types].xml": CONTENT_TYPES.replace(
                    b"/>",
                    b'><Override ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>',
                ),
                "xl/workbook.xml": b"<w/>",
            }
        ),
    ),
    (
        "договір.docx",
        _zip(
            {
                "[Content_Types].xml": CONTENT_TYPES,
                "word/document.xml": b"<w/>",
                "word/embeddings/payload.exe": b"MZ",
            }
        ),
    ),
    (
        "звіт.odt",
        _zip(
            {
                "mimetype": b"application/vnd.oasis.opendocument.text",
                "Basic/Standard/Module1.xml": b"<script/>",
            }
        ),
    ),
    ("лист.doc", OLE + "_VBA_PROJECT\0".encode("utf-16-le") + b"\x00" * 20),
]


@pytest.mark.parametrize("name, data", GOOD, ids=[n for n, _ in GOOD])
def test_real_documents_are_accepted(name, data):
    assert upload_problem(name, data) is None


@pytest.mark.parametrize("name, data", WRONG)
def test_content_must_match_the_extension(name, data):
    assert "не відповідає" in _uk(upload_problem(name, data))


@pytest.mark.parametrize("name, data", ARCHIVES)
def test_archives_are_refused(name, data):
    assert "Архіви" in _uk(upload_problem(name, data))


@pytest.mark.parametrize("name, data", ACTIVE)
def test_active_content_is_refused(name, data):
    assert "активним вмістом" in _uk(upload_problem(name, data))


def _uk(message) -> str:
    from flask import Flask
    from flask_babel import Babel

    assert message is not None, "the upload was accepted"
    app = Flask(__name__)
    Babel(
        app,
        default_locale="uk",
        default_translation_directories=os.path.join(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "translations"
        ),
    )
    with app.test_request_context():
        return str(message)


# --- through the portal ---------------------------------------------------------------

IDS: dict = {}


@pytest.fixture(scope="module", autouse=True)
def world(app, tmp_path_factory):
    app.config["UPLOAD_FOLDER"] = str(tmp_path_factory.mktemp("uploads"))
    with app.app_context():
        ministry = app.appbuilder.sm.find_user(username="ministry")
        provider = Provider(
            name="ГО «Завантаження»",
            kind=ProviderKind.ngo,
            edrpou=demo_edrpou(3100),
            oblast_id=oblast_id(db.session, LVIV),
            status=ProviderStatus.approved,
        )
        db.session.add(provider)
        selection = SelectionRound(
            title="Відбір для документів",
            programme=Programme.resilience_centres,
            oblast_id=oblast_id(db.session, LVIV),
            announced_on=dt.date(2026, 1, 10),
            deadline=dt.date(2026, 2, 10),
            status=RoundStatus.evaluating,
            winners_count=1,
            reserve_count=1,
        )
        db.session.add(selection)
        db.session.flush()
        db.session.add(CommissionMember(round_id=selection.id, user_id=ministry.id))
        application = Application(
            round_id=selection.id, provider_id=provider.id, submitted_on=dt.date(2026, 1, 20)
        )
        db.session.add(application)
        db.session.commit()
        IDS["application"] = application.id
    assert IVANO_FRANKIVSK


def _upload(client, name, data):
    return client.post(
        f"/applicationview/upload/{IDS['application']}",
        follow_redirects=True,
        data={"doc_type": "other", "file": (io.BytesIO(data), name)},
    )


def _documents(app):
    with app.app_context():
        return db.session.scalars(
            sa.select(ApplicationDocument).where(
                ApplicationDocument.application_id == IDS["application"]
            )
        ).all()


def test_upload_form_refuses_disguised_and_active_files(app, client_as):
    ministry = client_as("ministry")
    for name, data, message in [
        ("статут.pdf", b"MZ\x90\x00" + b"\x00" * 60, "активним вмістом"),
        ("документи.docx", _zip({"a.pdf": PDF}), "Архіви"),
        ("фото.png", PDF, "не відповідає"),
    ]:
        assert message in visible_text(_upload(ministry, name, data).text), name
    assert _documents(app) == []
    assert "Документ завантажено" in visible_text(_upload(ministry, "статут.pdf", PDF).text)
    assert [d.filename for d in _documents(app)] == ["статут.pdf"]


def test_document_is_served_through_its_record_within_scope(app, client_as):
    if not _documents(app):
        _upload(client_as("ministry"), "статут.pdf", PDF)
    doc = _documents(app)[0]
    url = f"/applicationview/document/{IDS['application']}/{doc.id}"
    response = client_as("lviv").get(url)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    # A regional administrator of another oblast does not reach it.
    assert client_as("frankivsk").get(url).status_code == 404


def test_generic_download_route_does_not_exist(app, client_as):
    rules = [rule.rule for rule in app.url_map.iter_rules() if "/download/<" in rule.rule]
    assert rules == [], rules
    doc = (_documents(app) or [None])[0]
    admin = client_as("admin")
    for view in ("applicationview", "users", "providerview"):
        name = doc.stored_name if doc else "x.pdf"
        assert admin.get(f"/{view}/download/{name}").status_code == 404
