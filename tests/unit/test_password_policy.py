"""Passwords with context (issue 8): the attack inputs are refused, real passphrases are not."""

from __future__ import annotations

import pytest

from application.shared.errors import InvalidCredentials
from domain.accounts.password import (
    MIN_DISTINCT_CHARACTERS,
    PasswordContext,
    WeakPassword,
    check_password_policy,
)
from domain.shared.role import Role
from tests.fakes import OWNER_EMAIL, OWNER_PASSWORD, World

ROSA = PasswordContext(email="rosa.owner@example.com", shop_name="Rosa Bloemen", shop_slug="rosa-bloemen")

# (password, the start of the reason it is refused)
ATTACKS = {
    "12 spaces": (" " * 12, "must contain visible characters"),
    "12 tabs": ("\t" * 12, "must contain visible characters"),
    "12 NULs": ("\x00" * 12, "must contain visible characters"),
    "12 zero-width spaces": ("\u200b" * 12, "must contain visible characters"),
    "12 word joiners": ("\u2060" * 12, "must contain visible characters"),
    "12 BOMs": ("\ufeff" * 12, "must contain visible characters"),
    "12 soft hyphens": ("\u00ad" * 12, "must contain visible characters"),
    "hangul fillers": ("\u3164" * 12, "must contain visible characters"),
    "tag characters": ("".join(chr(0xE0041 + i) for i in range(12)), "must contain visible characters"),
    "private use": ("".join(chr(0xE000 + i) for i in range(12)), "must contain visible characters"),
    "mixed invisibles": ("\u200b \t\u2060\x00\ufeff" * 2, "must contain visible characters"),
    "zzzzzzzzzzzz": ("z" * 12, "must use at least"),
    "dots": ("." * 12, "must use at least"),
    "one letter padded with spaces": ("a           ", "must use at least"),
    "two letters": ("ab" * 6, "must use at least"),
    "case does not add variety": ("AaAaAaAaAaAa", "must use at least"),
    "four digits": ("1234" * 3, "must use at least"),
    "four letters behind zero-width spaces": ("a\u200bb\u200bc\u200bd\u200b" * 2, "must use at least"),
    "the email": ("rosa.owner@example.com", "must not contain the account's email address"),
    "the email local part": ("rosa.owner-2024!", "must not contain the account's email address"),
    "the local part in capitals": ("ROSA.OWNER secret", "must not contain the account's email address"),
    "the local part without its dot": ("xx rosaowner xx", "must not contain the account's email address"),
    "the local part's longer word": ("the owner of it all", "must not contain the account's email address"),
    "the shop name": ("Rosa Bloemen 2024", "must not contain the shop's name"),
    "the shop name run together": ("rosabloemen!!!", "must not contain the shop's name"),
    "a word of the shop name": ("i love bloemen so much", "must not contain the shop's name"),
    "the shop slug": ("rosa-bloemen-secret", "must not contain the shop's name"),
}


@pytest.mark.parametrize(("password", "reason"), list(ATTACKS.values()), ids=list(ATTACKS))
@pytest.mark.parametrize("field", ["password", "new_password"])
def test_attack_passwords_are_refused_with_one_clear_reason(password: str, reason: str, field: str) -> None:
    with pytest.raises(WeakPassword) as caught:
        check_password_policy(password, field, ROSA)
    assert caught.value.field == field
    assert caught.value.code == "WEAK_PASSWORD"
    assert caught.value.reason.startswith(reason), caught.value.reason
    assert "\n" not in caught.value.reason


def test_a_slug_differing_from_the_name_is_checked_on_its_own() -> None:
    context = PasswordContext(email="a@b.example", shop_name="Rosa", shop_slug="tulpen-huis")
    with pytest.raises(WeakPassword) as caught:
        check_password_policy("my tulpenhuis key", context=context)
    assert caught.value.reason == "must not contain the shop's slug"


def test_sub_addressed_email_words_count() -> None:
    context = PasswordContext(email="margaretha+shop@example.com")
    with pytest.raises(WeakPassword):
        check_password_policy("margaretha in bloom", context=context)


LEGITIMATE = [
    "correct horse battery staple",
    "peonies and lilacs",
    "Tr0ub4dor&3xyz",
    "fleur de café rose",
    "gerberas all year",
    "李小龙的花店很漂亮真的很美",
    "مرحبا بالعالم الجميل",
    "🌷🌹🌻🌼🌸💐🌷🌹🌻🌼🌸💐",
    "pass with a zero\u200bwidth space inside",  # invisible characters inside are allowed
    "rose garden rosa",  # a short word of the context (rosa, 4 letters) alone is fine
    "abcde" + "a" * 7,  # exactly five distinct characters
]


@pytest.mark.parametrize("password", LEGITIMATE)
def test_legitimate_passphrases_pass(password: str) -> None:
    assert check_password_policy(password, context=ROSA) == password


def test_no_context_checks_without_a_context() -> None:
    assert check_password_policy("rosa.owner@example.com") == "rosa.owner@example.com"


def test_short_context_values_are_ignored() -> None:
    context = PasswordContext(email="al@example.com", shop_name="Ivy", shop_slug="ivy")
    assert check_password_policy("al loves ivy plants", context=context) == "al loves ivy plants"


def test_the_distinct_minimum_is_a_handful() -> None:
    assert MIN_DISTINCT_CHARACTERS == 5


# -- the use cases pass the account's context ------------------------------------------------------


@pytest.fixture
def world() -> World:
    return World()


async def test_signup_refuses_the_owners_email_and_shop(world: World) -> None:
    for password in (OWNER_EMAIL, "rosa-bloom forever", "owner of the shop"):
        with pytest.raises(WeakPassword) as caught:
            await world.signup(password=password)
        assert caught.value.field == "password"
    assert world.vendors.vendors == {}


async def test_create_staff_refuses_the_new_members_email_and_shop(world: World) -> None:
    owner = await world.owner()
    for password in ("mara.manager 2024", "the rosa bloom team", "          !!"):
        with pytest.raises(WeakPassword):
            await world.member(owner, Role.MANAGER, "mara.manager@rosa-bloom.example", password=password)
    assert all(u.email.value != "mara.manager@rosa-bloom.example" for u in world.staff.users.values())


async def test_change_password_refuses_the_users_email_and_shop(world: World) -> None:
    owner = await world.owner()
    for new in ("owner@rosa-bloom.example", "Rosa Bloom rules!", "\u200b" * 12, "............"):
        with pytest.raises(WeakPassword) as caught:
            await world.change_password(owner, OWNER_PASSWORD, new)
        assert caught.value.field == "new_password"
    await world.change_password(owner, OWNER_PASSWORD, "gerberas all year")
    with pytest.raises(InvalidCredentials):
        await world.sign_in(OWNER_EMAIL, OWNER_PASSWORD)
    await world.sign_in(OWNER_EMAIL, "gerberas all year")
