#!/bin/sh
# `ult` on the appliance (make install puts this in /usr/local/bin/ult): the program in
# /opt/ult/venv. Run by root (sudo ult ...), it runs as the appliance's user `ult`, so that a
# file it creates (the database, its -wal and -shm files, a voice pack) stays the services'
# own. It finds /etc/ult/ult.toml and /var/lib/ult by itself (ult.settings.settings_paths).
set -eu
program=/opt/ult/venv/bin/ult
if [ "$(id -u)" = 0 ]; then
    umask 027 # as the units' UMask=
    exec runuser -u ult -- "$program" "$@"
fi
if [ "$(id -un)" != ult ] && [ -z "${ULT_HOME:-}${ULT_CONFIG:-}" ] && [ -e /etc/ult/ult.toml ]; then
    echo "ult: the appliance's database belongs to the user ult; run: sudo ult $*" >&2
    exit 2
fi
exec "$program" "$@"
