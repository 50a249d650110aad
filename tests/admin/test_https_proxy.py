"""HTTPS through nginx (issue 12 §8): ``[admin] behind_proxy`` in the app, and a real
``ult admin`` behind a real nginx running the site that ``systemd/install.sh nginx-config``
renders from ``systemd/ult-nginx.conf.in``, with a certificate openssl makes here."""

from __future__ import annotations

import http.client
import re
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

from admin import create_app
from tests.admin.test_server import URL_LINE, Child, environment, ult_command
from tests.conftest import fresh_database, make_settings
from tests.packaging.paths import ROOT
from ult.settings import Settings, SettingsError

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
OPENSSL = shutil.which("openssl")
needs_nginx = pytest.mark.skipif(
    NGINX is None or OPENSSL is None,
    reason="SKIPPED LOUDLY: nginx or openssl missing; install the Debian packages nginx "
    "and openssl (make apt-test-deps)",
)
PASSWORD = "kata-sandi-yang-panjang-1"


# ----------------------------------------------------------------------------- the setting


def test_direct_serving_is_unchanged(settings: Settings) -> None:
    app = create_app(settings)
    assert not isinstance(app.wsgi_app, ProxyFix)
    assert not app.config.get("SESSION_COOKIE_SECURE")
    with app.test_request_context("/", headers={"X-Forwarded-Proto": "https"}):
        assert request.scheme == "http"  # a client's header is not believed


def test_behind_proxy_trusts_one_proxy_and_secures_the_cookie(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", "[admin]\nbehind_proxy = true\n")
    fresh_database(settings).close()
    app = create_app(settings)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    seen: dict[str, str] = {}

    @app.get("/__seen")
    def _seen() -> str:
        seen.update(addr=request.remote_addr or "", url=request.url)
        return ""

    forwarded = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "ult.local",
        "X-Forwarded-For": "10.0.0.9, 192.168.1.20",
    }
    client = app.test_client()
    response = client.get("/login", headers=forwarded)
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("ult_session=") and "Secure" in cookie
    client.get("/__seen", headers=forwarded)
    # The last address is the one nginx saw; the first one the client wrote itself.
    assert seen == {"addr": "192.168.1.20", "url": "https://ult.local/__seen"}


def test_behind_proxy_must_be_true_or_false(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"admin\.behind_proxy"):
        make_settings(tmp_path / "home", '[admin]\nbehind_proxy = "yes"\n')


# ----------------------------------------------------------------------------- real nginx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, as the installer makes one."""
    cert, key = folder / "test.crt", folder / "test.key"
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-days", "1", "-nodes", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def nginx_site(http_port: int, https_port: int, upstream: str, cert: Path, key: Path) -> str:
    done = subprocess.run(
        ["sh", str(ROOT / "systemd/install.sh"), "nginx-config", str(http_port),
         str(https_port), upstream, str(cert), str(key)],
        capture_output=True, text=True, check=True, timeout=30,
    )  # fmt: skip
    return done.stdout


def nginx_main(prefix: Path, site: Path) -> Path:
    """A main nginx.conf around ``site`` that runs in the foreground with everything in
    ``prefix`` (as Debian's /etc/nginx/nginx.conf includes sites-enabled in its http block)."""
    conf = prefix / "nginx.conf"
    temp = " ".join(
        f"{kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    conf.write_text(
        f"daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} warn;\nevents {{ worker_connections 128; }}\n"
        f"http {{\n  access_log off;\n  {temp}\n  uwsgi_temp_path {prefix / 'uwsgi'};\n"
        f"  scgi_temp_path {prefix / 'scgi'};\n  include {site};\n}}\n",
        encoding="utf-8",
    )
    return conf


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text() if log.exists() else "nginx exited"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nginx does not listen on {port}")


class Proxied:
    """``ult admin`` on a free port behind nginx on two more: the HTTP and HTTPS ports."""

    def __init__(self, tmp_path: Path) -> None:
        self.http_port, self.https_port = free_port(), free_port()
        home = tmp_path / "home"
        self.settings = make_settings(
            home,
            '[admin]\nbehind_proxy = true\nhost = "127.0.0.1"\n'
            f'public_base_url = "https://127.0.0.1:{self.https_port}"\n',
        )
        fresh_database(self.settings).close()
        subprocess.run(
            [*ult_command(), "user", "add", "siti", "--role", "supervisor", "--password-stdin"],
            input=PASSWORD + "\n", env=environment(self.settings),
            capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
        self.admin = Child(self.settings, "--host", "127.0.0.1", "--port", "0")
        url = self.admin.wait_for_line(URL_LINE).group(1)
        upstream = url.removeprefix("http://").rstrip("/")
        prefix = tmp_path / "nginx"
        prefix.mkdir()
        self.cert, key = certificate(prefix)
        site = prefix / "ult.conf"
        site.write_text(
            nginx_site(self.http_port, self.https_port, upstream, self.cert, key),
            encoding="utf-8",
        )
        conf = nginx_main(prefix, site)
        log = prefix / "error.log"
        self.nginx = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(log)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        wait_for_port(self.https_port, self.nginx, log)
        wait_for_port(self.http_port, self.nginx, log)
        self.tls = ssl.create_default_context(cafile=str(self.cert))

    def https(self, timeout_s: float = 10) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, context=self.tls, timeout=timeout_s
        )

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def stop(self) -> None:
        if self.nginx.poll() is None:
            self.nginx.terminate()
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait()
        self.admin.kill()


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[Proxied]:
    running = Proxied(tmp_path)
    yield running
    running.stop()


def cookie_of(response: http.client.HTTPResponse) -> str:
    """The ``name=value`` of the session cookie the response sets."""
    (header,) = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
    assert "; Secure" in header and "HttpOnly" in header, header
    return header.split(";", 1)[0]


@pytest.mark.slow
@needs_nginx
def test_http_is_redirected_to_https(proxied: Proxied) -> None:
    plain = http.client.HTTPConnection("127.0.0.1", proxied.http_port, timeout=10)
    plain.request("GET", "/login?next=/", headers={"Host": f"127.0.0.1:{proxied.http_port}"})
    response = plain.getresponse()
    assert response.status in (301, 308)
    assert response.getheader("Location") == f"{proxied.origin}/login?next=/"


@pytest.mark.slow
@needs_nginx
def test_login_through_nginx_with_a_secure_cookie_and_csrf(proxied: Proxied) -> None:
    conn = proxied.https()
    conn.request("GET", "/login")
    page = conn.getresponse()
    body = page.read().decode()
    assert page.status == 200
    cookie = cookie_of(page)
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
            "Referer": f"{proxied.origin}/login"}  # fmt: skip

    conn.request("POST", "/login", body=f"username=siti&password={PASSWORD}", headers=form)
    refused = conn.getresponse()
    refused.read()
    assert refused.status == 400  # no CSRF token: refused through the proxy too

    body = f"csrf_token={token}&username=siti&password={PASSWORD}"
    conn.request("POST", "/login", body=body, headers=form)
    logged_in = conn.getresponse()
    logged_in.read()
    assert logged_in.status in (302, 303), logged_in.status
    session = cookie_of(logged_in)
    # Redirects stay on https (ProxyFix: the scheme and host are the proxy's).
    location = logged_in.getheader("Location")
    assert location.startswith("/") or location.startswith(proxied.origin), location

    conn.request("GET", "/", headers={"Cookie": session})
    home = conn.getresponse()
    home.read()
    assert home.status in (200, 302)
    assert "login" not in (home.getheader("Location") or "")


@pytest.mark.slow
@needs_nginx
def test_health_and_the_board_stream_through_nginx(proxied: Proxied) -> None:
    conn = proxied.https()
    conn.request("GET", "/healthz")
    health = conn.getresponse()
    assert health.status == 200 and b'"status": "ok"' in health.read().replace(b'":"', b'": "')

    stream = proxied.https(timeout_s=20)
    stream.request("GET", "/api/v1/board/events", headers={"Accept": "text/event-stream"})
    events = stream.getresponse()
    assert events.status == 200
    assert events.getheader("Content-Type", "").startswith("text/event-stream")
    subprocess.run(
        [*ult_command(), "issue", "A"], env=environment(proxied.settings),
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    # The ticket's event arrives while the stream stays open: nginx passes it on at once.
    received = b""
    deadline = time.monotonic() + 15
    while b"A001" not in received and b"A-001" not in received:
        assert time.monotonic() < deadline, received
        received += events.fp.readline()
    stream.close()
