"""The wheel carries every file the program reads: built with ``pip wheel``, installed into a
fresh virtual environment, ``ult admin`` serves the staff pages, the board and their static
files from it (an editable install would hide a file the wheel leaves out).

To stay fast the fresh environment borrows the project's dependencies from this checkout's
``.venv`` by a ``.pth`` line; the checkout itself is not importable there (the commands run
from a temporary folder, and the test checks where ``ult`` and ``admin`` are imported from).
"""

from __future__ import annotations

import http.client
import json
import site
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.packaging.paths import PACKAGES, ROOT


def source_files() -> set[str]:
    """Every file of the packages in the checkout, as wheel paths (``admin/static/app.css``)."""
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                found.add(path.relative_to(ROOT).as_posix())
    return found


@pytest.mark.slow
def test_wheel_carries_every_file_of_the_packages(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = source_files() - names
    assert not missing, f"left out of the wheel: {sorted(missing)}"


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its ``bin`` folder."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (packages,) = (venv / "lib").glob("python3*/site-packages")
    # A plain path line: the folder goes on sys.path after the environment's own, and its .pth
    # files (the checkout's editable install) are not run.
    (packages / "borrowed-dependencies.pth").write_text(
        site.getsitepackages()[0] + "\n", encoding="utf-8"
    )
    return venv / "bin"


def run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_ult_admin_from_the_wheel_serves_pages_board_and_static_files(
    installed: Path, tmp_path: Path
) -> None:
    env = {"PATH": "/usr/bin:/bin", "ULT_HOME": str(tmp_path / "home"), "LANG": "C.UTF-8"}
    where = json.loads(
        run(
            [
                str(installed / "python"),
                "-c",
                "import json, ult, admin; print(json.dumps([ult.__file__, admin.__file__]))",
            ],
            tmp_path,
            env,
        )
    )
    for module in where:
        assert Path(module).is_relative_to(installed.parent), where
    run([str(installed / "ult"), "init"], tmp_path, env)
    server = subprocess.Popen(
        [str(installed / "ult"), "admin", "--host", "127.0.0.1", "--port", "0"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = listening_port(server)
        for path in ("/login", "/board", "/static/board.css", "/static/pages.js"):
            status, _ = get(port, path)
            assert status == 200, path
        status, body = get(port, "/healthz")
        assert status == 200 and json.loads(body)["pages"] == "ok"
    finally:
        server.terminate()
        server.wait(timeout=30)


def listening_port(server: subprocess.Popen[str]) -> int:
    """The port ``ult admin`` says it listens on (``listening on http://host:port``)."""
    assert server.stderr is not None
    deadline = time.monotonic() + 30
    seen = []
    while time.monotonic() < deadline:
        line = server.stderr.readline()
        if not line:
            break
        seen.append(line)
        if "listening on http://" in line:
            address = line.split("listening on http://", 1)[1].split()[0].rstrip("/")
            return int(address.rsplit(":", 1)[1])
    raise AssertionError(f"ult admin did not start: {''.join(seen)}")


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()
