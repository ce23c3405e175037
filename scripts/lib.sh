# Shell functions shared by scripts/test and bench/run.  Source it from the
# top of the source tree (". scripts/lib.sh"); it defines functions and
# variables only and runs nothing.

# the PostgreSQL major version pgrest is built and tested against
pgversion=15

# Print a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  local port
  for port in $(shuf -i 20000-60000 -n 100); do
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
  pg_config=$pgroot/usr/lib/postgresql/$pgversion/bin/pg_config
  pgbin=$pgroot/usr/lib/postgresql/$pgversion/bin

  make -s clean
  make -s PG_CFLAGS="-Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers"
  make -s install PG_CONFIG="$pg_config"
}
