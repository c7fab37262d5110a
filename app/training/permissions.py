"""Grants of the training domain."""

GRANTS: dict = {}
MENU_CATEGORIES: dict = {}
