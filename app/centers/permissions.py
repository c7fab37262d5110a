"""Grants of the centers domain."""

GRANTS: dict = {}
MENU_CATEGORIES: dict = {}
