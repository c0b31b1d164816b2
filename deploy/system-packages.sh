#!/usr/bin/env bash
# Install the Debian packages the browser and Prometheus tests, the secure broker
# (openssl makes its certificates), the systemd unit check (systemd-analyze) and the kcat
# test need, only when missing.
# Idempotent: a machine that has them already does nothing (and needs no network).
set -euo pipefail

packages=(chromium chromium-driver prometheus openssl systemd kcat)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "system-packages: apt-get not found; install ${missing[*]} by hand" >&2
  exit 1
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "system-packages: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -q
# The package's own prometheus service is irrelevant: tests run their own server on a
# random loopback port with a config and data dir in a temporary folder.
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
