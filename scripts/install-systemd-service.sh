#!/usr/bin/env bash
# Installs the agenc daemon as a systemd service: system-wide (default, needs root) or for this user (--user).
# Usage: scripts/install-systemd-service.sh [--user] [--config FILE]
set -euo pipefail

scope=system
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --user) scope=user; shift ;;
    --config) args+=(--config "$2"); shift 2 ;;
    *) echo "usage: $0 [--user] [--config FILE]" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cli="$here/../dist/cli.js"
[ -f "$cli" ] || { echo "$cli not found: run npm run build first" >&2; exit 1; }

if [ "$scope" = user ]; then
  dir="${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user"
  systemctl=(systemctl --user)
  node "$cli" daemon systemd-unit --user "${args[@]}" > /tmp/agenc.service.$$
else
  [ "$(id -u)" -eq 0 ] || { echo "a system service needs root (or use --user)" >&2; exit 1; }
  dir=/etc/systemd/system
  systemctl=(systemctl)
  node "$cli" daemon systemd-unit "${args[@]}" > /tmp/agenc.service.$$
fi

mkdir -p "$dir"
if command -v systemd-analyze >/dev/null; then
  cp /tmp/agenc.service.$$ "/tmp/agenc-verify-$$.service"
  systemd-analyze verify "/tmp/agenc-verify-$$.service" || { rm -f /tmp/agenc.service.$$ "/tmp/agenc-verify-$$.service"; exit 1; }
  rm -f "/tmp/agenc-verify-$$.service"
fi
install -m 0644 /tmp/agenc.service.$$ "$dir/agenc.service"
rm -f /tmp/agenc.service.$$
"${systemctl[@]}" daemon-reload
"${systemctl[@]}" enable agenc.service
echo "installed $dir/agenc.service; start it with: ${systemctl[*]} start agenc"
