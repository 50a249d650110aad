#!/bin/sh
# `ult` on the appliance (make install puts this in /usr/local/bin/ult): the program in
# /opt/ult/venv. Run by root (sudo ult ...), it runs as the appliance's user `ult`, so that a
# file it creates (the database, its -wal and -shm files, a voice pack) stays the services'
# own. It finds /etc/ult/ult.toml and /var/lib/ult by itself (ult.settings.settings_paths).
set -eu
program=/opt/ult/venv/bin/ult
if [ "$(id -u)" = 0 ]; then
    umask 027 # as the units' UMask=
    # `restore ... --stop-services`: the user ult may not stop units, so root does it here,
    # runs the restore as ult without the option, and starts them again whatever happened.
    if [ "${1:-}" = restore ] && case " $* " in *" --stop-services "*) true ;; *) false ;; esac; then
        for arg do
            shift
            [ "$arg" = --stop-services ] || set -- "$@" "$arg"
        done
        services="ult-kiosk ult-display ult-admin ult-rollover.timer ult-backup.timer ult-purge.timer"
        start_again() {
            status=$?
            # shellcheck disable=SC2086 # the unit names, one per word
            if systemctl start $services; then
                echo "ult: started again: $services" >&2
            else
                echo "ult: could not start again every one of: $services (systemctl status ult.target)" >&2
            fi
            exit "$status"
        }
        trap start_again EXIT
        echo "ult: stopping for the restore: $services" >&2
        # shellcheck disable=SC2086
        systemctl stop $services
        runuser -u ult -- "$program" "$@"
        exit 0
    fi
    exec runuser -u ult -- "$program" "$@"
fi
if [ "$(id -un)" != ult ] && [ -z "${ULT_HOME:-}${ULT_CONFIG:-}" ] && [ -e /etc/ult/ult.toml ]; then
    echo "ult: the appliance's database belongs to the user ult; run: sudo ult $*" >&2
    exit 2
fi
exec "$program" "$@"
