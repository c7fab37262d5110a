"""Grants of the cases domain."""

GRANTS: dict = {}
MENU_CATEGORIES: dict = {}
