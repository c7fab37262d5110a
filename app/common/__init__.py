"""Shared building blocks: errors, enums, mixins, base views, validators."""
