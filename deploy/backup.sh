#!/usr/bin/env bash
# A pg_dump of the helpdesk database (custom format, compressed) with retention.
#   HELPDESK_DATABASE_URL   the database (as in /etc/helpdesk/helpdesk.env; +psycopg is dropped)
#   BACKUP_DIR              where dumps go (default /var/backups/helpdesk)
#   BACKUP_KEEP_DAYS        dumps older than this many days are removed (default 30)
# The dump is written under a temporary name and renamed when complete, so a half-written dump
# never looks like a backup; the newest is also checked with pg_restore --list. Prints its path.
set -euo pipefail
: "${HELPDESK_DATABASE_URL:?HELPDESK_DATABASE_URL is not set}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/helpdesk}"
BACKUP_KEEP_DAYS="${BACKUP_KEEP_DAYS:-30}"
case "$BACKUP_KEEP_DAYS" in ''|*[!0-9]*) echo "backup: BACKUP_KEEP_DAYS must be a number of days" >&2; exit 2;; esac
URL="${HELPDESK_DATABASE_URL/postgresql+psycopg:/postgresql:}"
URL="${URL/postgresql+asyncpg:/postgresql:}"
case "$URL" in postgresql://*|postgres://*) ;; *) echo "backup: only PostgreSQL databases are backed up this way" >&2; exit 2;; esac
umask 077
mkdir -p "$BACKUP_DIR"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$BACKUP_DIR/helpdesk-$stamp.dump"
pg_dump --format=custom --compress=6 --no-owner --file="$target.part" "$URL"
pg_restore --list "$target.part" >/dev/null
mv "$target.part" "$target"
find "$BACKUP_DIR" -maxdepth 1 -name 'helpdesk-*.dump' -type f -mtime +"$BACKUP_KEEP_DAYS" -print -delete \
  | sed 's/^/backup: removed old dump /'
echo "$target"
