# shellcheck shell=bash
# Shared by the scripts of scripts/dev: settings, check lines, pid files and the
# binaries of the local stack. Source it; it changes to the repository root.

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
ROOT=$PWD
LOG_DIR=${TS_LOG_DIR:-$ROOT/logs}
DATA_DIR=${TS_DATA_DIR:-$HOME/.local/share/tradingstack}
mkdir -p "$LOG_DIR"
chmod 700 "$LOG_DIR"

# shellcheck disable=SC1091 # rustup's env file, present only on some machines
if [[ -f "$HOME/.cargo/env" ]]; then source "$HOME/.cargo/env"; fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tradingstack/target}"
BIN_DIR="$CARGO_TARGET_DIR/debug"

export FAILED=0  # set by fail(); scripts exit with it
ok() { printf '✅ %s\n' "$*"; }
fail() { printf '❌ %s\n' "$*"; FAILED=1; }
info() { printf '   %s\n' "$*"; }
die() { printf '❌ %s\n' "$*" >&2; exit 1; }

# Prints the usage block at the top of the calling script (its leading comment).
usage() {
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
}
want_help() {
  case "${1:-}" in -h | --help) usage; exit 0 ;; esac
}

# Loads .env (then .env.local over it), without overriding the process environment.
load_env() {
  local file line key
  for file in .env.local .env; do
    [[ -f $file ]] || continue
    while IFS= read -r line || [[ -n $line ]]; do
      [[ $line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
      key=${BASH_REMATCH[1]}
      if [[ -z ${!key+x} ]]; then
        local value=${BASH_REMATCH[2]}
        value=${value%\"}; value=${value#\"}
        export "$key=$value"
      fi
    done <"$file"
  done
}

pid_file() { echo "$LOG_DIR/$1.pid"; }

# True when the process recorded in NAME's pid file is alive.
is_running() {
  local f
  f=$(pid_file "$1")
  [[ -f $f ]] && kill -0 "$(cat "$f")" 2>/dev/null
}

# Waits until URL answers 200, up to SECONDS.
wait_http() {
  local url=$1 secs=${2:-60} i
  for ((i = 0; i < secs * 5; i++)); do
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  return 1
}

# host and port of a URL like scheme://user@host:port/path
url_port() { local u=${1#*://}; u=${u#*@}; u=${u%%/*}; echo "${u##*:}"; }

TMUX_SESSION=${TS_TMUX_SESSION:-tradingstack}
use_tmux() { [[ -z ${TS_NO_TMUX:-} ]] && command -v tmux >/dev/null; }

# Starts a service binary in the background (or a tmux window when the session
# exists), its output in logs/NAME.log and its pid in logs/NAME.pid.
launch() {
  local name=$1; shift
  local log pid_f
  log="$LOG_DIR/$name.log"
  pid_f=$(pid_file "$name")
  if is_running "$name"; then
    ok "$name already running (pid $(cat "$pid_f"))"
    return 0
  fi
  : >"$log"
  # A runner that records its own pid, then becomes the service: the pid file is
  # right whether it runs in tmux or in the background, so stop-all.sh needs nothing else.
  local runner="$LOG_DIR/run-$name.sh" i
  {
    echo '#!/usr/bin/env bash'
    printf 'cd %q || exit 1\n' "$PWD"
    printf 'echo $$ > %q\n' "$pid_f"
    if use_tmux; then printf 'exec > >(tee -a %q) 2>&1\n' "$log"; else printf 'exec >>%q 2>&1\n' "$log"; fi
    printf 'exec'; printf ' %q' "$@"; echo
  } >"$runner"
  rm -f "$pid_f"
  if use_tmux; then
    # One pane per service in the session's "stack" window.
    if tmux has-session -t "$TMUX_SESSION" 2>/dev/null; then
      tmux split-window -d -t "$TMUX_SESSION:stack" "bash $(printf %q "$runner")"
      tmux select-layout -t "$TMUX_SESSION:stack" tiled >/dev/null
    else
      tmux new-session -d -s "$TMUX_SESSION" -n stack -x 220 -y 60 "bash $(printf %q "$runner")"
    fi
  else
    nohup bash "$runner" >/dev/null 2>&1 &
  fi
  for ((i = 0; i < 50; i++)); do [[ -s $pid_f ]] && break; sleep 0.1; done
  sleep 0.3
  if is_running "$name"; then
    ok "$name started (pid $(cat "$pid_f"), log $log)"
  else
    fail "$name exited at once; last lines of $log:"
    tail -n 5 "$log" | sed 's/^/   /'
    return 1
  fi
}

# Stops the process of a pid file, TERM then KILL, and removes the file.
stop_pid() {
  local name=$1 f pid i
  f=$(pid_file "$name")
  [[ -f $f ]] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    ok "stopped $name (pid $pid)"
  fi
  rm -f "$f"
}

# Creates .env.local from .env.example on first run, with random secrets.
ensure_env_file() {
  [[ -f .env.local || -f .env ]] && return 0
  local token webhook key
  token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  webhook=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  key=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  sed -e "s/^API_TOKEN=$/API_TOKEN=$token/" -e "s/^WEBHOOK_SECRET=$/WEBHOOK_SECRET=$webhook/" \
    -e "s/^ENCRYPTION_KEY=$/ENCRYPTION_KEY=$key/" .env.example >.env.local
  chmod 600 .env.local
  ok "created .env.local with fresh secrets (edit it to use real credentials)"
}

# The environment of one role: what it needs and nothing more (the bot never gets
# database credentials), as shell assignments.
role_env() {
  local role=$1 var
  local common=(PATH HOME RUST_LOG API_TOKEN OTEL_EXPORTER_OTLP_ENDPOINT)
  local vars=()
  case $role in
    api) vars=(DATABASE_URL REDIS_URL REDIS_KEY_PREFIX API_HOST API_PORT WEBHOOK_SECRET ENCRYPTION_KEY
               TRADING_MODE CACHE_TTL_SECS CLOB_API_KEY CLOB_API_SECRET CLOB_API_PASSPHRASE) ;;
    bot) vars=(API_URL TELEGRAM_BOT_TOKEN BOT_TOKEN TELEGRAM_API_URL ALLOWED_TELEGRAM_IDS
               BOT_RATE_LIMIT_PER_MINUTE) ;;
    workers) vars=(DATABASE_URL REDIS_URL REDIS_KEY_PREFIX API_URL GAMMA_API_URL CLOB_API_URL CLOB_WS_URL
                   DATA_API_URL POLL_INTERVAL_SECS TRADING_MODE CLOB_API_KEY CLOB_API_SECRET CLOB_API_PASSPHRASE) ;;
  esac
  for var in "${common[@]}" "${vars[@]}"; do
    if [[ -n ${!var:-} ]]; then printf '%s=%q\n' "$var" "${!var}"; fi
  done
  case $role in
    api) echo "SKIP_DB=false"; echo "OTEL_SERVICE_NAME=api" ;;
    bot) echo "SKIP_DB=true"; echo "HEALTH_PORT=${BOT_HEALTH_PORT:-8001}"; echo "OTEL_SERVICE_NAME=bot" ;;
    workers) echo "SKIP_DB=false"; echo "HEALTH_PORT=${WORKERS_HEALTH_PORT:-8002}"; echo "OTEL_SERVICE_NAME=workers" ;;
  esac
}

# Starts role NAME's binary with exactly its environment (from a 0600 file, so no
# secret shows in a process listing), from the logs folder so no .env file is read.
launch_role() {
  local role=$1 bin="$BIN_DIR/$1"
  [[ -x $bin ]] || die "$bin is not built: run scripts/dev/start-all.sh (it builds) or cargo build -p $role"
  local env_file="$LOG_DIR/$role.env"
  (umask 077 && role_env "$role" >"$env_file")
  (cd "$LOG_DIR" && launch "$role" env -i bash --noprofile --norc -c \
    "set -a; . $(printf %q "$env_file"); set +a; exec $(printf %q "$bin")")
}

# The URLs and token of the fakes start-all.sh started, over the settings.
load_fakes_env() {
  if [[ -f $LOG_DIR/fakes.env ]]; then
    set -a
    # shellcheck disable=SC1091 # written by tsdev at run time
    source "$LOG_DIR/fakes.env"
    set +a
  fi
}

api_base() { echo "${API_URL:-http://127.0.0.1:${API_PORT:-8000}}"; }

# ---- Postgres and Redis of the local stack (persistent, under DATA_DIR) ----------

pg_bin() {
  local dir
  for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV); do
    [[ -x $dir/pg_ctl ]] && { echo "$dir"; return; }
  done
}

as_pg() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

apt_get_install() {
  info "installing $* with apt-get"
  if [[ $EUID -eq 0 ]]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else sudo apt-get update -qq && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; fi
}

# Makes sure DATABASE_URL answers: when it points at this machine and nothing
# listens, starts (and on first run creates) a cluster of our own in DATA_DIR/pg.
ensure_postgres() {
  local port db host
  port=$(url_port "$DATABASE_URL"); db=${DATABASE_URL##*/}; db=${db%%\?*}
  host=${DATABASE_URL#*://}; host=${host#*@}; host=${host%%[:/]*}
  if pg_ready "$host" "$port"; then ok "Postgres answers on $host:$port"; else
    [[ $host == 127.0.0.1 || $host == localhost ]] || { fail "Postgres at $host:$port does not answer"; return 1; }
    local bin; bin=$(pg_bin)
    if [[ -z $bin ]]; then apt_get_install postgresql; bin=$(pg_bin); fi
    local data="$DATA_DIR/pg"
    mkdir -p "$DATA_DIR"
    if [[ ! -f $data/PG_VERSION ]]; then
      mkdir -p "$data"
      [[ $EUID -eq 0 ]] && chown postgres: "$data" "$DATA_DIR"
      as_pg "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C >/dev/null
      printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\n" "$port" "$data" >>"$data/postgresql.conf"
    fi
    as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null || { fail "Postgres did not start (see $data/server.log)"; return 1; }
    echo "$data" >"$LOG_DIR/postgres.datadir"
    head -1 "$data/postmaster.pid" >"$(pid_file postgres)"
    ok "Postgres started on 127.0.0.1:$port (data in $data)"
  fi
  if ! psql "${DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" 2>/dev/null | grep -q 1; then
    psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE \"$db\"" >/dev/null && ok "created database $db"
  fi
}

pg_ready() {
  if command -v pg_isready >/dev/null; then pg_isready -q -h "$1" -p "$2"; else (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; fi
}

# Makes sure REDIS_URL answers, starting a redis-server of our own when it is local.
ensure_redis() {
  local port host
  port=$(url_port "$REDIS_URL"); host=${REDIS_URL#*://}; host=${host#*@}; host=${host%%[:/]*}
  if command -v redis-cli >/dev/null && [[ $(redis-cli -h "$host" -p "$port" ping 2>/dev/null) == PONG ]]; then
    ok "Redis answers on $host:$port"; return 0
  fi
  [[ $host == 127.0.0.1 || $host == localhost ]] || { fail "Redis at $host:$port does not answer"; return 1; }
  command -v redis-server >/dev/null || apt_get_install redis-server
  mkdir -p "$DATA_DIR/redis"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$DATA_DIR/redis" --daemonize yes \
    --pidfile "$(pid_file redis)" --logfile "$LOG_DIR/redis.log" >/dev/null
  local i
  for ((i = 0; i < 50; i++)); do
    [[ $(redis-cli -p "$port" ping 2>/dev/null) == PONG ]] && { ok "Redis started on 127.0.0.1:$port"; return 0; }
    sleep 0.1
  done
  fail "Redis did not start (see $LOG_DIR/redis.log)"; return 1
}

# Runs a tsdev subcommand (building it when needed): the checks live in Rust.
tsdev() {
  cargo build -q -p devstack --bin tsdev
  "$BIN_DIR/tsdev" "$@"
}
