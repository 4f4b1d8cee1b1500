# Cyrange guest network set-up, sourced by the microVM init (busybox sh).
# Order per NIC: an `ip=` argument (kernel field order, static or dhcp), then the metadata
# service's network-config for NICs no `ip=` names. NICs are first named by MAC from
# `cyrange.mac=IFNAME,MAC`. Every change goes through $NETCFG_RUN (empty: run it; tests: echo)
# and links are read from $NETCFG_SYS (default /sys/class/net), so the logic runs on any host.

NETCFG_SYS=${NETCFG_SYS:-/sys/class/net}
NETCFG_LIB=${NETCFG_LIB:-/lib/cyrange}

nc_run() { ${NETCFG_RUN:-} "$@"; }

# Link name that has MAC $1, if any.
nc_link_of_mac() {
  for d in "$NETCFG_SYS"/*; do
    [ -r "$d/address" ] && [ "$(cat "$d/address")" = "$1" ] && { echo "${d##*/}"; return 0; }
  done
  return 1
}

# Prefix length of a dotted netmask (a prefix length passes through).
nc_prefix() {
  case "$1" in *.*) ;; *) echo "${1:-32}"; return ;; esac
  n=0
  for o in $(echo "$1" | tr . ' '); do
    case "$o" in 255) n=$((n + 8)) ;; 254) n=$((n + 7)) ;; 252) n=$((n + 6)) ;; 248) n=$((n + 5)) ;;
      240) n=$((n + 4)) ;; 224) n=$((n + 3)) ;; 192) n=$((n + 2)) ;; 128) n=$((n + 1)) ;; esac
  done
  echo "$n"
}

# Names each NIC after its `cyrange.mac=` word: through temporary names, so eth0/eth1 may swap.
nc_name_by_mac() {
  i=0
  for w in $1; do
    case "$w" in cyrange.mac=*,*) ;; *) continue ;; esac
    mac=${w#*,}
    cur=$(nc_link_of_mac "$mac") || continue
    nc_run ip link set dev "$cur" name "cyrtmp$i"
    [ -n "${NETCFG_RUN:-}" ] && mv "$NETCFG_SYS/$cur" "$NETCFG_SYS/cyrtmp$i"
    i=$((i + 1))
  done
  i=0
  for w in $1; do
    case "$w" in cyrange.mac=*,*) ;; *) continue ;; esac
    want=${w#cyrange.mac=}
    want=${want%%,*}
    [ -e "$NETCFG_SYS/cyrtmp$i" ] || { i=$((i + 1)); continue; }
    nc_run ip link set dev "cyrtmp$i" name "$want"
    [ -n "${NETCFG_RUN:-}" ] && mv "$NETCFG_SYS/cyrtmp$i" "$NETCFG_SYS/$want"
    i=$((i + 1))
  done
}

nc_configured=""
nc_mark() { nc_configured="$nc_configured $1 "; }
nc_is_configured() { case "$nc_configured" in *" $1 "*) return 0 ;; esac; return 1; }

# DHCP on one link (udhcpc in the background; the primary NIC takes the default route).
nc_dhcp() {
  primary=0
  [ "$1" = "$(nc_primary)" ] && primary=1
  nc_run ip link set dev "$1" up
  CYRANGE_PRIMARY=$primary nc_run udhcpc -b -B -i "$1" -s "$NETCFG_LIB/udhcpc-script" -x "hostname:$(hostname)" -t 60 -T 1 -A 1 -p "/run/udhcpc.$1.pid"
  nc_mark "$1"
}

# First NIC named on the command line: the primary.
nc_primary() {
  for w in $NETCFG_CMDLINE; do
    case "$w" in cyrange.mac=*) w=${w#cyrange.mac=}; echo "${w%%,*}"; return ;; esac
  done
  echo eth0
}

# One `ip=` value: CLIENT:SERVER:GW:NETMASK:HOSTNAME:DEVICE:AUTOCONF:DNS0:DNS1, `dhcp`, or DEV:dhcp.
nc_apply_ip() {
  v=$1
  case "$v" in
    dhcp | on | any)
      for d in "$NETCFG_SYS"/*; do [ "${d##*/}" = lo ] || nc_dhcp "${d##*/}"; done
      return ;;
    *:dhcp) case "${v%:dhcp}" in *:*) ;; *) nc_dhcp "${v%:dhcp}"; return ;; esac ;;
  esac
  old_ifs=$IFS
  IFS=:
  set -- $v
  IFS=$old_ifs
  client=$1 gw=$3 mask=$4 host=$5 dev=${6:-$(nc_primary)} auto=$7 dns0=$8 dns1=$9
  case "$auto" in dhcp | on | any | both | bootp) nc_dhcp "$dev"; return ;; esac
  [ -n "$client" ] || return
  nc_run ip addr add "$client/$(nc_prefix "${mask:-32}")" dev "$dev"
  nc_run ip link set dev "$dev" up
  [ -n "$gw" ] && nc_run ip route replace default via "$gw" dev "$dev"
  [ -n "$host" ] && nc_run hostname "$host"
  for s in $dns0 $dns1; do nc_run sh -c "echo nameserver $s >> /etc/resolv.conf"; done
  nc_mark "$dev"
}

# Reads our netplan network-config (stdin) into lines "MAC addr A/P", "MAC gw G", "MAC dhcp".
# A route is the default one when its `to:` (written before `via:`) is 0.0.0.0/0 or `default`.
nc_parse_netplan() {
  awk '
    /macaddress:/ { m = $2; gsub(/\x27|"/, "", m); to = "" }
    /^ *- [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+\/[0-9]+/ { print m, "addr", $2 }
    /^ *(- )?to:/ { to = $NF; gsub(/\x27|"/, "", to) }
    /^ *(- )?via:/ { if (to == "0.0.0.0/0" || to == "default") print m, "gw", $NF; to = "" }
    /dhcp4: *true/ { print m, "dhcp" }'
}

# Configures NICs no `ip=` named from the metadata service, when one answers.
nc_from_metadata() {
  todo=""
  for d in "$NETCFG_SYS"/*; do
    n=${d##*/}
    [ "$n" = lo ] || nc_is_configured "$n" || todo="$todo $n"
  done
  [ -n "$todo" ] || return 0
  cfg=$(${NETCFG_FETCH:-wget -q -O -} http://169.254.169.254/latest/network-config 2>/dev/null) || return 0
  echo "$cfg" | nc_parse_netplan | while read -r mac what val; do
    dev=$(nc_link_of_mac "$mac") || continue
    case " $todo " in *" $dev "*) ;; *) continue ;; esac
    case "$what" in
      addr) nc_run ip addr add "$val" dev "$dev"; nc_run ip link set dev "$dev" up ;;
      gw) nc_run ip route replace default via "$val" dev "$dev" ;;
      dhcp) nc_dhcp "$dev" ;;
    esac
  done
}

# Whole network set-up from a kernel command line.
netcfg_apply() {
  NETCFG_CMDLINE=$1
  nc_run ip link set dev lo up
  nc_name_by_mac "$1"
  for w in $1; do
    case "$w" in ip=*) nc_apply_ip "${w#ip=}" ;; esac
  done
  [ -n "${NETCFG_NO_METADATA:-}" ] || nc_from_metadata
}
