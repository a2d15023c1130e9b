#!/usr/bin/env bash
# Installs Debian's chromium when it is missing, for the subscriber-view browser test.
# Needs root (CI runs as root); prints the browser's path on success.
set -euo pipefail

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$CHROMIUM" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "ensure_chromium: $CHROMIUM is missing and installing it needs root: apt-get install -y chromium" >&2
        exit 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "ensure_chromium: $CHROMIUM is missing and there is no apt-get to install it with" >&2
        exit 1
    fi
    echo "ensure_chromium: installing chromium with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    # Progress goes to stderr so that stdout carries only the path.
    apt-get update -qq >&2
    # With its recommends: fonts-liberation gives the screenshots readable text.
    apt-get install -y -qq chromium >&2
fi

if [ ! -x "$CHROMIUM" ]; then
    echo "ensure_chromium: $CHROMIUM is still missing after the install" >&2
    exit 1
fi
echo "$CHROMIUM"
