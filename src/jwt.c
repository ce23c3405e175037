/*-------------------------------------------------------------------------
 *
 * jwt.c
 *	  Verify a JSON Web Token signed with HS256 and return its payload.
 *
 * A token is three base64url segments, header.payload.signature.  The
 * header must be a JSON object whose "alg" is "HS256"; the signature must
 * be the HMAC-SHA256 of "header.payload" under pgrest.jwt_secret.  Only
 * then is the payload decoded, and it must be a JSON object.  What the
 * claims in it mean (exp, aud, role, ...) is auth.c's business.
 *
 * All of it is PostgreSQL's own code: pg_hmac (OpenSSL's HMAC when the
 * server was built with it), pg_b64_decode and pg_b64_encode, the JSON
 * parser and jsonb_in.  The signature is compared in constant time, as
 * base64url text, so exactly one spelling of it is accepted.
 *
 * Until the signature checks out the token is hostile, so the work stays
 * bounded: tokens over PGREST_JWT_MAX_LEN bytes are refused unread, and
 * the JSON parser (which recurses) is stopped once nesting goes deeper
 * than PGREST_JWT_MAX_DEPTH.  The header is only scanned for "alg", never
 * converted; the payload becomes jsonb only after the same scan passed.
 *
 * Verified tokens are remembered in a small per-process cache keyed on the
 * whole token text, so a client that repeats its token skips the HMAC and
 * the parsing.  The cache is emptied when the secret changes.  It holds
 * payloads, not verdicts: auth.c checks the claims on every request.
 *
 * Failures are pgrest errors with PostgREST's messages: 401 PGRST301 for a
 * token that cannot be decoded or verified, 401 PGRST303 for a payload
 * that is not a JSON object.
 *
 * This file never calls SPI and reads no catalog.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/jwt.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/base64.h"
#include "common/hashfn.h"
#include "common/hmac.h"
#include "common/jsonapi.h"
#include "common/sha2.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "error.h"
#include "jwt.h"

/* JSON deeper than this, in the header or the payload, is refused */
#define PGREST_JWT_MAX_DEPTH 64

/*
 * Numbers in the payload may carry an exponent of at most this magnitude.
 * jsonb stores numbers as numeric, whose input function refuses scales
 * beyond 16383 digits; with this bound and tokens of at most
 * PGREST_JWT_MAX_LEN bytes no number can reach that, and no claim needs
 * more.
 */
#define PGREST_JWT_MAX_EXPONENT 1000

/* verified tokens each process remembers */
#define PGREST_JWT_CACHE_SIZE 128

/* an HS256 signature in base64url: 32 bytes, 43 characters, no padding */
#define PGREST_JWT_SIGNATURE_LEN 43

#define JWT_DECODE_FAILED "JWT cryptographic operation failed"
#define JWT_CLAIMS_FAILED "Parsing claims failed"

/* what a pass of PostgreSQL's JSON parser over a segment learns */
typedef struct JsonScan
{
	const char *code;			/* the error for anything unacceptable */
	const char *message;
	int			depth;			/* nesting level the parser is at */
	bool		object;			/* the root is an object */
	bool		in_alg;			/* inside the top-level field "alg" */
	char	   *alg;			/* its value, when it is a string */
} JsonScan;

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
static char *cache_secret = NULL;	/* the secret the entries were verified
									 * with */

static void raise_jwt_error(const char *code, const char *message,
							const char *details) pg_attribute_noreturn();
static void check_header(const char *segment, int len);
static bool signature_matches(const char *token, int signed_len,
							  const char *signature, int signature_len,
							  const char *secret);
static Jsonb *decode_payload(const char *segment, int len);
static char *decode_segment(const char *segment, int len, int *decoded_len);
static void scan_json(char *json, int len, JsonScan *scan);
static void scan_fail(JsonScan *scan) pg_attribute_noreturn();
static void scan_object_start(void *state);
static void scan_object_end(void *state);
static void scan_array_start(void *state);
static void scan_array_end(void *state);
static void scan_field_start(void *state, char *fname, bool isnull);
static void scan_field_end(void *state, char *fname, bool isnull);
static void scan_scalar(void *state, char *token, JsonTokenType tokentype);
static Jsonb *cache_lookup(const char *token, int len, uint32 hash,
						   const char *secret);
static void cache_store(const char *token, int len, uint32 hash,
						const Jsonb *payload);
static Jsonb *copy_jsonb(const Jsonb *jb);

/*
 * Verify token with HS256 under secret and return its payload, a jsonb
 * object palloc'd in the current memory context.  Raises 401 PGRST301 or
 * PGRST303 for a token that does not verify.  Needs a resource owner
 * (pg_hmac registers its OpenSSL context with it), so call it inside a
 * transaction.
 */
Jsonb *
pgrest_jwt_verify(const char *token, const char *secret)
{
	size_t		len = strlen(token);
	const char *dots[2];
	int			ndots = 0;
	uint32		hash;
	Jsonb	   *payload;

	if (len > PGREST_JWT_MAX_LEN)
		raise_jwt_error("PGRST301", "JWT is too long",
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
		raise_jwt_error("PGRST301",
						psprintf("Expected 3 parts in JWT; got %d", ndots + 1),
						NULL);

	hash = hash_bytes((const unsigned char *) token, (int) len);
	payload = cache_lookup(token, (int) len, hash, secret);
	if (payload != NULL)
		return copy_jsonb(payload);

	check_header(token, (int) (dots[0] - token));
	if (!signature_matches(token, (int) (dots[1] - token),
						   dots[1] + 1, (int) (token + len - dots[1] - 1),
						   secret))
		raise_jwt_error("PGRST301", JWT_DECODE_FAILED, NULL);
	payload = decode_payload(dots[0] + 1, (int) (dots[1] - dots[0] - 1));

	cache_store(token, (int) len, hash, payload);
	return payload;
}

static void
raise_jwt_error(const char *code, const char *message, const char *details)
{
	pgrest_error_raise(401, code, message, details, NULL);
}

/*
 * The header must be a JSON object naming "alg": "HS256".  "none", and
 * every algorithm pgrest cannot verify, is refused before the signature is
 * looked at.
 */
static void
check_header(const char *segment, int len)
{
	JsonScan	scan = {"PGRST301", JWT_DECODE_FAILED};
	int			decoded_len;
	char	   *header = decode_segment(segment, len, &decoded_len);

	if (header == NULL)
		raise_jwt_error("PGRST301", JWT_DECODE_FAILED, NULL);
	scan_json(header, decoded_len, &scan);
	if (scan.alg == NULL)
		raise_jwt_error("PGRST301", JWT_DECODE_FAILED, NULL);
	if (strcmp(scan.alg, "HS256") != 0)
		raise_jwt_error("PGRST301", "Wrong or unsupported encoding algorithm",
						"pgrest accepts tokens signed with HS256 only.");
}

/*
 * Whether signature (base64url) is the HMAC-SHA256 of the first
 * signed_len bytes of token under secret.  The HMAC is encoded rather than
 * the signature decoded, so that only the canonical spelling matches, and
 * compared in constant time.
 */
static bool
signature_matches(const char *token, int signed_len,
				  const char *signature, int signature_len,
				  const char *secret)
{
	uint8		mac[PG_SHA256_DIGEST_LENGTH];
	char		encoded[PGREST_JWT_SIGNATURE_LEN + 2];
	pg_hmac_ctx *ctx;
	int			n;

	ctx = pg_hmac_create(PG_SHA256);
	if (ctx == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	if (pg_hmac_init(ctx, (const uint8 *) secret, strlen(secret)) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) token, signed_len) < 0 ||
		pg_hmac_final(ctx, mac, sizeof(mac)) < 0)
	{
		char	   *reason = pstrdup(pg_hmac_error(ctx));

		pg_hmac_free(ctx);
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute the HMAC of a JWT: %s", reason)));
	}
	pg_hmac_free(ctx);

	n = pg_b64_encode((const char *) mac, sizeof(mac),
					  encoded, sizeof(encoded));
	if (n != PGREST_JWT_SIGNATURE_LEN + 1 || encoded[n - 1] != '=')
		elog(ERROR, "unexpected base64 length %d of an HMAC-SHA256", n);
	for (int i = 0; i < PGREST_JWT_SIGNATURE_LEN; i++)
	{
		if (encoded[i] == '+')
			encoded[i] = '-';
		else if (encoded[i] == '/')
			encoded[i] = '_';
	}

	if (signature_len != PGREST_JWT_SIGNATURE_LEN)
		return false;
	return timingsafe_bcmp(encoded, signature, PGREST_JWT_SIGNATURE_LEN) == 0;
}

/*
 * The verified payload as jsonb.  Bad base64url is a decoding failure
 * (PGRST301); text that is not a JSON object is a claims failure
 * (PGRST303), as in PostgREST.
 */
static Jsonb *
decode_payload(const char *segment, int len)
{
	JsonScan	scan = {"PGRST303", JWT_CLAIMS_FAILED};
	int			decoded_len;
	char	   *payload = decode_segment(segment, len, &decoded_len);

	if (payload == NULL)
		raise_jwt_error("PGRST301", JWT_DECODE_FAILED, NULL);
	scan_json(payload, decoded_len, &scan);

	/* the scan proved it parses, shallow and with storable numbers */
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
											  CStringGetDatum(payload)));
}

/*
 * Decode one base64url segment (no padding, as JWS writes it) into a
 * NUL-terminated buffer, or return NULL when it is not base64url.
 * pg_b64_decode wants standard base64 with padding, so translate first.
 */
static char *
decode_segment(const char *segment, int len, int *decoded_len)
{
	int			padded_len = len + (4 - len % 4) % 4;
	char	   *b64;
	char	   *decoded;
	int			n;

	if (len % 4 == 1)
		return NULL;
	b64 = palloc(padded_len);
	for (int i = 0; i < len; i++)
	{
		char		c = segment[i];

		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
				   (c >= '0' && c <= '9')))
			return NULL;
		b64[i] = c;
	}
	for (int i = len; i < padded_len; i++)
		b64[i] = '=';

	decoded = palloc(pg_b64_dec_len(padded_len) + 1);
	n = pg_b64_decode(b64, padded_len, decoded, pg_b64_dec_len(padded_len));
	if (n < 0)
		return NULL;
	decoded[n] = '\0';
	*decoded_len = n;
	return decoded;
}

/*
 * Run PostgreSQL's JSON parser over json, noting the top-level "alg" on
 * the way.  Raises scan->code unless json is valid text in the database
 * encoding and parses as a JSON object of at most PGREST_JWT_MAX_DEPTH
 * levels whose numbers jsonb can store.
 */
static void
scan_json(char *json, int len, JsonScan *scan)
{
	JsonSemAction sem;
	JsonLexContext *lex;

	if (!pg_verifymbstr(json, len, true))
		scan_fail(scan);

	memset(&sem, 0, sizeof(sem));
	sem.semstate = scan;
	sem.object_start = scan_object_start;
	sem.object_end = scan_object_end;
	sem.array_start = scan_array_start;
	sem.array_end = scan_array_end;
	sem.object_field_start = scan_field_start;
	sem.object_field_end = scan_field_end;
	sem.scalar = scan_scalar;

	/* with escapes resolved, as jsonb_in will read it */
	lex = makeJsonLexContextCstringLen(json, len, GetDatabaseEncoding(), true);
	if (pg_parse_json(lex, &sem) != JSON_SUCCESS || !scan->object)
		scan_fail(scan);
}

static void
scan_fail(JsonScan *scan)
{
	raise_jwt_error(scan->code, scan->message, NULL);
}

/*
 * The parser calls these before it descends into a container, so raising
 * here bounds its recursion.
 */
static void
scan_object_start(void *state)
{
	JsonScan   *scan = (JsonScan *) state;

	if (scan->depth == 0)
		scan->object = true;
	if (++scan->depth > PGREST_JWT_MAX_DEPTH)
		scan_fail(scan);
}

static void
scan_object_end(void *state)
{
	((JsonScan *) state)->depth--;
}

static void
scan_array_start(void *state)
{
	JsonScan   *scan = (JsonScan *) state;

	if (++scan->depth > PGREST_JWT_MAX_DEPTH)
		scan_fail(scan);
}

static void
scan_array_end(void *state)
{
	((JsonScan *) state)->depth--;
}

/* a repeated "alg" counts with its last value, as in jsonb */
static void
scan_field_start(void *state, char *fname, bool isnull)
{
	JsonScan   *scan = (JsonScan *) state;

	if (scan->depth == 1 && strcmp(fname, "alg") == 0)
	{
		scan->in_alg = true;
		scan->alg = NULL;
	}
}

static void
scan_field_end(void *state, char *fname, bool isnull)
{
	JsonScan   *scan = (JsonScan *) state;

	if (scan->depth == 1)
		scan->in_alg = false;
}

static void
scan_scalar(void *state, char *token, JsonTokenType tokentype)
{
	JsonScan   *scan = (JsonScan *) state;

	if (scan->in_alg && scan->depth == 1 && tokentype == JSON_TOKEN_STRING)
		scan->alg = token;
	if (tokentype == JSON_TOKEN_NUMBER)
	{
		const char *e = strpbrk(token, "eE");

		if (e != NULL)
		{
			long		exponent;

			errno = 0;
			exponent = strtol(e + 1, NULL, 10);
			if (errno != 0 || exponent > PGREST_JWT_MAX_EXPONENT ||
				exponent < -PGREST_JWT_MAX_EXPONENT)
				scan_fail(scan);
		}
	}
}

/*
 * The payload of a token verified before, or NULL.  Entries verified with
 * another secret are dropped first.  Tokens are compared in constant time
 * so that timing tells nothing about the tokens of other clients.
 */
static Jsonb *
cache_lookup(const char *token, int len, uint32 hash, const char *secret)
{
	if (cache_secret == NULL || strcmp(cache_secret, secret) != 0)
	{
		if (cache_context == NULL)
			cache_context = AllocSetContextCreate(TopMemoryContext,
												  "pgrest jwt cache",
												  ALLOCSET_DEFAULT_SIZES);
		MemoryContextReset(cache_context);
		memset(cache, 0, sizeof(cache));
		cache_next = 0;
		cache_secret = MemoryContextStrdup(cache_context, secret);
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
