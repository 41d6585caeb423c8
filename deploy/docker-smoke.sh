#!/usr/bin/env bash
# Smoke test of the image: one region (membership, three storage nodes, a replicator and a gateway), each
# app in a container of its own started with the command the Kubernetes manifests give it, against a
# PostgreSQL and a Redis on this machine. It writes through the gateway, reads the value back, checks the
# ring and every app's readiness, then removes every container and database it made. Needs a Docker engine
# and Linux (the containers share the host's network, so 127.0.0.1 is this machine); not part of `npm test`.
#
#   docker build -t geokv . && deploy/docker-smoke.sh [image]
#
# POSTGRES_SERVER_URL: a server whose user may create databases (default postgres://postgres@127.0.0.1:5432).
# SMOKE_PORT: the first of the ports it uses (default 17000: membership, then the nodes, the replicator
# on +50, the gateway on +80). Redis: a redis-server of its own on SMOKE_PORT + 90.
set -euo pipefail

image=${1:-geokv:latest}
server=${POSTGRES_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
base=${SMOKE_PORT:-17000}
run_id=smoke$$
redis_port=$((base + 90))
redis_url=redis://127.0.0.1:$redis_port
gateway_url=http://127.0.0.1:$((base + 80))
nodes=(n1 n2 n3)
databases=("geokv_${run_id}_membership" "${nodes[@]/#/geokv_${run_id}_}")
containers=()

cleanup() {
  set +e
  [ ${#containers[@]} -eq 0 ] || docker rm -f "${containers[@]}" > /dev/null
  redis-cli -p "$redis_port" shutdown nosave > /dev/null 2>&1
  for db in "${databases[@]}"; do psql -q "$server/postgres" -c "DROP DATABASE IF EXISTS \"$db\"" > /dev/null; done
}
trap cleanup EXIT

# One app: its container runs the image with the manifests' command for it, configured only by env.
start() {
  local name=$1
  shift
  containers+=("$run_id-$name")
  docker run -d --name "$run_id-$name" --network host \
    -e GEOKV_REGION=smoke -e REDIS_URL="$redis_url" -e HOST=127.0.0.1 -e LOG_LEVEL=warn "$@" > /dev/null
}

wait_ready() {
  local name=$1 url=$2
  for _ in $(seq 1 60); do
    if curl -sf -o /dev/null "$url/health/ready"; then return 0; fi
    sleep 0.5
  done
  echo "$name never became ready; its log:" >&2
  docker logs "$run_id-$name" 2>&1 | tail -20 >&2
  exit 1
}

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes > /dev/null
for db in "${databases[@]}"; do psql -q "$server/postgres" -c "CREATE DATABASE \"$db\"" > /dev/null; done

start membership -e PORT="$base" -e DATABASE_URL="$server/${databases[0]}" -e GEOKV_SEED_NODES="$(IFS=,; echo "${nodes[*]}")" \
  "$image" node --single-threaded-gc dist/apps/membership/src/main.js
wait_ready membership "http://127.0.0.1:$base"
for i in "${!nodes[@]}"; do
  port=$((base + i + 1))
  start "${nodes[$i]}" -e PORT="$port" -e GEOKV_NODE_ID="${nodes[$i]}" -e DATABASE_URL="$server/${databases[$((i + 1))]}" \
    -e GEOKV_ADVERTISE_URL="http://127.0.0.1:$port" \
    "$image" node --single-threaded-gc --max-old-space-size=512 dist/apps/storage-node/src/main.js
done
for i in "${!nodes[@]}"; do wait_ready "${nodes[$i]}" "http://127.0.0.1:$((base + i + 1))"; done
start replicator -e PORT=$((base + 50)) -e GEOKV_PEERS= "$image" node --single-threaded-gc dist/apps/replicator/src/main.js
# The gateway with the image's own command.
start gateway -e PORT=$((base + 80)) "$image"
wait_ready replicator "http://127.0.0.1:$((base + 50))"
wait_ready gateway "$gateway_url"

members=$(curl -sf "$gateway_url/v1/admin/ring" | grep -o '"n[0-9]"' | sort -u | wc -l)
[ "$members" -eq 3 ] || { echo "the ring holds $members of the 3 nodes" >&2; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary 'from the image' -H 'content-type: text/plain' "$gateway_url/v1/kv/default/smoke")
[ "$status" = 204 ] || { echo "PUT answered $status" >&2; exit 1; }
value=$(curl -sf "$gateway_url/v1/kv/default/smoke")
[ "$value" = 'from the image' ] || { echo "GET answered '$value'" >&2; exit 1; }
echo "image $image: membership, 3 storage nodes, a replicator and a gateway ready; a PUT read back"
