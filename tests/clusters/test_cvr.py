import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from clusters.cvr import is_valid_cvr, make_cvr, validate_cvr

serials = st.integers(min_value=1_000_000, max_value=9_999_999)


def valid_cvrs():
    return serials.map(make_cvr).filter(lambda c: c is not None)


@given(valid_cvrs())
def test_every_generated_cvr_is_valid(cvr):
    assert is_valid_cvr(cvr)
    validate_cvr(cvr)  # does not raise


@given(valid_cvrs(), st.integers(min_value=0, max_value=7), st.integers(min_value=1, max_value=9))
def test_every_single_digit_change_is_refused(cvr, position, delta):
    digits = list(cvr)
    digits[position] = str((int(digits[position]) + delta) % 10)
    changed = "".join(digits)
    assert changed != cvr
    assert not is_valid_cvr(changed)
    with pytest.raises(ValidationError):
        validate_cvr(changed)


@pytest.mark.parametrize("cvr", ["27355021", "10150817"])
def test_known_valid_numbers(cvr):
    assert is_valid_cvr(cvr)


@pytest.mark.parametrize(
    ("value", "code"),
    [("2735502", "cvr_format"), ("273550211", "cvr_format"), ("2735502a", "cvr_format"),
     ("27355022", "cvr_checksum")],
)
def test_invalid_numbers_give_a_specific_danish_error(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_cvr(value)
    assert exc.value.code == code
    assert "CVR" in str(exc.value.message)


def test_serials_whose_check_digit_would_be_ten_make_no_number():
    # Find one: the remainder 1 would need check digit 10, which is never issued.
    none_serials = [s for s in range(1_000_000, 1_000_200) if make_cvr(s) is None]
    assert none_serials, "about one serial in eleven has no valid check digit"
