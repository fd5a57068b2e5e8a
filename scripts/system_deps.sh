#!/usr/bin/env bash
# The system packages `make test` (and `make run`) need, installed when they are missing.
#   scripts/system_deps.sh test   xmlsec1 (SAML), chromium-headless-shell (browser tests), gettext's msgfmt
#                                 (translation checks), npm (front-end packages), caddy (the
#                                 reverse-proxy test, tests/security/test_reverse_proxy.py)
#   scripts/system_deps.sh run    npm
# As root on a Debian-based machine the missing ones are installed with apt-get; otherwise
# this stops at once with the one command that installs them.
set -euo pipefail

need_test=("xmlsec1:xmlsec1" "/usr/bin/chromium-headless-shell:chromium-headless-shell" "msgfmt:gettext" "npm:npm" "caddy:caddy")
need_run=("npm:npm")
case "${1:-test}" in
    test) needs=("${need_test[@]}") ;;
    run) needs=("${need_run[@]}") ;;
    *) echo "usage: $0 test|run" >&2; exit 2 ;;
esac

missing=()
for entry in "${needs[@]}"; do
    cmd=${entry%%:*} pkg=${entry#*:}
    if [[ $cmd == /* ]]; then [ -x "$cmd" ] && continue; else command -v "$cmd" >/dev/null 2>&1 && continue; fi
    missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing missing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
    exit 0
fi
echo "make: missing system packages (${missing[*]}). Install them with:" >&2
echo "    sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
exit 1
