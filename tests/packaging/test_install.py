"""``make install DESTDIR=...`` stages the whole appliance under a folder, and systemd's own
tools accept what it staged: ``systemd-sysusers --root`` makes the user and its groups,
``systemd-tmpfiles --root`` the home, ``systemd-analyze verify --root`` the units.

The wheel comes from the session's ``pip wheel`` (conftest); pip installs it with
``PIP_NO_INDEX``/``PIP_NO_DEPS`` so the test needs no network (the dependencies are the
wheel's own list, which ``make test``'s environment installs). A real ``sudo make install``
(apt, the user, systemctl) needs a Pi with systemd as PID 1: not here.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
from pathlib import Path

import pytest

from tests.packaging.paths import ROOT
from ult.settings import load_settings, render_default_settings

SYSTEMD = ROOT / "systemd"
UNITS = (
    "ult.target",
    "ult-kiosk.service",
    "ult-display.service",
    "ult-admin.service",
    "ult-rollover.service",
    "ult-rollover.timer",
    "ult-backup.service",
    "ult-backup.timer",
    "ult-purge.service",
    "ult-purge.timer",
)
GROUPS = ("gpio", "lp", "dialout", "video", "render", "input", "audio")
TOOLS = {name: shutil.which(name) for name in ("systemd-analyze", "systemd-sysusers")}
TOOLS["systemd-tmpfiles"] = shutil.which("systemd-tmpfiles")
needs_systemd_tools = pytest.mark.skipif(
    None in TOOLS.values(),
    reason="SKIPPED LOUDLY: systemd-analyze, systemd-sysusers or systemd-tmpfiles missing; "
    "install the Debian package `systemd` (make apt-test-deps)",
)

# Every path make install stages outside the virtual environment, with its mode.
STAGED = {
    "etc": 0o755,
    "etc/systemd": 0o755,
    "etc/systemd/system": 0o755,
    **{f"etc/systemd/system/{unit}": 0o644 for unit in UNITS},
    "etc/systemd/system/ult-rollover.timer.d": 0o755,
    "etc/systemd/system/ult-rollover.timer.d/ult.conf": 0o644,
    "etc/ult": 0o755,
    "etc/ult/ult.toml": 0o644,
    "opt": 0o755,
    "opt/ult": 0o755,
    "opt/ult/venv": 0o755,
    "usr": 0o755,
    "usr/lib": 0o755,
    "usr/lib/sysusers.d": 0o755,
    "usr/lib/sysusers.d/ult.conf": 0o644,
    "usr/lib/tmpfiles.d": 0o755,
    "usr/lib/tmpfiles.d/ult.conf": 0o644,
    "usr/local": 0o755,
    "usr/local/bin": 0o755,
    "usr/local/bin/ult": 0o755,
}


def make(target: str, destdir: Path, wheel: Path, **variables: str) -> str:
    environ = {**os.environ, "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1", "PYTHON": ""}
    done = subprocess.run(
        ["make", "-s", target, f"DESTDIR={destdir}", f"WHEEL={wheel}"]
        + [f"{key}={value}" for key, value in variables.items()],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def staged(destdir: Path) -> dict[str, int]:
    """Every path under ``destdir`` except inside the environment, with its permission bits."""
    found = {}
    for path in destdir.rglob("*"):
        relative = path.relative_to(destdir).as_posix()
        if not relative.startswith("opt/ult/venv/"):
            found[relative] = stat.S_IMODE(path.lstat().st_mode)
    return found


@pytest.fixture(scope="module")
def destdir(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("destdir") / "root"
    make("install", root, wheel)
    return root


@pytest.mark.slow
def test_install_stages_every_file_with_its_mode(destdir: Path) -> None:
    assert staged(destdir) == STAGED
    for unit in UNITS:
        assert (destdir / "etc/systemd/system" / unit).read_bytes() == (SYSTEMD / unit).read_bytes()
    assert (destdir / "usr/local/bin/ult").read_bytes() == (SYSTEMD / "ult.sh").read_bytes()
    subprocess.run(["sh", "-n", str(destdir / "usr/local/bin/ult")], check=True)
    sysusers = destdir / "usr/lib/sysusers.d/ult.conf"
    assert sysusers.read_bytes() == (SYSTEMD / "ult.sysusers").read_bytes()
    settings = (destdir / "etc/ult/ult.toml").read_text(encoding="utf-8")
    assert settings == render_default_settings()


@pytest.mark.slow
def test_the_environment_works_at_its_final_place_only(destdir: Path) -> None:
    venv = destdir / "opt/ult/venv"
    assert (venv / "bin/ult").read_text(encoding="utf-8").startswith("#!/opt/ult/venv/bin/python\n")
    assert "/opt/ult/venv" in (venv / "pyvenv.cfg").read_text(encoding="utf-8")
    # Nothing keeps the staging folder's path: not a script, not the bytecode.
    leaks = subprocess.run(
        ["grep", "-rlF", str(destdir), str(destdir)], capture_output=True, text=True
    )
    assert leaks.stdout == ""
    assert not (destdir / "opt/ult/venv.new").exists()
    # The program and its pages' files are in the environment (the dependencies are not:
    # PIP_NO_DEPS), run by the system's Python the environment was made from.
    found = subprocess.run(
        [str(venv / "bin/python"), "-c", "import ult; print(ult.__file__)"],
        cwd=destdir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(found.strip()).is_relative_to(venv)
    (site_packages,) = (venv / "lib").glob("python3*/site-packages")
    assert (site_packages / "admin/templates/auth/login.html").is_file()


@pytest.fixture
def checked_root(destdir: Path, tmp_path: Path) -> Path:
    """A copy of the staged tree with the host's own units beside it (the targets ours are
    ordered against), as a Pi's root would have them."""
    root = tmp_path / "root"
    shutil.copytree(destdir, root, symlinks=True)
    host_units = Path("/usr/lib/systemd/system")
    shutil.copytree(host_units, root / "usr/lib/systemd/system", symlinks=True)
    return root


@pytest.mark.slow
@needs_systemd_tools
def test_systemd_accepts_the_user_the_home_and_the_units(checked_root: Path) -> None:
    root = checked_root
    sysusers = subprocess.run(
        [TOOLS["systemd-sysusers"], f"--root={root}"], capture_output=True, text=True
    )
    assert sysusers.returncode == 0, sysusers.stderr
    passwd = {
        line.split(":")[0]: line.split(":")
        for line in (root / "etc/passwd").read_text().splitlines()
    }
    assert passwd["ult"][5] == "/var/lib/ult"
    groups = {
        line.split(":")[0]: line.split(":")[3].split(",")
        for line in (root / "etc/group").read_text().splitlines()
    }
    for group in GROUPS:
        assert "ult" in groups[group], group

    tmpfiles = subprocess.run(
        [TOOLS["systemd-tmpfiles"], f"--root={root}", "--create"], capture_output=True, text=True
    )
    assert tmpfiles.returncode == 0, tmpfiles.stderr
    home = (root / "var/lib/ult").stat()
    assert stat.S_IMODE(home.st_mode) == 0o750 and home.st_uid == int(passwd["ult"][2])

    for unit in UNITS:
        verified = subprocess.run(
            [TOOLS["systemd-analyze"], "verify", f"--root={root}", unit],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert verified.returncode == 0, verified.stderr
        assert verified.stderr == "" and verified.stdout == ""


@pytest.mark.slow
def test_install_again_upgrades_in_place_and_keeps_the_settings(
    wheel: Path, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    make("install", root, wheel)
    settings = root / "etc/ult/ult.toml"
    edited = settings.read_text(encoding="utf-8") + "\n# the office's own edit\n"
    settings.write_text(edited, encoding="utf-8")
    (root / "opt/ult/venv/stale-file").write_text("from the old install")
    output = make("install", root, wheel)
    assert "settings kept" in output
    assert settings.read_text(encoding="utf-8") == edited
    assert not (root / "opt/ult/venv/stale-file").exists()  # a new environment, swapped in
    assert staged(root) == STAGED

    output = make("uninstall", root, wheel)
    assert "kept the settings" in output
    assert staged(root).keys() == STAGED.keys() - {
        "opt/ult",
        "opt/ult/venv",
        "usr/local/bin/ult",
        "usr/lib/tmpfiles.d/ult.conf",
        *(f"etc/systemd/system/{unit}" for unit in UNITS),
        "etc/systemd/system/ult-rollover.timer.d",
        "etc/systemd/system/ult-rollover.timer.d/ult.conf",
    }
    assert settings.read_text(encoding="utf-8") == edited

    make("uninstall", root, wheel, PURGE="1")
    assert not (root / "etc/ult").exists()
    assert not (root / "usr/lib/sysusers.d/ult.conf").exists()


# HTTPS=1: nginx in front (issue 12 §8).
HTTPS_STAGED = {
    **STAGED,
    "etc/nginx": 0o755,
    "etc/nginx/sites-available": 0o755,
    "etc/nginx/sites-available/ult": 0o644,
    "etc/nginx/sites-enabled": 0o755,
    "etc/nginx/sites-enabled/ult": 0o777,  # the link
    "etc/ult/tls": 0o755,
    "etc/ult/tls/ult.crt": 0o644,
    "etc/ult/tls/ult.key": 0o600,
}
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def nginx_accepts(root: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` of the staged site, its /etc paths moved under ``root``, inside a main
    configuration like Debian's (the site is included in the http block)."""
    site = tmp_path / "site.conf"
    text = (root / "etc/nginx/sites-available/ult").read_text(encoding="utf-8")
    site.write_text(text.replace(" /etc/ult/tls/", f" {root}/etc/ult/tls/"), encoding="utf-8")
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n  include {site};\n}}\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_install_with_https_stages_nginx_a_certificate_and_proxy_settings(
    wheel: Path, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    output = make("install", root, wheel, HTTPS="1")
    assert "self-signed certificate made" in output
    assert staged(root) == HTTPS_STAGED
    link = root / "etc/nginx/sites-enabled/ult"
    assert os.readlink(link) == "/etc/nginx/sites-available/ult"
    site = (root / "etc/nginx/sites-available/ult").read_text(encoding="utf-8")
    assert "listen 443 ssl default_server;" in site and "return 301 https://" in site
    assert "proxy_pass http://127.0.0.1:8080;" in site and "proxy_buffering off;" in site
    assert "ssl_certificate /etc/ult/tls/ult.crt;" in site
    assert "@" not in site.replace("$", "")  # every placeholder filled
    # A fresh settings file: only nginx reaches ult admin, tickets link to https.
    admin = load_settings(root / "etc/ult/ult.toml", environ={"ULT_HOME": str(tmp_path)}).admin
    assert admin.host == "127.0.0.1" and admin.behind_proxy
    assert admin.public_base_url == f"https://{socket.gethostname()}.local"
    names = subprocess.run(
        ["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in",
         str(root / "etc/ult/tls/ult.crt")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert f"DNS:{socket.gethostname()}.local" in names and "IP Address:127.0.0.1" in names
    if NGINX is not None:
        checked = nginx_accepts(root, tmp_path)
        assert checked.returncode == 0, checked.stderr

    # Again (HTTPS implied by the site already there): the certificate is kept.
    certificate = (root / "etc/ult/tls/ult.crt").read_bytes()
    output = make("install", root, wheel)
    assert "certificate kept" in output
    assert (root / "etc/ult/tls/ult.crt").read_bytes() == certificate
    assert staged(root) == HTTPS_STAGED

    output = make("uninstall", root, wheel)
    assert not link.is_symlink() and not (root / "etc/nginx/sites-available/ult").exists()
    assert (root / "etc/ult/tls/ult.crt").read_bytes() == certificate  # kept without PURGE


@pytest.mark.slow
def test_install_with_the_offices_certificate_keeps_it(wheel: Path, tmp_path: Path) -> None:
    cert, key = tmp_path / "office.crt", tmp_path / "office.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-days", "1", "-nodes", "-subj", "/CN=ult.kantor", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    root = tmp_path / "root"
    output = make("install", root, wheel, HTTPS="1", TLS_CERT=str(cert), TLS_KEY=str(key))
    assert "self-signed" not in output
    assert not (root / "etc/ult/tls").exists()
    site = root / "etc/nginx/sites-available/ult"
    expected = f"ssl_certificate {cert};\n    ssl_certificate_key {key};\n"
    assert expected in site.read_text(encoding="utf-8")
    make("install", root, wheel)  # again, without the variables
    assert expected in site.read_text(encoding="utf-8")
    assert not (root / "etc/ult/tls").exists()


@pytest.mark.slow
def test_https_on_an_existing_settings_file_says_what_to_set(wheel: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    make("install", root, wheel)
    settings = root / "etc/ult/ult.toml"
    before = settings.read_bytes()
    output = make("install", root, wheel, HTTPS="1")
    assert 'host = "127.0.0.1"   behind_proxy = true' in output  # the site's file: not edited
    assert settings.read_bytes() == before
    assert staged(root) == HTTPS_STAGED


def test_install_refuses_a_bad_https_request(wheel: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    for variables, words in (
        ({"HTTPS": "yes"}, "HTTPS=yes"),
        ({"TLS_CERT": "/etc/hostname", "TLS_KEY": "/etc/hostname"}, "HTTPS=1"),
        ({"HTTPS": "1", "TLS_CERT": "/etc/hostname"}, "both"),
        ({"HTTPS": "1", "TLS_CERT": str(tmp_path / "no.crt"), "TLS_KEY": "/etc/hostname"},
         "cannot read"),
    ):  # fmt: skip
        done = subprocess.run(
            ["make", "-s", "install", f"DESTDIR={root}", f"WHEEL={wheel}"]
            + [f"{key}={value}" for key, value in variables.items()],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode != 0 and words in done.stderr, done.stderr
        assert not root.exists()  # nothing staged


def install_sh(
    root: str, wheel: Path, cwd: Path, settings: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``systemd/install.sh install`` run directly from ``cwd`` with ``DESTDIR=root``, an
    existing settings file ``settings`` staged first when given."""
    if settings is not None:
        (cwd / root / "etc/ult").mkdir(parents=True)
        (cwd / root / "etc/ult/ult.toml").write_text(settings, encoding="utf-8")
    environ = {**os.environ, "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1"}
    environ.update(DESTDIR=root, WHEEL=str(wheel))
    environ.pop("PYTHON", None)
    return subprocess.run(
        ["sh", str(SYSTEMD / "install.sh"), "install"],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_a_relative_destdir_is_the_callers_folder(wheel: Path, tmp_path: Path) -> None:
    done = install_sh("stage", wheel, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert staged(tmp_path / "stage") == STAGED


@pytest.mark.slow
def test_the_rollover_timer_follows_day_reset_and_timezone(wheel: Path, tmp_path: Path) -> None:
    text = render_default_settings()
    text = text.replace('day_reset = "00:00"', 'day_reset = "05:30"', 1)
    text = text.replace('timezone = "Asia/Jakarta"', 'timezone = "Asia/Makassar"', 1)
    done = install_sh("root", wheel, tmp_path, settings=text)
    assert done.returncode == 0, done.stdout + done.stderr
    dropin = tmp_path / "root/etc/systemd/system/ult-rollover.timer.d/ult.conf"
    lines = dropin.read_text(encoding="utf-8").splitlines()
    assert lines[1:] == ["[Timer]", "OnCalendar=", "OnCalendar=*-*-* 05:30:05 Asia/Makassar"]
    if TOOLS["systemd-analyze"] is not None:
        checked = subprocess.run(
            [TOOLS["systemd-analyze"], "calendar", "*-*-* 05:30:05 Asia/Makassar"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert checked.returncode == 0, checked.stderr


@pytest.mark.slow
def test_settings_the_new_program_refuses_stop_the_install_first(
    wheel: Path, tmp_path: Path
) -> None:
    text = render_default_settings().replace('day_reset = "00:00"', 'day_reset = "25:00"', 1)
    done = install_sh("root", wheel, tmp_path, settings=text)
    assert done.returncode != 0
    assert "day_reset" in done.stderr
    assert "nothing was changed" in done.stderr
    assert "database backup" not in done.stderr
    root = tmp_path / "root"
    assert not (root / "opt/ult/venv").exists() and not (root / "opt/ult/venv.new").exists()
    assert not (root / "usr/local/bin/ult").exists()
