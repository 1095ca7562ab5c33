#!/bin/sh
# Builds local stand-ins for the three Docker Hub images the store needs (python:3.11-slim,
# rabbitmq:3.13-management, postgres:16) from Debian bookworm packages only, for hosts where
# Docker Hub cannot be reached (mainland China, air-gapped sites). Nothing is pulled from a
# registry: the base is a debootstrapped bookworm root imported with `docker import`.
#   deploy/images/build.sh            # builds what is missing, prints the image names
#   APT_MIRROR=http://<mirror>/debian PIP_INDEX_URL=https://<mirror>/simple deploy/images/build.sh
# Then: PYTHON_IMAGE=dealer-local/python:3.11 RABBITMQ_IMAGE=... docker compose build
# (scripts/compose.sh does this by itself when the official images cannot be pulled).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
APT_MIRROR=${APT_MIRROR:-http://deb.debian.org/debian}
APT_SECURITY_MIRROR=${APT_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
PIP_INDEX_URL=${PIP_INDEX_URL:-https://pypi.org/simple}
BASE_IMAGE=${DEALER_BASE_IMAGE:-dealer-local/bookworm:minbase}
PYTHON_LOCAL=${PYTHON_LOCAL_IMAGE:-dealer-local/python:3.11}
RABBITMQ_LOCAL=${RABBITMQ_LOCAL_IMAGE:-dealer-local/rabbitmq:3.10-management}
POSTGRES_LOCAL=${POSTGRES_LOCAL_IMAGE:-dealer-local/postgres:15}
export DOCKER_BUILDKIT=0  # the classic builder: no frontend image to pull

have() { docker image inspect "$1" >/dev/null 2>&1; }

# A bookworm minbase root (apt, dpkg, coreutils; no systemd) with the mirror in its sources.
build_base() {
  command -v debootstrap >/dev/null || { echo "debootstrap missing: apt-get install debootstrap" >&2; exit 69; }
  root=$(mktemp -d "${TMPDIR:-/var/tmp}/dealer-bookworm.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$APT_MIRROR" >"$root.log" 2>&1 \
    || { tail -20 "$root.log" >&2; exit 1; }
  rm -f "$root.log"
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
    "$APT_MIRROR" "$APT_MIRROR" "$APT_SECURITY_MIRROR" >"$root/etc/apt/sources.list"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' -c 'ENV LANG=C.UTF-8' - "$BASE_IMAGE" >/dev/null
  rm -rf "$root"; trap - EXIT
}

build() {  # build <image> <folder>
  docker build -q --build-arg BASE_IMAGE="$BASE_IMAGE" --build-arg PIP_INDEX_URL="$PIP_INDEX_URL" \
    -t "$1" "$here/$2" >/dev/null
}

have "$BASE_IMAGE" || build_base
have "$PYTHON_LOCAL" || build "$PYTHON_LOCAL" python
have "$RABBITMQ_LOCAL" || build "$RABBITMQ_LOCAL" rabbitmq
have "$POSTGRES_LOCAL" || build "$POSTGRES_LOCAL" postgres
echo "PYTHON_IMAGE=$PYTHON_LOCAL RABBITMQ_IMAGE=$RABBITMQ_LOCAL POSTGRES_IMAGE=$POSTGRES_LOCAL"
