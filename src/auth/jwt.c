/*-------------------------------------------------------------------------
 *
 * jwt.c
 *	  Verify a JSON Web Token and return its payload.
 *
 * A token is three base64url segments, header.payload.signature.  The
 * header must be a JSON object whose "alg" is one jwk.c verifies (HS256,
 * HS384, HS512, RS256, RS384, RS512, ES256, ES384, EdDSA); its "kid", if
 * any, narrows the keys of pgrest.jwt_secret that may verify it, and a
 * key verifies only algorithms of its own type (jwk.c).  The signature
 * must verify with one of those keys.  Only then is the payload decoded,
 * and it must be a JSON object.  What the claims in it mean (exp, aud,
 * role, ...) is auth.c's business.
 *
 * Decoding is PostgreSQL's pg_b64_decode and pgrest's JSON reader
 * (jsonparse.c), then jsonb_in for the claims; every segment must be
 * canonical base64url, so a token has exactly one spelling.
 *
 * Until the signature checks out the token is hostile, so the work stays
 * bounded: tokens over PGREST_JWT_MAX_LEN bytes are refused unread, and
 * JSON nested deeper than PGREST_JWT_MAX_DEPTH, or with numbers numeric
 * cannot store, is refused before jsonb_in sees it.  The header is only
 * read for "alg" and "kid", never converted.
 *
 * Verified tokens are remembered in a small per-process cache keyed on the
 * whole token text, so a client that repeats its token skips the
 * signature check and the parsing.  The cache is emptied when the keys
 * are loaded again.  It holds
 * payloads, not verdicts: auth.c checks the claims on every request.
 *
 * Failures are pgrest errors with PostgREST's messages: 401 PGRST301 for a
 * token that cannot be decoded or verified (or that no key may verify),
 * 401 PGRST303 for a payload that is not a JSON object.
 *
 * This file never calls SPI and reads no catalog.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/auth/jwt.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "auth/layer.h"

#include "common/hashfn.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "base/error.h"
#include "base/jsonparse.h"
#include "auth/jwk.h"
#include "auth/jwt.h"

/* JSON deeper than this, in the header or the payload, is refused */
#define PGREST_JWT_MAX_DEPTH 64

/* verified tokens each process remembers */
#define PGREST_JWT_CACHE_SIZE 128

#define JWT_DECODE_FAILED "JWT cryptographic operation failed"
#define JWT_CLAIMS_FAILED "Parsing claims failed"

/* one remembered token; token NULL for a free slot */
typedef struct CachedToken
{
	uint32		hash;
	int			len;
	char	   *token;
	Jsonb	   *payload;
} CachedToken;

static MemoryContext cache_context = NULL;
static CachedToken cache[PGREST_JWT_CACHE_SIZE];
static int	cache_next = 0;		/* the slot the next token replaces */
static uint64 cache_generation = 0; /* of the keys the entries were
									 * verified with */

static void raise_jwt_error(PgrestError error, const char *message,
							const char *details) pg_attribute_noreturn();
static void check_header(const char *segment, int len, int *alg, char **kid);
static bool signature_verifies(const PgrestJwks *keys, int alg, const char *kid,
							   const char *token, int signed_len,
							   const char *signature, int signature_len);
static Jsonb *decode_payload(const char *segment, int len);
static Jsonb *cache_lookup(const char *token, int len, uint32 hash,
						   uint64 generation);
static void cache_store(const char *token, int len, uint32 hash,
						const Jsonb *payload);
static Jsonb *copy_jsonb(const Jsonb *jb);

/*
 * Verify token with the keys of pgrest.jwt_secret and return its payload,
 * a jsonb object palloc'd in the current memory context.  Raises 401
 * PGRST301 or PGRST303 for a token that does not verify, 500 PGRST300 when
 * the keys do not load.  Needs a resource owner (pg_hmac registers its
 * OpenSSL context with it), so call it inside a transaction.
 */
Jsonb *
pgrest_jwt_verify(const char *token)
{
	size_t		len = strlen(token);
	const char *dots[2];
	int			ndots = 0;
	uint32		hash;
	Jsonb	   *payload;
	const PgrestJwks *keys;
	int			alg;
	char	   *kid;

	if (len > PGREST_JWT_MAX_LEN)
		raise_jwt_error(PGREST_ERR_JWT, "JWT is too long",
						psprintf("pgrest accepts tokens of at most %d bytes.",
								 PGREST_JWT_MAX_LEN));

	for (const char *p = token; *p != '\0'; p++)
	{
		if (*p != '.')
			continue;
		if (ndots < 2)
			dots[ndots] = p;
		ndots++;
	}
	if (ndots != 2)
		raise_jwt_error(PGREST_ERR_JWT,
						psprintf("Expected 3 parts in JWT; got %d", ndots + 1),
						NULL);

	keys = pgrest_jwk_keys();
	hash = hash_bytes((const unsigned char *) token, (int) len);
	payload = cache_lookup(token, (int) len, hash, keys->generation);
	if (payload != NULL)
		return copy_jsonb(payload);

	check_header(token, (int) (dots[0] - token), &alg, &kid);
	if (!signature_verifies(keys, alg, kid, token, (int) (dots[1] - token),
							dots[1] + 1, (int) (token + len - dots[1] - 1)))
		raise_jwt_error(PGREST_ERR_JWT, "No suitable key or wrong key type",
						"None of the keys was able to decode the JWT");
	payload = decode_payload(dots[0] + 1, (int) (dots[1] - dots[0] - 1));

	cache_store(token, (int) len, hash, payload);
	return payload;
}

static void
raise_jwt_error(PgrestError error, const char *message, const char *details)
{
	pgrest_error_raise(error, message, details, NULL);
}

/*
 * The header must be a JSON object naming an "alg" pgrest verifies;
 * "none", and every algorithm it cannot verify, is refused before the
 * signature is looked at.  Its "kid", if a string, comes back too.
 */
static void
check_header(const char *segment, int len, int *alg, char **kid)
{
	int			decoded_len;
	char	   *header = pgrest_jwk_base64url_decode(segment, len, &decoded_len);
	PgrestJson *json;
	const PgrestJson *name;
	const PgrestJson *key;

	if (header == NULL)
		raise_jwt_error(PGREST_ERR_JWT, JWT_DECODE_FAILED, NULL);
	json = pgrest_json_read(header, decoded_len, PGREST_JWT_MAX_DEPTH);
	name = pgrest_json_member(json, "alg");
	if (name == NULL || name->kind != PGREST_JSON_STRING)
		raise_jwt_error(PGREST_ERR_JWT, JWT_DECODE_FAILED, NULL);
	*alg = pgrest_jwk_alg(name->text);
	if (*alg == 0)
		raise_jwt_error(PGREST_ERR_JWT, "Wrong or unsupported encoding algorithm",
						strcmp(name->text, "none") == 0 ?
						"JWT is unsecured but expected 'alg' was not 'none'" :
						"pgrest accepts tokens signed with HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384 or EdDSA.");
	key = pgrest_json_member(json, "kid");
	*kid = key != NULL && key->kind == PGREST_JSON_STRING ? key->text : NULL;
}

/*
 * Whether the signature verifies with one of the keys that may verify
 * alg for kid; a 401 when no key may.
 */
static bool
signature_verifies(const PgrestJwks *keys, int alg, const char *kid,
				   const char *token, int signed_len,
				   const char *signature, int signature_len)
{
	bool		candidates = false;

	for (int i = 0; i < keys->nkeys; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (!pgrest_jwk_may_verify(keys->keys[i], alg, kid))
			continue;
		candidates = true;
		if (pgrest_jwk_verify(keys->keys[i], alg, token, signed_len,
							  signature, signature_len))
			return true;
	}
	if (!candidates)
		raise_jwt_error(PGREST_ERR_JWT, "No suitable key or wrong key type",
						kid ? psprintf("No key of pgrest.jwt_secret verifies this algorithm with kid \"%s\".", kid) :
						"No key of pgrest.jwt_secret verifies this algorithm.");
	return false;
}

/*
 * The verified payload as jsonb.  Bad base64url is a decoding failure
 * (PGRST301); text that is not a JSON object is a claims failure
 * (PGRST303), as in PostgREST.
 */
static Jsonb *
decode_payload(const char *segment, int len)
{
	int			decoded_len;
	char	   *payload = pgrest_jwk_base64url_decode(segment, len, &decoded_len);
	Jsonb	   *claims;

	if (payload == NULL)
		raise_jwt_error(PGREST_ERR_JWT, JWT_DECODE_FAILED, NULL);
	/* UTF-8 (RFC 8259), read by SQL in the database encoding (22P05) */
	if (!pg_verify_mbstr(PG_UTF8, payload, decoded_len, true))
		raise_jwt_error(PGREST_ERR_JWT_CLAIMS, JWT_CLAIMS_FAILED, NULL);
	payload = pg_any_to_server(payload, decoded_len, PG_UTF8);
	/* shallow, with numbers jsonb can store, and an object */
	claims = pgrest_jsonb_parse(payload, strlen(payload), PGREST_JWT_MAX_DEPTH);
	if (claims == NULL || !JB_ROOT_IS_OBJECT(claims))
		raise_jwt_error(PGREST_ERR_JWT_CLAIMS, JWT_CLAIMS_FAILED, NULL);
	return claims;
}

/*
 * The payload of a token verified before, or NULL.  Entries verified with
 * other keys are dropped first.  Tokens are compared in constant time so
 * that timing tells nothing about the tokens of other clients.
 */
static Jsonb *
cache_lookup(const char *token, int len, uint32 hash, uint64 generation)
{
	if (cache_context == NULL || cache_generation != generation)
	{
		if (cache_context == NULL)
			cache_context = AllocSetContextCreate(TopMemoryContext,
												  "pgrest jwt cache",
												  ALLOCSET_DEFAULT_SIZES);
		MemoryContextReset(cache_context);
		memset(cache, 0, sizeof(cache));
		cache_next = 0;
		cache_generation = generation;
		return NULL;
	}

	for (int i = 0; i < PGREST_JWT_CACHE_SIZE; i++)
	{
		if (cache[i].token != NULL && cache[i].hash == hash &&
			cache[i].len == len &&
			timingsafe_bcmp(cache[i].token, token, len) == 0)
			return cache[i].payload;
	}
	return NULL;
}

/* Remember a verified token, replacing the oldest entry when full. */
static void
cache_store(const char *token, int len, uint32 hash, const Jsonb *payload)
{
	CachedToken *slot = &cache[cache_next];
	char	   *token_copy;
	Jsonb	   *payload_copy;
	MemoryContext old;

	old = MemoryContextSwitchTo(cache_context);
	token_copy = pnstrdup(token, len);
	payload_copy = copy_jsonb(payload);
	MemoryContextSwitchTo(old);

	if (slot->token != NULL)
	{
		pfree(slot->token);
		pfree(slot->payload);
	}
	slot->hash = hash;
	slot->len = len;
	slot->token = token_copy;
	slot->payload = payload_copy;
	cache_next = (cache_next + 1) % PGREST_JWT_CACHE_SIZE;
}

/* a copy of jb in the current memory context */
static Jsonb *
copy_jsonb(const Jsonb *jb)
{
	Jsonb	   *copy = palloc(VARSIZE(jb));

	memcpy(copy, jb, VARSIZE(jb));
	return copy;
}
