#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the tests: munge, MariaDB, slurmdbd (so `sacct`
# answers), slurmctld and slurmd, all from Debian's packages, with every file, socket and log in
# one private folder ($HFTUI_SLURM_DIR, default /tmp/hftui-slurm) and ports of its own.
#
#   tests/slurm/start.sh   start it (or find it already up) and print `export SLURM_CONF=…`
#   tests/slurm/stop.sh    stop it
#
# Idempotent: a cluster left up by an earlier run is reused when it answers, restarted when not.
# Run as root (the daemons and the jobs run as the calling user: root in CI).
set -euo pipefail
DIR="${HFTUI_SLURM_DIR:-/tmp/hftui-slurm}"
PORT_BASE="${HFTUI_SLURM_PORT_BASE:-16810}"  # ctld +7, slurmd +8, dbd +9, mariadb +6
HERE="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$DIR"
exec 9>"$DIR/lock"
flock 9  # two test workers starting it at once: the second waits, then finds it up

export SLURM_CONF="$DIR/etc/slurm.conf"
say() { echo "slurm-cluster: $*" >&2; }

for binary in munged mariadbd mariadb-install-db slurmdbd slurmctld slurmd sinfo sacct sacctmgr; do
  command -v "$binary" >/dev/null 2>&1 || { say "missing $binary (apt-get install munge slurm-wlm slurmdbd mariadb-server)"; exit 3; }
done

answers() {
  [ -f "$SLURM_CONF" ] && [ -f "$DIR/run/slurmctld.pid" ] || return 1
  kill -0 "$(cat "$DIR/run/slurmctld.pid")" 2>/dev/null || return 1
  timeout 5 sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)' || return 1
  timeout 5 sacct -n -X -S now-1minutes >/dev/null 2>&1 || return 1
}

if answers; then
  say "already up ($DIR)"
  echo "export SLURM_CONF=$SLURM_CONF"
  exit 0
fi
"$HERE/stop.sh" >/dev/null 2>&1 || true  # whatever is left of an earlier one

started=$(date +%s.%N)
# ctld/ is kept: Slurm job ids go on from the last one (accounting keeps the old jobs' ids).
rm -rf "$DIR/etc" "$DIR/run" "$DIR/log" "$DIR/spool"
mkdir -p "$DIR/etc" "$DIR/run" "$DIR/log" "$DIR/ctld" "$DIR/spool" "$DIR/munge"
chmod 755 "$DIR/munge"; chmod 700 "$DIR/etc"
HOST="$(hostname -s)"
USER_NAME="$(id -un)"
node_line="$(slurmd -C | head -1)"  # NodeName=<host> CPUs=… RealMemory=…
mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node_line")
node_line="${node_line/RealMemory=$mem/RealMemory=$((mem * 9 / 10))}"  # leave the OS some

# --- munge: a key of its own, a socket of its own -------------------------------------------
[ -f "$DIR/munge/munge.key" ] || { dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none; chmod 400 "$DIR/munge/munge.key"; }
munged 9>&- --force --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.socket" \
  --pid-file="$DIR/run/munged.pid" --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/seed"
AUTH="AuthInfo=socket=$DIR/munge/munge.socket"

# --- MariaDB for slurmdbd, on loopback ---------------------------------------------------------
if [ ! -d "$DIR/mysql/mysql" ]; then
  rm -rf "$DIR/mysql"
  mariadb-install-db --no-defaults --datadir="$DIR/mysql" --user="$USER_NAME" \
    --auth-root-authentication-method=normal --skip-test-db >"$DIR/log/mariadb-install.log" 2>&1
fi
DB_PORT=$((PORT_BASE + 6))
mariadbd 9>&- --no-defaults --datadir="$DIR/mysql" --socket="$DIR/run/mysqld.sock" \
  --port="$DB_PORT" --bind-address=127.0.0.1 --user="$USER_NAME" --skip-grant-tables \
  --pid-file="$DIR/run/mariadbd.pid" --log-error="$DIR/log/mariadb.log" \
  --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 --skip-log-bin \
  </dev/null >/dev/null 2>&1 &
for _ in $(seq 1 300); do [ -S "$DIR/run/mysqld.sock" ] && break; sleep 0.1; done
[ -S "$DIR/run/mysqld.sock" ] || { say "MariaDB did not start: $DIR/log/mariadb.log"; exit 1; }

# --- configuration ---------------------------------------------------------------------------
cat >"$DIR/etc/slurmdbd.conf" <<CONF
$AUTH
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=$((PORT_BASE + 9))
SlurmUser=$USER_NAME
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=root
StorageLoc=slurm_acct_db
PidFile=$DIR/run/slurmdbd.pid
LogFile=$DIR/log/slurmdbd.log
CONF
chmod 600 "$DIR/etc/slurmdbd.conf"

cat >"$SLURM_CONF" <<CONF
ClusterName=hftui
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$((PORT_BASE + 7))
SlurmdPort=$((PORT_BASE + 8))
SlurmUser=$USER_NAME
SlurmdUser=root
$AUTH
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$DIR/ctld
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1,bf_interval=1
MpiDefault=none
EnforcePartLimits=ALL
ReturnToService=2
KillWait=5
InactiveLimit=0
MinJobAge=600
MessageTimeout=20
SlurmdTimeout=60
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$((PORT_BASE + 9))
AccountingStoragePass=$DIR/munge/munge.socket
JobCompType=jobcomp/none
$node_line NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

# --- the daemons -----------------------------------------------------------------------------
slurmdbd 9>&-
until_ok() {  # until_ok SECONDS COMMAND…: run COMMAND until it succeeds, at most SECONDS
  local deadline=$(($(date +%s) + $1)); shift
  until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$deadline" ] || return 1; sleep 0.1; done
}
until_ok 30 timeout 5 sacctmgr -n list cluster || { say "slurmdbd did not answer: $DIR/log/slurmdbd.log"; exit 1; }
sacctmgr -i -Q add cluster hftui >/dev/null 2>&1 || true
slurmctld 9>&- -f "$SLURM_CONF"
slurmd 9>&- -f "$SLURM_CONF" -N "$HOST"
if ! until_ok 60 answers; then
  say "the cluster did not come up; logs in $DIR/log"
  tail -n 20 "$DIR"/log/*.log >&2 || true
  exit 1
fi
say "up in $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $started}") s ($DIR)"
echo "export SLURM_CONF=$SLURM_CONF"
