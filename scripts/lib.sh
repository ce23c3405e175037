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
  make -s PG_CFLAGS="-Wall -Wextra -Wshadow -Werror -Wno-unused-parameter -Wno-missing-field-initializers"
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

# as_server COMMAND...
#
# Run a command as the server's operating-system user: postgres when run
# as root (PostgreSQL refuses to run as root), else the caller.
as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# demo_init DIR BINDIR PGPORT HTTPPORT ADMINPORT
#
# Create the demo's cluster in DIR/data (DIR must be writable by the
# server's user): examples/demo.conf, with the ports given, PostgreSQL on
# a Unix socket in DIR only.  Start it with demo_start, then load the
# sample schema with demo_load.
demo_init() {
  local dir=$1 bindir=$2 pgport=$3 httpport=$4 adminport=$5
  as_server "$bindir/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
  {
    echo "# scripts/demo: PostgreSQL on a Unix socket only"
    echo "listen_addresses = ''"
    echo "port = $pgport"
    echo "unix_socket_directories = '$dir'"
    sed -e "s/^pgrest.port = .*/pgrest.port = $httpport/" \
        -e "s/^pgrest.admin_port = .*/pgrest.admin_port = $adminport/" examples/demo.conf
  } | as_server tee -a "$dir/data/postgresql.conf" >/dev/null
}

# demo_start DIR BINDIR: start the cluster of DIR, logging to DIR/server.log
demo_start() {
  as_server "$2/pg_ctl" -D "$1/data" -l "$1/server.log" -w start >/dev/null
}

# demo_stop DIR BINDIR: stop it, if it runs
demo_stop() {
  if [ -f "$1/data/postmaster.pid" ]; then
    as_server "$2/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null
  fi
}

# demo_psql DIR BINDIR PSQL-ARGS...: psql as postgres on the demo's socket
demo_psql() {
  local dir=$1 bindir=$2
  shift 2
  local port
  port=$(sed -n "s/^port = //p" "$dir/data/postgresql.conf" | tail -n 1)
  as_server "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"
}

# demo_load DIR BINDIR
#
# Create database "app" if missing and (re)load examples/demo.sql into it:
# the sample data as the docs show it.  Waits until pgrest serves.
demo_load() {
  local dir=$1 bindir=$2
  if [ "$(demo_psql "$dir" "$bindir" -d postgres -Atc "SELECT count(*) FROM pg_database WHERE datname = 'app'")" = 0 ]; then
    demo_psql "$dir" "$bindir" -d postgres -c "CREATE DATABASE app"
  fi
  demo_psql "$dir" "$bindir" -d app -f - < examples/demo.sql
  demo_psql "$dir" "$bindir" -d app -Atc "SELECT pgrest.wait_ready(30000)" | grep -qx t
}

# demo_token: a JWT for role web_user, user "alice", signed with the
# demo's secret (examples/demo.conf), without expiry: the recipe of
# docs/security.md.
demo_token() {
  local secret header payload signature
  secret=$(sed -n "s/^pgrest.jwt_secret = '\(.*\)'$/\1/p" examples/demo.conf)
  header=$(printf '%s' '{"alg":"HS256","typ":"JWT"}' | b64url)
  payload=$(printf '%s' '{"role":"web_user","sub":"alice"}' | b64url)
  signature=$(printf '%s' "$header.$payload" | openssl dgst -sha256 -hmac "$secret" -binary | b64url)
  echo "$header.$payload.$signature"
}

# b64url: standard input in base64url, without padding (JWT segments)
b64url() {
  openssl base64 -A | tr '+/' '-_' | tr -d '='
}
