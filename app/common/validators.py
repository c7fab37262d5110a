"""Validators for Ukrainian identifiers: ЄДРПОУ, РНОКПП, phone numbers, КАТОТТГ.

The module has two layers:

* pure functions (``edrpou_is_valid``, ``rnokpp_is_valid``, ``normalize_phone``,
  ``katottg_is_valid`` and helpers) that need no Flask and can be used in
  services, imports and migrations;
* WTForms validators (``Edrpou``, ``Rnokpp``, ``UkrainianPhone``,
  ``KatottgCode``) that wrap them and raise ``ValidationError`` with a message
  for the person at the screen.

The validators let empty values through: combine them with ``DataRequired`` or
``Optional`` to say whether the field must be filled in. Leading and trailing
whitespace is ignored when checking. Only ``UkrainianPhone`` rewrites
``field.data`` (to E.164); the others leave what the user typed untouched.

A checksum only catches typing mistakes; it does not prove that the code was
ever issued. Whether a company or a person really exists is a question for the
registers (ЄДР, ДРФО), not for a form validator.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, Literal

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import Field, Form
from wtforms.validators import ValidationError

__all__ = [
    "Edrpou",
    "KatottgCode",
    "Rnokpp",
    "UkrainianPhone",
    "edrpou_is_valid",
    "katottg_is_valid",
    "normalize_phone",
    "rnokpp_birth_date",
    "rnokpp_check_digit",
    "rnokpp_is_valid",
    "rnokpp_sex",
]

# ``[0-9]`` rather than ``\d``: in ``str`` patterns ``\d`` also matches
# Arabic-Indic, Devanagari, fullwidth... digits, which are not valid here.
_EDRPOU_RE = re.compile(r"[0-9]{8}")
_RNOKPP_RE = re.compile(r"[0-9]{10}")
_KATOTTG_RE = re.compile(r"UA[0-9]{17}")


def _clean(value: object) -> str | None:
    """The value with surrounding whitespace removed, or None if it is not a str."""
    if not isinstance(value, str):
        return None
    return value.strip()


# ---------------------------------------------------------------------------
# ЄДРПОУ
# ---------------------------------------------------------------------------

_EDRPOU_BASE_WEIGHTS = (1, 2, 3, 4, 5, 6, 7)
_EDRPOU_MIDDLE_WEIGHTS = (7, 1, 2, 3, 4, 5, 6)


def _edrpou_control(code: str) -> int:
    """Control digit for an 8-digit ЄДРПОУ ``code`` (its own last digit is ignored
    except for choosing the weights, see :func:`edrpou_is_valid`)."""
    value = int(code)
    if value < 30_000_000 or value > 60_000_000:
        weights = _EDRPOU_BASE_WEIGHTS
    else:
        weights = _EDRPOU_MIDDLE_WEIGHTS
    digits = [int(c) for c in code[:7]]
    control = sum(d * w for d, w in zip(digits, weights)) % 11
    if control == 10:
        control = sum(d * (w + 2) for d, w in zip(digits, weights)) % 11
        if control == 10:
            control = 0
    return control


def edrpou_is_valid(code: str) -> bool:
    """True if ``code`` is 8 digits with a correct ЄДРПОУ control digit.

    ЄДРПОУ is the identification code of a legal entity (or a separate
    subdivision) in the Єдиний державний реєстр підприємств та організацій
    України. The 8th digit is a control digit computed from the first seven:

    1. Weights 1, 2, 3, 4, 5, 6, 7 if the whole code is < 30000000 or
       > 60000000; otherwise (30000000..60000000) weights 7, 1, 2, 3, 4, 5, 6.
    2. control = sum(digit_i * weight_i) mod 11.
    3. If control == 10, recompute with every weight increased by 2
       (3..9, or 9, 3, 4, 5, 6, 7, 8). If it is 10 again, the control is 0.
    4. The 8th digit must equal the control.

    Source: the check-digit method of the State Statistics Service (Держстат),
    the keeper of ЄДРПОУ, as reproduced in uk.wikipedia «Код ЄДРПОУ» and in
    python-stdnum (``stdnum.ua.edrpou``). Checked against published codes of
    real organisations, e.g. 37567866, 00032945, 00032129, 14360570.

    python-stdnum chooses the weights by the first digit (3, 4 or 5) instead of
    by the 30000000..60000000 range. The two rules differ only for the code
    60000000 itself, which is invalid under both, so they accept the same codes.

    Limits of the check (it is mod 11 with a fallback, not a perfect code):
    a changed control digit is always caught, but a single changed digit among
    the first seven can occasionally produce another valid code, when one of the
    two codes needs the "weights + 2" fallback or when the change moves the code
    across the 30000000/60000000 boundaries (e.g. 00032945 and 00032905 are both
    valid). Roughly 2% of single-digit typos go unnoticed.

    Surrounding whitespace is ignored; anything that is not a ``str`` (an ``int``
    would have lost the leading zeros) is invalid.
    """
    cleaned = _clean(code)
    if cleaned is None or not _EDRPOU_RE.fullmatch(cleaned):
        return False
    return _edrpou_control(cleaned) == int(cleaned[7])


# ---------------------------------------------------------------------------
# РНОКПП (ІПН)
# ---------------------------------------------------------------------------

_RNOKPP_WEIGHTS = (-1, 5, 7, 9, 4, 6, 10, 5, 7)
#: Day 0 of the date encoded in the first five digits of a РНОКПП.
RNOKPP_EPOCH = dt.date(1899, 12, 31)


def rnokpp_check_digit(first_nine: str) -> int:
    """Control digit for the first nine digits of a РНОКПП.

    control = (sum(digit_i * weight_i) mod 11) mod 10 with weights
    (-1, 5, 7, 9, 4, 6, 10, 5, 7). The modulo is the mathematical one (never
    negative), which matters only for the rare sums below zero (e.g. 9000000000).

    Raises ``ValueError`` unless ``first_nine`` is exactly nine ASCII digits.
    """
    if not isinstance(first_nine, str) or not re.fullmatch(r"[0-9]{9}", first_nine):
        raise ValueError("expected exactly nine digits")
    total = sum(int(c) * w for c, w in zip(first_nine, _RNOKPP_WEIGHTS))
    return (total % 11) % 10


def rnokpp_is_valid(code: str) -> bool:
    """True if ``code`` is 10 digits with a correct РНОКПП control digit.

    РНОКПП (реєстраційний номер облікової картки платника податків, the former
    «ідентифікаційний номер», ІПН) is assigned to individuals by the State Tax
    Service under the Податковий кодекс України (ст. 70). Structure:

    * digits 1-5: date of birth as days since 31.12.1899 (see
      :func:`rnokpp_birth_date`);
    * digits 6-8: serial number;
    * digit 9: sex, odd = male, even = female (see :func:`rnokpp_sex`);
    * digit 10: control digit, see :func:`rnokpp_check_digit`.

    Source: the tax service's check-digit method as reproduced in
    uk.wikipedia «РНОКПП» and python-stdnum (``stdnum.ua.rntrc``).

    Because of the final "mod 10", a sum ≡ 10 (mod 11) and a sum ≡ 0 give the
    same control digit 0, so a single changed digit among the first nine goes
    unnoticed when it turns one of these into the other. A changed control digit
    is always caught.

    People who refused a РНОКПП for religious reasons are identified by their
    passport series and number instead; this function does not accept those.
    """
    cleaned = _clean(code)
    if cleaned is None or not _RNOKPP_RE.fullmatch(cleaned):
        return False
    return rnokpp_check_digit(cleaned[:9]) == int(cleaned[9])


def _require_rnokpp(code: str) -> str:
    cleaned = _clean(code)
    if cleaned is None or not rnokpp_is_valid(cleaned):
        raise ValueError("not a valid РНОКПП")
    return cleaned


def rnokpp_birth_date(code: str) -> dt.date:
    """Date of birth encoded in a РНОКПП: the first five digits are the number of
    days since 31.12.1899, so 00001 is 01.01.1900.

    Raises ``ValueError`` if ``code`` is not a valid РНОКПП (format and check
    digit), so that garbage is never decoded into a plausible-looking date.
    The date is what the tax service recorded; treat it as a hint, not as a
    replacement for the date from an identity document.
    """
    cleaned = _require_rnokpp(code)
    return RNOKPP_EPOCH + dt.timedelta(days=int(cleaned[:5]))


def rnokpp_sex(code: str) -> Literal["male", "female"]:
    """Sex encoded in a РНОКПП: the 9th digit is odd for men, even for women.

    Raises ``ValueError`` if ``code`` is not a valid РНОКПП.
    """
    cleaned = _require_rnokpp(code)
    return "male" if int(cleaned[8]) % 2 else "female"


# ---------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------

# Characters people put between digits: spaces (any Unicode whitespace,
# including the no-break space that office software inserts), hyphens, dots,
# parentheses.
_PHONE_SEPARATORS_RE = re.compile(r"[\s\-.()]+")


def normalize_phone(value: str) -> str | None:
    """Ukrainian phone number in E.164 (``+380XXXXXXXXX``), or None if ``value``
    is not one.

    Ukraine's country code is 380 and the national significant number has nine
    digits (ITU-T E.164; national numbering plan of Ukraine). Domestically it is
    dialled with the trunk prefix 0 (``0XX XXX XX XX``). The first digit of the
    nine (the start of the operator or area code) is never 0.

    Accepted, after removing spaces, hyphens, dots and parentheses:

    * ``+380XXXXXXXXX`` (e.g. ``+380 67 123 45 67``, ``+38 (067) 123-45-67``);
    * ``380XXXXXXXXX`` (the same without the plus);
    * ``00380XXXXXXXXX`` (international prefix 00);
    * ``0XXXXXXXXX`` (e.g. ``067-123-45-67``, ``(067) 123 45 67``).

    Not accepted, because they are ambiguous or not Ukrainian: nine digits
    without any prefix, the old ``8 0XX ...`` long-distance prefix, other country
    codes, extensions, letters, a ``+`` anywhere but at the start, non-ASCII
    digits. No check is made that the operator code is currently allocated.
    """
    if not isinstance(value, str):
        return None
    compact = _PHONE_SEPARATORS_RE.sub("", value)
    has_plus = compact.startswith("+")
    digits = compact[1:] if has_plus else compact
    if not re.fullmatch(r"[0-9]+", digits):
        return None
    if has_plus:
        if not digits.startswith("380"):
            return None
        national = digits[3:]
    elif digits.startswith("00380"):
        national = digits[5:]
    elif digits.startswith("380"):
        national = digits[3:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        return None
    if len(national) != 9 or national[0] == "0":
        return None
    return "+380" + national


# ---------------------------------------------------------------------------
# КАТОТТГ
# ---------------------------------------------------------------------------


def katottg_is_valid(code: str) -> bool:
    """True if ``code`` looks like a КАТОТТГ code: ``UA`` followed by 17 digits.

    КАТОТТГ is the Кодифікатор адміністративно-територіальних одиниць та
    територій територіальних громад, approved by order of the Ministry for
    Communities and Territories Development (Мінрегіон) of 26.11.2020 № 290.
    A code is the ISO 3166-1 code ``UA`` followed by 17 digits that encode the
    unit's place in the hierarchy (oblast, raion, hromada, ...) and a unique
    number, e.g. UA71020010000037786 (Бужанська громада, Черкаська область).

    Only the format is checked: no check-digit algorithm is published for the
    codifier, so whether the code exists must be checked against the codifier
    itself (the geography reference tables). ``UA`` must be upper case, as in
    the codifier; surrounding whitespace is ignored.
    """
    cleaned = _clean(code)
    return cleaned is not None and _KATOTTG_RE.fullmatch(cleaned) is not None


# ---------------------------------------------------------------------------
# WTForms validators
# ---------------------------------------------------------------------------

EDRPOU_FORMAT_MESSAGE = _l("The EDRPOU code must consist of 8 digits.")
EDRPOU_CHECKSUM_MESSAGE = _l("Invalid EDRPOU code: the check digit does not match. Check the code.")
RNOKPP_FORMAT_MESSAGE = _l("The RNOKPP must consist of 10 digits.")
RNOKPP_CHECKSUM_MESSAGE = _l("Invalid RNOKPP: the check digit does not match.")
PHONE_MESSAGE = _l("Enter the phone number in the format +380XXXXXXXXX.")
KATOTTG_MESSAGE = _l(
    "The KATOTTG code must consist of the letters UA and 17 digits, e.g. UA71020010000037786."
)


def _field_value(field: Field) -> str | None:
    """The field's data as a stripped str, or None when there is nothing to check."""
    data = field.data
    if data is None:
        return None
    text = str(data).strip()
    return text or None


class Edrpou:
    """WTForms validator: the field holds a valid ЄДРПОУ (see :func:`edrpou_is_valid`).

    Distinguishes a wrong length/characters from a wrong control digit so the
    user knows whether to retype the whole code or look for a typo.
    """

    def __init__(
        self,
        format_message: str | LazyString | None = None,
        checksum_message: str | LazyString | None = None,
    ) -> None:
        self.format_message = format_message or EDRPOU_FORMAT_MESSAGE
        self.checksum_message = checksum_message or EDRPOU_CHECKSUM_MESSAGE

    def __call__(self, form: Form, field: Field) -> None:
        value = _field_value(field)
        if value is None:
            return
        if not _EDRPOU_RE.fullmatch(value):
            raise ValidationError(str(self.format_message))
        if not edrpou_is_valid(value):
            raise ValidationError(str(self.checksum_message))


class Rnokpp:
    """WTForms validator: the field holds a valid РНОКПП (see :func:`rnokpp_is_valid`)."""

    def __init__(
        self,
        format_message: str | LazyString | None = None,
        checksum_message: str | LazyString | None = None,
    ) -> None:
        self.format_message = format_message or RNOKPP_FORMAT_MESSAGE
        self.checksum_message = checksum_message or RNOKPP_CHECKSUM_MESSAGE

    def __call__(self, form: Form, field: Field) -> None:
        value = _field_value(field)
        if value is None:
            return
        if not _RNOKPP_RE.fullmatch(value):
            raise ValidationError(str(self.format_message))
        if not rnokpp_is_valid(value):
            raise ValidationError(str(self.checksum_message))


class UkrainianPhone:
    """WTForms validator: the field holds a Ukrainian phone number
    (see :func:`normalize_phone`). On success ``field.data`` is replaced by the
    E.164 form, so the database always gets ``+380XXXXXXXXX``."""

    def __init__(self, message: str | LazyString | None = None) -> None:
        self.message = message or PHONE_MESSAGE

    def __call__(self, form: Form, field: Field) -> None:
        value = _field_value(field)
        if value is None:
            return
        normalized = normalize_phone(value)
        if normalized is None:
            raise ValidationError(str(self.message))
        field.data = normalized


class KatottgCode:
    """WTForms validator: the field holds a КАТОТТГ code in the right format
    (see :func:`katottg_is_valid`). Existence in the codifier is not checked."""

    def __init__(self, message: str | LazyString | None = None) -> None:
        self.message = message or KATOTTG_MESSAGE

    def __call__(self, form: Form, field: Field) -> None:
        value = _field_value(field)
        if value is None:
            return
        if not katottg_is_valid(value):
            raise ValidationError(str(self.message))


# ---------------------------------------------------------------------------
# The same rules for the REST API (marshmallow validators)
# ---------------------------------------------------------------------------


def api_validator(check: Callable[[Any], bool], message: str | LazyString) -> Callable[[Any], None]:
    """Wrap a pure check as a marshmallow validator with a Ukrainian message.

    Use in ``ModelRestApi.validators_columns``: the API must refuse what the
    form refuses.
    """
    from marshmallow import ValidationError as MarshmallowValidationError

    def validate(value: Any) -> None:
        if value in (None, ""):
            return
        if not check(value):
            raise MarshmallowValidationError(str(message))

    return validate


def api_edrpou() -> Callable[[Any], None]:
    return api_validator(edrpou_is_valid, EDRPOU_CHECKSUM_MESSAGE)


def api_rnokpp() -> Callable[[Any], None]:
    return api_validator(rnokpp_is_valid, RNOKPP_CHECKSUM_MESSAGE)


def api_phone() -> Callable[[Any], None]:
    return api_validator(lambda v: normalize_phone(v) is not None, PHONE_MESSAGE)
