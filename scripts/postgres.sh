#!/usr/bin/env bash
# Starts Debian's PostgreSQL for the workspace tests and prints the URL they use (the only line on stdout):
#   postgresql+psycopg://planungsatlas:planungsatlas@localhost:<port>/planungsatlas_test
# Idempotent: installs the `postgresql` package only when it is missing, starts the cluster only when it is down,
# creates the role and the database only when they do not exist. Needs root (apt, pg_ctlcluster, the postgres
# user); without root it says why on stderr and exits 1, and the caller runs the tests without PostgreSQL.
set -euo pipefail

ROLE=planungsatlas
PASSWORD=planungsatlas
DATABASE=planungsatlas_test
say() { printf 'postgres: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    say "not root: cannot install or start PostgreSQL here; set PLANUNGSATLAS_TEST_POSTGRES_URL to a server of your own"
    exit 1
fi

if ! command -v pg_ctlcluster >/dev/null; then
    say "installing Debian's postgresql (the workspace tests run against it as well as against SQLite)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq postgresql >/dev/null
fi

# The first cluster on the machine (Debian creates "<version> main" with the package); one is made if none exists.
read -r version cluster port status _ < <(pg_lsclusters -h | head -n 1) || true
if [ -z "${version:-}" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    cluster=main
    say "creating cluster $version/$cluster"
    pg_createcluster "$version" "$cluster" >&2
    read -r version cluster port status _ < <(pg_lsclusters -h | head -n 1)
fi
if [ "$status" != "online" ]; then
    say "starting cluster $version/$cluster on port $port"
    # stdout carries only the URL: pg_ctl's own messages (e.g. "Removed stale pid file.") go to stderr
    pg_ctlcluster "$version" "$cluster" start >&2
else
    say "cluster $version/$cluster is running on port $port"
fi
for _ in $(seq 1 30); do
    pg_isready -q -h localhost -p "$port" && break
    sleep 1
done
pg_isready -q -h localhost -p "$port" || { say "PostgreSQL on port $port does not answer"; exit 1; }

psql_admin() { runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qtAc "$1"; }
if [ -z "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" ]; then
    say "creating role $ROLE"
    psql_admin "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'" >&2
fi
if [ -z "$(psql_admin "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" ]; then
    say "creating database $DATABASE"
    psql_admin "CREATE DATABASE $DATABASE OWNER $ROLE" >&2
fi
echo "postgresql+psycopg://$ROLE:$PASSWORD@localhost:$port/$DATABASE"
