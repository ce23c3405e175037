# Makefile for pgrest (PGXS)
#
# make && make install            build and install against pg_config on PATH
# make installcheck               pg_regress in a temporary instance with
#                                 pgrest preloaded (run as a non-root user)

EXTENSION = pgrest
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)
PGFILEDESC = "pgrest - PostgREST-compatible REST API inside PostgreSQL"

MODULE_big = pgrest
# pipeline order: process set-up, then one request from socket to response
OBJS = \
	src/pgrest.o \
	src/guc.o \
	src/listen.o \
	src/shmem.o \
	src/login.o \
	src/worker.o \
	src/http.o \
	src/conn.o \
	src/handler.o \
	src/state.o \
	src/admin.o \
	src/failure.o \
	src/jsonparse.o \
	src/commandwatch.o \
	src/metrics.o \
	src/router.o \
	src/request.o \
	src/grammar.o \
	src/percent.o \
	src/payload.o \
	src/encoding.o \
	src/auth.o \
	src/jwk.o \
	src/jwt.o \
	src/catalog.o \
	src/schema.o \
	src/schemadeps.o \
	src/relationship.o \
	src/fuzzy.o \
	src/plan.o \
	src/readplan.o \
	src/query.o \
	src/render.o \
	src/openapi.o \
	src/html.o \
	src/statement.o \
	src/execute.o \
	src/session.o \
	src/sqlendpoint.o \
	src/result.o \
	src/stream.o \
	src/response.o \
	src/error.o

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
	geojson explain pk schema_cache insert upsert update put preferences rpc embed aggregates \
	security sqlendpoint jwk fuzz robust http stream admin worker settings cleanup
REGRESS_OPTS = --temp-config=$(srcdir)/regress.conf --temp-instance=$(CURDIR)/tmp_check
EXTRA_CLEAN = tmp_check_nopreload

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# pgrest loaded without shared_preload_libraries, in a second instance
installcheck-nopreload:
	$(pg_regress_installcheck) --temp-config=$(srcdir)/nopreload.conf \
		--temp-instance=$(CURDIR)/tmp_check_nopreload nopreload

.PHONY: installcheck-nopreload
