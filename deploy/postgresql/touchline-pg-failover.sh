#!/bin/sh
# The failover component of Touchline's replicated shape (several touchline-server replicas on one
# PostgreSQL primary with one synchronous standby; docs/postgresql.md "Replicas and failover").
# Runs beside the standby, as its operating-system user (postgres): watches the primary and, once it
# has missed --misses checks in a row, fences it (--fence, if given) and promotes the standby.
# The replicas need nothing from it: their connection string names both hosts with
# target_session_attrs=read-write, so they reconnect to whichever accepts writes.
#
#   touchline-pg-failover.sh --primary 'host=db-a port=5432 dbname=postgres user=touchline' \
#       --standby-data /var/lib/postgresql/15/main [--bindir /usr/lib/postgresql/15/bin] \
#       [--interval 0.5] [--misses 4] [--fence 'COMMAND']
#
# Exits 0 once it has promoted (printing how long the primary had been unreachable), 1 when it
# cannot: a fence command that fails means no promotion (two primaries would split the record).
# After a failover the old primary must not start again as a primary: rebuild it as the new
# primary's standby (pg_basebackup -R, or pg_rewind) and start this watcher on it.
set -u

primary=""
data=""
bindir=/usr/lib/postgresql/15/bin
interval=0.5
misses=4
fence=""
while [ $# -gt 0 ]; do
  case "$1" in
    --primary) primary=$2; shift 2 ;;
    --standby-data) data=$2; shift 2 ;;
    --bindir) bindir=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --misses) misses=$2; shift 2 ;;
    --fence) fence=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "touchline-pg-failover: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$primary" ] || [ -z "$data" ]; then
  echo "touchline-pg-failover: --primary and --standby-data are required (see --help)" >&2
  exit 2
fi
log() { echo "touchline-pg-failover: $(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) $*" >&2; }

# A standby to promote: the data folder's server is running and in recovery.
if [ ! -f "$data/standby.signal" ]; then
  log "$data is not a standby (no standby.signal): nothing to promote"
  exit 1
fi

log "watching the primary ($primary) every ${interval} s; promoting $data after $misses misses"
missed=0
first_miss=""
while :; do
  if "$bindir/pg_isready" -q -t 1 -d "$primary"; then
    [ "$missed" -gt 0 ] && log "the primary answers again after $missed misses"
    missed=0
    first_miss=""
  else
    missed=$((missed + 1))
    [ -z "$first_miss" ] && first_miss=$(date +%s.%N)
    log "the primary did not answer ($missed of $misses)"
    if [ "$missed" -ge "$misses" ]; then
      break
    fi
  fi
  sleep "$interval"
done

if [ -n "$fence" ]; then
  log "fencing the old primary: $fence"
  if ! sh -c "$fence"; then
    log "the fence command failed: not promoting (fence the old primary by hand, then pg_ctl promote)"
    exit 1
  fi
fi
log "promoting $data"
if ! "$bindir/pg_ctl" promote -w -t 60 -D "$data" >/dev/null; then
  log "pg_ctl promote failed"
  exit 1
fi
now=$(date +%s.%N)
log "promoted: the primary had been unreachable for $(awk "BEGIN { printf \"%.1f\", $now - $first_miss }") s"
exit 0
