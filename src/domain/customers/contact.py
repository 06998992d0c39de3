"""Email addresses and phone numbers as a shop keeps them. The libraries that know the rules
(email-validator, phonenumbers) stay behind these functions: the rest of the domain sees strings.

Email: syntax only (no DNS, no deliverability look-up); kept with its domain part lower-cased.
Phone: E.164 (``+31612345678``) or the shop country's national format (``06 12345678`` in NL),
kept and returned as E.164; a number that cannot exist is refused with the field named."""

from __future__ import annotations

import email_validator
import phonenumbers

from domain.shared.errors import InvalidValue

MAX_EMAIL_LENGTH = 254
MAX_PHONE_INPUT_LENGTH = 40


def check_email(raw: str, field: str = "email") -> str:
    text = raw.strip()
    if not text:
        raise InvalidValue(field, "must not be empty")
    if len(text) > MAX_EMAIL_LENGTH:
        raise InvalidValue(field, f"must be at most {MAX_EMAIL_LENGTH} characters")
    try:
        valid = email_validator.validate_email(text, check_deliverability=False)
    except email_validator.EmailNotValidError as refused:
        raise InvalidValue(field, f"is not a valid email address ({refused})") from None
    return valid.normalized


def check_country(raw: str, field: str = "country") -> str:
    """An ISO 3166-1 alpha-2 code the phone numbering plan knows (``NL``, ``US``, ``GB``)."""
    code = raw.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha() or phonenumbers.country_code_for_region(code) == 0:
        raise InvalidValue(field, "must be an ISO 3166-1 alpha-2 country code such as NL")
    return code


def check_phone(raw: str, country: str, field: str = "phone") -> str:
    """The number in E.164; ``raw`` is E.164 (``+`` and the country code) or national for ``country``."""
    text = raw.strip()
    if not text:
        raise InvalidValue(field, "must not be empty")
    if len(text) > MAX_PHONE_INPUT_LENGTH:
        raise InvalidValue(field, f"must be at most {MAX_PHONE_INPUT_LENGTH} characters")
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else country)
    except phonenumbers.NumberParseException:
        raise InvalidValue(
            field, f"is not a phone number: give it in E.164 (+31612345678) or as dialled in {country}"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue(field, "is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_or_none(raw: str, country: str) -> str | None:
    """``raw`` as an E.164 number when it is a whole valid one (what a search box may hold), else None."""
    if len(raw) > MAX_PHONE_INPUT_LENGTH or not any(char.isdigit() for char in raw):
        return None
    try:
        return check_phone(raw, country)
    except InvalidValue:
        return None
