#!/bin/sh
# The appliance installer: `sudo make install` and `sudo make uninstall` run this.
#
#   systemd/install.sh install     install, or upgrade in place (run again any time)
#   systemd/install.sh uninstall   remove the code and the units; keep settings and data
#                                  (PURGE=1: remove them, and the user, too)
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
# An upgrade stops the services, backs the database up into /var/lib/ult/backups, swaps the
# new program in, lets `ult init` migrate, and starts the services again.
#
# DESTDIR=/some/dir stages every file under that folder for a package and changes nothing on
# this machine: no apt, no user, no systemctl, no udev, no database.
# WHEEL=path installs that wheel (and PyPI its dependencies) instead of building one from this checkout.
set -eu

action=${1:-install}
destdir=${DESTDIR:-}
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
unit_files="ult.target $units ult-rollover.service ult-rollover.timer ult-backup.service ult-backup.timer"
enabled="ult.target $units ult-rollover.timer ult-backup.timer"
unit_dir=/etc/systemd/system
udev_rule=/etc/udev/rules.d/99-ult-printer.rules

say() { echo "== $*"; }

# A command as the appliance's user with the units' variables and umask, so what it creates
# is the services' own.
as_ult() {
    (umask 027 && runuser -u ult -- env ULT_CONFIG="$config" ULT_HOME="$home" "$@")
}
die() { echo "install.sh: $*" >&2; exit 1; }

# Debian packages: the Python to build the environment from; espeak-ng (the board's voice);
# libusb (USB printer); DejaVu fonts (board and ticket); the screen, GPU and sound libraries
# pygame-ce's SDL loads for KMS/DRM and ALSA (libasound2 is libasound2t64 from Trixie on);
# util-linux's runuser for the wrapper; udev for the printer rule.
apt_packages() {
    asound=libasound2
    if apt-cache show libasound2t64 >/dev/null 2>&1; then asound=libasound2t64; fi
    echo python3 python3-venv espeak-ng libusb-1.0-0 fonts-dejavu-core libgbm1 libegl1 \
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
        backup="$backups/ult-before-install-$(date -u +%Y%m%dT%H%M%SZ).db"
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
    fi
    D=$destdir
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
        "$D$venv.new/bin/python" -c \
            'from ult.settings import render_default_settings; print(render_default_settings(), end="")' \
            >"$D$config.new"
        chmod 0644 "$D$config.new"
        mv "$D$config.new" "$D$config"
        say "settings written: $config"
    else
        say "settings kept: $config"
    fi

    if [ -z "$destdir" ]; then
        for unit in $units; do systemctl stop "$unit" 2>/dev/null || true; done
        if ! backup_database; then
            rm -rf "$venv.new"
            for unit in $units; do systemctl start "$unit" 2>/dev/null || true; done
            die "the database backup failed: nothing was changed, the services run as before"
        fi
    fi
    rm -rf "$D$venv.old"
    [ -e "$D$venv" ] && mv "$D$venv" "$D$venv.old"
    mv "$D$venv.new" "$D$venv"
    rm -rf "$D$venv.old"
    install -m 0755 "$source_dir/systemd/ult.sh" "$D/usr/local/bin/ult"
    for unit in $unit_files; do
        install -m 0644 "$source_dir/systemd/$unit" "$D$unit_dir/$unit"
    done
    [ -n "$destdir" ] && return 0

    say "database: ult init"
    as_ult "$venv/bin/ult" init
    printer_rule
    # shellcheck disable=SC2086 # the unit names, one per word
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload
        systemctl enable $enabled
        systemctl restart $units
        systemctl start ult-rollover.timer ult-backup.timer
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
    rm -rf "$D$prefix"
    rm -f "$D/usr/local/bin/ult" "$D$udev_rule" "$D/usr/lib/tmpfiles.d/ult.conf"
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
*) die "usage: install.sh install|uninstall" ;;
esac
