# Makefile for pgrest (PGXS)
#
# make && make install            build and install against pg_config on PATH
# make installcheck               pg_regress in a temporary instance with
#                                 pgrest preloaded (run as a non-root user)

EXTENSION = pgrest
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)
PGFILEDESC = "pgrest - PostgREST-compatible REST API inside PostgreSQL"

MODULE_big = pgrest
# base: message types, errors, the request state, JSON, encodings
BASE_OBJS = src/base/message.o src/base/state.o src/base/jsonparse.o src/base/encoding.o src/base/error.o src/base/jspath.o
# server: settings, shared memory, sockets, counters, logging in
SERVER_OBJS = src/server/guc.o src/server/listen.o src/server/shmem.o src/server/login.o src/server/metrics.o src/server/timing.o
# api: a request parsed
API_OBJS = src/api/router.o src/api/request.o src/api/grammar.o src/api/percent.o src/api/accept.o src/api/payload.o
# auth: the request's role
AUTH_OBJS = src/auth/auth.o src/auth/jwk.o src/auth/jwt.o
# cache: the schema cache
CACHE_OBJS = src/cache/commandwatch.o src/cache/catalog.o src/cache/schema.o src/cache/schemadeps.o src/cache/relationship.o
# plan: a request against the schema cache
PLAN_OBJS = src/plan/fuzzy.o src/plan/embed.o src/plan/media.o src/plan/plan.o src/plan/readplan.o src/plan/subscription.o
# query: a plan as SQL
QUERY_OBJS = src/query/query.o src/query/render.o src/query/subscription.o
# run: the transaction and the statement
RUN_OBJS = src/run/statement.o src/run/execute.o src/run/session.o src/run/sqlendpoint.o src/run/receivers.o src/run/stream.o
# realtime: table changes streamed: the ring, the decoder, the subscriptions
REALTIME_OBJS = src/realtime/ring.o src/realtime/plugin.o src/realtime/decoder.o src/realtime/status.o src/realtime/realtime.o src/realtime/outbox.o src/realtime/subscription.o src/realtime/batch.o
# response: results and errors as HTTP
RESPONSE_OBJS = src/response/failure.o src/response/openapi.o src/response/html.o src/response/response.o
# http: libmicrohttpd
HTTP_OBJS = src/http/http.o src/http/conn.o
# entry points: the extension, the worker, one request, the admin port
TOP_OBJS = src/pgrest.o src/worker.o src/handler.o src/admin.o
OBJS = $(BASE_OBJS) $(SERVER_OBJS) $(API_OBJS) $(AUTH_OBJS) $(CACHE_OBJS) $(PLAN_OBJS) $(QUERY_OBJS) $(RUN_OBJS) $(REALTIME_OBJS) $(RESPONSE_OBJS) $(HTTP_OBJS) $(TOP_OBJS)

DATA = $(wildcard $(EXTENSION)--*.sql)

MHD_CFLAGS := $(shell pkg-config --cflags libmicrohttpd)
MHD_LIBS := $(shell pkg-config --libs libmicrohttpd)
# libcrypto (OpenSSL 3) verifies RS*, ES* and EdDSA JWTs; PostgreSQL links it too
CRYPTO_CFLAGS := $(shell pkg-config --cflags libcrypto)
CRYPTO_LIBS := $(shell pkg-config --libs libcrypto)
PG_CPPFLAGS = -I$(srcdir)/src $(MHD_CFLAGS) $(CRYPTO_CFLAGS) -DPGREST_VERSION=\"$(EXTVERSION)\"
SHLIB_LINK = $(MHD_LIBS) $(CRYPTO_LIBS)

# order matters: init sets up roles and fixtures, cleanup checks the log last
REGRESS = init guc handle router openapi errors auth select filters logic range formats \
	geojson explain pk schema_cache insert upsert update put write_values preferences rpc rpc_args embed aggregates representations handlers compat \
	security sqlendpoint jwk fuzz robust http stream admin worker settings cleanup
REGRESS_OPTS = --temp-config=$(srcdir)/regress.conf --temp-instance=$(CURDIR)/tmp_check
EXTRA_CLEAN = tmp_check_nopreload tmp_check_realtime

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# pgrest loaded without shared_preload_libraries, in a second instance
installcheck-nopreload:
	$(pg_regress_installcheck) --temp-config=$(srcdir)/nopreload.conf \
		--temp-instance=$(CURDIR)/tmp_check_nopreload nopreload

# realtime (wal_level = logical), in a third instance
REALTIME_REGRESS = realtime realtime_stream
installcheck-realtime:
	$(pg_regress_installcheck) --temp-config=$(srcdir)/realtime.conf \
		--temp-instance=$(CURDIR)/tmp_check_realtime --dbname=$(CONTRIB_TESTDB) $(REALTIME_REGRESS)

.PHONY: installcheck-nopreload installcheck-realtime
