"""Real server processes for end-to-end tests: `flower-vendor serve` and `flower-vendor dev`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

FLOWER_VENDOR = str(Path(sys.executable).with_name("flower-vendor"))
# Every (method, path, status) a real server answered an e2e test through ``ServerProcess.client``:
# test_documented_statuses.py (run last) checks the OpenAPI document lists each of them.
OBSERVED: set[tuple[str, str, int]] = set()
# And the ``code`` of each problem JSON among those answers: the document must show an example with
# that code for that operation and status (test_documented_statuses.py too).
OBSERVED_PROBLEMS: set[tuple[str, str, int, str]] = set()


def _observe(response: httpx.Response) -> None:
    OBSERVED.add((response.request.method, response.request.url.path, response.status_code))
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        response.read()
        try:
            code = response.json().get("code")
        except ValueError:
            return  # not JSON after all: the tests that sent it say what is wrong
        if isinstance(code, str):
            OBSERVED_PROBLEMS.add((response.request.method, response.request.url.path, response.status_code, code))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The documented-statuses check runs after every other test of the session."""
    last = [item for item in items if item.nodeid.startswith("tests/e2e/test_documented_statuses.py")]
    if last:
        items[:] = [item for item in items if item not in last] + last


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_environ() -> dict[str, str]:
    """The parent's environment minus anything that would change the app's configuration."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "VIRTUAL_ENV")
    return {k: v for k, v in os.environ.items() if k in keep}


def run_cli(
    *args: str, env: dict[str, str], cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FLOWER_VENDOR, *args],
        env={**base_environ(), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    started_in: float = 0.0
    _client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self._client = httpx.Client(base_url=self.base_url, timeout=10, event_hooks={"response": [_observe]})

    @property
    def client(self) -> httpx.Client:
        return self._client

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self._client.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_server(
    args: list[str], env: dict[str, str], log_path: Path, *, cwd: Path | None = None, ready_path: str = "/health/live"
) -> ServerProcess:
    port = free_port()
    started = time.monotonic()
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        [FLOWER_VENDOR, *args, "--host", "127.0.0.1", "--port", str(port)],
        env={**base_environ(), **env},
        cwd=cwd,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    log_file.close()
    server = ServerProcess(process, f"http://127.0.0.1:{port}", log_path)
    deadline = started + 45
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n{server.logs()}")
        try:
            if server.client.get(ready_path).status_code == 200:
                server.started_in = time.monotonic() - started
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise AssertionError(f"server did not answer {ready_path} within 45 s:\n{server.logs()}")


@pytest.fixture(scope="session")
def production_environ(service_environ: dict[str, str]) -> dict[str, str]:
    return {**service_environ, "ENVIRONMENT": "production"}


@pytest.fixture(scope="module")
def server_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., ServerProcess]]:
    servers: list[ServerProcess] = []

    def factory(args: list[str], env: dict[str, str], *, cwd: Path | None = None) -> ServerProcess:
        log_path = tmp_path_factory.mktemp("server") / "server.log"
        server = start_server(args, env, log_path, cwd=cwd)
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.stop()


@contextmanager
def crash_app_server(environ: dict[str, str], log_dir: Path) -> Iterator[str]:
    """The production app plus a route that raises (tests/e2e/crash_app.py) under uvicorn, with
    ``environ`` added to the base environment; its base URL while the block runs."""
    port = free_port()
    with (log_dir / "server.log").open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "tests.e2e.crash_app:create",
                "--factory",
                "--port",
                str(port),
                "--no-server-header",
                "--no-access-log",
            ],
            env={**base_environ(), **environ},
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[2],
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health/live").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
