"""`make bench` reads wrk's figures from its Lua hook's lines (benchmarks/wrk.py); no timing here."""

from __future__ import annotations

import pytest
from benchmarks.wrk import DONE_SCRIPT, parse

OUTPUT = """Running 5s test @ http://127.0.0.1:40123/api/staff?limit=20
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     7.61ms    2.20ms  41.23ms   88.18%
  10480 requests in 5.00s, 48.02MB read
  Non-2xx or 3xx responses: 12
Requests/sec:   2095.71
Transfer/sec:      9.60MB
FV_REQUESTS 10480
FV_DURATION_US 5000712
FV_P50_US 7214
FV_P99_US 15480
FV_MAX_US 41230
FV_ERRORS 3
FV_NON_2XX 12
"""


def test_the_hook_prints_every_figure_the_parser_reads() -> None:
    for key in ("REQUESTS", "DURATION_US", "P50_US", "P99_US", "MAX_US", "ERRORS", "NON_2XX"):
        assert f'"FV_{key} "' in DONE_SCRIPT


def test_figures_are_read_in_milliseconds_and_seconds() -> None:
    run = parse(OUTPUT)
    assert run.requests == 10480
    assert run.duration_s == pytest.approx(5.000712)
    assert (run.p50_ms, run.p99_ms, run.max_ms) == pytest.approx((7.214, 15.48, 41.23))
    assert (run.errors, run.non_2xx) == (3, 12)


def test_refused_answers_are_not_counted_as_throughput() -> None:
    assert parse(OUTPUT).rps == pytest.approx((10480 - 12) / 5.000712)


def test_a_run_without_the_hooks_figures_is_refused() -> None:
    with pytest.raises(ValueError, match="FV_P99_US"):
        parse(OUTPUT.replace("FV_P99_US 15480\n", ""))
    with pytest.raises(ValueError, match="FV_REQUESTS"):
        parse("unable to connect to 127.0.0.1:1 Connection refused\n")
