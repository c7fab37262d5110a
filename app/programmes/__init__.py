"""Programme reference (issue #20): the programmes and their rules as data.

``models`` (Programme, ProgrammeMeasure, ContactForm), ``services`` (rules of
the reference and how other domains read it), ``seed`` (the seeded rows and
their sources), ``views`` (ministry-edited register, web and REST).
"""

from flask_babel import lazy_gettext as _l

from . import permissions  # noqa: F401  (grants are collected from here)


def register(appbuilder) -> None:
    from . import services  # noqa: F401  (registers the commands)
    from .views import ProgrammeApi, ProgrammeMeasureApi, ProgrammeMeasureView, ProgrammeView

    category = dict(
        category="Directories", category_label=_l("Directories"), category_icon="fa-map"
    )
    appbuilder.add_view(
        ProgrammeView, "Programme", label=_l("Programmes"), icon="fa-sitemap", **category
    )
    appbuilder.add_view(
        ProgrammeMeasureView,
        "ProgrammeMeasure",
        label=_l("Measures of the programmes"),
        icon="fa-list-ol",
        **category,
    )
    appbuilder.add_api(ProgrammeApi)
    appbuilder.add_api(ProgrammeMeasureApi)
