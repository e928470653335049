#!/bin/bash
# Profiles the gateway's ListObjectsV2 on the embedded store (docs/performance.md, "Embedded listing"):
# starts dist/main.js (or the build in DIST) pinned to core 0 with a V8 CPU profile, fills a bucket with KEYS
# keys through the bench's load generator, lists the whole bucket ROUNDS times in pages of 1000, stops the
# gateway and summarizes the profile from the first listing on. NOPROF=1: no profile, only the page times.
#
#   npm run prebench && PORT=19721 bench/profile-listing.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-$(mktemp -d /tmp/profile-listing-XXXX)}
PORT=${PORT:-19721}
KEYS=${KEYS:-10000}
ROUNDS=${ROUNDS:-5}
DIST=${DIST:-dist}
DATA=$(mktemp -d /tmp/profile-listing-data-XXXX)
mkdir -p "$OUT"
NODE_ARGS=()
[ -n "${NOPROF:-}" ] || NODE_ARGS=(--cpu-prof "--cpu-prof-dir=$OUT")
PORT=$PORT HOST=127.0.0.1 STORE=embedded DATA_DIR=$DATA LOG_LEVEL=warn WORKERS=1 S3_AUTH=parse FSYNC=false \
  taskset -c 0 node "${NODE_ARGS[@]}" "$DIST/main.js" > "$OUT/gateway.log" 2>&1 &
GATEWAY=$!
STARTED=$(date +%s.%N)
trap 'kill -TERM $GATEWAY 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health/ready" > /dev/null && break; sleep 0.3; done
ENDPOINT="{\"origin\":\"http://127.0.0.1:$PORT\",\"dialect\":\"s3\",\"prefix\":\"/s3\",\"key\":{\"id\":\"AKPROFILE\",\"secret\":\"unused\"}}"
loadgen() { taskset -c 1 node .tmp/bench/bench/loadgen.js "$1"; }
node -e "const p = require('./.tmp/bench/bench/protocol.js'); const e = $ENDPOINT; const r = p.createBucketRequest(e, 'list-profile');
  fetch(e.origin + r.path, { method: r.method, headers: r.headers }).then((a) => { if (a.status !== 200) process.exit(1); });"
loadgen "{\"kind\":\"fill\",\"endpoint\":$ENDPOINT,\"bucket\":\"list-profile\",\"keys\":{\"prefix\":\"k\",\"count\":$KEYS},\"size\":16,\"concurrency\":32}" > /dev/null
LISTING=$(date +%s.%N)
for _ in $(seq "$ROUNDS"); do
  loadgen "{\"kind\":\"list\",\"endpoint\":$ENDPOINT,\"bucket\":\"list-profile\",\"startAfter\":\"\",\"maxPages\":$(( (KEYS + 999) / 1000 )),\"durationMs\":600000}" |
    node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(`${r.ops} pages, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, ${r.errors} errors`)'
done
kill -TERM $GATEWAY
wait $GATEWAY || true
if [ -z "${NOPROF:-}" ]; then
  node .tmp/bench/bench/profile.js "$OUT"/*.cpuprofile --skip "$(echo "$LISTING - $STARTED" | bc)" --top 25 | tee "$OUT/summary.txt"
fi
