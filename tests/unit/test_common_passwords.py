"""CommonPasswordList: the shipped list of at least 100,000 common passwords, matched case-insensitively."""

from __future__ import annotations

import gzip
import secrets
import threading
from importlib import resources
from pathlib import Path

import pytest

from infrastructure.accounts.common_passwords import CommonPasswordList


@pytest.fixture(scope="module")
def shipped() -> CommonPasswordList:
    return CommonPasswordList()


def test_the_list_ships_as_package_data() -> None:
    data = resources.files("infrastructure.accounts").joinpath("data/common-passwords.txt.gz")
    assert data.is_file()


def test_shipped_list_has_at_least_100000_distinct_entries(shipped: CommonPasswordList) -> None:
    assert len(shipped) >= 100_000


def test_contains_a_known_common_password(shipped: CommonPasswordList) -> None:
    assert shipped.contains("password1234")
    assert shipped.contains("123456")


def test_match_is_case_insensitive(shipped: CommonPasswordList) -> None:
    assert shipped.contains("PassWord1234")
    assert shipped.contains("PASSWORD1234")


def test_a_random_token_is_not_common(shipped: CommonPasswordList) -> None:
    token = secrets.token_urlsafe(18)
    assert len(token) == 24
    assert not shipped.contains(token)


def test_a_near_miss_is_not_common(shipped: CommonPasswordList) -> None:
    assert not shipped.contains("password1234 but longer and mine")


def _write_list(path: Path, lines: list[str]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8", newline="\n") as out:
        out.write("\n".join(lines) + "\n")
    return path


def test_entries_are_nfc_normalised_and_lower_cased(tmp_path: Path) -> None:
    decomposed = "cafe\u0301-Secret"  # e + combining acute
    common = CommonPasswordList(_write_list(tmp_path / "list.txt.gz", [decomposed, "", "MiXeD"]))

    assert common.contains("caf\u00e9-secret")  # precomposed é
    assert common.contains("CAFE\u0301-SECRET")
    assert common.contains("mixed")
    assert not common.contains("")
    assert len(common) == 2


def test_loads_once_even_under_concurrent_first_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    common = CommonPasswordList(_write_list(tmp_path / "list.txt.gz", ["hunter2hunter2"]))
    reads = 0
    real_read = CommonPasswordList._read

    def counting_read(self: CommonPasswordList) -> frozenset[str]:
        nonlocal reads
        reads += 1
        return real_read(self)

    monkeypatch.setattr(CommonPasswordList, "_read", counting_read)
    barrier = threading.Barrier(8)
    answers: list[bool] = []

    def check() -> None:
        barrier.wait()
        answers.append(common.contains("Hunter2Hunter2"))

    threads = [threading.Thread(target=check) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [True] * 8
    assert reads == 1


def test_an_empty_list_is_an_error(tmp_path: Path) -> None:
    common = CommonPasswordList(_write_list(tmp_path / "empty.txt.gz", []))
    with pytest.raises(RuntimeError, match="empty"):
        common.load()
