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
