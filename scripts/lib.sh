# Shell functions shared by scripts/test and bench/run.  Source it from the
# top of the source tree (". scripts/lib.sh"); it defines functions and
# variables only and runs nothing.

# the PostgreSQL major version pgrest is built and tested against
pgversion=15

# Print a TCP port on 127.0.0.1 that nothing listens on now.  It is below
# Linux's ephemeral range (32768-60999): a port in that range can be taken
# by any outgoing connection (a load test's, say) between this check and
# the server's bind, which then fails with "Address already in use".
free_port() {
  local port
  for port in $(shuf -i 20000-32767 -n 100); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "no free TCP port on 127.0.0.1" >&2
  exit 1
}

# install_private_pg DIR
#
# Copy the system's PostgreSQL installation into DIR (PostgreSQL's paths
# are relative, so the copy works), then build pgrest with warnings as
# errors and install it there: the system's own pgrest is never touched,
# and several checkouts can build and run at once.  Sets pg_config and
# pgbin (the copy's bin directory).
install_private_pg() {
  local pgroot=$1
  mkdir -p "$pgroot/usr/lib/postgresql" "$pgroot/usr/share/postgresql"
  cp -a "/usr/lib/postgresql/$pgversion" "$pgroot/usr/lib/postgresql/"
  cp -a "/usr/share/postgresql/$pgversion" "$pgroot/usr/share/postgresql/"
  # the server's translations (found relative to bin/, like the rest)
  local mo
  for mo in /usr/share/locale/*/LC_MESSAGES/postgres-"$pgversion".mo; do
    [ -e "$mo" ] || continue
    mkdir -p "$pgroot${mo%/*}"
    cp "$mo" "$pgroot$mo"
  done
  pg_config=$pgroot/usr/lib/postgresql/$pgversion/bin/pg_config
  pgbin=$pgroot/usr/lib/postgresql/$pgversion/bin

  make -s clean
  make -s PG_CFLAGS="-Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers"
  make -s install PG_CONFIG="$pg_config"
}

# need_packages PACKAGE...
#
# Install those of the Debian packages that are missing, with apt; that
# needs root, so as another user only say which ones are missing.
need_packages() {
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "pgrest needs these packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
