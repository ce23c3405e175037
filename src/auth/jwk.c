/*-------------------------------------------------------------------------
 *
 * jwk.c
 *	  The keys JWTs are verified with, and the verification itself.
 *
 * pgrest.jwt_secret is, as in PostgREST, one of:
 *
 *	 a secret				at least 32 bytes, for HS256, HS384, HS512
 *	 a JWK					{"kty": ..., ...}: "oct" (HS*), "RSA" (RS256,
 *							RS384, RS512), "EC" on P-256 (ES256) or P-384
 *							(ES384), "OKP" on Ed25519 (EdDSA)
 *	 a JWK Set				{"keys": [JWK, ...]}
 *	 @/path/to/file			any of the above, read from the file (one
 *							trailing line break dropped): the setting,
 *							and so the server log and SHOW, hold only the
 *							path
 *
 * A key verifies only the algorithms of its type, and only its "alg" when
 * the JWK names one: an RSA public key is never taken as an HMAC secret,
 * whatever a token's header says.  JWKs whose "use" is not "sig" are
 * left out.  A token's "kid" chooses the keys that carry the same "kid"
 * (keys without one stay candidates).  An RSA key with a modulus under
 * 2048 bits or a public exponent under 65537 (or even) keeps the whole
 * setting from loading.
 *
 * HTTP workers load the keys when they start and again after every
 * configuration reload (pgrest_jwk_load), so a rewritten key file takes
 * effect on pg_reload_conf(); elsewhere (pgrest.handle()) they are loaded
 * when first needed.  Whenever the setting's text differs from the one
 * the keys came from, they are loaded again.  Keys that do not load answer every
 * request with a token with 500 PGRST300 and are logged (never their
 * content).
 *
 * HMACs are PostgreSQL's pg_hmac; RSA, ECDSA and Ed25519 signatures are
 * OpenSSL's libcrypto, which PostgreSQL links too.  OpenSSL objects are
 * freed on every path before anything can raise an ERROR.
 *
 * This file never calls SPI and reads no catalog.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/auth/jwk.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "auth/layer.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "common/base64.h"
#include "common/hmac.h"
#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "storage/fd.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "base/error.h"
#include "server/guc.h"
#include "base/jsonparse.h"
#include "auth/jwk.h"

/* the shortest HMAC secret accepted, as in PostgREST */
#define PGREST_MIN_SECRET_LEN 32

/*
 * The weakest RSA key accepted: a modulus of 2048 bits (NIST SP 800-57,
 * RFC 7518's minimum for RS*), an odd public exponent of at least 65537
 * (small exponents invite the attacks on e = 3).
 */
#define PGREST_MIN_RSA_BITS 2048
#define PGREST_MIN_RSA_EXPONENT 65537

/* key files larger than this are refused */
#define PGREST_MAX_KEY_FILE (1024 * 1024)

#define HS_ALGS (PGREST_ALG_HS256 | PGREST_ALG_HS384 | PGREST_ALG_HS512)
#define RS_ALGS (PGREST_ALG_RS256 | PGREST_ALG_RS384 | PGREST_ALG_RS512)

struct PgrestJwk
{
	char	   *kid;			/* NULL: none */
	int			algs;			/* the algorithms it may verify */
	uint8	   *secret;			/* HMAC */
	int			secret_len;
	EVP_PKEY   *pkey;			/* RSA, EC, OKP */
};

static const struct
{
	const char *name;
	int			alg;
}			algorithms[] =
{
	{"HS256", PGREST_ALG_HS256},
	{"HS384", PGREST_ALG_HS384},
	{"HS512", PGREST_ALG_HS512},
	{"RS256", PGREST_ALG_RS256},
	{"RS384", PGREST_ALG_RS384},
	{"RS512", PGREST_ALG_RS512},
	{"ES256", PGREST_ALG_ES256},
	{"ES384", PGREST_ALG_ES384},
	{"EdDSA", PGREST_ALG_EDDSA},
};

static MemoryContext keys_context = NULL;
static PgrestJwks *current = NULL;
static char *current_source = NULL;	/* the setting the keys came from */
static char *current_error = NULL;	/* why there are no keys */
static bool current_base64 = false; /* pgrest.jwt_secret_is_base64 then */
static uint64 generation = 0;

static void load_keys(void);
static void free_keys(void);
static char *secret_text(const char *setting, char **error);
static void parse_keys(PgrestJwks *set, const char *text, size_t len, char **error);
static char *decode_base64_secret(const char *secret, size_t *len, char **error);
static PgrestJwk *parse_jwk(JsonbContainer *jwk, char **error);
static char *jwk_string(JsonbContainer *jwk, const char *name);
static uint8 *jwk_bytes(JsonbContainer *jwk, const char *name, int *len,
						char **error);
static char *rsa_weakness(const uint8 *n, int nlen, const uint8 *e, int elen);
static EVP_PKEY *rsa_key(const uint8 *n, int nlen, const uint8 *e, int elen);
static EVP_PKEY *ec_key(const char *group, const uint8 *x, const uint8 *y,
						int len);
static bool hmac_matches(const PgrestJwk *key, int alg,
						 const char *signed_part, int signed_len,
						 const char *signature, int signature_len);
static bool pkey_verifies(EVP_PKEY *pkey, const EVP_MD *md,
						  const uint8 *data, size_t len,
						  const uint8 *sig, size_t sig_len);
static uint8 *ecdsa_der(const uint8 *raw, int raw_len, int *der_len);
static char *base64url_encode(const uint8 *data, int len);

/*
 * The keys of pgrest.jwt_secret, loaded if the setting changed or a
 * reload asked for it.  Raises 500 PGRST300 when they do not load.
 */
const PgrestJwks *
pgrest_jwk_keys(void)
{
	if (current == NULL || current_source == NULL ||
		strcmp(current_source, pgrest_jwt_secret) != 0 ||
		current_base64 != pgrest_jwt_secret_is_base64)
		load_keys();
	if (current_error != NULL)
		pgrest_error_raise(PGREST_ERR_JWT_SECRET, "Server lacks a usable JWT secret",
						   current_error,
						   "Check pgrest.jwt_secret: a secret of at least 32 bytes, a JWK, a JWK Set, or @ and a file holding one.");
	return current;
}

/*
 * Load the keys now (an HTTP worker, at start and after each configuration
 * reload: a rewritten key file takes effect then, and only then).  Keys
 * that do not load are logged, not raised.  Call inside a transaction.
 */
void
pgrest_jwk_load(void)
{
	if (pgrest_jwt_secret[0] != '\0')
		load_keys();
}

/* The algorithm named in a token's header, or 0 if pgrest knows none such. */
int
pgrest_jwk_alg(const char *name)
{
	for (size_t i = 0; i < lengthof(algorithms); i++)
	{
		if (strcmp(name, algorithms[i].name) == 0)
			return algorithms[i].alg;
	}
	return 0;
}

/* Whether key may verify a token signed with alg and naming kid (or NULL). */
bool
pgrest_jwk_may_verify(const PgrestJwk *key, int alg, const char *kid)
{
	if ((key->algs & alg) == 0)
		return false;
	return key->kid == NULL || kid == NULL || strcmp(key->kid, kid) == 0;
}

/*
 * Whether signature (base64url, as in the token) signs signed_part with
 * key under alg.  Raises nothing: a signature that does not decode does
 * not verify.
 */
bool
pgrest_jwk_verify(const PgrestJwk *key, int alg, const char *signed_part,
				  int signed_len, const char *signature, int signature_len)
{
	uint8	   *sig;
	int			sig_len;
	bool		ok = false;

	if (alg & HS_ALGS)
		return hmac_matches(key, alg, signed_part, signed_len,
							signature, signature_len);

	sig = (uint8 *) pgrest_jwk_base64url_decode(signature, signature_len, &sig_len);
	if (sig == NULL || key->pkey == NULL)
		return false;
	if (alg & RS_ALGS)
		ok = pkey_verifies(key->pkey,
						   alg == PGREST_ALG_RS256 ? EVP_sha256() :
						   alg == PGREST_ALG_RS384 ? EVP_sha384() : EVP_sha512(),
						   (const uint8 *) signed_part, signed_len, sig, sig_len);
	else if (alg & (PGREST_ALG_ES256 | PGREST_ALG_ES384))
	{
		/* JWS writes r || s, each as long as the curve's order */
		int			expected = alg == PGREST_ALG_ES256 ? 64 : 96;
		int			der_len;
		uint8	   *der;

		if (sig_len != expected)
			return false;
		der = ecdsa_der(sig, sig_len, &der_len);
		if (der == NULL)
			return false;
		ok = pkey_verifies(key->pkey,
						   alg == PGREST_ALG_ES256 ? EVP_sha256() : EVP_sha384(),
						   (const uint8 *) signed_part, signed_len, der, der_len);
		OPENSSL_free(der);
	}
	else if (alg == PGREST_ALG_EDDSA)
		ok = pkey_verifies(key->pkey, NULL, (const uint8 *) signed_part,
						   signed_len, sig, sig_len);
	return ok;
}

/*
 * Decode base64url without padding (as JWS writes it) into a palloc'd,
 * NUL-terminated buffer; NULL unless s is exactly the canonical encoding
 * of what it decodes to, so that each value has one spelling.
 */
char *
pgrest_jwk_base64url_decode(const char *s, int len, int *decoded_len)
{
	int			padded_len = len + (4 - len % 4) % 4;
	char	   *b64;
	char	   *decoded;
	char	   *again;
	int			n;

	if (len % 4 == 1)
		return NULL;
	b64 = palloc(padded_len + 1);
	for (int i = 0; i < len; i++)
	{
		char		c = s[i];

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
	again = base64url_encode((const uint8 *) decoded, n);
	if ((int) strlen(again) != len || memcmp(again, s, len) != 0)
		return NULL;
	*decoded_len = n;
	return decoded;
}

/*
 * Load the keys of the current setting into a context of their own; on
 * failure keep the reason (current_error) and log it once.
 */
static void
load_keys(void)
{
	MemoryContext old;
	char	   *error = NULL;
	char	   *input;

	free_keys();
	keys_context = AllocSetContextCreate(TopMemoryContext, "pgrest jwt keys",
										 ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(keys_context);
	current = palloc0(sizeof(PgrestJwks));
	current->generation = ++generation;
	current_source = pstrdup(pgrest_jwt_secret);
	current_base64 = pgrest_jwt_secret_is_base64;
	PG_TRY();
	{
		size_t		len = 0;

		input = secret_text(pgrest_jwt_secret, &error);
		if (input != NULL)
			len = strlen(input);
		if (input != NULL && current_base64)
			input = decode_base64_secret(input, &len, &error);
		if (input != NULL)
			parse_keys(current, input, len, &error);
	}
	PG_CATCH();
	{
		/* try again next time; the keys made so far go then */
		current_source = NULL;
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (error == NULL && current->nkeys == 0)
		error = "The key set holds no key that verifies signatures.";
	if (error != NULL)
	{
		current_error = pstrdup(error);
		ereport(LOG,
				(errmsg("pgrest cannot use pgrest.jwt_secret: %s", error)));
	}
	MemoryContextSwitchTo(old);
}

/* Free the keys, OpenSSL's objects first. */
static void
free_keys(void)
{
	if (current != NULL)
	{
		for (int i = 0; i < current->nkeys; i++)
			EVP_PKEY_free(current->keys[i]->pkey);
	}
	if (keys_context != NULL)
		MemoryContextDelete(keys_context);
	keys_context = NULL;
	current = NULL;
	current_source = NULL;
	current_error = NULL;
}

/*
 * The bytes of a base64 secret (pgrest.jwt_secret_is_base64), decoded as
 * PostgREST decodes them: blanks around it dropped, the URL-safe alphabet
 * ("-", "_", and "." for padding) taken for the standard one.
 */
static char *
decode_base64_secret(const char *secret, size_t *len, char **error)
{
	char	   *copy;
	char	   *end;
	char	   *decoded;
	int			n;

	while (*secret == ' ' || *secret == '\t' || *secret == '\n' || *secret == '\r')
		secret++;
	copy = pstrdup(secret);
	end = copy + strlen(copy);
	while (end > copy && (end[-1] == ' ' || end[-1] == '\t' ||
						  end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	for (char *c = copy; *c; c++)
	{
		if (*c == '-')
			*c = '+';
		else if (*c == '_')
			*c = '/';
		else if (*c == '.')
			*c = '=';
	}
	decoded = palloc(pg_b64_dec_len(strlen(copy)) + 1);
	n = pg_b64_decode(copy, strlen(copy), decoded, pg_b64_dec_len(strlen(copy)));
	if (n < 0 || strlen(copy) % 4 != 0)
	{
		*error = "pgrest.jwt_secret_is_base64 is on, but the secret is not valid base64.";
		return NULL;
	}
	decoded[n] = '\0';
	*len = n;
	return decoded;
}

/* The secret's text: the setting itself, or the file "@path" names. */
static char *
secret_text(const char *setting, char **error)
{
	const char *path;
	FILE	   *file;
	StringInfoData buf;
	char		chunk[8192];
	size_t		n;

	if (setting[0] != '@')
		return pstrdup(setting);
	path = setting + 1;
	file = AllocateFile(path, "r");
	if (file == NULL)
	{
		*error = psprintf("could not open the key file \"%s\": %m", path);
		return NULL;
	}
	initStringInfo(&buf);
	while ((n = fread(chunk, 1, sizeof(chunk), file)) > 0)
	{
		if (buf.len + n > PGREST_MAX_KEY_FILE)
		{
			FreeFile(file);
			*error = psprintf("the key file \"%s\" is larger than %d bytes",
							  path, PGREST_MAX_KEY_FILE);
			return NULL;
		}
		appendBinaryStringInfo(&buf, chunk, n);
	}
	if (ferror(file))
	{
		*error = psprintf("could not read the key file \"%s\": %m", path);
		FreeFile(file);
		return NULL;
	}
	FreeFile(file);
	if (buf.len > 0 && buf.data[buf.len - 1] == '\n')
		buf.data[--buf.len] = '\0';
	if (buf.len > 0 && buf.data[buf.len - 1] == '\r')
		buf.data[--buf.len] = '\0';
	if (memchr(buf.data, '\0', buf.len) != NULL)
	{
		*error = psprintf("the key file \"%s\" holds a NUL byte", path);
		return NULL;
	}
	return buf.data;
}

/*
 * Parse the secret's text into keys: JSON (a JWK or a JWK Set) when it is
 * a JSON object, else an HMAC secret.
 */
static void
parse_keys(PgrestJwks *set, const char *input, size_t len, char **error)
{
	const char *p = input;
	Jsonb	   *json;
	JsonbValue *keys;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p != '{' || memchr(input, '\0', len) != NULL)
	{
		PgrestJwk  *key = palloc0(sizeof(PgrestJwk));

		if (len < PGREST_MIN_SECRET_LEN)
		{
			*error = psprintf("The JWT secret is %zu bytes long; it must be at least %d bytes.",
							  len, PGREST_MIN_SECRET_LEN);
			return;
		}
		key->algs = HS_ALGS;
		key->secret = (uint8 *) pnstrdup(input, len);
		key->secret_len = (int) len;
		set->keys = palloc(sizeof(PgrestJwk *));
		set->keys[set->nkeys++] = key;
		return;
	}

	json = pgrest_jsonb_parse(input, strlen(input), PGREST_JSON_MAX_DEPTH);
	if (json == NULL)
	{
		*error = "The key text is not valid JSON.";
		return;
	}
	keys = getKeyJsonValueFromContainer(&json->root, "keys", 4, NULL);
	if (keys == NULL)
	{
		PgrestJwk  *key = parse_jwk(&json->root, error);

		if (key != NULL)
		{
			set->keys = palloc(sizeof(PgrestJwk *));
			set->keys[set->nkeys++] = key;
		}
		return;
	}
	if (keys->type != jbvBinary || !JsonContainerIsArray(keys->val.binary.data))
	{
		*error = "\"keys\" of a JWK Set must be an array.";
		return;
	}
	set->keys = palloc(sizeof(PgrestJwk *) *
					   Max(JsonContainerSize(keys->val.binary.data), 1));
	for (uint32 i = 0; i < JsonContainerSize(keys->val.binary.data); i++)
	{
		JsonbValue *elem = getIthJsonbValueFromContainer(keys->val.binary.data, i);
		PgrestJwk  *key;

		if (elem == NULL || elem->type != jbvBinary ||
			!JsonContainerIsObject(elem->val.binary.data))
		{
			*error = "Every key of a JWK Set must be a JSON object.";
			return;
		}
		key = parse_jwk(elem->val.binary.data, error);
		if (*error != NULL)
			return;
		if (key != NULL)
			set->keys[set->nkeys++] = key;
	}
}

/*
 * One JWK, or NULL: with *error set when it is malformed, without when it
 * is not for signatures ("use" other than "sig").
 */
static PgrestJwk *
parse_jwk(JsonbContainer *jwk, char **error)
{
	PgrestJwk  *key = palloc0(sizeof(PgrestJwk));
	char	   *kty = jwk_string(jwk, "kty");
	char	   *use = jwk_string(jwk, "use");
	char	   *alg = jwk_string(jwk, "alg");
	char	   *crv = jwk_string(jwk, "crv");

	if (use != NULL && strcmp(use, "sig") != 0)
		return NULL;
	key->kid = jwk_string(jwk, "kid");
	if (kty == NULL)
	{
		*error = "A JWK has no \"kty\".";
		return NULL;
	}
	if (strcmp(kty, "oct") == 0)
	{
		key->algs = HS_ALGS;
		key->secret = jwk_bytes(jwk, "k", &key->secret_len, error);
		if (key->secret == NULL)
			return NULL;
	}
	else if (strcmp(kty, "RSA") == 0)
	{
		int			nlen;
		int			elen;
		uint8	   *n = jwk_bytes(jwk, "n", &nlen, error);
		uint8	   *e = n ? jwk_bytes(jwk, "e", &elen, error) : NULL;

		if (e == NULL)
			return NULL;
		if ((*error = rsa_weakness(n, nlen, e, elen)) != NULL)
			return NULL;
		key->algs = RS_ALGS;
		key->pkey = rsa_key(n, nlen, e, elen);
	}
	else if (strcmp(kty, "EC") == 0)
	{
		int			size = crv == NULL ? 0 :
			strcmp(crv, "P-256") == 0 ? 32 : strcmp(crv, "P-384") == 0 ? 48 : 0;
		int			xlen;
		int			ylen;
		uint8	   *x;
		uint8	   *y;

		if (size == 0)
		{
			*error = psprintf("An EC JWK's curve must be P-256 or P-384, not %s.",
							  crv ? crv : "none");
			return NULL;
		}
		x = jwk_bytes(jwk, "x", &xlen, error);
		y = x ? jwk_bytes(jwk, "y", &ylen, error) : NULL;
		if (y == NULL)
			return NULL;
		if (xlen != size || ylen != size)
		{
			*error = "An EC JWK's coordinates do not fit its curve.";
			return NULL;
		}
		key->algs = size == 32 ? PGREST_ALG_ES256 : PGREST_ALG_ES384;
		key->pkey = ec_key(size == 32 ? "prime256v1" : "secp384r1", x, y, size);
	}
	else if (strcmp(kty, "OKP") == 0)
	{
		int			xlen;
		uint8	   *x;

		if (crv == NULL || strcmp(crv, "Ed25519") != 0)
		{
			*error = psprintf("An OKP JWK's curve must be Ed25519, not %s.",
							  crv ? crv : "none");
			return NULL;
		}
		x = jwk_bytes(jwk, "x", &xlen, error);
		if (x == NULL)
			return NULL;
		key->algs = PGREST_ALG_EDDSA;
		key->pkey = xlen == 32 ?
			EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, xlen) : NULL;
	}
	else
	{
		*error = psprintf("JWKs of type \"%s\" are not supported.", kty);
		return NULL;
	}
	if (key->secret == NULL && key->pkey == NULL)
	{
		ERR_clear_error();
		*error = psprintf("A JWK of type \"%s\" is not a valid public key.", kty);
		return NULL;
	}
	if (alg != NULL)
	{
		int			only = pgrest_jwk_alg(alg);

		if ((only & key->algs) == 0)
		{
			EVP_PKEY_free(key->pkey);
			*error = psprintf("A JWK of type \"%s\" cannot verify %s.", kty, alg);
			return NULL;
		}
		key->algs = only;
	}
	return key;
}

/* A string member of a JWK, or NULL. */
static char *
jwk_string(JsonbContainer *jwk, const char *name)
{
	JsonbValue *v = getKeyJsonValueFromContainer(jwk, name, strlen(name), NULL);

	if (v == NULL || v->type != jbvString)
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* A base64url member of a JWK, decoded; NULL with *error if missing or bad. */
static uint8 *
jwk_bytes(JsonbContainer *jwk, const char *name, int *len, char **error)
{
	char	   *input = jwk_string(jwk, name);
	char	   *bytes;

	if (input == NULL)
	{
		*error = psprintf("A JWK lacks \"%s\".", name);
		return NULL;
	}
	bytes = pgrest_jwk_base64url_decode(input, strlen(input), len);
	if (bytes == NULL || *len == 0)
	{
		*error = psprintf("A JWK's \"%s\" is not base64url.", name);
		return NULL;
	}
	return (uint8 *) bytes;
}

/*
 * Why an RSA key (its modulus and exponent, big-endian) is too weak to
 * verify tokens with, or NULL if it is not: a forger factors a short
 * modulus, and a small exponent is what several signature forgeries
 * need.
 */
static char *
rsa_weakness(const uint8 *n, int nlen, const uint8 *e, int elen)
{
	int			bits;
	uint64		exponent = 0;

	while (nlen > 0 && n[0] == 0)
		n++, nlen--;
	bits = nlen * 8;
	for (uint8 top = nlen > 0 ? n[0] : 0; bits > 0 && (top & 0x80) == 0; top <<= 1)
		bits--;
	if (bits < PGREST_MIN_RSA_BITS)
		return psprintf("An RSA JWK's modulus has %d bits; pgrest accepts RSA keys of %d bits or more.",
						bits, PGREST_MIN_RSA_BITS);

	while (elen > 0 && e[0] == 0)
		e++, elen--;
	if (elen > (int) sizeof(uint64))
		exponent = PG_UINT64_MAX;
	else
		for (int i = 0; i < elen; i++)
			exponent = (exponent << 8) | e[i];
	if (exponent < PGREST_MIN_RSA_EXPONENT || (e[elen - 1] & 1) == 0)
		return psprintf("An RSA JWK's public exponent is %s; pgrest accepts odd exponents of %d or more.",
						elen > (int) sizeof(uint64) ? "larger than 64 bits and even" :
						psprintf(UINT64_FORMAT, exponent),
						PGREST_MIN_RSA_EXPONENT);
	return NULL;
}

/* An RSA public key from its modulus and exponent, or NULL. */
static EVP_PKEY *
rsa_key(const uint8 *n, int nlen, const uint8 *e, int elen)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM	   *bn_n = BN_bin2bn(n, nlen, NULL);
	BIGNUM	   *bn_e = BN_bin2bn(e, elen, NULL);
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY   *pkey = NULL;

	if (bld != NULL && bn_n != NULL && bn_e != NULL && ctx != NULL &&
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) &&
		(params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
		EVP_PKEY_fromdata_init(ctx) == 1)
	{
		if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
			pkey = NULL;
	}
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	BN_free(bn_n);
	BN_free(bn_e);
	OSSL_PARAM_BLD_free(bld);
	ERR_clear_error();
	return pkey;
}

/* An EC public key on group from its coordinates, checked on the curve. */
static EVP_PKEY *
ec_key(const char *group, const uint8 *x, const uint8 *y, int len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	uint8		point[1 + 2 * 48];
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY_CTX *check = NULL;
	EVP_PKEY   *pkey = NULL;

	point[0] = 0x04;			/* uncompressed */
	memcpy(point + 1, x, len);
	memcpy(point + 1 + len, y, len);
	if (bld != NULL && ctx != NULL &&
		OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
		OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * len) &&
		(params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
		EVP_PKEY_fromdata_init(ctx) == 1 &&
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1)
	{
		check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
		if (check == NULL || EVP_PKEY_public_check(check) != 1)
		{
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
	}
	else
		pkey = NULL;
	EVP_PKEY_CTX_free(check);
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_BLD_free(bld);
	ERR_clear_error();
	return pkey;
}

/*
 * HS256/384/512: the HMAC of signed_part under the key, encoded as
 * base64url and compared in constant time with the token's signature, so
 * that only the canonical spelling matches.
 */
static bool
hmac_matches(const PgrestJwk *key, int alg, const char *signed_part,
			 int signed_len, const char *signature, int signature_len)
{
	pg_cryptohash_type type = alg == PGREST_ALG_HS256 ? PG_SHA256 :
		alg == PGREST_ALG_HS384 ? PG_SHA384 : PG_SHA512;
	int			mac_len = alg == PGREST_ALG_HS256 ? 32 :
		alg == PGREST_ALG_HS384 ? 48 : 64;
	uint8		mac[64];
	pg_hmac_ctx *ctx;
	char	   *encoded;

	if (key->secret == NULL)
		return false;
	ctx = pg_hmac_create(type);
	if (ctx == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	if (pg_hmac_init(ctx, key->secret, key->secret_len) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) signed_part, signed_len) < 0 ||
		pg_hmac_final(ctx, mac, mac_len) < 0)
	{
		char	   *reason = pstrdup(pg_hmac_error(ctx));

		pg_hmac_free(ctx);
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute the HMAC of a JWT: %s", reason)));
	}
	pg_hmac_free(ctx);
	encoded = base64url_encode(mac, mac_len);
	if ((int) strlen(encoded) != signature_len)
		return false;
	return timingsafe_bcmp(encoded, signature, signature_len) == 0;
}

/* One signature check with OpenSSL; errors mean "does not verify". */
static bool
pkey_verifies(EVP_PKEY *pkey, const EVP_MD *md, const uint8 *data, size_t len,
			  const uint8 *sig, size_t sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool		ok = false;

	if (ctx != NULL &&
		EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1 &&
		EVP_DigestVerify(ctx, sig, sig_len, data, len) == 1)
		ok = true;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

/* r || s as OpenSSL's DER ECDSA signature (OPENSSL_malloc'd), or NULL. */
static uint8 *
ecdsa_der(const uint8 *raw, int raw_len, int *der_len)
{
	ECDSA_SIG  *sig = ECDSA_SIG_new();
	BIGNUM	   *r = BN_bin2bn(raw, raw_len / 2, NULL);
	BIGNUM	   *s = BN_bin2bn(raw + raw_len / 2, raw_len / 2, NULL);
	uint8	   *der = NULL;
	int			n;

	if (sig == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(sig, r, s) != 1)
	{
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return NULL;
	}
	n = i2d_ECDSA_SIG(sig, &der);
	ECDSA_SIG_free(sig);		/* frees r and s */
	if (n <= 0)
		return NULL;
	*der_len = n;
	return der;
}

/* base64url without padding, palloc'd */
static char *
base64url_encode(const uint8 *data, int len)
{
	int			cap = pg_b64_enc_len(len) + 1;
	char	   *out = palloc(cap);
	int			n = pg_b64_encode((const char *) data, len, out, cap);

	if (n < 0)
		elog(ERROR, "could not encode base64");
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (int i = 0; i < n; i++)
	{
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	return out;
}
