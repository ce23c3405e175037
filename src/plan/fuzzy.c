/*-------------------------------------------------------------------------
 *
 * fuzzy.c
 *	  "Perhaps you meant ...": the closest of some names to a name that
 *	  was not found, chosen as PostgREST chooses it.
 *
 * PostgREST suggests names with a fuzzy string set (the Haskell fuzzyset
 * package, after fuzzyset.js), and clients see its choice in error
 * hints, so pgrest computes the same thing:
 *
 *	 - names compare lowercased; an exact match scores 1;
 *	 - otherwise each name is cut into n-grams (trigrams first, then
 *	   bigrams if no trigram matches) of its normalized form: letters,
 *	   digits, spaces and commas only, enclosed in '-';
 *	 - candidates sharing n-grams are ranked by cosine similarity, the
 *	   best 50 re-ranked by normalized Levenshtein similarity
 *	   (1 - distance / longer length), and those scoring at least 0.33
 *	   (0.75 for some hints) are matches, best first.
 *
 * Lengths and distances count characters, not bytes.  This file is pure
 * computation: no catalog, no SPI.
 *
 * Copyright (c) 2026, pgrest contributors
 *
 * src/plan/fuzzy.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "plan/layer.h"

#include <math.h>

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "plan/fuzzy.h"

#define MIN_SCORE 0.33
#define RESCORED 50
#define MAX_NAME_CHARS 256		/* longer names are cut (they match nothing) */

/* a name as characters */
typedef struct Chars
{
	pg_wchar   *c;
	int			n;
} Chars;

/* one n-gram and how often it occurs */
typedef struct Gram
{
	pg_wchar	c[3];
	int			count;
} Gram;

/* a candidate */
typedef struct Entry
{
	const char *name;			/* as given */
	Chars		lower;			/* lowercased */
	int			order;			/* its place among the candidates */
	double		score;
} Entry;

static List *fuzzy_matches(List *candidates, const char *name, double min_score);
static Chars to_chars(const char *s, bool normalize);
static pg_wchar lower_char(pg_wchar c);
static int	grams_of(const Chars *s, int size, Gram *out);
static double magnitude(const Gram *grams, int n);
static double levenshtein_similarity(const Chars *a, const Chars *b);
static int	compare_scores(const void *a, const void *b);

/*
 * The candidates (char *) matching name, best first, as fuzzyset's get:
 * at most one entry of each lowercased name, the first given.
 */
List *
pgrest_fuzzy_matches(List *candidates, const char *name)
{
	return fuzzy_matches(candidates, name, MIN_SCORE);
}

/* those scoring at least min_score */
static List *
fuzzy_matches(List *candidates, const char *name, double min_score)
{
	int			ncand = list_length(candidates);
	Entry	   *entries = palloc0(sizeof(Entry) * Max(ncand, 1));
	int			nentries = 0;
	Chars		key = to_chars(name, false);
	List	   *result = NIL;
	ListCell   *lc;

	/* distinct lowercased names; an exact one wins outright */
	foreach(lc, candidates)
	{
		const char *candidate = (const char *) lfirst(lc);
		Chars		lower = to_chars(candidate, false);
		bool		seen = false;

		for (int i = 0; i < nentries && !seen; i++)
			seen = entries[i].lower.n == lower.n &&
				memcmp(entries[i].lower.c, lower.c, sizeof(pg_wchar) * lower.n) == 0;
		if (seen)
			continue;
		if (lower.n == key.n && memcmp(lower.c, key.c, sizeof(pg_wchar) * key.n) == 0)
			return list_make1((char *) candidate);
		entries[nentries].name = candidate;
		entries[nentries].lower = lower;
		entries[nentries].order = nentries;
		nentries++;
	}

	for (int size = 3; size >= 2 && result == NIL; size--)
	{
		Chars		normal = to_chars(name, true);
		Gram	   *query = palloc(sizeof(Gram) * (normal.n + 2));
		int			nquery = grams_of(&normal, size, query);
		double		qmag = magnitude(query, nquery);
		Entry	   *scored = palloc(sizeof(Entry) * Max(nentries, 1));
		int			nscored = 0;

		for (int i = 0; i < nentries; i++)
		{
			Chars		entry_normal;
			Gram	   *grams;
			int			ngrams;
			double		dot = 0;

			CHECK_FOR_INTERRUPTS();
			/* the entry's grams are those of its lowercased name, normalized */
			entry_normal = to_chars(entries[i].name, true);
			grams = palloc(sizeof(Gram) * (entry_normal.n + 2));
			ngrams = grams_of(&entry_normal, size, grams);
			for (int q = 0; q < nquery; q++)
			{
				for (int g = 0; g < ngrams; g++)
				{
					if (memcmp(query[q].c, grams[g].c, sizeof(pg_wchar) * size) == 0)
						dot += (double) query[q].count * grams[g].count;
				}
			}
			if (dot > 0)
			{
				scored[nscored] = entries[i];
				scored[nscored].score = dot / (qmag * magnitude(grams, ngrams));
				nscored++;
			}
		}
		qsort(scored, nscored, sizeof(Entry), compare_scores);

		/* the best by cosine, re-ranked by edit distance */
		nscored = Min(nscored, RESCORED);
		for (int i = 0; i < nscored; i++)
			scored[i].score = levenshtein_similarity(&key, &scored[i].lower);
		qsort(scored, nscored, sizeof(Entry), compare_scores);
		for (int i = 0; i < nscored; i++)
		{
			if (scored[i].score >= min_score)
				result = lappend(result, (char *) scored[i].name);
		}
	}
	return result;
}

/* The best of the candidates for name, or NULL (fuzzyset's getOne). */
const char *
pgrest_fuzzy_best(List *candidates, const char *name)
{
	return pgrest_fuzzy_best_scored(candidates, name, MIN_SCORE);
}

/* The same with a higher minimum score (getOneWithMinScore). */
const char *
pgrest_fuzzy_best_scored(List *candidates, const char *name, double min_score)
{
	List	   *matches = fuzzy_matches(candidates, name, min_score);

	return matches ? linitial(matches) : NULL;
}

/*
 * The name as characters, lowercased; with normalize, only letters,
 * digits, white space and commas are kept.
 */
static Chars
to_chars(const char *s, bool normalize)
{
	int			len = strlen(s);
	pg_wchar   *all = palloc(sizeof(pg_wchar) * (len + 1));
	int			n = pg_mb2wchar_with_len(s, all, len);
	Chars		out;

	n = Min(n, MAX_NAME_CHARS);
	out.c = palloc(sizeof(pg_wchar) * (n + 1));
	out.n = 0;
	for (int i = 0; i < n; i++)
	{
		pg_wchar	c = lower_char(all[i]);

		/* characters beyond ASCII count as letters */
		if (normalize &&
			!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c > 127 ||
			  c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
			  c == '\f' || c == '\v' || c == ','))
			continue;
		out.c[out.n++] = c;
	}
	return out;
}

static pg_wchar
lower_char(pg_wchar c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/*
 * The n-grams of "-s-" with their counts, distinct, in order of first
 * occurrence; returns how many.
 */
static int
grams_of(const Chars *s, int size, Gram *out)
{
	int			len = s->n + 2;
	pg_wchar   *padded = palloc(sizeof(pg_wchar) * len);
	int			n = 0;

	padded[0] = '-';
	memcpy(padded + 1, s->c, sizeof(pg_wchar) * s->n);
	padded[len - 1] = '-';
	for (int i = 0; i + size <= len; i++)
	{
		int			found = -1;

		for (int j = 0; j < n && found < 0; j++)
		{
			if (memcmp(out[j].c, padded + i, sizeof(pg_wchar) * size) == 0)
				found = j;
		}
		if (found >= 0)
			out[found].count++;
		else
		{
			memset(out[n].c, 0, sizeof(out[n].c));
			memcpy(out[n].c, padded + i, sizeof(pg_wchar) * size);
			out[n].count = 1;
			n++;
		}
	}
	return n;
}

static double
magnitude(const Gram *grams, int n)
{
	double		sum = 0;

	for (int i = 0; i < n; i++)
		sum += (double) grams[i].count * grams[i].count;
	return sqrt(sum);
}

/* 1 - Levenshtein distance / the longer length; 1 for two empty names */
static double
levenshtein_similarity(const Chars *a, const Chars *b)
{
	int		   *row;
	int			longer = Max(a->n, b->n);

	if (longer == 0)
		return 1.0;
	row = palloc(sizeof(int) * (b->n + 1));
	for (int j = 0; j <= b->n; j++)
		row[j] = j;
	for (int i = 1; i <= a->n; i++)
	{
		int			diagonal = row[0];

		row[0] = i;
		for (int j = 1; j <= b->n; j++)
		{
			int			above = row[j];
			int			cost = a->c[i - 1] == b->c[j - 1] ? 0 : 1;

			row[j] = Min(Min(row[j] + 1, row[j - 1] + 1), diagonal + cost);
			diagonal = above;
		}
	}
	return 1.0 - (double) row[b->n] / longer;
}

/* higher scores first; equal scores keep their order (qsort is not stable) */
static int
compare_scores(const void *a, const void *b)
{
	const Entry *x = (const Entry *) a;
	const Entry *y = (const Entry *) b;

	if (x->score > y->score)
		return -1;
	if (x->score < y->score)
		return 1;
	return (x->order > y->order) - (x->order < y->order);
}
