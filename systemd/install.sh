#!/bin/sh
# The appliance installer: `sudo make install` and `sudo make uninstall` run this.
#
#   systemd/install.sh install     install, or upgrade in place (run again any time)
#   systemd/install.sh uninstall   remove the code and the units; keep settings and data
#                                  (PURGE=1: remove them, and the user, too)
#   systemd/install.sh nginx-config HTTP_PORT HTTPS_PORT UPSTREAM CERT KEY
#                                  print the nginx site for those (the tests use it)
#
# On Raspberry Pi OS Bookworm or Trixie, 64-bit (arm64; amd64 for a PC). It puts:
#   /opt/ult/venv                   the program in its own virtual environment (PEP 668: no
#                                   system-wide pip), built aside and swapped in
#   /usr/local/bin/ult              the technician's `ult` (systemd/ult.sh: runs as user ult)
#   /etc/ult/ult.toml               the settings, written once, never overwritten
#   /var/lib/ult                    database and generated files (StateDirectory of the units)
#   /etc/systemd/system/ult-*.service, enabled and (re)started
#   /usr/lib/sysusers.d/ult.conf    the user ult and its device groups (systemd-sysusers)
#   /usr/lib/tmpfiles.d/ult.conf    /var/lib/ult for `ult init` before any unit ran
#   /etc/udev/rules.d/99-ult-printer.rules   only for a configured USB printer
# With HTTPS=1 (kept by later installs once there), also nginx in front of `ult admin`:
#   /etc/nginx/sites-available/ult  from systemd/ult-nginx.conf.in, linked in sites-enabled
#   /etc/ult/tls/ult.crt, ult.key   a self-signed certificate made once (the host's names and
#                                   addresses), or TLS_CERT=file TLS_KEY=file: the office's own
# An upgrade checks the settings with the new program (refused: nothing is stopped), stops the
# services, backs the database up into /var/lib/ult/backups, swaps the new program in, lets
# `ult init` migrate, writes the rollover timer's drop-in from the settings
# (/etc/systemd/system/ult-rollover.timer.d/ult.conf), and starts the services again; a failure
# after the stop starts them again too.
#
# DESTDIR=/some/dir stages every file under that folder for a package and changes nothing on
# this machine: no apt, no user, no systemctl, no udev, no database.
# WHEEL=path installs that wheel (and PyPI its dependencies) instead of building one from this checkout.
set -eu

action=${1:-install}
destdir=${DESTDIR:-}
# A relative DESTDIR is the caller's: made absolute before the `cd /` below.
case "$destdir" in '' | /*) ;; *) destdir=$(pwd)/$destdir ;; esac
source_dir=$(cd "$(dirname "$0")/.." && pwd)
wheel=""
if [ -n "${WHEEL:-}" ]; then wheel=$(realpath "$WHEEL"); fi
# The commands run as the user ult below must not start in a folder it cannot read (/root).
cd /
python=${PYTHON:-/usr/bin/python3}
prefix=/opt/ult
venv=$prefix/venv
config_dir=/etc/ult
config=$config_dir/ult.toml
home=/var/lib/ult
# The daemons (stopped for an upgrade, restarted after it), and every unit file installed:
# the target that starts and stops the appliance as one, the daemons, the timers and the
# oneshot services they run.
units="ult-kiosk.service ult-display.service ult-admin.service"
unit_files="ult.target $units ult-rollover.service ult-rollover.timer ult-backup.service ult-backup.timer ult-purge.service ult-purge.timer"
enabled="ult.target $units ult-rollover.timer ult-backup.timer ult-purge.timer"
unit_dir=/etc/systemd/system
udev_rule=/etc/udev/rules.d/99-ult-printer.rules
nginx_site=/etc/nginx/sites-available/ult
nginx_link=/etc/nginx/sites-enabled/ult
tls_dir=$config_dir/tls
tls_cert=${TLS_CERT:-}
tls_key=${TLS_KEY:-}
https=${HTTPS:-0}

say() { echo "== $*"; }

# A command as the appliance's user with the units' variables and umask, so what it creates
# is the services' own.
as_ult() {
    (umask 027 && runuser -u ult -- env ULT_CONFIG="$config" ULT_HOME="$home" "$@")
}
die() { echo "install.sh: $*" >&2; exit 1; }

# Debian packages: the Python to build the environment from; espeak-ng and sox (the board's
# voice: ult voice build speaks each word with espeak-ng and trims it with sox); poppler-utils
# (pdftoppm renders the PDF pages of [display] lower = "slides"); libusb (USB printer); DejaVu fonts (board and ticket); the screen, GPU and sound libraries
# pygame-ce's SDL loads for KMS/DRM and ALSA (libasound2 is libasound2t64 from Trixie on);
# util-linux's runuser for the wrapper; udev for the printer rule.
apt_packages() {
    asound=libasound2
    if apt-cache show libasound2t64 >/dev/null 2>&1; then asound=libasound2t64; fi
    echo python3 python3-venv espeak-ng sox poppler-utils libusb-1.0-0 fonts-dejavu-core libgbm1 libegl1 \
        libgles2 libgl1-mesa-dri "$asound" util-linux udev
    # gpiozero's pin factory: PyPI's lgpio has no wheel for every Python (none for 3.13,
    # Trixie's). Raspberry Pi OS packages it for its own Python: use that. Elsewhere pip
    # builds PyPI's source, which needs SWIG, a compiler and the C library liblgpio (its
    # -dev package where the distribution has one; plain Debian 12 has none).
    if [ "$(dpkg --print-architecture)" = arm64 ]; then
        if apt-cache show python3-lgpio >/dev/null 2>&1; then
            echo python3-lgpio
        else
            echo swig python3-dev gcc
            if apt-cache show liblgpio-dev >/dev/null 2>&1; then echo liblgpio-dev; fi
        fi
    fi
}

# Debian's python3-lgpio, when installed, made visible inside the environment: its module,
# extension and metadata linked into site-packages (the same Python, so the same ABI), and
# nothing else of the system's packages (no --system-site-packages).
link_debian_lgpio() {
    site_packages=$1
    dpkg-query -W -f='${Status}' python3-lgpio 2>/dev/null | grep -q "install ok installed" \
        || return 0
    dpkg -L python3-lgpio | grep -E '^/usr/lib/python3/dist-packages/[^/]+$' | while read -r f; do
        ln -sfn "$f" "$site_packages/$(basename "$f")"
    done
    say "lgpio: Debian's python3-lgpio"
}

# The environment, built at $1 (beside the live one, which keeps running meanwhile) for its
# final place $venv: pip writes no bytecode, the scripts' paths are rewritten, then
# everything is compiled as if at $venv.
build_venv() {
    stage=$1
    rm -rf "$stage"
    "$python" -m venv "$stage"
    site_packages=$("$stage/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
    [ -z "$destdir" ] && link_debian_lgpio "$site_packages"
    if [ -n "$wheel" ]; then
        "$stage/bin/python" -m pip install --quiet --no-compile "$wheel"
    else
        # Built from a copy: a build in the checkout would leave root-owned build/ and
        # *.egg-info there.
        sources=$(mktemp -d)
        tar -C "$source_dir" --exclude=./.venv --exclude=./var --exclude=./.git \
            --exclude=./build --exclude='*.egg-info' -cf - . | tar -C "$sources" -xf -
        "$stage/bin/python" -m pip install --quiet --no-compile "$sources"
        rm -rf "$sources"
    fi
    for script in "$stage"/bin/* "$stage/pyvenv.cfg"; do
        if [ -f "$script" ] && [ ! -L "$script" ] && grep -Iq "$stage" "$script"; then
            sed -i "s|$stage|$venv|g" "$script"
        fi
    done
    "$stage/bin/python" -m compileall -q -f -s "$stage" -p "$venv" "$stage/lib" >/dev/null
}

# The database copied before the new program can migrate it; non-zero when it could not be.
backup_database() {
    [ -f "$home/ult.db" ] || return 0
    backups=$home/backups
    as_ult mkdir -p "$backups" || return 1
    # `ult backup` when the running program has it; else SQLite's online backup API, the copy
    # checked by an integrity check.
    if [ -x "$venv/bin/ult" ] && as_ult "$venv/bin/ult" backup --help >/dev/null 2>&1; then
        as_ult "$venv/bin/ult" backup "$backups" || return 1
    else
        # ult.backup's name pattern (ult-<UTC time with microseconds>Z-<tag>.db), so that
        # `ult backup` prunes it and `ult restore` offers it.
        backup="$backups/ult-$(date -u +%Y%m%dT%H%M%S%6NZ)-before-install.db"
        as_ult "$python" -c '
import sqlite3, sys
source = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
target = sqlite3.connect(sys.argv[2])
source.backup(target)
ok = target.execute("PRAGMA integrity_check").fetchone()[0]
target.close()
sys.exit(ok != "ok")
' "$home/ult.db" "$backup" || return 1
        say "database backed up: $backup"
    fi
}

# The nginx site (systemd/ult-nginx.conf.in) for: the HTTP port (redirects only), the HTTPS
# port, the upstream host:port of `ult admin`, the certificate and key files.
nginx_config() {
    [ $# = 5 ] || die "usage: install.sh nginx-config HTTP_PORT HTTPS_PORT UPSTREAM CERT KEY"
    for port in "$1" "$2"; do
        case "$port" in '' | *[!0-9]*) die "not a port number: $port" ;; esac
    done
    case "$3" in *[!A-Za-z0-9.:]* | '') die "not a host:port: $3" ;; esac
    for file in "$4" "$5"; do
        case "$file" in /*) ;; *) die "not an absolute path: $file" ;; esac
        # nginx reads the path up to a space or ';', and sed below uses '|'
        case "$file" in *[[:space:]\;\|\'\"\$]*) die "a path nginx cannot take: $file" ;; esac
    done
    sed -e "s|@HTTP_PORT@|$1|g" -e "s|@HTTPS_PORT@|$2|g" -e "s|@UPSTREAM@|$3|g" \
        -e "s|@TLS_CERT@|$4|g" -e "s|@TLS_KEY@|$5|g" "$source_dir/systemd/ult-nginx.conf.in"
}

# The self-signed certificate in $1 (ult.crt, ult.key), made once and kept across installs
# (browsers and phones that accepted it keep trusting it): ten years, EC P-256 (fast on a
# Pi), subjectAltName the host's name, name.local (mDNS) and every address it has now.
self_signed_certificate() {
    dir=$1
    if [ -s "$dir/ult.crt" ] && [ -s "$dir/ult.key" ]; then
        say "certificate kept: $tls_dir/ult.crt"
        return 0
    fi
    name=$(hostname)
    san="DNS:$name,DNS:$name.local,DNS:localhost,IP:127.0.0.1"
    for address in $(hostname -I 2>/dev/null); do san="$san,IP:$address"; done
    install -d -m 0755 "$dir"
    (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -sha256 \
        -days 3650 -nodes -subj "/CN=$name" -addext "subjectAltName=$san" \
        -keyout "$dir/ult.key.new" -out "$dir/ult.crt.new" 2>/dev/null) \
        || die "openssl could not make the certificate"
    chmod 0644 "$dir/ult.crt.new"
    mv "$dir/ult.key.new" "$dir/ult.key"
    mv "$dir/ult.crt.new" "$dir/ult.crt"
    say "self-signed certificate made: $tls_dir/ult.crt ($san)"
}

# nginx in front of `ult admin` (HTTPS=1): the certificate, the site, and, for a settings
# file written before, what to change in it (the site's file is never edited).
install_https() {
    # A later install without TLS_CERT keeps the certificate the site already uses.
    if [ -z "$tls_cert" ] && [ -e "$D$nginx_site" ]; then
        tls_cert=$(sed -n 's/^ *ssl_certificate \([^;]*\);$/\1/p' "$D$nginx_site")
        tls_key=$(sed -n 's/^ *ssl_certificate_key \([^;]*\);$/\1/p' "$D$nginx_site")
        if [ "$tls_cert" = "$tls_dir/ult.crt" ]; then tls_cert="" tls_key=""; fi
    fi
    if [ -n "$tls_cert" ]; then
        cert=$tls_cert key=$tls_key
    else
        self_signed_certificate "$D$tls_dir"
        cert=$tls_dir/ult.crt key=$tls_dir/ult.key
    fi
    port=$(ULT_CONFIG="$D$config" "$D$venv/bin/python" -c \
        'from ult.settings import load_settings; print(load_settings().admin.port)') \
        || die "$config is not valid: fix it (ult init names the key), then install again"
    install -d -m 0755 "$D/etc/nginx/sites-available" "$D/etc/nginx/sites-enabled"
    nginx_config 80 443 "127.0.0.1:$port" "$cert" "$key" >"$D$nginx_site.new"
    chmod 0644 "$D$nginx_site.new"
    mv "$D$nginx_site.new" "$D$nginx_site"
    ln -sfn "$nginx_site" "$D$nginx_link"
    say "nginx site: $nginx_site (HTTPS on 443, HTTP redirected)"
    ULT_CONFIG="$D$config" "$D$venv/bin/python" -c '
from ult.settings import load_settings
admin = load_settings().admin
if admin.host != "127.0.0.1" or not admin.behind_proxy or not admin.public_base_url.startswith("https://"):
    print("== WARNING: for HTTPS set in the [admin] part of the settings, then restart ult-admin:")
    print("==   host = \"127.0.0.1\"   behind_proxy = true   public_base_url = \"https://...\"")
'
    [ -n "$destdir" ] && return 0
    # Debian's own default site also claims port 80 as default_server.
    rm -f /etc/nginx/sites-enabled/default
    nginx -t -q || die "nginx does not accept its configuration (nginx -t says why)"
    systemctl enable nginx
    if [ -d /run/systemd/system ]; then systemctl reload-or-restart nginx; fi
}

# The settings file $1 checked by the program at $2 (the new one, before anything is
# stopped): exits non-zero with the settings' own message when it would refuse it.
check_settings() {
    ULT_CONFIG="$1" "$2/bin/python" -c '
import sys
from ult.settings import SettingsError, load_settings
try:
    load_settings()
except SettingsError as error:
    sys.exit(str(error))
'
}

# The rollover timer at [queue] day_reset in [office] timezone of the settings: a drop-in
# (the unit file stays the project's), five seconds after the reset like the unit's default.
rollover_dropin() {
    calendar=$(ULT_CONFIG="$D$config" "$D$venv/bin/python" -c '
from ult.settings import load_settings
settings = load_settings()
print(f"*-*-* {settings.queue.day_reset:%H:%M}:05 {settings.office.timezone}")
')
    install -d -m 0755 "$D$unit_dir/ult-rollover.timer.d"
    printf '# Written by install.sh from %s: run it again after changing day_reset or timezone.\n[Timer]\nOnCalendar=\nOnCalendar=%s\n' \
        "$config" "$calendar" >"$D$unit_dir/ult-rollover.timer.d/ult.conf"
    chmod 0644 "$D$unit_dir/ult-rollover.timer.d/ult.conf"
    say "rollover timer: $calendar"
}

# On a failed install after the services were stopped: start them again (the old program
# until the swap, the new one after) and say which, so the appliance is never left down.
services_stopped=0
swapped=0
restart_after_failure() {
    status=$?
    [ "$status" != 0 ] && [ "$services_stopped" = 1 ] && [ -d /run/systemd/system ] || return 0
    if [ "$swapped" = 1 ]; then which="the NEW program ($venv)"; else which="the old program, unchanged"; fi
    started=1
    for unit in $units; do systemctl start "$unit" || started=0; done
    if [ "$started" = 1 ]; then
        echo "install.sh: the install failed; the services were started again with $which" >&2
    else
        echo "install.sh: the install failed and not every service started again ($which): see systemctl status ult.target" >&2
    fi
}

printer_rule() {
    rule=$(as_ult "$venv/bin/ult" udev-rule 2>/dev/null) || rule=""
    if [ -n "$rule" ]; then
        echo "$rule" >"$udev_rule"
        say "printer udev rule: $udev_rule"
    else
        rm -f "$udev_rule"
    fi
    udevadm control --reload || true
    udevadm trigger --subsystem-match=usb || true
}

install_appliance() {
    if [ -z "$destdir" ]; then
        [ "$(id -u)" = 0 ] || die "run it as root: sudo make install"
        arch=$(dpkg --print-architecture)
        case "$arch" in
        arm64 | amd64) ;;
        *) die "$arch is not supported: use the 64-bit Raspberry Pi OS (pygame-ce and Pillow ship no 32-bit ARM wheels)" ;;
        esac
        # shellcheck disable=SC2046 # one package name per word
        sh "$source_dir/scripts/apt-ensure" $(apt_packages)
        # Debian's nginx: TLS and the proxy are in its core (Bookworm's nginx-light is it
        # plus one module).
        if [ "$https" = 1 ]; then sh "$source_dir/scripts/apt-ensure" nginx openssl; fi
    fi
    D=$destdir
    [ -e "$D$nginx_site" ] && https=1
    case "$https" in 0 | 1) ;; *) die "HTTPS=$https: say HTTPS=1 (nginx in front, TLS) or leave it out" ;; esac
    if [ -n "$tls_cert$tls_key" ]; then
        [ "$https" = 1 ] || die "TLS_CERT and TLS_KEY go with HTTPS=1"
        [ -n "$tls_cert" ] && [ -n "$tls_key" ] || die "give both TLS_CERT and TLS_KEY"
        [ -r "$tls_cert" ] && [ -r "$tls_key" ] || die "cannot read $tls_cert or $tls_key"
        tls_cert=$(realpath "$tls_cert") tls_key=$(realpath "$tls_key")
    fi
    install -d -m 0755 "$D$prefix" "$D/usr/local/bin" "$D$unit_dir" "$D/usr/lib/sysusers.d" \
        "$D/usr/lib/tmpfiles.d" "$D$config_dir"

    say "program: $venv"
    build_venv "$D$venv.new"

    install -m 0644 "$source_dir/systemd/ult.sysusers" "$D/usr/lib/sysusers.d/ult.conf"
    install -m 0644 "$source_dir/systemd/ult.tmpfiles" "$D/usr/lib/tmpfiles.d/ult.conf"
    if [ -z "$destdir" ]; then
        systemd-sysusers /usr/lib/sysusers.d/ult.conf
        systemd-tmpfiles --create /usr/lib/tmpfiles.d/ult.conf
    fi

    # Settings: readable by all (no secret in them; the wrapper checks that the file exists),
    # written only by root. An existing file is the site's: never touched.
    if [ ! -e "$D$config" ]; then
        # HTTPS=1: only nginx reaches `ult admin`, and tickets link to https.
        "$D$venv.new/bin/python" -c '
import re, socket, sys
from ult.settings import render_default_settings
text = render_default_settings()
if sys.argv[1] == "1":
    before, admin = text.split("\n[admin]\n", 1)
    for key, value in (("host", "\"127.0.0.1\""), ("behind_proxy", "true"),
                       ("public_base_url", f"\"https://{socket.gethostname()}.local\"")):
        admin = re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", admin, count=1)
    text = before + "\n[admin]\n" + admin
print(text, end="")
' "$https" >"$D$config.new"
        chmod 0644 "$D$config.new"
        mv "$D$config.new" "$D$config"
        say "settings written: $config"
    else
        say "settings kept: $config"
    fi

    # The new program must accept the site's settings before anything is stopped.
    if ! message=$(check_settings "$D$config" "$D$venv.new" 2>&1); then
        rm -rf "$D$venv.new"
        die "$message
install.sh: the new program refuses $config: fix it, then install again; nothing was changed, the services run as before"
    fi

    if [ -z "$destdir" ]; then
        trap restart_after_failure EXIT
        services_stopped=1
        for unit in $units; do systemctl stop "$unit" 2>/dev/null || true; done
        if ! backup_database; then
            rm -rf "$venv.new"
            die "the database backup failed: the program was not changed"
        fi
    fi
    rm -rf "$D$venv.old"
    [ -e "$D$venv" ] && mv "$D$venv" "$D$venv.old"
    mv "$D$venv.new" "$D$venv"
    swapped=1
    rm -rf "$D$venv.old"
    install -m 0755 "$source_dir/systemd/ult.sh" "$D/usr/local/bin/ult"
    for unit in $unit_files; do
        install -m 0644 "$source_dir/systemd/$unit" "$D$unit_dir/$unit"
    done
    if [ "$https" = 1 ]; then install_https; fi
    [ -n "$destdir" ] && { rollover_dropin; return 0; }

    say "database: ult init"
    as_ult "$venv/bin/ult" init
    rollover_dropin
    printer_rule
    # shellcheck disable=SC2086 # the unit names, one per word
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload
        systemctl enable $enabled
        systemctl restart $units
        systemctl start ult-rollover.timer ult-backup.timer ult-purge.timer
        services_stopped=0
        say "installed and started. Settings: $config"
    else
        # Not booted with systemd (a chroot building an SD card image): enabled for the
        # next boot, which starts them.
        systemctl enable $enabled
        say "installed; systemd is not running here: the units start at the next boot"
    fi
}

uninstall_appliance() {
    D=$destdir
    if [ -z "$destdir" ]; then
        [ "$(id -u)" = 0 ] || die "run it as root: sudo make uninstall"
        # shellcheck disable=SC2086 # the unit names, one per word
        if [ -d /run/systemd/system ]; then systemctl stop $enabled || true; fi
        # shellcheck disable=SC2086
        systemctl disable $enabled 2>/dev/null || true
    fi
    for unit in $unit_files; do rm -f "$D$unit_dir/$unit"; done
    # The technician's own drop-ins (systemctl edit) stay.
    rm -f "$D$unit_dir/ult-rollover.timer.d/ult.conf"
    rmdir "$D$unit_dir/ult-rollover.timer.d" 2>/dev/null || true
    rm -rf "$D$prefix"
    rm -f "$D/usr/local/bin/ult" "$D$udev_rule" "$D/usr/lib/tmpfiles.d/ult.conf"
    if [ -e "$D$nginx_site" ] || [ -L "$D$nginx_link" ]; then
        rm -f "$D$nginx_link" "$D$nginx_site"
        if [ -z "$destdir" ] && systemctl is-active -q nginx 2>/dev/null; then
            systemctl reload nginx || true
        fi
        say "nginx site removed (the certificate stays in $tls_dir unless PURGE=1)"
    fi
    if [ -z "$destdir" ] && [ -d /run/systemd/system ]; then
        systemctl daemon-reload
        udevadm control --reload || true
    fi
    if [ "${PURGE:-0}" = 1 ]; then
        rm -rf "$D$config_dir" "$D$home" "$D/var/cache/ult"
        rm -f "$D/usr/lib/sysusers.d/ult.conf"
        if [ -z "$destdir" ] && id ult >/dev/null 2>&1; then userdel ult; fi
        say "removed, with the settings, the data and the user ult (PURGE=1)"
    else
        say "removed; kept the settings ($config), the data ($home) and the user ult"
    fi
}

case "$action" in
install) install_appliance ;;
uninstall) uninstall_appliance ;;
nginx-config)
    shift
    nginx_config "$@"
    ;;
*) die "usage: install.sh install|uninstall|nginx-config" ;;
esac
