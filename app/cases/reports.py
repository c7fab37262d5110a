"""De-identified monthly figures of the case register (issue #20).

People served, new cases, meetings (and those held on time), plan items
completed and closures by reason, per month, by programme, category, sex,
age band and oblast or community of residence. Counts only: no name, number
or date of a person leaves this module.

Who sees what is the scope, not a parameter: ministry staff and auditors the
country, a regional administrator the people living in their oblast (by the
beneficiary's community), a provider's staff their provider's cases.

Definitions (docs/programmes.md):

* a case is *served* in a month when it was open on any day of it (opened on
  or before the month's last day, not closed before its first day); the
  people served are its beneficiary and the household members marked
  «receives services» (each counted with their own category, sex and age);
* *new*: opened in the month; *closed*: closed in the month (by reason);
* *meetings*: contacts of the month in a form the programme counts as a
  meeting; *on time*: no later than the programme's interval after the
  previous meeting (or the opening); without an interval every meeting is on time;
* *plans completed*: cases whose agreed plan (the family's agreement
  recorded) has every item that was not cancelled marked done, the last of
  them done in the month: a plan counts once, whatever its number of items.

Small cells: a regional administrator's figures (their oblast by residence)
show every count from 1 to 4 as ``"<5"`` (rows, totals and closures alike;
zero stays zero), so a person of a small community cannot be singled out.
Totals are summed from the exact counts before they are suppressed.

Age is taken on the month's last day; bands follow the ministry's usual
split (0-17, 18-34, 35-59, 60+, unknown).

The page (``/cases/report/``) and the XLSX file made in the background
(:mod:`app.cases.report_file`) show :func:`report_table` of
:func:`monthly_figures`: one code path, so the file and the page agree cell
by cell.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..programmes.services import programme_by_code
from .models import Beneficiary, Case, Contact, HouseholdMember, PlanItem, PlanItemStatus, Programme

AGE_BANDS = ((0, 17, "0-17"), (18, 34, "18-34"), (35, 59, "35-59"), (60, 200, "60+"))
UNKNOWN = "unknown"
MEASURES = ("served", "new", "meetings", "meetings_on_time", "plans_completed", "closed")
#: Counts below this are shown as ``"<5"`` to regional administrators.
SMALL_CELL = 5
SUPPRESSED = f"<{SMALL_CELL}"


@dataclass(frozen=True)
class Key:
    programme: str
    category: str
    sex: str
    age_band: str
    place: int | None  # oblast or hromada id


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, _calendar.monthrange(year, month)[1])


def age_band(birth: dt.date | None, on: dt.date) -> str:
    if birth is None:
        return UNKNOWN
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return UNKNOWN


def _scope_clause(scope):
    """Cases in the reader's reach (their provider, or their oblast by residence)."""
    from ..geography.models import Hromada

    if scope is None or scope.national:
        return None
    if scope.provider_id:
        return Case.provider_id == scope.provider_id
    if scope.oblast_id:
        return Case.id.in_(
            select(Beneficiary.case_id)
            .join(Hromada, Hromada.id == Beneficiary.hromada_id)
            .where(Hromada.oblast_id == scope.oblast_id)
        )
    return Case.id.is_(None)


def monthly_figures(session, year: int, month: int, scope=None, by: str = "oblast") -> dict:
    """``{"rows": [{programme, category, sex, age_band, place, served, ...}],
    "closures": {reason: n}, "totals": {...}}`` of one month in ``scope``.

    ``by`` is ``"oblast"`` or ``"hromada"``: the place of residence counted."""
    from ..geography.models import Hromada

    first, last = month_bounds(year, month)
    where = [Case.opened_on <= last, or_(Case.closed_on.is_(None), Case.closed_on >= first)]
    clause = _scope_clause(scope)
    if clause is not None:
        where.append(clause)
    place_col = Hromada.oblast_id if by == "oblast" else Hromada.id
    rows = session.execute(
        select(
            Case.id,
            Case.programme,
            Case.opened_on,
            Case.closed_on,
            Case.closure_reason,
            Case.reopened_on,
            Beneficiary.category,
            Beneficiary.sex,
            Beneficiary.birth_date,
            place_col,
            Case.plan_agreed_on,
        )
        .join(Beneficiary, Beneficiary.case_id == Case.id)
        .outerjoin(Hromada, Hromada.id == Beneficiary.hromada_id)
        .where(*where)
    ).all()
    cases = {r.id: r for r in rows}
    figures: dict[Key, Counter] = defaultdict(Counter)
    closures: Counter = Counter()

    def key(row, category, sex, birth) -> Key:
        return Key(
            row.programme.name,
            category.name,
            sex.name if sex else UNKNOWN,
            age_band(birth, last),
            row[9],
        )

    for row in rows:
        main = key(row, row.category, row.sex, row.birth_date)
        figures[main]["served"] += 1
        if first <= row.opened_on <= last:
            figures[main]["new"] += 1
        if row.closed_on is not None and first <= row.closed_on <= last:
            figures[main]["closed"] += 1
            if row.closure_reason is not None:
                closures[row.closure_reason.name] += 1
    ids = list(cases)
    for chunk in _chunks(ids):
        for member in session.execute(
            select(
                HouseholdMember.case_id,
                HouseholdMember.category,
                HouseholdMember.sex,
                HouseholdMember.birth_date,
            ).where(HouseholdMember.case_id.in_(chunk), HouseholdMember.receives_services.is_(True))
        ):
            row = cases[member.case_id]
            figures[key(row, member.category, member.sex, member.birth_date)]["served"] += 1
        plans: dict[int, list] = defaultdict(list)
        for case_id, status, done_on in session.execute(
            select(PlanItem.case_id, PlanItem.status, PlanItem.done_on).where(
                PlanItem.case_id.in_(chunk), PlanItem.status != PlanItemStatus.cancelled
            )
        ):
            plans[case_id].append((status, done_on))
        for case_id, items in plans.items():
            row = cases[case_id]
            if row.plan_agreed_on is None or any(
                status != PlanItemStatus.done or done_on is None for status, done_on in items
            ):
                continue
            if first <= max(done_on for _s, done_on in items) <= last:
                figures[key(row, row.category, row.sex, row.birth_date)]["plans_completed"] += 1
        _meetings(session, chunk, cases, first, last, figures, key)
    result: list[dict[str, Any]] = [
        dict(
            programme=k.programme,
            category=k.category,
            sex=k.sex,
            age_band=k.age_band,
            place=k.place,
            **{m: c.get(m, 0) for m in MEASURES},
        )
        for k, c in sorted(
            figures.items(),
            key=lambda kv: (
                kv[0].programme,
                kv[0].category,
                kv[0].sex,
                kv[0].age_band,
                kv[0].place or 0,
            ),
        )
    ]
    totals: dict[str, Any] = {m: sum(r[m] for r in result) for m in MEASURES}
    ordered_closures: dict[Any, Any] = dict(sorted(closures.items()))
    suppressed = suppresses_small_cells(scope)
    if suppressed:
        result = [{k: (_small(v) if k in MEASURES else v) for k, v in r.items()} for r in result]
        totals = {m: _small(v) for m, v in totals.items()}
        ordered_closures = {reason: _small(v) for reason, v in ordered_closures.items()}
    return {
        "year": year,
        "month": month,
        "by": by,
        "rows": result,
        "closures": ordered_closures,
        "totals": totals,
        "suppressed": suppressed,
    }


def suppresses_small_cells(scope) -> bool:
    """A regional administrator's figures (their oblast, counts only) hide small cells."""
    return (
        scope is not None
        and not scope.national
        and not scope.provider_id
        and scope.oblast_id is not None
    )


def _small(value: int):
    return SUPPRESSED if 1 <= value < SMALL_CELL else value


def _meetings(session, chunk, cases, first, last, figures, key) -> None:
    rules = {p: programme_by_code(p, session) for p in Programme}
    contacts: dict[int, list] = defaultdict(list)
    for case_id, day, form in session.execute(
        select(Contact.case_id, Contact.contact_on, Contact.form)
        .where(Contact.case_id.in_(chunk), Contact.contact_on <= last)
        .order_by(Contact.case_id, Contact.contact_on)
    ):
        contacts[case_id].append((day, form))
    for case_id, log in contacts.items():
        row = cases[case_id]
        rule = rules.get(row.programme)
        forms = rule.meeting_form_set if rule else frozenset()
        interval = rule.meeting_interval_days if rule else None
        anchor = max(d for d in (row.opened_on, row.reopened_on) if d)
        k = key(row, row.category, row.sex, row.birth_date)
        for day, form in log:
            if form.name not in forms:
                continue
            if day >= first:
                figures[k]["meetings"] += 1
                if interval is None or (day - anchor).days <= interval:
                    figures[k]["meetings_on_time"] += 1
            anchor = max(anchor, day)


def _chunks(ids, size=500):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


#: Columns of a row that describe it (programme .. place); the counts follow.
DESCRIBING_COLUMNS = 5


def report_table(session, figures: dict) -> dict:
    """The figures as the reader sees them, on the page and in the file alike.

    ``header``: the column titles; ``rows``: one list of cells per row of
    :func:`monthly_figures` (labels in the reader's language, then the counts as
    computed, «<5» included); ``totals``: ``[(measure, count)]``; ``closures``:
    ``[(reason label, count)]``. Places are named from the reference tables
    (oblast or community titles); an unknown value reads «not recorded».
    """
    from ..geography.models import Hromada, Oblast
    from .models import BeneficiaryCategory, ClosureReason, Sex

    model = Oblast if figures["by"] == "oblast" else Hromada
    ids = {r["place"] for r in figures["rows"] if r["place"]}
    places = (
        {
            pk: title
            for pk, title in session.execute(select(model.id, model.title).where(model.id.in_(ids)))
        }
        if ids
        else {}
    )
    programmes = {p.name: p.label for p in Programme}
    categories = {c.name: c.label for c in BeneficiaryCategory}
    sexes = {s.name: s.label for s in Sex}
    reasons = {r.name: r.label for r in ClosureReason}
    missing = _("not recorded")
    rows = [
        [
            str(programmes.get(r["programme"], r["programme"])),
            str(categories.get(r["category"], r["category"])),
            str(sexes.get(r["sex"], missing)),
            r["age_band"] if r["age_band"] != UNKNOWN else missing,
            places.get(r["place"], missing),
            *(r[m] for m in MEASURES),
        ]
        for r in figures["rows"]
    ]
    header = [
        _("Programme"),
        _("Category"),
        _("Sex"),
        _("Age"),
        _("Place of residence"),
        _("People served"),
        _("New cases"),
        _("Meetings"),
        _("Meetings on time"),
        _("Plans completed"),
        _("Closed"),
    ]
    return {
        "header": header,
        "rows": rows,
        "totals": [(m, figures["totals"][m]) for m in MEASURES],
        "closures": [
            (str(reasons.get(reason, reason)), n) for reason, n in figures["closures"].items()
        ],
    }


def parse_month(text: str | None, today: dt.date) -> tuple[int, int]:
    """``"2026-11"`` -> (2026, 11); the previous month when absent or malformed."""
    try:
        year, month = (int(x) for x in (text or "").split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    previous = today.replace(day=1) - dt.timedelta(days=1)
    return previous.year, previous.month


__all__ = [
    "monthly_figures",
    "report_table",
    "age_band",
    "month_bounds",
    "parse_month",
    "AGE_BANDS",
    "MEASURES",
]
