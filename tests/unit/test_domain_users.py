"""Users: email addresses, the password policy, roles and the last-owner rule."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.accounts.password import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    WeakPassword,
    check_password_policy,
    normalise_password,
    too_common,
)
from domain.accounts.staff_user import LastOwnerError, StaffUser, check_full_name
from domain.shared.credentials import issued_after_change
from domain.shared.email import Email
from domain.shared.errors import DomainError, InvalidValue
from domain.shared.role import Role

E_ACUTE = "\u00e9"  # é, one code point (NFC)
E_ACUTE_DECOMPOSED = "e\u0301"  # e + combining acute accent, two code points (NFD)


# -- Email --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("florist@example.com", "florist@example.com"),
        ("Florist@Example.COM", "florist@example.com"),
        ("  ROSA.Bloom+orders@Shop.Example.NL \n", "rosa.bloom+orders@shop.example.nl"),
        ("o'brien@flowers.example", "o'brien@flowers.example"),
        ("a@b.co", "a@b.co"),
        ("x@sub-domain.example.org", "x@sub-domain.example.org"),
    ],
)
def test_email_is_parsed_trimmed_and_lower_cased(raw: str, expected: str) -> None:
    email = Email.parse(raw)
    assert email.value == expected
    assert str(email) == expected


def test_emails_differing_only_in_case_are_equal() -> None:
    assert Email.parse("Owner@Rosa.Example") == Email.parse("owner@rosa.example")
    assert hash(Email.parse("OWNER@ROSA.EXAMPLE")) == hash(Email.parse("owner@rosa.example"))


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "florist",
        "florist@",
        "@example.com",
        "florist@example",  # no dotted domain
        "florist@@example.com",
        "flo@rist@example.com",
        "flo rist@example.com",
        ".florist@example.com",
        "florist.@example.com",
        "flo..rist@example.com",
        "florist@-example.com",
        "florist@example-.com",
        "florist@example..com",
        "florist@.example.com",
        "florist@example.com.",
        "flörist@example.com",
        "florist@exämple.com",
        "florist@example.com\nbcc@evil.example",
        "<florist@example.com>",
        "Florist <florist@example.com>",
    ],
)
def test_invalid_email_forms_are_refused(raw: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        Email.parse(raw)
    assert caught.value.field == "email"
    assert caught.value.code == "VALIDATION_ERROR"


def test_email_error_names_the_given_field() -> None:
    with pytest.raises(InvalidValue) as caught:
        Email.parse("not-an-email", field="contact_email")
    assert caught.value.field == "contact_email"
    assert caught.value.message.startswith("contact_email:")


def test_email_local_part_limit_is_64() -> None:
    assert Email.parse("a" * 64 + "@example.com").value == "a" * 64 + "@example.com"
    with pytest.raises(InvalidValue):
        Email.parse("a" * 65 + "@example.com")


def test_email_total_limit_is_254() -> None:
    domain_189 = "a" * 63 + "." + "b" * 63 + "." + "c" * 61
    at_limit = "l" * 64 + "@" + domain_189
    assert len(at_limit) == 254
    assert Email.parse(at_limit).value == at_limit
    with pytest.raises(InvalidValue):
        Email.parse("l" * 64 + "@" + domain_189 + "c")


def test_email_domain_label_limit_is_63() -> None:
    assert Email.parse("a@" + "b" * 63 + ".com").value == "a@" + "b" * 63 + ".com"
    with pytest.raises(InvalidValue):
        Email.parse("a@" + "b" * 64 + ".com")


# -- password policy ----------------------------------------------------------------------------


def test_policy_bounds_are_12_and_128() -> None:
    assert (MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH) == (12, 128)


@pytest.mark.parametrize(("length", "accepted"), [(0, False), (11, False), (12, True), (128, True), (129, False)])
def test_password_length_policy(length: int, accepted: bool) -> None:
    password = ("vwxyz" * 26)[:length]
    if accepted:
        assert check_password_policy(password) == password
    else:
        with pytest.raises(WeakPassword) as caught:
            check_password_policy(password)
        assert caught.value.field == "password"
        assert caught.value.code == "WEAK_PASSWORD"


def test_weak_password_is_a_validation_error_naming_the_field() -> None:
    with pytest.raises(InvalidValue) as caught:
        check_password_policy("short", field="new_password")
    assert isinstance(caught.value, WeakPassword)
    assert caught.value.field == "new_password"
    assert "12" in caught.value.reason


def test_too_long_message_names_the_maximum() -> None:
    with pytest.raises(WeakPassword) as caught:
        check_password_policy("y" * 129)
    assert "128" in caught.value.reason


def test_no_composition_rules() -> None:
    for password in ("abcdefghijkl", "314159265358", "ALLUPPERCASE", "only letters and spaces", "!@#$%^&*()-+"):
        assert check_password_policy(password) == password


def test_normalisation_is_nfc() -> None:
    assert normalise_password(E_ACUTE_DECOMPOSED) == E_ACUTE
    assert normalise_password(E_ACUTE) == E_ACUTE
    assert normalise_password("Ångström " + E_ACUTE_DECOMPOSED) == "\u00c5ngstr\u00f6m " + E_ACUTE


CAFE_DECOMPOSED = "Cafe\u0301 Noir "  # 10 characters, 11 code points
CAFE = "Caf\u00e9 Noir "


def test_policy_returns_the_nfc_form() -> None:
    assert check_password_policy(CAFE_DECOMPOSED * 2) == CAFE * 2


def test_decomposed_characters_count_once() -> None:
    # 11 characters typed as 12 code points: still too short.
    with pytest.raises(WeakPassword):
        check_password_policy(CAFE_DECOMPOSED + "x")
    # 128 characters as 140 code points: still within the limit.
    assert check_password_policy(CAFE_DECOMPOSED * 12 + "12345678") == CAFE * 12 + "12345678"
    with pytest.raises(WeakPassword):
        check_password_policy(CAFE_DECOMPOSED * 12 + "123456789")


def test_length_counts_characters_not_bytes() -> None:
    # 12 characters in 24 (é ö ü ñ å ç) and 48 (🌷🌹🌻🌼🌸💐) UTF-8 bytes are long enough;
    # 128 characters of euro, pound, yen, won and rupee signs are 384 bytes.
    accents = "\u00e9\u00f6\u00fc\u00f1\u00e5\u00e7" * 2
    flowers = "\U0001f337\U0001f339\U0001f33b\U0001f33c\U0001f338\U0001f490" * 2
    currencies = ("\u20ac\u00a3\u00a5\u20a9\u20b9" * 26)[:128]
    assert check_password_policy(accents) == accents
    assert check_password_policy(flowers) == flowers
    assert check_password_policy(currencies) == currencies
    with pytest.raises(WeakPassword):
        check_password_policy(currencies[:11])


def test_too_common_is_a_weak_password_for_the_field() -> None:
    error = too_common("new_password")
    assert isinstance(error, WeakPassword)
    assert error.field == "new_password"
    assert error.code == "WEAK_PASSWORD"


# -- roles --------------------------------------------------------------------------------------

INCLUDES = {
    Role.OWNER: {Role.OWNER, Role.MANAGER, Role.STAFF},
    Role.MANAGER: {Role.MANAGER, Role.STAFF},
    Role.STAFF: {Role.STAFF},
    Role.DRIVER: {Role.DRIVER},
}
MAY_MANAGE = {
    Role.OWNER: set(Role),
    Role.MANAGER: {Role.STAFF, Role.DRIVER},
    Role.STAFF: set(),
    Role.DRIVER: set(),
}


@pytest.mark.parametrize("actor", list(Role))
@pytest.mark.parametrize("required", list(Role))
def test_role_includes_matrix(actor: Role, required: Role) -> None:
    assert actor.includes(required) is (required in INCLUDES[actor])


@pytest.mark.parametrize("actor", list(Role))
@pytest.mark.parametrize("target", list(Role))
def test_role_may_manage_matrix(actor: Role, target: Role) -> None:
    assert actor.may_manage(target) is (target in MAY_MANAGE[actor])


def test_roles_are_their_names() -> None:
    assert [r.value for r in Role] == ["OWNER", "MANAGER", "STAFF", "DRIVER"]
    assert Role("MANAGER") is Role.MANAGER
    with pytest.raises(ValueError, match="owner"):
        Role("owner")


# -- staff users and the last-owner rule --------------------------------------------------------


CHANGED_AT = datetime(2026, 5, 1, 9, 30, 15, 500000, tzinfo=UTC)


def make_user(role: Role = Role.OWNER, *, active: bool = True) -> StaffUser:
    return StaffUser(
        id=uuid.uuid4(),
        vendor_id=uuid.uuid4(),
        email=Email.parse("someone@rosa.example"),
        full_name="Some One",
        role=role,
        active=active,
        password_hash="hash",
    )


@pytest.mark.parametrize(
    "change", [{"role": Role.MANAGER}, {"role": Role.STAFF}, {"role": Role.DRIVER}, {"active": False}]
)
def test_only_active_owner_cannot_be_demoted_or_deactivated(change: dict[str, object]) -> None:
    owner = make_user(Role.OWNER)
    with pytest.raises(LastOwnerError) as caught:
        owner.changed(**change, active_owners=1, at=CHANGED_AT)  # type: ignore[arg-type]
    assert caught.value.code == "LAST_OWNER"
    assert isinstance(caught.value, DomainError)


def test_last_owner_rule_also_holds_when_the_count_is_zero() -> None:
    with pytest.raises(LastOwnerError):
        make_user(Role.OWNER).changed(active=False, active_owners=0, at=CHANGED_AT)


def test_demoting_and_deactivating_together_is_refused_for_the_last_owner() -> None:
    with pytest.raises(LastOwnerError):
        make_user(Role.OWNER).changed(role=Role.STAFF, active=False, active_owners=1, at=CHANGED_AT)


def test_one_of_two_owners_may_be_demoted() -> None:
    owner = make_user(Role.OWNER)
    demoted = owner.changed(role=Role.MANAGER, active_owners=2, at=CHANGED_AT)
    assert demoted.role is Role.MANAGER
    assert demoted.active is True
    assert demoted.id == owner.id
    assert owner.role is Role.OWNER  # the original is untouched


def test_one_of_two_owners_may_be_deactivated() -> None:
    deactivated = make_user(Role.OWNER).changed(active=False, active_owners=2, at=CHANGED_AT)
    assert deactivated.active is False
    assert deactivated.role is Role.OWNER
    assert not deactivated.is_active_owner


def test_last_owner_keeping_the_owner_role_is_fine() -> None:
    owner = make_user(Role.OWNER)
    assert owner.changed(role=Role.OWNER, active=True, active_owners=1, at=CHANGED_AT) == owner
    assert owner.changed(active_owners=1, at=CHANGED_AT) == owner


@pytest.mark.parametrize("role", [Role.MANAGER, Role.STAFF, Role.DRIVER])
def test_non_owner_changes_ignore_the_owner_count(role: Role) -> None:
    user = make_user(role)
    assert user.changed(active=False, active_owners=0, at=CHANGED_AT).active is False
    assert (
        user.changed(role=Role.DRIVER if role is not Role.DRIVER else Role.STAFF, active_owners=0, at=CHANGED_AT).role
        is not role
    )


def test_promoting_to_owner_needs_no_other_owner() -> None:
    promoted = make_user(Role.MANAGER).changed(role=Role.OWNER, active_owners=0, at=CHANGED_AT)
    assert promoted.is_active_owner


def test_inactive_owner_changes_are_not_limited() -> None:
    inactive_owner = make_user(Role.OWNER, active=False)
    assert inactive_owner.changed(role=Role.STAFF, active_owners=0, at=CHANGED_AT).role is Role.STAFF
    assert inactive_owner.changed(active=True, active_owners=0, at=CHANGED_AT).is_active_owner


def test_is_active_owner() -> None:
    assert make_user(Role.OWNER).is_active_owner
    assert not make_user(Role.OWNER, active=False).is_active_owner
    assert not make_user(Role.MANAGER).is_active_owner


def test_with_password_hash_keeps_everything_else() -> None:
    user = make_user(Role.STAFF)
    rehashed = user.with_password_hash("new-hash")
    assert rehashed.password_hash == "new-hash"
    assert user.password_hash == "hash"
    assert (rehashed.id, rehashed.email, rehashed.role, rehashed.active) == (
        user.id,
        user.email,
        user.role,
        user.active,
    )


def test_full_name_collapses_whitespace() -> None:
    assert check_full_name("  Rosa \t  van\nBloem ") == "Rosa van Bloem"


@pytest.mark.parametrize("raw", ["", "   ", "\t\n"])
def test_full_name_must_not_be_empty(raw: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        check_full_name(raw)
    assert caught.value.field == "full_name"


def test_full_name_length_limit_is_120() -> None:
    assert check_full_name("n" * 120) == "n" * 120
    with pytest.raises(InvalidValue) as caught:
        check_full_name("n" * 121, field="name")
    assert caught.value.field == "name"


def test_full_name_loses_control_and_bidi_override_characters() -> None:
    # Contract section 6: control and bidirectional-override characters are removed, then NFC.
    assert check_full_name("Rosa\x00 Flo\u202erist\x07") == "Rosa Florist"
    assert check_full_name("Cafe\u0301 Owner") == "Caf\u00e9 Owner"
    with pytest.raises(InvalidValue):
        check_full_name("\x00\u202e")


def test_a_real_change_cuts_off_older_tokens_and_no_change_keeps_them() -> None:
    user = make_user(Role.MANAGER)
    assert user.changed(role=Role.MANAGER, active=True, active_owners=0, at=CHANGED_AT).credentials_changed_at is None
    for changed in (
        user.changed(role=Role.STAFF, active_owners=0, at=CHANGED_AT),
        user.changed(active=False, active_owners=0, at=CHANGED_AT),
        user.with_new_password("other-hash", at=CHANGED_AT),
        user.sessions_cut_off(at=CHANGED_AT),
    ):
        assert changed.credentials_changed_at == CHANGED_AT
    assert user.with_password_hash("rehashed").credentials_changed_at is None  # a rehash is no change


def test_tokens_from_before_or_the_same_second_as_a_change_are_refused() -> None:
    changed = make_user(Role.STAFF).sessions_cut_off(at=CHANGED_AT).credentials_changed_at
    second = CHANGED_AT.replace(microsecond=0)
    assert not issued_after_change(second - timedelta(seconds=1), changed)
    assert not issued_after_change(second, changed)  # same second: cannot tell which came first
    assert issued_after_change(second + timedelta(seconds=1), changed)
    assert issued_after_change(second - timedelta(days=1), None)  # never changed


def test_register_checks_the_name_and_makes_an_active_member() -> None:
    vendor_id = uuid.uuid4()
    user = StaffUser.register(
        vendor_id=vendor_id,
        email=Email.parse("new@rosa.example"),
        full_name="  Iris\u200b   Bloom ",
        role=Role.STAFF,
        password_hash="hash",
        at=CHANGED_AT,
    )
    assert (user.vendor_id, user.full_name, user.active, user.created_at) == (vendor_id, "Iris Bloom", True, CHANGED_AT)
    assert user.credentials_changed_at is None
    with pytest.raises(InvalidValue):
        StaffUser.register(
            vendor_id=vendor_id,
            email=Email.parse("new@rosa.example"),
            full_name="\u200b\u2060",
            role=Role.STAFF,
            password_hash="hash",
            at=CHANGED_AT,
        )
