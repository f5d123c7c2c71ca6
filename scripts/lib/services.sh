# shellcheck shell=bash
# Shared by test.sh and bench.sh: a throwaway Postgres and Redis on free loopback
# ports (installed with apt-get when missing), stopped again when the script exits.
# Source it, then call ensure_services.

log() { printf '\n==> %s\n' "$*"; }

# Runs a command as root (for apt-get), via sudo when we are not root.
as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  local out
  log "installing $*"
  out=$(mktemp)
  if ! { as_root apt-get update -qq \
      && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    return 1
  fi
  rm -f "$out"
}

# A TCP port that nothing listens on right now.
free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    return
  fi
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 40000))
    # A refused connection means the port is free.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "services: no free port found" >&2
  return 1
}

# ---- services -------------------------------------------------------------------

WORK_DIR=""
PG_DATA=""
PG_CTL=""
REDIS_PID=""

# Stops exactly what this script started, quietly, so cargo's summary stays last.
cleanup() {
  if [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" ]]; then
    run_pg "$PG_CTL" -D "$PG_DATA" stop -m immediate >/dev/null 2>&1 || true
  fi
  if [[ -n "$REDIS_PID" ]]; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
  if [[ -n "$WORK_DIR" ]]; then rm -rf "$WORK_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work_dir() {
  if [[ -z "$WORK_DIR" ]]; then
    # Under /tmp, not $TMPDIR: the postgres user must be able to reach it.
    WORK_DIR=$(mktemp -d /tmp/tradingstack-test.XXXXXX)
  fi
}

# Postgres refuses to run as root: then run its tools as the postgres user.
run_pg() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

find_pg_bin() {
  local dir
  for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV); do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]]; then
      echo "$dir"
      return
    fi
  done
}

start_postgres() {
  local bin port
  bin=$(find_pg_bin)
  if [[ -z "$bin" ]]; then
    apt_install postgresql
    bin=$(find_pg_bin)
  fi
  [[ -n "$bin" ]] || { echo "services: no Postgres server binaries found" >&2; exit 1; }
  if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi

  work_dir
  if [[ $EUID -eq 0 ]]; then chown postgres: "$WORK_DIR"; fi
  port=$(free_port)
  log "starting Postgres ($("$bin/postgres" --version)) on 127.0.0.1:$port"
  run_pg "$bin/initdb" -D "$WORK_DIR/pg" -U postgres -A trust -E UTF8 --locale=C --no-sync \
    >"$WORK_DIR/initdb.log" 2>&1 || { cat "$WORK_DIR/initdb.log" >&2; exit 1; }
  PG_DATA="$WORK_DIR/pg"
  PG_CTL="$bin/pg_ctl"
  # Throwaway data: durability off for speed; many parallel tests each hold a pool.
  cat >>"$PG_DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$WORK_DIR'
max_connections = 500
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  run_pg "$PG_CTL" -D "$PG_DATA" -l "$WORK_DIR/postgres.log" -w -t 60 start >/dev/null \
    || { cat "$WORK_DIR/postgres.log" >&2; exit 1; }
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

start_redis() {
  local port
  if ! command -v redis-server >/dev/null; then
    apt_install redis-server
  fi
  work_dir
  port=$(free_port)
  log "starting Redis ($(redis-server --version | grep -o 'v=[0-9.]*')) on 127.0.0.1:$port"
  # Our own server, never the system service: nothing persisted, gone at exit.
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --dir "$WORK_DIR" >"$WORK_DIR/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 100); do
    if [[ "$(redis-cli -p "$port" ping 2>/dev/null)" == PONG ]]; then
      export TEST_REDIS_URL="redis://127.0.0.1:$port"
      return
    fi
    kill -0 "$REDIS_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$WORK_DIR/redis.log" >&2
  echo "services: redis-server did not answer PING" >&2
  exit 1
}

# Starts Postgres and Redis unless TEST_DATABASE_URL / TEST_REDIS_URL name servers to use.
ensure_services() {
  if [[ -z "${TEST_DATABASE_URL:-}" ]]; then start_postgres; fi
  if [[ -z "${TEST_REDIS_URL:-}" ]]; then start_redis; fi
}
