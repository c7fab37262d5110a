"""Who may do what with resilience centres (docs/roles.md).

* Regional administrators register and edit centres of their own oblast, import them
  from spreadsheets and move them through every status.
* Ministry staff read all centres and may suspend, resume and close them.
* Auditors read; provider case workers read their own provider's centres.
"""

from ..security.roles import AUDITOR, CASE_WORKER, EXPORT, MINISTRY, READ, REGIONAL_ADMIN, WRITE

RESOURCE = "Centre"
DASHBOARD = "CentreDashboard"

PREPARE = "can_prepare"
OPEN = "can_open"
SUSPEND = "can_suspend"
RESUME = "can_resume"
CLOSE = "can_close"
IMPORT = "can_import"
PUBLISH = "can_publish"

#: A centre as a place of work (issue #21).
STAFF = "CentreStaff"
APPLICATION = "CentreCommunityApplication"
ACTIVITY = "CentreActivity"
REPORT = "CentreReport"
DECIDE_APPLICATION = "can_decide"
SUBMIT_REPORT = "can_submit"
REVIEW_REPORT = "can_review"

GRANTS = {
    MINISTRY: {
        RESOURCE: {READ, EXPORT, SUSPEND, RESUME, CLOSE},
        DASHBOARD: {READ},
        STAFF: {READ},
        APPLICATION: {READ},
        ACTIVITY: {READ},
        REPORT: {READ},
    },
    REGIONAL_ADMIN: {
        RESOURCE: {READ, WRITE, EXPORT, IMPORT, PREPARE, OPEN, SUSPEND, RESUME, CLOSE, PUBLISH},
        DASHBOARD: {READ},
        # Regional administrators register the communities' applications
        # and decide them; assign staff; review the monthly reports.
        STAFF: {READ, WRITE},
        APPLICATION: {READ, WRITE, DECIDE_APPLICATION},
        ACTIVITY: {READ},
        REPORT: {READ, REVIEW_REPORT},
    },
    # A provider's specialists: their own provider's centres (scope).
    CASE_WORKER: {
        RESOURCE: {READ},
        STAFF: {READ, WRITE},
        ACTIVITY: {READ, WRITE},
        REPORT: {READ, WRITE, SUBMIT_REPORT},
    },
    # Staff and activity records name specialists: not for the auditor.
    AUDITOR: {RESOURCE: {READ, EXPORT}, DASHBOARD: {READ}},
}

#: Menu items of pages that share another resource's permissions: whoever reads that
#: resource sees the item (menu access is derived from READ, see security.roles).
MENU_ITEMS = {
    "CentreVisits": ACTIVITY,
    "CentreReadiness": DASHBOARD,
    "CentreLateReports": REPORT,
    "CentreActivityDashboard": DASHBOARD,
}
for _role, _resources in GRANTS.items():
    for _item, _resource in MENU_ITEMS.items():
        if READ in _resources.get(_resource, ()):
            _resources[_item] = {READ}

MENU_CATEGORIES = {
    RESOURCE: "Registries",
    DASHBOARD: "Reports",
    STAFF: "Registries",
    APPLICATION: "Registries",
    ACTIVITY: "Registries",
    REPORT: "Registries",
    "CentreVisits": "Registries",
    "CentreReadiness": "Reports",
    "CentreLateReports": "Reports",
    "CentreActivityDashboard": "Reports",
}
