#!/usr/bin/env bash
# Checks the load-balancer configurations of docs/DEPLOY.md ("The load balancer"): pulls the nginx and the HAProxy
# block out of the page, points their certificate paths at a throwaway self-signed certificate, and runs
# `nginx -t` and `haproxy -c` on them. Needs the Debian packages nginx-light, haproxy and openssl. Not part of
# `npm test`: run it after changing those blocks.
#
# With --run it also tries them: for each balancer, two built `hearth serve` nodes on a fresh PostgreSQL database
# (next to HEARTH_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres) and Redis
# (HEARTH_TEST_REDIS_URL, default redis://127.0.0.1:6379, a prefix of its own) behind it on loopback ports; a client
# signs up and opens /ws through the balancer over TLS, the node holding its socket gets SIGTERM, the socket must
# close with 1001 and the client must get back in through the balancer (to the other node) and send a message.
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

[ "${1:-}" = --run ] || exit 0

admin_url="${HEARTH_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
redis_url="${HEARTH_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
cli=packages/server/dist/cli.js
[ -f "$cli" ] || { echo "$cli is missing: npm run build first" >&2; exit 1; }
db="hearth_lb_$(date +%s)_$RANDOM"
db_url="${admin_url%/*}/$db"
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [ -f "$work/haproxy.pid" ] && kill "$(cat "$work/haproxy.pid")" 2>/dev/null || true
  sleep 0.5
  psql "$admin_url" -qc "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop_all EXIT
psql "$admin_url" -qc "create database $db" >/dev/null

# Two nodes on free loopback ports; prints "port metricsPort pid" per node.
start_nodes() {
  local prefix="hearth-lb:$RANDOM$RANDOM:" out=()
  for k in 1 2; do
    local port=$((20000 + RANDOM % 20000)) metrics=$((40000 + RANDOM % 20000))
    HEARTH_TRUST_PROXY=true HEARTH_LOG_LEVEL=warn HEARTH_REDIS_URL="$redis_url" HEARTH_REDIS_PREFIX="$prefix" \
      node "$cli" serve --host 127.0.0.1 --port "$port" --metrics-port "$metrics" --data-dir "$work/node$k" \
      --database-url "$db_url" >"$work/node$k.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
    out+=("$port $metrics $!")
  done
  printf '%s\n' "${out[@]}"
}

# Client through the balancer at https://127.0.0.1:$1; nodes given as "port metricsPort pid" lines on stdin.
try_client() {
  NODES="$(cat)" LB="https://127.0.0.1:$1" NODE_TLS_REJECT_UNAUTHORIZED=0 NODE_NO_WARNINGS=1 node --input-type=module -e '
    import WebSocket from "ws";
    const lb = process.env.LB;
    const nodes = process.env.NODES.trim().split("\n").map((l) => l.split(" ").map(Number));
    const api = async (path, token, body) => {
      const res = await fetch(lb + path, { method: body ? "POST" : "GET", headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { "content-type": "application/json" } : {}) }, body: body && JSON.stringify(body) });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const connect = () => new Promise((resolve, reject) => {
      const ws = new WebSocket(lb.replace("https", "wss") + "/ws", { rejectUnauthorized: false });
      ws.once("open", () => ws.send(JSON.stringify({ type: "auth", token: ana.token })));
      ws.once("message", (d) => (JSON.parse(String(d)).type === "ready" ? resolve(ws) : reject(new Error(String(d)))));
      ws.once("error", reject);
      ws.once("unexpected-response", (_q, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
    });
    const connectionsOf = async ([, metrics]) => Number(/^hearth_connections (\d+)/m.exec(await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text())?.[1] ?? 0);
    const name = () => "lb" + Math.random().toString(36).slice(2, 10);
    await api("/healthz");
    const ana = await api("/api/auth/signup", undefined, { username: name(), displayName: "Ana", password: "lb-check-password" });
    const ben = await api("/api/auth/signup", undefined, { username: name(), displayName: "Ben", password: "lb-check-password" });
    const conv = await api("/api/conversations", ana.token, { kind: "direct", userId: ben.me.id });
    const first = await connect();
    const counts = await Promise.all(nodes.map(connectionsOf));
    const holder = nodes[counts.indexOf(1)];
    if (!holder) throw new Error(`the socket is on no single node: ${counts}`);
    const closed = new Promise((resolve) => first.once("close", (code) => resolve(code)));
    process.kill(holder[2], "SIGTERM");
    const code = await closed;
    if (code !== 1001) throw new Error(`closed with ${code}, not 1001`);
    let again, attempts = 0;
    while (!again) {
      attempts++;
      try { again = await connect(); } catch (err) { if (attempts >= 20) throw err; await new Promise((r) => setTimeout(r, 500)); }
    }
    const acked = new Promise((resolve) => again.on("message", (d) => JSON.parse(String(d)).type === "result" && resolve()));
    again.send(JSON.stringify({ type: "message.send", rid: "r1", conversationId: conv.id, clientId: "lb1", content: { type: "text", text: "through the balancer" } }));
    await acked;
    console.log(`node on port ${holder[0]} stopped: socket closed with 1001, back in after ${attempts} attempt(s), message acknowledged`);
    again.close();
  '
}

for lb in nginx haproxy; do
  echo "--- $lb in front of two nodes"
  nodes="$(start_nodes)"
  p1="$(sed -n 1p <<<"$nodes" | cut -d' ' -f1)"; p2="$(sed -n 2p <<<"$nodes" | cut -d' ' -f1)"
  if [ $lb = nginx ]; then
    port=18443
    sed -e "s|10.0.0.11:8080|127.0.0.1:$p1|; s|10.0.0.12:8080|127.0.0.1:$p2|; /10.0.0.13:8080/d" \
        -e "s|listen 80;|listen 127.0.0.1:18080;|; s|listen 443 ssl|listen 127.0.0.1:$port ssl|" "$work/hearth.conf" > "$work/hearth-run.conf"
    sed "s|$work/hearth.conf|$work/hearth-run.conf|" "$work/nginx.conf" > "$work/nginx-run.conf"
    nginx -c "$work/nginx-run.conf"
  else
    port=28443
    sed -e "s|10.0.0.11:8080|127.0.0.1:$p1|; s|10.0.0.12:8080|127.0.0.1:$p2|; /10.0.0.13:8080/d" \
        -e "s|bind :80|bind 127.0.0.1:28080|; s|bind :443|bind 127.0.0.1:$port|; /^    log /d; s|maxconn 200000|maxconn 4000|" "$work/haproxy.cfg" > "$work/haproxy-run.cfg"
    haproxy -D -p "$work/haproxy.pid" -f "$work/haproxy-run.cfg"
  fi
  sleep 3                                       # HAProxy's first health checks
  try_client "$port" <<<"$nodes"
  [ $lb = nginx ] && nginx -s quit -c "$work/nginx-run.conf" || kill "$(cat "$work/haproxy.pid")"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  pids=()
  sleep 1
done
