"""What listing every field error costs (issue 11, item 2), counted in CPU instructions.

The strict-input hook of this tree and of a baseline revision (its strict_input.py taken with
``git show``) each run N times on a fake request for ``POST /api/auth/signup`` under valgrind's
callgrind, once with N calls and once with none; the difference over N is the hook's instructions
per call, whatever else the machine is doing. Two bodies: a valid sign-up (the common path, which
must not grow) and eight wrongly typed fields (the baseline reports one, this tree all eight).
Then wall-clock figures for hostile bodies near the 1 MiB limit (the untyped decode the walk needs
versus the whole walk).

Usage:  uv run python scripts/bench_field_errors.py [--baseline-rev f1338df] [--calls 3000]
Needs valgrind. Prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar, post
from litestar.datastructures import MultiDict
from litestar.exceptions import ValidationException
from litestar.params import JSONBody

from interfaces.http.accounts.schemas import LoginIn, SignupIn
from interfaces.http.field_errors import body_problems
from interfaces.http.strict_input import strict_input

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ["vendor_name", "vendor_slug", "timezone", "currency", "country", "email", "password", "full_name"]
GOOD = json.dumps(
    {
        "vendor_name": "Rosa",
        "vendor_slug": "rosa",
        "timezone": "UTC",
        "currency": "EUR",
        "country": "NL",
        "email": "a@b.example",
        "password": "correct horse battery staple",
        "full_name": "Rosa",
    }
).encode()
BAD = json.dumps({field: number for number, field in enumerate(FIELDS)}).encode()


@post("/api/auth/signup")
async def signup(data: JSONBody[SignupIn]) -> None: ...


HANDLER = Litestar([signup]).route_handler_method_map["/api/auth/signup"]["POST"]


def _hook(path: str | None) -> Any:
    if path is None:
        return strict_input
    spec = importlib.util.spec_from_file_location("baseline_strict_input", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.strict_input


class FakeRequest:
    route_handler = HANDLER
    path_params: dict[str, str] = {}  # noqa: RUF012
    scope: dict[str, str] = {"path": "/api/auth/signup"}  # noqa: RUF012
    headers: dict[str, str] = {"content-type": "application/json"}  # noqa: RUF012

    def __init__(self, body: bytes) -> None:
        self.query_params: MultiDict[str] = MultiDict()
        self._body = body

    async def body(self) -> bytes:
        return self._body


def child(baseline: str | None, body: bytes, calls: int) -> None:
    """Run the hook ``calls`` times after a warm-up (the process under callgrind)."""
    hook = _hook(baseline)

    async def run() -> None:
        request = FakeRequest(body)
        for _ in range(200 + calls):  # 200 warm-up calls in both runs: plan and decoder caches
            with contextlib.suppress(ValidationException):
                await hook(request)

    asyncio.run(run())


def instructions(baseline: str | None, kind: str, calls: int) -> int:
    def count(n: int) -> int:
        command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__]
        command += ["--child", kind, str(n)] + (["--baseline-file", baseline] if baseline else [])
        out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT).stderr  # noqa: S603
        match = re.search(r"Collected : (\d+)", out)
        assert match is not None, out
        return int(match.group(1))

    return (count(calls) - count(0)) // calls


def hostile() -> None:
    decoder = msgspec.json.Decoder(LoginIn, strict=True)
    cases = {
        "20k unknown fields (~300 KB)": json.dumps({f"field{i}": i for i in range(20_000)}).encode(),
        "email = 100k ints (~600 KB)": json.dumps({"email": list(range(100_000)), "password": "x"}).encode(),
        "2 fields, 500 KB strings each": json.dumps({"email": "a" * 500_000, "password": "b" * 500_000}).encode(),
    }
    for name, raw in cases.items():
        try:
            decoder.decode(raw)
        except msgspec.ValidationError as exc:
            first = exc
        start = time.perf_counter()
        for _ in range(20):
            msgspec.json.decode(raw)
        untyped = (time.perf_counter() - start) / 20
        start = time.perf_counter()
        for _ in range(20):
            found = body_problems(raw, LoginIn, first)
        walk = (time.perf_counter() - start) / 20
        print(
            f"  {name:30s} untyped decode {untyped * 1e3:5.2f} ms, whole walk {walk * 1e3:5.2f} ms, "
            f"{len(found)} problem(s) listed"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline-rev", default="f1338df")
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "CALLS"))
    parser.add_argument("--baseline-file")
    args = parser.parse_args()
    if args.child:
        child(args.baseline_file, GOOD if args.child[0] == "valid" else BAD, int(args.child[1]))
        return
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as old:
        source = ["git", "show", f"{args.baseline_rev}:src/interfaces/http/strict_input.py"]
        old.write(subprocess.run(source, capture_output=True, text=True, check=True, cwd=ROOT).stdout)  # noqa: S603
    print(f"strict-input hook, instructions per call (callgrind, {args.calls} calls):")
    for kind, label in (("valid", "valid sign-up body"), ("bad", "8 wrongly typed fields")):
        before = instructions(old.name, kind, args.calls)
        after = instructions(None, kind, args.calls)
        print(f"  {label:24s} {args.baseline_rev} {before:8d}   this tree {after:8d}   ratio {after / before:5.2f}")
    Path(old.name).unlink()
    print("hostile bodies near the 1 MiB limit (wall clock, this machine):")
    hostile()


if __name__ == "__main__":
    main()
