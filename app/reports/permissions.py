"""The map is for the people who plan the network of centres."""

from ..security.roles import AUDITOR, MINISTRY, READ, REGIONAL_ADMIN

GRANTS = {role: {"CentreMap": {READ}} for role in (MINISTRY, REGIONAL_ADMIN, AUDITOR)}
MENU_CATEGORIES = {"CentreMap": "Reports"}
