#!/bin/bash
# The container's one entrypoint: start the shim, wait until it accepts PostgreSQL
# connections, run the Convex backend against it, and shut down in the right order.
# Convex only handles SIGINT, so SIGTERM (what the platform sends) becomes SIGINT; the
# shim stops last, after the backend has flushed its last writes through it.
set -uo pipefail
# Job control: without it bash starts background children with SIGINT ignored, and the
# backend could never receive the SIGINT it shuts down on.
set -m

SHIM_PORT=${SHIM_PORT:-5432}
SHIM_BIN=${SHIM_BIN:-"node /convex/shim.mjs"}
# Convex's own launcher: it turns INSTANCE_*, CONVEX_*_ORIGIN, POSTGRES_URL, DO_NOT_REQUIRE_SSL
# and the S3_* settings into the backend's flags, then execs the backend (same PID, so the
# SIGINT below reaches it).
BACKEND_BIN=${BACKEND_BIN:-/convex/run_backend.sh}
SHIM_WAIT_SECONDS=${SHIM_WAIT_SECONDS:-30}
: "${SHIM_PASSWORD:?SHIM_PASSWORD must be set}"
export SHIM_PORT SHIM_PASSWORD

log() { echo "entrypoint: $*" >&2; }

$SHIM_BIN &
shim=$!

deadline=$((SECONDS + SHIM_WAIT_SECONDS))
until (exec 3<>"/dev/tcp/127.0.0.1/$SHIM_PORT") 2>/dev/null; do
  if ! kill -0 "$shim" 2>/dev/null; then
    wait "$shim"; code=$?
    log "shim exited with $code before accepting connections"
    exit "$code"
  fi
  if ((SECONDS >= deadline)); then
    log "shim did not accept connections on port $SHIM_PORT within ${SHIM_WAIT_SECONDS}s"
    kill -TERM "$shim" 2>/dev/null; wait "$shim"
    exit 1
  fi
  sleep 0.1
done
log "shim ready on 127.0.0.1:$SHIM_PORT"

# The database name is INSTANCE_NAME with '-' → '_' (Convex derives it); the URL has no path.
# The Deployment DO passes POSTGRES_URL; the default is the same URL.
export DO_NOT_REQUIRE_SSL=1
export POSTGRES_URL="${POSTGRES_URL:-postgresql://convex:${SHIM_PASSWORD}@127.0.0.1:${SHIM_PORT}}"
"$BACKEND_BIN" "$@" &
backend=$!

forward() { kill -INT "$backend" 2>/dev/null; }
trap forward TERM INT

# `wait` returns early when a trapped signal arrives: keep waiting until the backend is gone.
while kill -0 "$backend" 2>/dev/null; do
  wait "$backend"
done
# bash keeps a reaped child's status: this returns the backend's own exit code.
wait "$backend"; code=$?
trap - TERM INT
log "backend exited with $code; stopping the shim"
kill -TERM "$shim" 2>/dev/null
wait "$shim"
exit "$code"
