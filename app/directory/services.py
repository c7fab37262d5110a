"""Rules of the service directory, the referrals into it and its read models.

Write rules are commands (``app/common/commands.py``), so the web forms, the
REST API and any other path run the same checks (docs/rules.md, «Service
directory», DIR-xx):

* :class:`DirectoryEntryCommands`: an entry's place matches its level (a
  community's entry names its hromada, an oblast-wide one its oblast), it
  names who may receive it and how to apply, its link is a web address, its
  verification date is not in the future, its kind is not retired. Who may
  keep which entries is the scope (``DirectoryEntry.scope_clause``): a hromada
  editor their community's entries, a regional administrator their oblast's,
  ministry staff all (and the national ones).
* :class:`ReferralCommands`: the case register's own record rules
  (``CaseRecordCommands``: the case is open) plus the directory's: a referral
  picks a service offered where the beneficiary lives, for their category,
  not withdrawn; an outcome has its date.

Read models: :func:`public_search` (``/public/services/``), :func:`gaps`
(communities x kinds without an entry), :func:`referral_stats` (no personal
data: counts per oblast and kind), :func:`stale_clause` (not verified for six
months).
"""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, case, event, exists, func, or_, select
from sqlalchemy import inspect as sa_inspect

from .. import clock
from ..common.commands import (
    ModelCommands,
    acting_user,
    commands,
    commands_for,
    db_session,
    label_tables,
)
from ..errors import UserError
from .models import (
    DirectoryEntry,
    EntryLevel,
    RecipientCategory,
    ServiceKind,
    entry_recipient,
    stale_before,
)

# --------------------------------------------------------------------------- classifiers
#: The seeded kinds of service: (code, name, description). Source: the issue
#: (#25) and public descriptions of what veterans' departments, ЦНАП and
#: resilience centres offer; the split of the last five is an assumption.
SERVICE_KINDS = (
    (
        "social_protection",
        "Соціальний захист і соціальні послуги",
        "Соціальний супровід, догляд, соціальні послуги за місцем проживання",
    ),
    (
        "documents",
        "Документи та статус",
        "Посвідчення учасника бойових дій, статус члена сім'ї загиблого, довідки, ЦНАП",
    ),
    ("health", "Охорона здоров'я", "Лікування, медичні огляди, ліки за програмою"),
    ("rehabilitation", "Реабілітація", "Фізична реабілітація, протезування, санаторне лікування"),
    (
        "psychological",
        "Психологічна підтримка",
        "Консультації психолога, групи взаємопідтримки, центри життєстійкості",
    ),
    ("legal_aid", "Правова допомога", "Безоплатна правнича допомога, консультації юриста"),
    ("education", "Освіта", "Навчання, пільги на освіту для ветеранів і дітей"),
    (
        "employment",
        "Працевлаштування і перекваліфікація",
        "Центр зайнятості, професійне навчання, ваучери",
    ),
    ("housing", "Житло", "Житлові програми, компенсації, тимчасове житло"),
    ("benefits", "Пільги та виплати", "Грошові допомоги, компенсації, пільги на оплату послуг"),
    ("business", "Підтримка власної справи", "Гранти і консультації для ветеранського бізнесу"),
    ("sport", "Спорт і дозвілля", "Ветеранський спорт, адаптивні заняття, клуби"),
    (
        "transition",
        "Перехід до цивільного життя",
        "Фахівці із супроводу ветеранів, ветеранські простори, інформування",
    ),
)

#: The seeded categories of recipients: (code, name). Source: the issue (#25) and
#: the statuses of the law «Про статус ветеранів війни, гарантії їх соціального
#: захисту»; «усі мешканці громади» is ours, for services open to anyone.
RECIPIENTS = (
    ("servicemen", "Військовослужбовці"),
    ("veterans", "Ветерани війни"),
    ("demobilised", "Демобілізовані"),
    ("war_disabled", "Особи з інвалідністю внаслідок війни"),
    ("families_servicemen", "Члени сімей військовослужбовців"),
    ("families_veterans", "Члени сімей ветеранів"),
    ("families_fallen", "Сім'ї загиблих (померлих) Захисників"),
    ("families_missing", "Сім'ї зниклих безвісти"),
    ("families_captive", "Сім'ї полонених"),
    ("idp", "Внутрішньо переміщені особи"),
    ("all_residents", "Усі мешканці громади"),
)
ALL_RESIDENTS = "all_residents"

#: A beneficiary's category in the case register -> the directory's categories
#: whose services fit them (plus «all residents», always).
BENEFICIARY_RECIPIENTS = {
    "serviceman": ("servicemen",),
    "veteran": ("veterans", "demobilised", "war_disabled"),
    "family_member": (
        "families_servicemen",
        "families_veterans",
        "families_fallen",
        "families_missing",
        "families_captive",
    ),
    "idp": ("idp",),
    "difficult_family": (),
    "other": (),
}


def seed_classifiers(session) -> None:
    """Insert the seeded kinds and categories that are missing (idempotent)."""
    have = set(session.scalars(select(ServiceKind.code)))
    for order, (code, name, description) in enumerate(SERVICE_KINDS, start=1):
        if code not in have:
            session.add(
                ServiceKind(code=code, name=name, description=description, sort_order=order * 10)
            )
    have = set(session.scalars(select(RecipientCategory.code)))
    for order, (code, name) in enumerate(RECIPIENTS, start=1):
        if code not in have:
            session.add(RecipientCategory(code=code, name=name, sort_order=order * 10))
    session.flush()


# --------------------------------------------------------------------------- entry rules
HROMADA_REQUIRED = _l("Choose the territorial community of this service.")
OBLAST_REQUIRED = _l("Choose the oblast of this oblast-wide service.")
RECIPIENTS_REQUIRED = _l("Choose at least one category of people who may receive the service.")
HOW_TO_APPLY_REQUIRED = _l(
    "Say how to apply: an online link, an address to come to in person, or a phone number."
)
URL_INVALID = _l("The online link must be a web address beginning with https:// or http://.")
VERIFIED_IN_FUTURE = _l("The date of verification cannot be in the future.")
KIND_RETIRED = _l("This kind of service is no longer used: choose another one.")
EMAIL_INVALID = _l("Enter a valid e-mail address, e.g. office@example.org.")

URL_RE = re.compile(r"https?://[^\s/$.?#][^\s]*", re.I)


def _changed(item, column: str, value) -> bool:
    """Whether ``value`` differs from the row's ``column`` as it was loaded (a
    new row: always). Attribute history cannot tell: FAB's form population
    autoflushes half-way (a lazy load of an old value), and a flush clears it."""
    if getattr(item, "id", None) is None:
        return True
    stored = getattr(item, "_loaded", {})
    return column not in stored or stored[column] != value


def _remember(*columns):
    """Keep the loaded values of ``columns`` on each instance (see :func:`_changed`)."""

    def remember(target, *_args):
        target._loaded = {c: getattr(target, c) for c in columns if c in sa_inspect(target).dict}

    return remember


def _related(item, rel: str, fk: str, model):
    """The related row of ``item`` as the write left it: the relationship when
    it was set (a form or the API may set it to None), else the key's row."""
    session = db_session()
    with session.no_autoflush:
        if sa_inspect(item).attrs[rel].history.has_changes():
            return getattr(item, rel)
        value = getattr(item, rel)
        if value is None and getattr(item, fk) is not None:
            value = session.get(model, getattr(item, fk))
    return value


def _place(item) -> None:
    """Make the entry's place match its level (DIR-01, DIR-02): a community's
    entry takes its oblast from the hromada; an oblast-wide one has no
    hromada; a national one neither."""
    from .models import EntryHromada

    session = db_session()
    level = item.level or EntryLevel.hromada
    item.level = level
    if level == EntryLevel.hromada:
        hromada = _related(item, "hromada", "hromada_id", EntryHromada)
        if hromada is None:
            raise UserError(HROMADA_REQUIRED)
        from ..geography.models import Oblast

        with session.no_autoflush:
            item.oblast = session.get(Oblast, hromada.oblast_id)
    elif level == EntryLevel.oblast:
        from ..geography.models import Oblast

        if _related(item, "oblast", "oblast_id", Oblast) is None:
            raise UserError(OBLAST_REQUIRED)
        item.hromada = None
        item.hromada_id = None
    else:
        item.hromada = None
        item.hromada_id = None
        item.oblast = None
        item.oblast_id = None


def _contacts(item) -> None:
    from ..common import validators as v

    url = (item.online_url or "").strip()
    if url and not URL_RE.fullmatch(url):
        raise UserError(URL_INVALID)
    item.online_url = url or None
    phone = (item.phone or "").strip()
    if phone:
        normalized = v.normalize_phone(phone)
        if normalized is None:
            raise UserError(v.PHONE_MESSAGE)
        item.phone = normalized
    else:
        item.phone = None
    email = (item.email or "").strip()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise UserError(EMAIL_INVALID)
    item.email = email or None
    if not (item.online_url or item.phone or (item.in_person and (item.address or "").strip())):
        raise UserError(HOW_TO_APPLY_REQUIRED)


def _editor_defaults(item) -> None:
    """A hromada editor's new entry is of their community unless they chose one."""
    from ..security.scope import current_scope

    scope = current_scope()
    if (
        scope.hromada_id
        and item.level in (None, EntryLevel.hromada)
        and item.hromada is None
        and item.hromada_id is None
    ):
        from .models import EntryHromada

        item.level = EntryLevel.hromada
        with db_session().no_autoflush:
            item.hromada = db_session().get(EntryHromada, scope.hromada_id)


event.listen(DirectoryEntry, "load", _remember("kind_id", "verified_on"))
event.listen(DirectoryEntry, "refresh", _remember("kind_id", "verified_on"))


@commands(DirectoryEntry)
class DirectoryEntryCommands(ModelCommands):
    """An entry of the directory: place, recipients, how to apply, dates, kind."""

    parts = ("directory_entry_recipient",)

    def check(self, item, creating):
        if creating:
            _editor_defaults(item)
        _place(item)
        session = db_session()
        with session.no_autoflush:
            recipients = list(item.recipients or [])
        kind = _related(item, "kind", "kind_id", ServiceKind)
        if not recipients:
            raise UserError(RECIPIENTS_REQUIRED)
        _contacts(item)
        if item.verified_on is None:
            item.verified_on = clock.kyiv_today()
        if item.verified_on > clock.kyiv_today():
            raise UserError(VERIFIED_IN_FUTURE)
        if kind is not None and not kind.active and _changed(item, "kind_id", kind.id):
            raise UserError(KIND_RETIRED)
        if creating or _changed(item, "verified_on", item.verified_on):
            user = acting_user()
            if user is not None:
                item.verified_by_fk = user.id


@commands(ServiceKind)
class ServiceKindCommands(ModelCommands):
    """A kind of service: a retired kind stays on its entries (``active`` off);
    one in use is never deleted (ALL-01)."""


@commands(RecipientCategory)
class RecipientCategoryCommands(ModelCommands):
    pass


def mark_verified(entries, user, today: dt.date | None = None) -> int:
    """The «verified» action: each entry was checked today by ``user``."""
    from ..security.scope import ensure_in_scope

    today = today or clock.kyiv_today()
    for entry in entries:
        entry.verified_on = today
        entry.verified_by_fk = user.id
        ensure_in_scope(entry)
    db_session().flush()
    return len(entries)


def stale_clause(today: dt.date | None = None):
    """Entries in service that were not verified for six months."""
    return and_(DirectoryEntry.active.is_(True), DirectoryEntry.verified_on < stale_before(today))


# --------------------------------------------------------------------------- referrals
NOT_IN_BENEFICIARY_PLACE = _l(
    "This service is not offered in the beneficiary's community: "
    "choose one of their community, their oblast or a national one."
)
NOT_FOR_CATEGORY = _l("This service is not for the beneficiary's category.")
ENTRY_WITHDRAWN = _l("This service has been withdrawn from the directory.")
OUTCOME_DATE = _l(
    "Give the date of the outcome: not before the referral date and not in the future."
)


def beneficiary_place(case) -> tuple[int | None, int | None]:
    """(hromada id, oblast id) where the case's beneficiary gets services.

    The register keeps no community of the beneficiary (their address is free
    text), so the place is the beneficiary's own ``hromada_id`` when the
    register has one, else the community of the case's resilience centre,
    else the provider's community and oblast (an assumption: a case is
    served where its provider works)."""
    session = db_session()
    with session.no_autoflush:
        beneficiary = case.beneficiary
        hromada_id = getattr(beneficiary, "hromada_id", None)
        if hromada_id is None and case.centre_id is not None:
            hromada_id = case.centre.hromada_id if case.centre is not None else None
        provider = case.provider
        if hromada_id is None and provider is not None:
            hromada_id = provider.hromada_id
        oblast_id = None
        if hromada_id is not None:
            from ..geography.models import Hromada

            oblast_id = session.scalar(select(Hromada.oblast_id).where(Hromada.id == hromada_id))
        if oblast_id is None and provider is not None:
            oblast_id = provider.oblast_id
    return hromada_id, oblast_id


def recipient_codes_for(case) -> tuple[str, ...]:
    beneficiary = case.beneficiary
    name = beneficiary.category.name if beneficiary is not None and beneficiary.category else ""
    return (*BENEFICIARY_RECIPIENTS.get(name, ()), ALL_RESIDENTS)


def place_clause(hromada_id, oblast_id):
    """Entries offered in a community: its own, its oblast's, national ones."""
    options = [DirectoryEntry.level == EntryLevel.national]
    if hromada_id is not None:
        options.append(
            and_(
                DirectoryEntry.level == EntryLevel.hromada, DirectoryEntry.hromada_id == hromada_id
            )
        )
    if oblast_id is not None:
        options.append(
            and_(DirectoryEntry.level == EntryLevel.oblast, DirectoryEntry.oblast_id == oblast_id)
        )
    return or_(*options)


def recipients_clause(codes):
    return exists(
        select(entry_recipient.c.entry_id)
        .join(RecipientCategory, RecipientCategory.id == entry_recipient.c.category_id)
        .where(
            entry_recipient.c.entry_id == DirectoryEntry.id, RecipientCategory.code.in_(list(codes))
        )
    )


def valid_for_case_clause(case):
    """Entries a referral of this case may pick (DIR-08..DIR-10)."""
    hromada_id, oblast_id = beneficiary_place(case)
    return and_(
        DirectoryEntry.active.is_(True),
        place_clause(hromada_id, oblast_id),
        recipients_clause(recipient_codes_for(case)),
    )


def check_referral_entry(referral, case) -> None:
    session = db_session()
    entry = _related(referral, "entry", "entry_id", DirectoryEntry)
    if entry is not None and _changed(referral, "entry_id", entry.id):
        if not entry.active:
            raise UserError(ENTRY_WITHDRAWN)
        hromada_id, oblast_id = beneficiary_place(case)
        in_place = (
            entry.level == EntryLevel.national
            or (entry.level == EntryLevel.oblast and entry.oblast_id == oblast_id)
            or (
                entry.level == EntryLevel.hromada
                and entry.hromada_id == hromada_id
                and hromada_id is not None
            )
        )
        if not in_place:
            raise UserError(NOT_IN_BENEFICIARY_PLACE)
        with session.no_autoflush:
            codes = {r.code for r in entry.recipients}
        if not codes & set(recipient_codes_for(case)):
            raise UserError(NOT_FOR_CATEGORY)
        if not (referral.organisation or "").strip():
            referral.organisation = entry.provider_name
    if referral.outcome is not None:
        if (
            referral.outcome_on is None
            or referral.outcome_on > clock.kyiv_today()
            or (referral.referred_on is not None and referral.outcome_on < referral.referred_on)
        ):
            raise UserError(OUTCOME_DATE)
    elif referral.outcome_on is not None:
        raise UserError(OUTCOME_DATE)


def _install_referral_commands():
    """The directory's referral rules on top of the case register's own
    (``CaseRecordCommands`` for ``Referral``, registered by app.cases)."""
    from ..cases import services as _case_services  # noqa: F401  (registers its commands)
    from ..cases.models import Referral

    base = type(commands_for(Referral))
    if getattr(base, "directory_rules", False):
        return

    class ReferralCommands(base):
        """A case referral: the case's rules, then the directory's (DIR-08..DIR-11)."""

        directory_rules = True

        def check_record(self, item, case):
            super().check_record(item, case)
            check_referral_entry(item, case)

    commands(Referral)(ReferralCommands)
    event.listen(Referral, "load", _remember("entry_id"))
    event.listen(Referral, "refresh", _remember("entry_id"))


_install_referral_commands()


# --------------------------------------------------------------------------- read models
#: What the public page shows of an entry (no upkeep data: who verified, when).
PUBLIC_COLUMNS = (
    "id",
    "title",
    "level",
    "provider_type",
    "provider_name",
    "description",
    "how_to_apply",
    "documents",
    "online_url",
    "in_person",
    "address",
    "hours",
    "phone",
    "email",
    "languages",
    "barrier_free",
    "accessibility",
)


_PUBLIC_STATEMENTS: dict = {}


def _public_statement(with_category: bool, with_kind: bool):
    """The search statement, built once per shape (building it cost more than
    running it): one statement over three indexed places (community,
    oblast-wide, national), the categories probed on the (entry, category) key."""
    key = (with_category, with_kind)
    if key not in _PUBLIC_STATEMENTS:
        conditions: list = [DirectoryEntry.active.is_(True)]
        if with_category:
            conditions.append(
                exists(
                    select(entry_recipient.c.entry_id).where(
                        entry_recipient.c.entry_id == DirectoryEntry.id,
                        entry_recipient.c.category_id.in_(bindparam("categories", expanding=True)),
                    )
                )
            )
        if with_kind:
            conditions.append(DirectoryEntry.kind_id == bindparam("kind"))
        places = or_(
            DirectoryEntry.hromada_id == bindparam("hromada"),
            and_(
                DirectoryEntry.level == EntryLevel.oblast,
                DirectoryEntry.oblast_id == bindparam("oblast"),
            ),
            DirectoryEntry.level == EntryLevel.national,
        )
        columns = [getattr(DirectoryEntry, c) for c in PUBLIC_COLUMNS]
        _PUBLIC_STATEMENTS[key] = (
            select(*columns, ServiceKind.name.label("kind"))
            .join(ServiceKind, ServiceKind.id == DirectoryEntry.kind_id)
            .where(places, *conditions)
            .order_by(ServiceKind.sort_order, DirectoryEntry.title, DirectoryEntry.id)
            .limit(600)
        )
    return _PUBLIC_STATEMENTS[key]


_RECIPIENTS_OF = (
    select(entry_recipient.c.entry_id, RecipientCategory.name)
    .join(RecipientCategory, RecipientCategory.id == entry_recipient.c.category_id)
    .where(entry_recipient.c.entry_id.in_(bindparam("ids", expanding=True)))
    .order_by(RecipientCategory.sort_order)
)


def public_search(
    session,
    hromada_id: int,
    category_id: int | None = None,
    kind_id: int | None = None,
    oblast_id: int | None = None,
) -> dict:
    """What a person of ``category_id`` can get in the community: its own
    services, the oblast's and the national ones (active entries only), as
    plain rows (``level -> [row]``, each row with ``kind`` and ``recipients``):
    one search statement and one read of the recipients of what was found,
    no ORM objects."""
    from types import SimpleNamespace

    from ..geography.models import Hromada

    if oblast_id is None:
        oblast_id = session.scalar(select(Hromada.oblast_id).where(Hromada.id == hromada_id))
    if oblast_id is None:
        return {}
    params = {"hromada": hromada_id, "oblast": oblast_id}
    if category_id:
        params["categories"] = [category_id, *_all_residents_ids(session)]
    if kind_id:
        params["kind"] = kind_id
    stmt = _public_statement(bool(category_id), bool(kind_id))
    found: dict = {level: [] for level in EntryLevel}
    by_id = {}
    for row in session.execute(stmt, params):
        item = SimpleNamespace(**row._asdict(), recipients=[])
        found[item.level].append(item)
        by_id[item.id] = item
    if by_id:
        for entry_id, name in session.execute(_RECIPIENTS_OF, {"ids": list(by_id)}):
            by_id[entry_id].recipients.append(name)
    return found


def _all_residents_ids(session) -> list[int]:
    return list(
        session.scalars(select(RecipientCategory.id).where(RecipientCategory.code == ALL_RESIDENTS))
    )


def gaps(session, oblast_id: int) -> tuple[list, list, dict]:
    """Communities of an oblast x active kinds: how many active entries each
    community has of each kind, and which kinds the oblast covers as a whole.

    Returns (kinds, rows, oblast_wide) where each row is (hromada id, title,
    {kind id: count}) and ``oblast_wide`` is {kind id: count} of oblast-wide
    and national entries (they serve every community)."""
    from ..geography.models import Hromada

    kinds = session.scalars(
        select(ServiceKind)
        .where(ServiceKind.active.is_(True))
        .order_by(ServiceKind.sort_order, ServiceKind.name)
    ).all()
    counts: dict[int, dict[int, int]] = {}
    for hromada_id, kind_id, n in session.execute(
        select(DirectoryEntry.hromada_id, DirectoryEntry.kind_id, func.count())
        .where(
            DirectoryEntry.active.is_(True),
            DirectoryEntry.level == EntryLevel.hromada,
            DirectoryEntry.oblast_id == oblast_id,
        )
        .group_by(DirectoryEntry.hromada_id, DirectoryEntry.kind_id)
    ):
        counts.setdefault(hromada_id, {})[kind_id] = n
    wide = dict(
        session.execute(
            select(DirectoryEntry.kind_id, func.count())
            .where(
                DirectoryEntry.active.is_(True),
                or_(
                    DirectoryEntry.level == EntryLevel.national,
                    and_(
                        DirectoryEntry.level == EntryLevel.oblast,
                        DirectoryEntry.oblast_id == oblast_id,
                    ),
                ),
            )
            .group_by(DirectoryEntry.kind_id)
        ).all()
    )
    rows = [
        (hid, title, counts.get(hid, {}))
        for hid, title in session.execute(
            select(Hromada.id, Hromada.title).where(Hromada.oblast_id == oblast_id)
        )
    ]
    from ..collation import ukrainian_sort_key

    rows.sort(key=lambda r: ukrainian_sort_key(r[1]))
    return kinds, rows, wide


def referral_stats(session, oblast_id: int | None = None) -> list[dict]:
    """Referrals into the directory per oblast (of the case's provider) and
    kind of service: how many, received, refused, no answer, still open.
    Counts only: no case, person or note is read."""
    from ..cases.models import Case, Referral, ReferralOutcome
    from ..geography.models import Oblast
    from ..providers.models import Provider

    def n(outcome):
        if outcome is None:
            return func.sum(case((Referral.outcome.is_(None), 1), else_=0))
        return func.sum(case((Referral.outcome == outcome, 1), else_=0))

    stmt = (
        select(
            Oblast.title,
            ServiceKind.name,
            func.count(Referral.id),
            n(ReferralOutcome.received),
            n(ReferralOutcome.refused),
            n(ReferralOutcome.no_answer),
            n(None),
        )
        .select_from(Referral)
        .join(DirectoryEntry, DirectoryEntry.id == Referral.entry_id)
        .join(ServiceKind, ServiceKind.id == DirectoryEntry.kind_id)
        .join(Case, Case.id == Referral.case_id)
        .join(Provider, Provider.id == Case.provider_id)
        .join(Oblast, Oblast.id == Provider.oblast_id)
        .group_by(Oblast.title, ServiceKind.name)
        .order_by(func.count(Referral.id).desc(), Oblast.title, ServiceKind.name)
    )
    if oblast_id is not None:
        stmt = stmt.where(Provider.oblast_id == oblast_id)
    rows = []
    for oblast, kind, total, received, refused, no_answer, open_ in session.execute(stmt):
        decided = (received or 0) + (refused or 0) + (no_answer or 0)
        failed = (refused or 0) + (no_answer or 0)
        rows.append(
            {
                "oblast": oblast,
                "kind": kind,
                "total": total,
                "received": received or 0,
                "refused": refused or 0,
                "no_answer": no_answer or 0,
                "open": open_ or 0,
                "failed_share": round(100 * failed / decided) if decided else None,
            }
        )
    return rows


label_tables(
    {
        "directory_entry": _l("service directory entries"),
        "directory_service_kind": _l("kinds of service"),
        "directory_recipient_category": _l("categories of recipients"),
    }
)
