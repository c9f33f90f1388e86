#!/usr/bin/env bash
# Restore a dump made by backup.sh into a NEW, empty database, then check its event log.
#   deploy/restore.sh DUMP TARGET_DATABASE_URL
# TARGET_DATABASE_URL names a database that must not exist yet (it is created; an existing one is
# never overwritten). After the restore `helpdesk audit verify` runs against it; the restore
# counts as good only when the hash chain verifies. Then point HELPDESK_DATABASE_URL at it
# (RUNBOOK.md "Restore").
set -euo pipefail
if [ $# -ne 2 ]; then echo "usage: restore.sh DUMP TARGET_DATABASE_URL" >&2; exit 2; fi
DUMP="$1"
TARGET="${2/postgresql+psycopg:/postgresql:}"
[ -r "$DUMP" ] || { echo "restore: cannot read $DUMP" >&2; exit 2; }
pg_restore --list "$DUMP" >/dev/null || { echo "restore: $DUMP is not a pg_dump custom-format file" >&2; exit 2; }
DB_NAME="${TARGET##*/}"
DB_NAME="${DB_NAME%%\?*}"
SERVER="${TARGET%/*}/postgres"
case "$DB_NAME" in ''|*[!A-Za-z0-9_]*) echo "restore: database name may hold only letters, digits and _" >&2; exit 2;; esac
exists="$(psql -X -At -d "$SERVER" -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")"
[ -z "$exists" ] || { echo "restore: database $DB_NAME exists already; restore into a new one" >&2; exit 2; }
psql -X -q -v ON_ERROR_STOP=1 -d "$SERVER" -c "CREATE DATABASE \"$DB_NAME\" TEMPLATE template0 ENCODING 'UTF8'"
pg_restore --no-owner --exit-on-error --single-transaction --dbname="$TARGET" "$DUMP"
HELPDESK="${HELPDESK:-/opt/helpdesk/.venv/bin/helpdesk}"
HELPDESK_DATABASE_URL="postgresql+psycopg://${TARGET#*://}" "$HELPDESK" audit verify
echo "restored $DUMP into $DB_NAME; the event log verifies"
