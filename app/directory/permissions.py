"""Who may do what with the service directory (issue #25).

* A hromada editor («Редактор громади»: the community's department specialist
  or ЦНАП administrator) keeps the entries of their own community (scope:
  ``PortalUser.hromada_id``) and reads the classifiers. Their role is not one
  of the six original roles, so the self-service pages (profile, password, sessions) and
  "My jobs" every signed-in role has are granted here too.
* Regional administrators keep the entries of their oblast (its communities'
  and the oblast-wide ones) and see the gaps and referral figures of their oblast.
* Ministry staff keep the classifiers and every entry (national ones
  included) and see the gaps and referral figures of the country.
* Provider case workers read the directory to refer their cases into it.
* Auditors read the directory and the figures (no personal data in either).
"""

from ..security.permissions import SELF_SERVICE
from ..security.roles import (
    AUDITOR,
    CASE_WORKER,
    EXPORT,
    HROMADA_EDITOR,
    MINISTRY,
    READ,
    REGIONAL_ADMIN,
    WRITE,
)

ENTRY = "DirectoryEntry"
KIND = "ServiceKind"
CATEGORY = "RecipientCategory"
REPORT = "DirectoryReport"

CLASSIFIERS_READ = {KIND: {READ}, CATEGORY: {READ}}

GRANTS = {
    HROMADA_EDITOR: {
        ENTRY: {READ, WRITE, EXPORT},
        **CLASSIFIERS_READ,
        **SELF_SERVICE,
        "Job": {READ},
    },
    REGIONAL_ADMIN: {ENTRY: {READ, WRITE, EXPORT}, **CLASSIFIERS_READ, REPORT: {READ}},
    MINISTRY: {
        ENTRY: {READ, WRITE, EXPORT},
        KIND: {READ, WRITE},
        CATEGORY: {READ, WRITE},
        REPORT: {READ},
    },
    CASE_WORKER: {ENTRY: {READ}, **CLASSIFIERS_READ},
    AUDITOR: {ENTRY: {READ, EXPORT}, **CLASSIFIERS_READ, REPORT: {READ}},
}
MENU_CATEGORIES = {
    ENTRY: "Directory",
    KIND: "Directory",
    CATEGORY: "Directory",
    REPORT: "Directory",
}
