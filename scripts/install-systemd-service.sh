#!/usr/bin/env bash
# Installs the agenc daemon as a systemd service: system-wide (default, needs root) or for this user (--user).
# Usage: scripts/install-systemd-service.sh [--user] [--config FILE] [--run-as USER] [--home DIR]
#
# The system service runs as USER (default agenc; created as a system user if missing) with
# AGENC_HOME=DIR (default /var/lib/agenc: systemd creates it as the unit's StateDirectory; a home elsewhere
# is created here, owned by USER, mode 0700). The unit file is written through a private temporary
# directory, checked with systemd-analyze verify, then installed; the service is enabled, not started.
set -euo pipefail

usage() { echo "usage: $0 [--user] [--config FILE] [--run-as USER] [--home DIR]" >&2; exit 2; }
scope=system
args=()
run_as=agenc
home=/var/lib/agenc
while [ $# -gt 0 ]; do
  case "$1" in
    --user) scope=user; shift ;;
    --config) [ $# -ge 2 ] || usage; args+=(--config "$2"); shift 2 ;;
    --run-as) [ $# -ge 2 ] || usage; run_as=$2; args+=(--run-as "$2"); shift 2 ;;
    --home) [ $# -ge 2 ] || usage; home=$2; args+=(--home "$2"); shift 2 ;;
    *) usage ;;
  esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cli="$here/../dist/cli.js"
[ -f "$cli" ] || { echo "$cli not found: run npm run build first" >&2; exit 1; }

# mktemp -d: a fresh directory only we can write, never a predictable name in /tmp.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unit="$work/agenc.service"

if [ "$scope" = user ]; then
  dir="${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user"
  systemctl=(systemctl --user)
  node "$cli" daemon systemd-unit --user "${args[@]}" > "$unit"
else
  [ "$(id -u)" -eq 0 ] || { echo "a system service needs root (or use --user)" >&2; exit 1; }
  dir=/etc/systemd/system
  systemctl=(systemctl)
  node "$cli" daemon systemd-unit "${args[@]}" > "$unit"
  if ! getent group "$run_as" >/dev/null; then groupadd --system "$run_as"; fi
  if ! getent passwd "$run_as" >/dev/null; then
    useradd --system --gid "$run_as" --home-dir "$home" --no-create-home --shell /usr/sbin/nologin \
      --comment "agenc daemon" "$run_as"
    echo "created system user $run_as"
  fi
  # A home under /var/lib is the unit's StateDirectory (systemd creates it); elsewhere, create it here.
  if ! grep -q '^StateDirectory=' "$unit"; then
    install -d -m 0700 -o "$run_as" -g "$run_as" "$home"
  fi
fi

mkdir -p "$dir"
if command -v systemd-analyze >/dev/null; then
  if [ "$scope" = user ]; then systemd-analyze verify --user "$unit"; else systemd-analyze verify "$unit"; fi
fi
install -m 0644 "$unit" "$dir/agenc.service"
"${systemctl[@]}" daemon-reload
"${systemctl[@]}" enable agenc.service
echo "installed $dir/agenc.service; start it with: ${systemctl[*]} start agenc"
