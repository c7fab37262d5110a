"""The cases domain's home-page dashboard: its cards and charts, registered
with the home page by this package's ``register()`` (``app.home.register_dashboard``)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _


def _reader() -> str | None:
    """ "full" (the case register), "aggregate" (de-identified only) or None."""
    from ..home import can_read

    if can_read("Case"):
        return "full"
    return "aggregate" if can_read("CaseDeidentified") else None


def _programme_status_counts(scope) -> dict:
    """``{(programme, status): n}`` in the scope."""
    from ..home import grouped_counts
    from .models import Case

    return grouped_counts(scope, Case, Case.programme, Case.status)


def _deadline_counts(scope, today) -> dict:
    """Overdue / due-soon contacts, mine or not (the scope's part shared, see home)."""
    from ..extensions import db
    from ..home import per_request, shared_figure
    from . import services

    return per_request(
        ("case_deadlines", scope, today),
        lambda: services.deadline_counts(
            db.session,
            scope,
            today,
            scope.user_id,
            shared=lambda compute, *args: shared_figure(scope, compute, *args),
        ),
    )


def _deadline_case_counts(scope, today, model) -> dict:
    """Cases of the scope whose needs assessment is overdue, whose term ends
    within 14 days (or has ended) and whose follow-up after closure is due:
    one statement (three conditional counts), shared by the scope's users.

    ``model`` is :class:`Case` (case workers), :class:`CaseSummary` (the
    de-identified readers) or None: a regional administrator, whose cases are
    those of the people living in their oblast (the reports' scope)."""
    from ..home import shared_figure

    return shared_figure(scope, _deadline_case_figures, today, model)


def _deadline_case_figures(scope, today, model) -> dict:
    """:func:`_deadline_case_counts`' statement (a shared figure's recipe)."""
    from sqlalchemy import case as when
    from sqlalchemy import func, select

    from ..extensions import db
    from ..security.scope import scoped
    from . import services
    from .models import Case
    from .reports import _scope_clause

    target = model or Case
    clauses = {
        "assessment": services.assessment_overdue_clause(today, model=target),
        "term": services.term_ending_clause(today, model=target),
        "follow_up": services.follow_up_due_clause(today, model=target),
    }
    stmt = select(
        *(func.coalesce(func.sum(when((clause, 1), else_=0)), 0) for clause in clauses.values())
    ).select_from(target)
    if model is None:
        stmt = stmt.where(_scope_clause(scope))
    else:
        stmt = scoped(stmt, model, scope)
    return dict(zip(clauses, db.session.execute(stmt).one(), strict=True))


DEADLINE_CARDS = (
    ("assessment", "AssessmentOverdueCaseView", "AssessmentOverdueDeidentifiedView"),
    ("term", "TermEndingCaseView", "TermEndingDeidentifiedView"),
    ("follow_up", "FollowUpDueCaseView", "FollowUpDueDeidentifiedView"),
)


def _deadline_cards(reader, scope, today) -> list[dict]:
    """Assessment overdue, term ending within 14 days, follow-ups due: counts
    linking to the list the reader may open (none for a regional
    administrator, who reads counts only, small ones as «<5»)."""
    from .models import Case, CaseSummary
    from .reports import _small

    labels = {
        "assessment": _("Needs assessment overdue"),
        "term": _("Service term ends within 14 days"),
        "follow_up": _("Follow-up after closure due"),
    }
    model = {"full": Case, "aggregate": CaseSummary}.get(reader)
    counts = _deadline_case_counts(scope, today, model)
    cards = []
    for key, full_view, deidentified_view in DEADLINE_CARDS:
        if reader == "regional":
            cards.append({"label": labels[key], "value": _small(int(counts[key] or 0))})
            continue
        view = full_view if reader == "full" else deidentified_view
        cards.append(
            {"label": labels[key], "value": int(counts[key] or 0), "url": url_for(f"{view}.list")}
        )
    return cards


def home_cards(scope, today=None) -> list[dict]:
    """Open cases, my overdue contacts, contacts due within 7 days (scoped);
    the assessment, term and follow-up deadlines of the scope's cases."""
    from . import services
    from .models import CaseStatus

    reader = _reader()
    if reader is None:
        from ..home import can_read

        if (
            can_read("CaseReport")
            and scope.oblast_id
            and not scope.national
            and not scope.provider_id
        ):
            return _deadline_cards(
                "regional", scope, services.kyiv_today() if today is None else today
            )
        return []
    today = today or services.kyiv_today()
    open_count = sum(
        n
        for (_p, status), n in _programme_status_counts(scope).items()
        if status != CaseStatus.closed
    )
    from flask_appbuilder.models.sqla.filters import FilterNotEqual

    from ..home import list_url

    open_filter = ("status", FilterNotEqual, CaseStatus.closed.name)
    if reader != "full":
        return [
            {
                "label": _("Open cases"),
                "value": open_count,
                "url": list_url("CaseDeidentifiedView", open_filter),
            },
            *_deadline_cards(reader, scope, today),
        ]
    deadlines = _deadline_counts(scope, today)
    mine_overdue = sum(
        n for (bucket, mine), n in deadlines.items() if mine and bucket != services.DUE_SOON
    )
    return [
        {
            "label": _("My overdue contacts"),
            "value": mine_overdue,
            "url": url_for("MyOverdueCaseView.list"),
            "mine": True,
        },
        {
            "label": _("My contacts due within 7 days"),
            "value": deadlines.get((services.DUE_SOON, True), 0),
            "url": url_for("DueSoonCaseView.list"),
            "mine": True,
        },
        {
            "label": _("Open cases"),
            "value": open_count,
            "url": list_url("CaseView", open_filter),
            "mine": bool(scope.provider_id),
        },
        *_deadline_cards(reader, scope, today),
    ]


def home_charts(scope, today=None) -> list:
    """Cases by programme stacked by status; overdue contacts by days late.

    Overdue contacts are a provider case worker's own (assigned to them);
    wider roles see every overdue contact in their scope. Links go to the case
    list the reader may open (the de-identified one cannot filter by due date).
    """
    import datetime as dt

    from ..home import COLOURS, Bar, Chart, Series, stacked_chart
    from . import services
    from .models import CaseStatus, Programme

    reader = _reader()
    if reader is None:
        return []
    today = today or services.kyiv_today()
    C = COLOURS
    list_url = url_for("CaseView.list" if reader == "full" else "CaseDeidentifiedView.list")
    status_colours = {
        CaseStatus.intake: C["cyan"],
        CaseStatus.assessment: C["sand"],
        CaseStatus.plan: C["teal"],
        CaseStatus.active: C["indigo"],
        CaseStatus.review: C["rose"],
        CaseStatus.closed: C["grey"],
    }
    by_programme = stacked_chart(
        "cases",
        _("Cases by programme and status"),
        [(p, p.label) for p in Programme],
        CaseStatus,
        _programme_status_counts(scope),
        colours=status_colours,
        category=_("Programme"),
        order=50,
        series_url=lambda s: f"{list_url}?_flt_0_status={s.name}",
        bar_url=lambda p: f"{list_url}?_flt_0_programme={p.name}",
        segment_url=lambda p, s: f"{list_url}?_flt_0_programme={p.name}&_flt_0_status={s.name}",
    )

    own = bool(scope.provider_id)
    deadlines = _deadline_counts(scope, today)
    buckets = [services.bucket_key(low, high) for low, high in services.OVERDUE_BUCKETS]
    counts = {
        key: sum(
            n for (bucket, mine), n in deadlines.items() if bucket == key and (mine or not own)
        )
        for key in buckets
    }

    def url(low, high):
        if reader != "full":
            return None
        # the meeting clock runs in every open stage: closed cases have no due date
        base = f"{url_for('MyOverdueCaseView.list')}?" if own else f"{list_url}?"
        # next_contact_due filters: 1 = greater than, 2 = smaller than (FAB's date filters)
        before = f"_flt_2_next_contact_due={today - dt.timedelta(days=low - 1)}"
        after = f"&_flt_1_next_contact_due={today - dt.timedelta(days=high + 1)}" if high else ""
        return base + before + after

    def label(low, high):
        return (
            _("%(low)d–%(high)d days", low=low, high=high)
            if high
            else _("More than %(days)d days", days=low - 1)
        )

    severity = [C["sand"], C["rose"], C["wine"], C["dark"]]
    overdue = Chart(
        "overdue",
        _("My overdue contacts") if own else _("Overdue contacts"),
        [Series("count", _("Cases"))],
        [
            Bar(
                key=key,
                label=label(low, high),
                values={"count": counts[key]},
                url=url(low, high),
                colour=colour,
            )
            for key, (low, high), colour in zip(buckets, services.OVERDUE_BUCKETS, severity)
        ],
        category=_("Days overdue"),
        order=60,
        note=_("Total: %(n)d", n=sum(counts.values())),
    )
    return [by_programme, overdue]
