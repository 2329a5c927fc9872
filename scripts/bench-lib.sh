# Shared by the bench-*.sh scripts (sourced, not run): REPO must be set.

# Sets BIN to $SAFETYNET_BIN, or builds the release binary and uses it.
safetynet_bin() {
  if [ -n "${SAFETYNET_BIN:-}" ]; then
    BIN=$SAFETYNET_BIN
  else
    (cd "$REPO" && cargo build --release -p safetynet)
    BIN=${CARGO_TARGET_DIR:-$REPO/target}/release/safetynet
    case $BIN in /*) ;; *) BIN=$REPO/$BIN ;; esac
  fi
  [ -x "$BIN" ] || { echo "bench: binary not found: $BIN" >&2; exit 1; }
}

# A free loopback port.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits up to a minute for the server at URL to answer /healthz.
wait_up() { # URL
  for _ in $(seq 1 120); do curl -sf "$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "bench: the server did not answer at $1" >&2; return 1
}
