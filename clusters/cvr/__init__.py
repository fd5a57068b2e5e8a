"""CVR numbers: 8 digits whose weighted sum (2,7,6,5,4,3,2,1) is divisible by 11."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def is_valid_cvr(value: str) -> bool:
    if not isinstance(value, str) or len(value) != 8 or not value.isdigit() or value[0] == "0":
        return False
    return sum(int(d) * w for d, w in zip(value, CVR_WEIGHTS, strict=True)) % 11 == 0


def cvr_check_digit(serial: str) -> int | None:
    """The check digit completing a 7-digit serial, or None where no digit can (remainder 10)."""
    rest = sum(int(d) * w for d, w in zip(serial, CVR_WEIGHTS[:7], strict=True)) % 11
    digit = (11 - rest) % 11
    return None if digit == 10 else digit


def make_cvr(serial: int) -> str | None:
    s = f"{serial:07d}"
    digit = cvr_check_digit(s)
    return None if digit is None else s + str(digit)


def validate_cvr(value: str) -> None:
    if not isinstance(value, str) or len(value) != 8 or not value.isdigit():
        raise ValidationError(
            _("Et CVR-nummer består af præcis 8 cifre."), code="cvr_format", params={"value": value}
        )
    if not is_valid_cvr(value):
        raise ValidationError(
            _("CVR-nummeret %(value)s er ugyldigt (kontrolcifferet passer ikke)."),
            code="cvr_checksum",
            params={"value": value},
        )


def normalise_cvr(text: str) -> str:
    """A CVR number as people write it -> 8 digits: ``DK12345678``, ``DK-12345678``,
    ``12 34 56 78``, ``1234 5678`` and ``12.34.56.78`` all give ``12345678``. Anything else
    comes back without its spaces, for the validator to name."""
    value = re.sub(r"[\s\u00a0]", "", str(text or ""))
    if value[:2].upper() == "DK":
        value = value[2:].lstrip("-")
    if re.fullmatch(r"\d{2}([.-]?)\d{2}\1\d{2}\1\d{2}", value) or re.fullmatch(r"\d{4}[.-]\d{4}", value):
        value = re.sub(r"[.-]", "", value)
    return value
