"""What an uploaded document may be: its content must be what its name says.

:func:`upload_problem` looks at the bytes, not the name alone:

* the file's signature ("magic bytes") must match its extension: a PDF
  starts with ``%PDF-``, a PNG with its eight-byte signature, a JPEG with
  ``FF D8 FF``, ``doc``/``xls`` are OLE2 compound files, ``docx``/``xlsx``
  are ZIP packages with ``[Content_Types].xml`` and their part folder,
  ``odt``/``ods`` are ZIP packages whose ``mimetype`` entry names the type;
* archives are refused (ZIP, RAR, 7z, gzip, bzip2, xz, tar, CAB), unless the
  ZIP is one of the office packages above;
* active content is refused: executables (PE, ELF, Mach-O), scripts and
  markup a browser would run (HTML, SVG, XML, JavaScript), PDFs with
  JavaScript, launch actions or embedded files, office files with macros
  (``vbaProject.bin``, ActiveX, OpenDocument Basic or scripts, an OLE
  ``_VBA_PROJECT`` stream) and packages carrying executables or archives.

It returns a translated message (the caller raises its own domain error) or
None when the file is acceptable.
"""

from __future__ import annotations

import io
import re
import zipfile

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = (b"PK\x03\x04",)
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "doc": (OLE2,),
    "xls": (OLE2,),
    "docx": ZIP,
    "xlsx": ZIP,
    "odt": ZIP,
    "ods": ZIP,
}
#: Office Open XML: the folder of the main part.
OOXML_PART = {"docx": "word/", "xlsx": "xl/"}
ODF_MIMETYPE = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
}

ARCHIVES = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"PK\x07\x08",
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"MSCF",
    b"ustar",
)
EXECUTABLES = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xcf\xfa\xed\xfe",
    b"\xce\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)
MARKUP = re.compile(
    rb"^\s*(?:<\?xml|<!doctype|<html|<svg|<script|<body|<head|<iframe)", re.IGNORECASE
)
PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)\b")
#: Names inside an office package that are macros, ActiveX or foreign executables.
PACKAGE_ACTIVE = re.compile(
    r"(?:vbaProject\.bin|vbaData\.xml|activeX/|/macrosheets/|^Basic/|^Scripts/"
    r"|\.(?:exe|dll|com|bat|cmd|scr|js|jse|vbs|vbe|wsf|ps1|hta|jar|msi|zip|rar|7z|gz)$)",
    re.IGNORECASE,
)
#: OLE2 directory entries (UTF-16 names, NUL-terminated) of VBA macro storage.
OLE_MACROS = tuple(f"{name}\0".encode("utf-16-le") for name in ("_VBA_PROJECT", "Macros", "VBA"))


def _wrong_content(ext: str) -> LazyString:
    return _l("The file's content does not match its type (.%(ext)s).", ext=ext)


ARCHIVE = _l("Archives are not accepted: upload the documents themselves.")
ACTIVE = _l("Files with active content (macros, scripts, programs) are not accepted.")


def _is_archive(data: bytes) -> bool:
    """An archive, not an office package (a .docx named .doc is the wrong type)."""
    if data.startswith(ZIP):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return True
        return not ({"[Content_Types].xml", "mimetype"} & names)
    return data.startswith(ARCHIVES) or data[257:262] == b"ustar"


def _package_problem(ext: str, data: bytes) -> LazyString | None:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        names = package.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return _wrong_content(ext)
    if ext in OOXML_PART:
        if "[Content_Types].xml" not in names or not any(
            n.startswith(OOXML_PART[ext]) for n in names
        ):
            return ARCHIVE
        types = package.read("[Content_Types].xml")
        if b"macroEnabled" in types or b"vbaProject" in types:
            return ACTIVE
    else:
        if "mimetype" not in names:
            return ARCHIVE
        if package.read("mimetype").strip() != ODF_MIMETYPE[ext]:
            return _wrong_content(ext)
    if any(PACKAGE_ACTIVE.search(name) for name in names):
        return ACTIVE
    return None


def upload_problem(filename: str, data: bytes) -> LazyString | None:
    """Why this upload cannot be accepted (a translated message), or None."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    head = data[:1024]
    if head.startswith(EXECUTABLES) or MARKUP.match(head):
        return ACTIVE
    signatures = SIGNATURES.get(ext)
    if signatures is None:
        return _wrong_content(ext)
    if not data.startswith(signatures):
        return ARCHIVE if _is_archive(data) else _wrong_content(ext)
    if ext == "pdf" and PDF_ACTIVE.search(data):
        return ACTIVE
    if ext in ("doc", "xls") and any(marker in data for marker in OLE_MACROS):
        return ACTIVE
    if signatures is ZIP:
        return _package_problem(ext, data)
    return None
