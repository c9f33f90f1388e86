#!/usr/bin/env bash
# Create the helpdesk role and database on the local PostgreSQL (run once, as root, RUNBOOK.md).
#   deploy/postgres-setup.sh [DB_NAME] [DB_USER]
# The password is read from stdin (first line) so it never appears in the process list; put the
# same one into HELPDESK_DATABASE_URL in /etc/helpdesk/helpdesk.env. Running it again changes
# nothing but the password.
set -euo pipefail
DB_NAME="${1:-helpdesk}"
DB_USER="${2:-helpdesk}"
PSQL=(psql -v ON_ERROR_STOP=1 -X -q)
[ "$(id -u)" -eq 0 ] && PSQL=(runuser -u postgres -- "${PSQL[@]}")
case "$DB_NAME$DB_USER" in *[!a-z0-9_]*) echo "postgres-setup: names may hold only a-z, 0-9 and _" >&2; exit 2;; esac
IFS= read -r PASSWORD || { echo "postgres-setup: give the password on stdin" >&2; exit 2; }
[ -n "$PASSWORD" ] || { echo "postgres-setup: the password is empty" >&2; exit 2; }

"${PSQL[@]}" -d postgres -v user="$DB_USER" -v password="$PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'user', :'password') \gexec
SQL
"${PSQL[@]}" -d postgres -v db="$DB_NAME" -v user="$DB_USER" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'db', :'user', 'UTF8')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
"${PSQL[@]}" -d "$DB_NAME" -v user="$DB_USER" <<'SQL'
SELECT format('ALTER SCHEMA public OWNER TO %I', :'user') \gexec
SQL
echo "database $DB_NAME owned by $DB_USER is ready; next: helpdesk migrate (RUNBOOK.md)"
