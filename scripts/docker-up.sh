#!/usr/bin/env bash
# Makes sure a Docker Engine answers, starting Debian's dockerd if none does, then builds the
# small local test image. The daemon never touches host networking: no bridge, no iptables,
# no forwarding; range containers use network "none" and Cyrange wires them.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! docker info >/dev/null 2>&1; then
  if [ -n "${DOCKER_HOST:-}" ]; then
    echo "docker-up: DOCKER_HOST=$DOCKER_HOST does not answer" >&2
    exit 1
  fi
  mkdir -p /var/lib/cyrange-docker /run/cyrange-docker
  echo "docker-up: starting dockerd (state in /var/lib/cyrange-docker, log in /var/log/cyrange-dockerd.log)"
  setsid dockerd \
    --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --data-root /var/lib/cyrange-docker --exec-root /run/cyrange-docker \
    --pidfile /run/cyrange-docker/dockerd.pid \
    -H unix:///var/run/docker.sock >>/var/log/cyrange-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { echo "docker-up: dockerd did not come up; see /var/log/cyrange-dockerd.log" >&2; tail -20 /var/log/cyrange-dockerd.log >&2; exit 1; }
fi

# The test image: Debian's static busybox on an empty root. No registry is needed.
image=cyrange-test/busybox:1
if ! docker image inspect "$image" >/dev/null 2>&1; then
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  cp /bin/busybox "$ctx/busybox"
  cat > "$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["/bin/sleep", "2147483647"]
DOCKERFILE
  DOCKER_BUILDKIT=0 docker build -q -t "$image" "$ctx" >/dev/null
  echo "docker-up: built $image"
fi
