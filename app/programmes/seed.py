"""The programmes and catalogues as first seeded (reference data; the ministry
edits them in the portal afterwards).

Sources (see docs/programmes.md for the full list):

* the Law «Про соціальні послуги», art. 20: needs are assessed within five
  working days of the application (all three programmes);
* the state standard of social accompaniment of families (persons) in
  difficult life circumstances (order of the Ministry No. 318 of 31.03.2016):
  a term of not more than six months, extendable in a complex case (family
  assistant); the length and number of extensions are not in the excerpts
  found and are seeded as one extension of three months (*unverified*);
* the family assistant pilot: a meeting with the family at least every two
  weeks (the ministry's programme news);
* the servicemen accompaniment pilot: six groups and ten-plus measures,
  including consultations on strengthening the serviceman's family and
  informing on education (the ministry's programme news); the grouping
  below follows that list, the wording of the groups is ours.

Rows are data, not code: ``code`` values are stable (plan items and other
domains store them), so this list is only ever appended to.
"""

from __future__ import annotations

from sqlalchemy import event, insert

#: code, name, meeting forms, meeting interval (days), term (months),
#: extension (months), max extensions, review interval (days), assessment
#: deadline (working days)
PROGRAMMES = (
    (
        "servicemen",
        "Соціальний супровід військовослужбовців",
        "visit,office,online",
        None,
        None,
        None,
        0,
        None,
        5,
    ),
    ("family", "Асистент родини", "visit,office", 14, 6, 3, 1, 90, 5),
    (
        "centre",
        "Послуга з формування життєстійкості",
        "visit,office,online",
        None,
        None,
        None,
        0,
        None,
        5,
    ),
)
PROGRAMME_FIELDS = (
    "code",
    "name",
    "meeting_forms",
    "meeting_interval_days",
    "term_months",
    "extension_months",
    "max_extensions",
    "review_interval_days",
    "assessment_deadline_working_days",
)

#: Rules added later (issue #20, second part), kept apart so the first
#: migration's rows stay as they were: code -> {column: value}.
#: *Assumptions*: a contract with the recipient for the family assistant and
#: the servicemen accompaniment (social services are provided under a
#: contract; the pilots' own texts were not found), none for the centres'
#: group service; a follow-up 30 days after closure for families and
#: servicemen (no source found), none for the centres.
LATER_RULES = {
    "servicemen": {"requires_contract": True, "follow_up_days": 30},
    "family": {"requires_contract": True, "follow_up_days": 30},
    "centre": {"requires_contract": False, "follow_up_days": None},
}

_DOCS = "Документи та соціальний захист"
_HEALTH = "Здоров'я та реабілітація"
_LAW = "Правова допомога"
_PSY = "Психологічна підтримка"
_FAMILY = "Сім'я та освіта"
_SERVICE = "Етапи служби"

#: programme code -> ((group, code, name), ...)
MEASURES = {
    "servicemen": (
        (_DOCS, "documents_help", "Допомога з документами"),
        (_DOCS, "inform_social_protection", "Інформування щодо соціального захисту"),
        (_DOCS, "representation", "Представництво інтересів в органах влади"),
        (_HEALTH, "inform_health", "Інформування щодо медичної допомоги"),
        (_HEALTH, "rehabilitation_help", "Сприяння в отриманні реабілітації"),
        (_LAW, "inform_legal_aid", "Інформування щодо безоплатної правничої допомоги"),
        (_PSY, "psychosocial_consultation", "Психосоціальна консультація"),
        (_PSY, "support_group", "Група взаємопідтримки"),
        (_FAMILY, "family_consultation", "Консультації щодо зміцнення сім'ї військовослужбовця"),
        (_FAMILY, "inform_education", "Інформування щодо освіти"),
        (_SERVICE, "mobilisation_assistance", "Супровід під час мобілізації чи звільнення"),
        (_SERVICE, "discharge_handover", "Передача фахівцю із супроводу ветеранів війни громади"),
    ),
    "family": (
        ("Документи та соціальний захист", "documents_help", "Допомога з документами"),
        (
            "Документи та соціальний захист",
            "inform_social_protection",
            "Інформування щодо соціального захисту",
        ),
        (
            "Документи та соціальний захист",
            "representation",
            "Представництво інтересів в органах влади",
        ),
        ("Зайнятість і фінанси", "employment_search", "Сприяння в пошуку роботи"),
        ("Зайнятість і фінанси", "debt_restructuring", "Допомога в реструктуризації боргів"),
        ("Діти", "child_rehabilitation", "Сприяння реабілітації дитини"),
        ("Діти", "educational_activities", "Освітні заходи для дітей і батьків"),
        ("Діти", "inform_education", "Інформування щодо освіти"),
        ("Психологічна підтримка", "psychosocial_consultation", "Психологічна підтримка"),
        ("Психологічна підтримка", "family_consultation", "Консультації щодо зміцнення сім'ї"),
        ("Житло, здоров'я, право", "housing_help", "Сприяння у вирішенні житлових питань"),
        ("Житло, здоров'я, право", "inform_health", "Інформування щодо медичної допомоги"),
        (
            "Житло, здоров'я, право",
            "inform_legal_aid",
            "Інформування щодо безоплатної правничої допомоги",
        ),
    ),
    "centre": (
        ("Психологічна підтримка", "psychosocial_consultation", "Психосоціальна консультація"),
        ("Психологічна підтримка", "family_consultation", "Консультації щодо зміцнення сім'ї"),
        ("Психологічна підтримка", "support_group", "Група взаємопідтримки"),
        ("Навчання навичок", "resilience_training", "Тренінг навичок життєстійкості"),
        ("Інформування", "inform_social_protection", "Інформування щодо соціального захисту"),
        ("Інформування", "inform_legal_aid", "Інформування щодо безоплатної правничої допомоги"),
    ),
}


def programme_rows() -> list[dict]:
    return [dict(zip(PROGRAMME_FIELDS, row), active=True, version=1) for row in PROGRAMMES]


def measure_rows() -> list[dict]:
    return [
        dict(
            programme_code=programme, group_name=group, code=code, name=name, active=True, version=1
        )
        for programme, rows in MEASURES.items()
        for group, code, name in rows
    ]


def install_seed_events(programme_table, measure_table) -> None:
    """A database built with ``create_all`` (tests, ``init-db`` without
    migrations) gets the seed rows as the migration does."""

    @event.listens_for(programme_table, "after_create")
    def _programmes(target, connection, **kw):
        connection.execute(
            insert(target),
            [{**row, **LATER_RULES.get(row["code"], {})} for row in programme_rows()],
        )

    @event.listens_for(measure_table, "after_create")
    def _measures(target, connection, **kw):
        connection.execute(insert(target), measure_rows())
