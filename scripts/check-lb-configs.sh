#!/usr/bin/env bash
# Checks the load-balancer configurations of docs/DEPLOY.md ("The load balancer"): pulls the nginx and the HAProxy
# block out of the page, points their certificate paths at a throwaway self-signed certificate, and runs
# `nginx -t` and `haproxy -c` on them. Needs the Debian packages nginx-light, haproxy and openssl. Not part of
# `npm test`: run it after changing those blocks.
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/DEPLOY.md
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The first fenced block of the given language after the given heading line.
block() {
  awk -v heading="$1" -v fence="\`\`\`$2" '
    $0 == heading { found = 1; next }
    found && !inside && $0 == fence { inside = 1; next }
    inside && $0 == "```" { exit }
    inside { print }
  ' "$doc"
}

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=chat.example.com \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
cat "$work/cert.pem" "$work/key.pem" > "$work/haproxy.pem"

block '#### nginx' nginx \
  | sed -e "s|/etc/letsencrypt/live/chat.example.com/fullchain.pem|$work/cert.pem|" \
        -e "s|/etc/letsencrypt/live/chat.example.com/privkey.pem|$work/key.pem|" > "$work/hearth.conf"
[ -s "$work/hearth.conf" ] || { echo "no nginx block under '#### nginx' in $doc" >&2; exit 1; }
cat > "$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/error.log;
events {}
http {
    access_log off;
    include $work/hearth.conf;
}
CONF
echo "--- nginx -t"
nginx -t -c "$work/nginx.conf"

block '#### HAProxy' haproxy | sed -e "s|/etc/haproxy/certs/chat.example.com.pem|$work/haproxy.pem|" > "$work/haproxy.cfg"
[ -s "$work/haproxy.cfg" ] || { echo "no haproxy block under '#### HAProxy' in $doc" >&2; exit 1; }
echo "--- haproxy -c"
haproxy -c -f "$work/haproxy.cfg"
