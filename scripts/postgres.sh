#!/usr/bin/env bash
# Ensures a real PostgreSQL server (Debian's package) is running on 127.0.0.1:5432 for the tests,
# installing it when absent, and prints the connection string for the test database user.
set -euo pipefail
PG_USER=cloudlab_test
PG_PASSWORD=cloudlab_test
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "postgres: installing Debian's postgresql" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
fi
read -r ver cluster _ < <(pg_lsclusters --no-header | head -n 1) || true
if [[ -z "${ver:-}" ]]; then
  ver="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  cluster=main
  pg_createcluster "$ver" "$cluster" >&2
fi
if ! grep -q "^$ver *$cluster .* online" <<<"$(pg_lsclusters --no-header)"; then
  echo "postgres: starting cluster $ver/$cluster" >&2
  pg_ctlcluster "$ver" "$cluster" start >&2
fi
for _ in $(seq 1 30); do
  runuser -u postgres -- psql -qtAc 'select 1' >/dev/null 2>&1 && break
  sleep 1
done
# A superuser-less role that may create the per-test databases TestDatabases makes.
runuser -u postgres -- psql -qtA >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  END IF;
END \$\$;
SQL
echo "postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:5432"
