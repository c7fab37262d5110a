"""Tests for app.common.validators (ЄДРПОУ, РНОКПП, phone, КАТОТТГ)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask_babel import Babel
from flask_babel.speaklater import LazyString
from hypothesis import example, given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField
from wtforms.validators import DataRequired

from app.common import validators as v
from app.common.catalogue import ROOT
from app.common.validators import (
    Edrpou,
    KatottgCode,
    Rnokpp,
    UkrainianPhone,
    edrpou_is_valid,
    katottg_is_valid,
    normalize_phone,
    rnokpp_birth_date,
    rnokpp_check_digit,
    rnokpp_is_valid,
    rnokpp_sex,
)

DIGITS = "0123456789"


def single_digit_mutations(code: str):
    """Every code that differs from ``code`` in exactly one position."""
    for i, old in enumerate(code):
        for new in DIGITS:
            if new != old:
                yield i, code[:i] + new + code[i + 1 :]


# ---------------------------------------------------------------------------
# ЄДРПОУ
# ---------------------------------------------------------------------------

# Published codes of real organisations (e.g. 14360570 АТ КБ «ПриватБанк»,
# 00032129 АТ «Ощадбанк»). Each was checked to pass the rule.
REAL_EDRPOU = ["37567866", "00032945", "00032129", "14360570", "21560766", "00013480"]


@pytest.mark.parametrize("code", REAL_EDRPOU)
def test_real_edrpou_codes_are_valid(code):
    assert edrpou_is_valid(code)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "3756786",  # 7 digits
        "375678660",  # 9 digits
        "3756786A",
        "3756 7866",  # inner space
        "37567867",  # wrong control digit
        "00032940",
        "١٤٣٦٠٥٧٠",  # 14360570 in Arabic-Indic digits: str.isdigit() is True, still invalid
        "１４３６０５７０",  # fullwidth digits
        "37567866\n7",
    ],
)
def test_bad_edrpou_codes_are_invalid(code):
    assert not edrpou_is_valid(code)


def test_edrpou_ignores_surrounding_whitespace_and_rejects_non_str():
    assert edrpou_is_valid(" 37567866\t")
    assert not edrpou_is_valid(None)
    assert not edrpou_is_valid(37567866)  # an int would have lost leading zeros


def test_every_single_digit_change_of_37567866_is_caught():
    assert [m for _, m in single_digit_mutations("37567866") if edrpou_is_valid(m)] == []


def test_single_digit_changes_of_00032945_are_caught_except_one_collision():
    # 00032945: first pass (weights 1..7) gives 104 % 11 = 5, control 5.
    # 00032905: first pass gives 76 % 11 = 10, so the fallback (weights 3..9)
    # applies: 104 % 11 = 5, control 5 again. Both are checksum-valid; the
    # mod-11-with-fallback scheme cannot catch this typo.
    accepted = [m for _, m in single_digit_mutations("00032945") if edrpou_is_valid(m)]
    assert accepted == ["00032905"]


@pytest.mark.parametrize("code", ["37567866", "00032945", "14360570"])
def test_changing_the_edrpou_control_digit_is_always_caught(code):
    for d in DIGITS:
        if d != code[7]:
            assert not edrpou_is_valid(code[:7] + d)


@pytest.mark.parametrize(
    ("prefix", "expected_control"),
    [
        # 0000281, weights 1..7: 2*5 + 8*6 + 1*7 = 65, 65 % 11 = 10;
        # weights 3..9: 2*7 + 8*8 + 1*9 = 87, 87 % 11 = 10 again -> control 0.
        ("0000281", "0"),
        # 3000044, weights 7,1,2,..: 3*7 + 4*5 + 4*6 = 65 -> 10;
        # weights 9,3,4,..: 3*9 + 4*7 + 4*8 = 87 -> 10 again -> control 0.
        ("3000044", "0"),
        # 0003294, weights 1..7: 3*4 + 2*5 + 9*6 + 4*7 = 104, 104 % 11 = 5.
        ("0003294", "5"),
        # 0003290: 76 % 11 = 10; weights 3..9: 3*6 + 2*7 + 9*8 = 104 -> 5.
        ("0003290", "5"),
    ],
)
def test_edrpou_control_digit_worked_examples(prefix, expected_control):
    assert [d for d in DIGITS if edrpou_is_valid(prefix + d)] == [expected_control]


def _edrpou_reference(code: str) -> bool:
    """Independent formulation (as in python-stdnum): weights 7,1,2,.. when the
    first digit is 3, 4 or 5. It differs from the range rule only for 60000000,
    which both reject."""
    digits = [int(c) for c in code]
    weights = [7, 1, 2, 3, 4, 5, 6] if code[0] in "345" else [1, 2, 3, 4, 5, 6, 7]
    total = sum(d * w for d, w in zip(digits, weights))
    if total % 11 < 10:
        return total % 11 == digits[7]
    total = sum(d * (w + 2) for d, w in zip(digits, weights))
    return total % 11 % 10 == digits[7]


@given(st.text(alphabet=DIGITS, min_size=8, max_size=8))
@example("30000000")
@example("30000005")
@example("29999993")  # valid, weights 1..7
@example("29999995")  # would be valid with weights 7,1,2,..
@example("60000000")
@example("60000006")
@example("60000009")
@example("00002810")
@example("30000440")
def test_edrpou_agrees_with_reference_formulation(code):
    assert edrpou_is_valid(code) == _edrpou_reference(code)


@given(st.text(alphabet=DIGITS, min_size=7, max_size=7))
@example("2999999")  # last prefix below 30000000
@example("3000000")  # first prefix with weights 7,1,2,...
@example("5999999")
@example("6000000")  # 60000000 uses 7,1,2,...; 60000001..9 use 1..7
@example("6000001")
@example("0000000")
@example("9999999")
def test_exactly_one_final_digit_makes_a_valid_edrpou(prefix):
    assert sum(edrpou_is_valid(prefix + d) for d in DIGITS) == 1


def _edrpou_first_pass(code: str) -> tuple[tuple[int, ...], int]:
    """Independent oracle: weights chosen for ``code`` and the first-pass remainder."""
    value = int(code)
    weights = (
        (1, 2, 3, 4, 5, 6, 7) if value < 30_000_000 or value > 60_000_000 else (7, 1, 2, 3, 4, 5, 6)
    )
    return weights, sum(int(c) * w for c, w in zip(code, weights)) % 11


@given(
    prefix=st.text(alphabet=DIGITS, min_size=7, max_size=7),
    position=st.integers(0, 7),
    shift=st.integers(1, 9),
)
def test_single_digit_mutation_of_valid_edrpou(prefix, position, shift):
    # What the checksum guarantees, and what it does not:
    # * All weights are in 1..9, non-zero mod 11, and a digit changes by 1..9,
    #   also non-zero mod 11; 11 is prime, so with the same weights the
    #   first-pass remainder always changes.
    # * So a mutant can only be valid (a) if its control digit is the one
    #   changed: never, the control is a function of the other seven digits, or
    #   (b) if the original or the mutant hit remainder 10 and took the
    #   "weights + 2" fallback, or (c) if the change moved the code across the
    #   30000000/60000000 boundaries and thus changed the weights.
    # Collisions of kind (b)/(c) are real (about 2% of single-digit typos on a
    # sampled run; e.g. 00032945 -> 00032905), so they are not asserted away.
    [valid] = [prefix + d for d in DIGITS if edrpou_is_valid(prefix + d)]
    new_digit = str((int(valid[position]) + shift) % 10)
    mutant = valid[:position] + new_digit + valid[position + 1 :]

    if position == 7:
        assert not edrpou_is_valid(mutant)
        return

    weights_v, first_v = _edrpou_first_pass(valid)
    weights_m, first_m = _edrpou_first_pass(mutant)
    if weights_v == weights_m:
        assert first_v != first_m
    if edrpou_is_valid(mutant):
        assert weights_v != weights_m or first_v == 10 or first_m == 10


# ---------------------------------------------------------------------------
# РНОКПП
# ---------------------------------------------------------------------------


def test_rnokpp_constructed_by_hand():
    # Born 01.01.2000 = day 36525 after 31.12.1899; serial 012; sex digit 3 (male).
    # Weighted sum of 365250123 with (-1,5,7,9,4,6,10,5,7):
    # -3 + 30 + 35 + 18 + 20 + 0 + 10 + 10 + 21 = 141; 141 % 11 = 9; 9 % 10 = 9.
    code = "3652501239"
    assert rnokpp_check_digit(code[:9]) == 9
    assert rnokpp_is_valid(code)
    assert rnokpp_birth_date(code) == dt.date(2000, 1, 1)
    assert rnokpp_sex(code) == "male"
    assert not rnokpp_is_valid("3652501238")


def test_rnokpp_first_day_and_female():
    # 00001 = 01.01.1900; sex digit 2 (female).
    first_nine = "000010002"
    code = first_nine + str(rnokpp_check_digit(first_nine))
    assert rnokpp_birth_date(code) == dt.date(1900, 1, 1)
    assert rnokpp_sex(code) == "female"


def test_rnokpp_negative_weighted_sum_uses_mathematical_modulo():
    # 9000000000: sum = -9; -9 mod 11 = 2, so the control digit is 2.
    assert rnokpp_check_digit("900000000") == 2
    assert rnokpp_is_valid("9000000002")


@pytest.mark.parametrize(
    "code",
    ["", "365250123", "36525012390", "365250123X", "36525 01239", "٣٦٥٢٥٠١٢٣٩", None, 3652501239],
)
def test_bad_rnokpp_is_invalid(code):
    assert not rnokpp_is_valid(code)


def test_rnokpp_ignores_surrounding_whitespace():
    assert rnokpp_is_valid("  3652501239 ")
    assert rnokpp_birth_date(" 3652501239 ") == dt.date(2000, 1, 1)


@pytest.mark.parametrize("code", ["3652501238", "365250123", "abc", None])
def test_rnokpp_decoding_refuses_invalid_codes(code):
    with pytest.raises(ValueError):
        rnokpp_birth_date(code)
    with pytest.raises(ValueError):
        rnokpp_sex(code)


@pytest.mark.parametrize("prefix", ["12345678", "1234567890", "12345678a", None])
def test_rnokpp_check_digit_needs_nine_digits(prefix):
    with pytest.raises(ValueError):
        rnokpp_check_digit(prefix)


@given(st.text(alphabet=DIGITS, min_size=9, max_size=9))
def test_rnokpp_with_computed_control_validates_and_no_other_digit_does(first_nine):
    control = rnokpp_check_digit(first_nine)
    assert rnokpp_is_valid(first_nine + str(control))
    assert [d for d in DIGITS if rnokpp_is_valid(first_nine + d)] == [str(control)]


@given(
    # Five digits of days: 00001 (01.01.1900) .. 99999 (14.10.2173).
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2173, 10, 14)),
    serial=st.integers(0, 999),
    sex_digit=st.integers(0, 9),
)
def test_rnokpp_birth_date_and_sex_round_trip(born, serial, sex_digit):
    days = (born - dt.date(1899, 12, 31)).days
    first_nine = f"{days:05d}{serial:03d}{sex_digit}"
    code = first_nine + str(rnokpp_check_digit(first_nine))
    assert rnokpp_is_valid(code)
    assert rnokpp_birth_date(code) == born
    assert rnokpp_sex(code) == ("male" if sex_digit % 2 else "female")


def _rnokpp_sum_mod_11(code: str) -> int:
    weights = (-1, 5, 7, 9, 4, 6, 10, 5, 7)
    return sum(int(c) * w for c, w in zip(code, weights)) % 11


@given(
    first_nine=st.text(alphabet=DIGITS, min_size=9, max_size=9),
    position=st.integers(0, 9),
    shift=st.integers(1, 9),
)
def test_single_digit_mutation_of_valid_rnokpp(first_nine, position, shift):
    # Weights are non-zero mod 11, so changing one of the first nine digits
    # always changes the sum mod 11. The final "% 10" maps remainders 0 and 10
    # to the same control digit 0, so a mutation that turns one into the other
    # is not caught. That is the only possible collision.
    valid = first_nine + str(rnokpp_check_digit(first_nine))
    mutant = valid[:position] + str((int(valid[position]) + shift) % 10) + valid[position + 1 :]
    if position == 9:
        assert not rnokpp_is_valid(mutant)
        return
    assert _rnokpp_sum_mod_11(valid) != _rnokpp_sum_mod_11(mutant)
    if rnokpp_is_valid(mutant):
        assert {_rnokpp_sum_mod_11(valid), _rnokpp_sum_mod_11(mutant)} == {0, 10}


# ---------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+380 67 123 45 67", "+380671234567"),
        ("067-123-45-67", "+380671234567"),
        ("380671234567", "+380671234567"),
        ("(067) 123 45 67", "+380671234567"),
        ("+38 (067) 123-45-67", "+380671234567"),
        ("+380671234567", "+380671234567"),
        ("00380 67 123 45 67", "+380671234567"),
        ("0671234567", "+380671234567"),
        ("  050.123.45.67 ", "+380501234567"),
        ("044\u00a0123\u00a045\u00a067", "+380441234567"),  # no-break spaces, Kyiv landline
        ("+380 (44) 123-45-67", "+380441234567"),
        # Not Ukrainian or not well formed:
        ("", None),
        ("   ", None),
        ("671234567", None),  # no prefix: ambiguous
        ("8 067 123 45 67", None),  # old long-distance prefix
        ("+380 067 123 45 67", None),  # trunk 0 kept after the country code
        ("0012345678", None),  # operator code starts with 0
        ("+3800123456789", None),
        ("067 123 45 6", None),  # too short
        ("067 123 45 678", None),  # too long
        ("+7 912 345 67 89", None),
        ("+48 123 456 789", None),
        ("380+671234567", None),
        ("++380671234567", None),
        ("067-123-45-67 доб. 5", None),
        ("067 123 45 67 ext 5", None),
        ("٠٦٧١٢٣٤٥٦٧", None),  # Arabic-Indic digits
        ("+380/671234567", None),
    ],
)
def test_normalize_phone_table(raw, expected):
    assert normalize_phone(raw) == expected


def test_normalize_phone_rejects_non_str():
    assert normalize_phone(None) is None
    assert normalize_phone(380671234567) is None


NATIONAL = st.text(alphabet=DIGITS, min_size=9, max_size=9).filter(lambda s: s[0] != "0")


@given(NATIONAL)
def test_all_accepted_spellings_give_the_same_e164(national):
    expected = "+380" + national
    op, rest = national[:2], national[2:]
    spellings = [
        expected,
        "380" + national,
        "00380" + national,
        "0" + national,
        f"+380 {op} {rest[:3]} {rest[3:5]} {rest[5:]}",
        f"(0{op}) {rest[:3]}-{rest[3:5]}-{rest[5:]}",
        f"+38 (0{op}) {rest[:3]} {rest[3:5]} {rest[5:]}",
    ]
    for spelling in spellings:
        assert normalize_phone(spelling) == expected, spelling


@given(st.text(max_size=25))
def test_normalize_phone_output_is_e164_and_idempotent(raw):
    result = normalize_phone(raw)
    if result is not None:
        assert len(result) == 13 and result.startswith("+380") and result[4] != "0"
        assert all(c in DIGITS for c in result[1:])
        assert normalize_phone(result) == result


# ---------------------------------------------------------------------------
# КАТОТТГ
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("UA71020010000037786", True),
        ("UA80000000000093317", True),
        (" UA71020010000037786 ", True),
        ("ua71020010000037786", False),
        ("UA7102001000003778", False),  # 16 digits
        ("UA710200100000377860", False),  # 18 digits
        ("UA 71020010000037786", False),
        ("71020010000037786", False),
        ("UA7102001000003778X", False),
        ("", False),
        (None, False),
    ],
)
def test_katottg_format(code, expected):
    assert katottg_is_valid(code) is expected


# ---------------------------------------------------------------------------
# WTForms validators, in a Flask app with Flask-Babel, locale uk
# ---------------------------------------------------------------------------


CATALOGUE_DIR = f"{ROOT}/translations"


@pytest.fixture
def request_ctx():
    app = Flask(__name__)
    # The messages are English msgids; the Ukrainian comes from the real catalogue.
    app.config.update(
        BABEL_DEFAULT_LOCALE="uk", TESTING=True, BABEL_TRANSLATION_DIRECTORIES=CATALOGUE_DIR
    )
    Babel(app)
    with app.test_request_context():
        yield app


class SampleForm(Form):
    edrpou = StringField(validators=[Edrpou()])
    rnokpp = StringField(validators=[Rnokpp()])
    phone = StringField(validators=[UkrainianPhone()])
    katottg = StringField(validators=[KatottgCode()])


def _form(**values) -> SampleForm:
    return SampleForm(formdata=MultiDict(values))


def test_messages_are_lazy_for_the_catalogue():
    for name in (
        "EDRPOU_FORMAT_MESSAGE",
        "EDRPOU_CHECKSUM_MESSAGE",
        "RNOKPP_FORMAT_MESSAGE",
        "RNOKPP_CHECKSUM_MESSAGE",
        "PHONE_MESSAGE",
        "KATOTTG_MESSAGE",
    ):
        assert isinstance(getattr(v, name), LazyString), name


def test_valid_values_pass_and_phone_is_normalised(request_ctx):
    form = _form(
        edrpou=" 37567866 ",
        rnokpp="3652501239",
        phone="(067) 123 45 67",
        katottg="UA71020010000037786",
    )
    assert form.validate(), form.errors
    assert form.phone.data == "+380671234567"
    assert form.edrpou.data == " 37567866 "  # only the phone validator rewrites data


def test_empty_values_pass(request_ctx):
    form = _form(edrpou="", rnokpp="  ", phone="", katottg="")
    assert form.validate(), form.errors
    assert form.phone.data == ""
    assert _form().validate()


def test_presence_is_left_to_data_required(request_ctx):
    class RequiredForm(Form):
        edrpou = StringField(validators=[DataRequired(), Edrpou()])

    form = RequiredForm(formdata=MultiDict({"edrpou": ""}))
    assert not form.validate()
    assert len(form.edrpou.errors) == 1
    assert "Код ЄДРПОУ" not in form.edrpou.errors[0]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("edrpou", "3756786", "Код ЄДРПОУ має складатися з 8 цифр."),
        ("edrpou", "3756786A", "Код ЄДРПОУ має складатися з 8 цифр."),
        (
            "edrpou",
            "37567867",
            "Неправильний код ЄДРПОУ: контрольна цифра не збігається. Перевірте код.",
        ),
        ("rnokpp", "365250123", "РНОКПП має складатися з 10 цифр."),
        ("rnokpp", "3652501238", "Неправильний РНОКПП: контрольна цифра не збігається."),
        ("phone", "12345", "Вкажіть номер телефону у форматі +380XXXXXXXXX."),
        ("phone", "+48 123 456 789", "Вкажіть номер телефону у форматі +380XXXXXXXXX."),
        (
            "katottg",
            "UA123",
            "Код КАТОТТГ має складатися з літер UA та 17 цифр, наприклад UA71020010000037786.",
        ),
    ],
)
def test_invalid_values_give_ukrainian_messages(request_ctx, field, value, message):
    form = _form(**{field: value})
    assert not form.validate()
    assert form.errors == {field: [message]}


def test_rejected_phone_is_left_as_typed(request_ctx):
    form = _form(phone="12345")
    assert not form.validate()
    assert form.phone.data == "12345"


def test_custom_messages(request_ctx):
    class CustomForm(Form):
        edrpou = StringField(validators=[Edrpou(format_message="A", checksum_message="B")])

    assert CustomForm(formdata=MultiDict({"edrpou": "1"})).validate() is False
    form = CustomForm(formdata=MultiDict({"edrpou": "37567867"}))
    assert not form.validate()
    assert form.edrpou.errors == ["B"]
