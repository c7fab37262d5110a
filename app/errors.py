"""Errors that carry a message for the person at the screen.

Services raise these; views show the message (in Ukrainian) and keep what the
user typed. Anything else is a bug and gives a generic 500 page, never the
exception text (which could leak data: cf. CVE-2023-34110).
"""

from flask_babel import lazy_gettext as _l


class UserError(Exception):
    """A refusal the user can understand and act on."""

    status_code = 400
    default_message = _l("The request cannot be completed.")

    def __init__(self, message: object = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class ConflictError(UserError):
    """Somebody else changed the record since the user loaded it."""

    status_code = 409
    default_message = _l(
        "This record was changed by another user while you were editing it. "
        "Reload the page to see the current version, then repeat your change."
    )


class TransitionNotAllowed(UserError):
    """A status change that the workflow does not allow from the current state."""

    status_code = 409
    default_message = _l("This status change is not allowed in the current state.")


class OutOfScope(UserError):
    """A record would fall outside the user's oblast or provider."""

    status_code = 403
    default_message = _l("You may not save a record outside your scope (oblast or provider).")


class NotPermitted(UserError):
    """The user's role does not allow this operation."""

    status_code = 403
    default_message = _l("Your role does not allow this operation.")


class InvalidData(UserError):
    """The database refused the values (missing reference, duplicate, out of range)."""

    status_code = 422
    default_message = _l(
        "The record was not saved: it duplicates an existing record or refers to a "
        "missing one. Check the unique fields (codes, numbers)."
    )
