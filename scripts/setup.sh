#!/usr/bin/env bash
# Installs what Cyrange needs on a Debian machine (run as root) and builds it. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "setup: run as root (Cyrange creates network namespaces)" >&2
  exit 1
fi

# Debian packages: kernel networking tools, the DHCP server and client, Docker, and the tools tests use
# (chromium drives the browser tests; no browser is ever downloaded), QEMU and qemu-img for microVM hosts,
# and for netns sandboxes: runc, mmdebstrap (builds their base rootfs) and tini (their PID 1); their seccomp
# profile, Docker's default, is fetched from Debian by `image build-rootfs` below. cloud-init, netplan.io and graphviz are the
# clients the guest config and graph tests check Cyrange's output with; openssh-client logs into the cloud-init guest.
# postgresql: the second store (CYRANGE_DATABASE_URL); tests run its binaries on a throwaway cluster of their own.
packages=(iproute2 nftables dnsmasq-base busybox-static procps util-linux iputils-ping psmisc iperf3 ca-certificates docker.io chromium fonts-dejavu-core socat curl qemu-system-x86 e2fsprogs
  runc mmdebstrap tini qemu-utils tcpdump prometheus
  cloud-init netplan.io graphviz openssh-client postgresql)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  # No service a package ships may start here (Prometheus on :9090, a Docker daemon with its own
  # bridge and iptables rules): policy-rc.d refuses them while apt runs, unless the admin has one.
  own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
  if [ "$own_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  [ "$rc" = 0 ] || exit "$rc"
  # Only promtool and PostgreSQL's binaries are used (tests run throwaway clusters): the servers this
  # set-up installed never start at boot either. A PostgreSQL for CYRANGE_DATABASE_URL is the admin's.
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    for p in prometheus postgresql; do
      if [[ " ${missing[*]} " == *" $p "* ]]; then systemctl disable --now "$p.service" >/dev/null 2>&1 || true; fi
    done
  fi
fi

# microVM guests run QEMU as this unprivileged system user; it owns their TAPs and guest directories.
# In the kvm group (where there is one) it may use KVM. It opens /dev/net/tun to attach to the TAPs
# it owns, which needs the device open to all, as Debian's udev rules make it (0666).
if ! getent passwd cyrange-qemu >/dev/null; then
  useradd --system --no-create-home --shell /usr/sbin/nologin cyrange-qemu
fi
if getent group kvm >/dev/null && ! id -nG cyrange-qemu | tr ' ' '\n' | grep -qx kvm; then
  usermod -aG kvm cyrange-qemu
fi
if [ -c /dev/net/tun ]; then
  chmod 0666 /dev/net/tun
fi

# Node.js 20.19 or newer is needed (Debian 12's own nodejs is too old).
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
  echo "setup: Node.js >= 20.19 is required; found $(node --version 2>/dev/null || echo none)" >&2
  exit 1
fi

# npm install, not npm ci: npm 11 leaves other platforms' optional packages (Biome's binaries)
# out of the lock file, and ci then refuses it. The lock file still pins every version.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund --loglevel=error
fi
npm run --silent build

# A Docker Engine for docker hosts (started here when none answers) and the local test image.
bash scripts/docker-up.sh

# The microVM guest (kernel + busybox initramfs, from Debian packages), kept when already built.
# Tests and the demo share it through CYRANGE_MICROVM_ASSETS.
CYRANGE_MICROVM_ASSETS="${CYRANGE_MICROVM_ASSETS:-/var/lib/cyrange/microvm}" bin/cyrange image build-microvm --if-missing

# The netns sandboxes' shared base rootfs (Debian 12 minbase + tools, by mmdebstrap), kept when
# already built with the same package list. Tests and the demo find it through CYRANGE_IMAGES.
CYRANGE_IMAGES="${CYRANGE_IMAGES:-/var/lib/cyrange/images}" bin/cyrange image build-rootfs --if-missing
