"""Grants of the selection domain."""

GRANTS: dict = {}
MENU_CATEGORIES: dict = {}
