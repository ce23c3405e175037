/*-------------------------------------------------------------------------
 *
 * sse-client.c
 *	  A load client for pgrest's realtime streams: many Server-Sent Events
 *	  connections on one thread, the latency of each change from its
 *	  commit to its arrival, and the order of the ids each stream carries.
 *
 * Each of --connections connections (opened --rate a second) sends one
 * GET with "Accept: text/event-stream" to 127.0.0.1 (or --host) and reads
 * the answer through three layers, each of which keeps its state in the
 * connection between reads, so that nothing depends on where the kernel
 * or the server cut the bytes:
 *
 *	 head		the status line and headers, up to the blank line; a
 *				stream is a 200 with Content-Type text/event-stream,
 *				anything else counts as a failed attempt.
 *	 body		chunked transfer coding (a size line, the data, CRLF; the
 *				last chunk of size 0 and its trailer end the stream), or
 *				the bytes as they come when the body is not chunked.
 *	 events		SSE lines (ended by LF, CRLF or CR) gathered into frames
 *				ended by a blank line: "id", "event", "data" and "retry"
 *				fields, ":" comments (heartbeats).  A line cut by a read
 *				or a chunk boundary is kept in the connection's line
 *				buffer until its end arrives; whole lines are read where
 *				they lie in the read buffer.
 *
 * For each event it notes the wall-clock time of the read that completed
 * it, and from its data the "commit_timestamp" (ISO 8601, UTC or with an
 * offset, to the microsecond): receive time minus commit time is the
 * event's latency.  The client and the server share one clock only on one
 * machine; that is what this measures.  Latencies go into a reservoir of
 * --samples values (uniform over all of them when there are more), from
 * which the percentiles are taken at the end; the maximum is exact.
 *
 * The ids of changes (insert, update, delete, truncate) are
 * <epoch hex>-<commit LSN hex>-<seq>; within an epoch each must be greater
 * than the last on its connection, comparing the LSN and then the
 * sequence as numbers.  An equal id is a duplicate, a smaller one a
 * decrease; a change in another epoch is a gap unless a "reset" came
 * first.  A reset's "since" becomes the point the next change must pass.
 * The check goes on across reconnections of one connection, so a resume
 * with Last-Event-ID that replays or goes back shows here.
 *
 * Build: cc -O2 -Wall -Wextra -o sse-client bench/sse-client.c
 * Usage: sse-client --help
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define READ_BUF		65536	/* one read() at most */
#define HEAD_MAX		16384	/* a response head longer than this fails */
#define LINE_MAX_KEEP	(1 << 20)	/* an SSE line is kept up to this */
#define ID_MAX			64		/* an event id is kept up to this */
#define REASON_MAX		32		/* a reset's reason is kept up to this */
#define MAX_REASONS		16		/* distinct reset reasons counted */
#define ERROR_KEEP		300		/* bytes of the first error event kept */
#define MAX_EVENTS		1024	/* epoll events per wait */

/* event types, counted by name; the first four are changes */
enum
{
	EV_INSERT, EV_UPDATE, EV_DELETE, EV_TRUNCATE,
	EV_SNAPSHOT, EV_READY, EV_RESET, EV_ERROR,
	EV_MESSAGE,					/* a frame without an "event" field */
	EV_OTHER,
	EV_NTYPES
};
#define EV_IS_CHANGE(t) ((t) <= EV_TRUNCATE)

static const char *const ev_names[EV_NTYPES] = {
	"insert", "update", "delete", "truncate",
	"snapshot", "ready", "reset", "error", "message", "other"
};

/* a connection's state */
enum
{
	CS_IDLE,					/* not opened yet */
	CS_CONNECTING,				/* connect() in progress */
	CS_SENDING,					/* part of the request sent */
	CS_HEAD,					/* reading the response head */
	CS_BODY,					/* streaming */
	CS_WAIT,					/* waiting to reconnect */
	CS_DONE						/* closed for good */
};

/* the body decoder's state */
enum
{
	BD_SIZE,					/* in a chunk's size */
	BD_EXT,						/* after the size, up to LF */
	BD_DATA,					/* in a chunk's data */
	BD_DATA_CR,					/* expecting CR (or LF) after the data */
	BD_DATA_LF,					/* expecting LF after the data's CR */
	BD_TRL_START,				/* at a trailer line's start */
	BD_TRL_LINE,				/* in a trailer line */
	BD_TRL_CR,					/* after CR of the blank trailer line */
	BD_DONE,					/* last chunk read */
	BD_IDENTITY					/* not chunked */
};

/* how an attempt ended */
enum
{
	END_CLEAN,					/* the server ended the stream */
	END_CUT,					/* the stream broke off: EOF mid-chunk, RST */
	END_CONNECT,				/* connect() failed */
	END_STATUS,					/* not a 200 */
	END_NOT_SSE,				/* a 200 that is not text/event-stream */
	END_NO_HEAD,				/* closed before a whole head */
	END_BAD_HEAD,				/* a head that cannot be read */
	END_STOP					/* the run ended */
};

typedef struct Conn
{
	int			fd;
	int			state;			/* CS_* */
	int			attempts;		/* connection attempts so far */
	/* request being sent */
	char	   *req;
	size_t		reqlen;
	size_t		reqoff;
	/* response head being read */
	char	   *head;
	size_t		headlen;
	/* body decoder */
	int			bstate;			/* BD_* */
	int			cdigits;		/* digits of the chunk size so far */
	uint64_t	crem;			/* chunk bytes left, or identity length */
	int			has_length;		/* identity body with Content-Length */
	/* SSE line assembly */
	char	   *line;
	size_t		linelen;
	size_t		linecap;
	int			skip_lf;		/* last line ended with CR */
	/* the frame being read */
	int			f_has_data;
	int			f_has_id;
	int			f_has_commit;
	int			f_type;
	int64_t		f_commit_us;
	char		f_id[ID_MAX];
	char		f_reason[REASON_MAX];
	char		f_since[ID_MAX];
	/* the stream */
	char		last_id[ID_MAX];	/* sent as Last-Event-ID on reconnect */
	int			retry_ms;		/* the server's "retry:", -1 if none */
	int			streamed;		/* some attempt got a stream */
	/* id order across the connection's streams */
	int			has_last;
	int			reset_pending;
	uint32_t	last_epoch;
	uint64_t	last_lsn;
	uint64_t	last_seq;
} Conn;

/* options */
static struct
{
	const char *host;
	int			port;
	const char *path;
	int			connections;
	double		rate;
	double		duration;
	uint64_t	events;
	char	   *headers;		/* extra header lines, each with CRLF */
	size_t		headers_len;
	const char *token;
	const char *tokens_file;
	const char *paths_file;
	const char *prefer;
	const char *last_event_id;
	int			reconnect;
	int			reconnect_delay;	/* ms, -1: the server's retry or 1000 */
	const char *log_file;
	size_t		samples;
	double		progress;
} opt;

/* counters */
static struct
{
	uint64_t	attempts;
	uint64_t	established;
	uint64_t	reconnects;
	uint64_t	ends[END_STOP + 1];
	uint64_t	status[600];
	uint64_t	events;
	uint64_t	by_type[EV_NTYPES];
	uint64_t	changes;
	uint64_t	heartbeats;
	uint64_t	bytes;
	uint64_t	reads;			/* reads that returned data */
	uint64_t	duplicates;
	uint64_t	decreases;
	uint64_t	gaps;
	uint64_t	epoch_changes;
	uint64_t	bad_ids;
	uint64_t	unchecked;		/* changes without an id */
	uint64_t	no_commit;		/* changes without a commit_timestamp */
	uint64_t	truncated_lines;
	char		reasons[MAX_REASONS][REASON_MAX];
	uint64_t	reason_count[MAX_REASONS + 1];	/* the last: any other */
	int			nreasons;
	char		first_error[ERROR_KEEP];
	int			first_failure_shown;
	int64_t		first_change_us;
	int64_t		last_change_us;
	int			ever_established;	/* connections that got a stream */
	int64_t		ramp_us;		/* when the last of them did, -1 if not */
	/* latency */
	int64_t    *res;			/* the reservoir */
	uint64_t	lat_seen;
	int64_t		lat_max;
	uint64_t	lat_negative;
} st;

static Conn *conns;
static char **tokens;
static int	ntokens;
static char **paths;			/* --paths */
static int	npaths;
static int	epfd;
static struct sockaddr_in addr;
static char *req_prefix;		/* the headers every request has */
static size_t req_prefix_len;
static char rbuf[READ_BUF];
static char sbuf[HEAD_MAX + 2 * ID_MAX + 1024];
static FILE *logfile;
static volatile sig_atomic_t stop_flag;
static int64_t mono_start;
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static int	alive;				/* connections with a socket */

/* reconnection queue: a binary heap on due time */
static int64_t *heap_due;
static int *heap_conn;
static int	heap_len;

static void usage(FILE *f);
static void die(const char *fmt,...);
static void parse_options(int argc, char **argv);
static void add_header(const char *h);
static int	load_lines(const char *file, char ***lines);
static void raise_nofile(int needed);
static void build_prefix(void);
static int64_t mono_us(void);
static int64_t real_us(void);
static void heap_push(int64_t due, int c);
static int	heap_pop(void);
static void conn_open(int i);
static void conn_send(int i);
static void conn_read(int i);
static void conn_end(int i, int how);
static int	head_feed(int i, const char *p, size_t n, size_t *used);
static int	head_parse(int i);
static void line_append(Conn *c, const char *p, size_t n);
static int	body_feed(int i, const char *p, size_t n, int64_t now);
static void sse_feed(Conn *c, int i, const char *p, size_t n, int64_t now);
static void sse_line(Conn *c, int i, const char *s, size_t n, int64_t now);
static void sse_dispatch(Conn *c, int i, int64_t now);
static void check_order(Conn *c, const char *id);
static int	hex_field(const char **s, int max, uint64_t *v);
static int	parse_id(const char *s, uint32_t *epoch, uint64_t *lsn, uint64_t *seq);
static int	json_string(const char *s, size_t n, const char *key, const char **val, size_t *vlen);
static int	parse_iso_us(const char *s, size_t n, int64_t *us);
static int	event_type(const char *s, size_t n);
static void copy_text(char *dst, size_t cap, const char *s, size_t n);
static void count_reason(const char *reason);
static void latency_add(int64_t lat);
static void log_line(int i, int64_t recv, const char *id, const char *type, const int64_t *lat, const char *info);
static void progress(int64_t now, int64_t *last_t, uint64_t *last_changes);
static void print_summary(int64_t elapsed);
static void json_str(const char *s);
static int	cmp_i64(const void *a, const void *b);
static void on_signal(int sig);

static void
usage(FILE *f)
{
	fprintf(f,
			"usage: sse-client --port PORT --path PATH [options]\n"
			"\n"
			"Opens CONNECTIONS Server-Sent Events streams (GET PATH with\n"
			"Accept: text/event-stream) and measures the events they carry: the\n"
			"latency from each change's commit_timestamp to its arrival, the order\n"
			"of ids on each connection, resets and errors.  Prints one line of JSON\n"
			"at the end.\n"
			"\n"
			"Target:\n"
			"  -p, --port PORT          server port (required)\n"
			"      --host ADDR          IPv4 address (default 127.0.0.1)\n"
			"      --path PATH          path and query, e.g. '/todos?select=id,done'\n"
			"                           (default /)\n"
			"      --paths FILE         one path a line; connection i asks for line\n"
			"                           i mod (number of lines), e.g. one room each\n"
			"  -H, --header 'N: V'      an extra request header (repeatable)\n"
			"      --token JWT          Authorization: Bearer JWT on every connection\n"
			"      --tokens FILE        one token a line; connection i sends line\n"
			"                           i mod (number of lines) (empty lines skipped)\n"
			"      --prefer VALUE       Prefer: VALUE, e.g. realtime=insert,update\n"
			"      --last-event-id ID   Last-Event-ID on each connection's first attempt\n"
			"\n"
			"Load:\n"
			"  -c, --connections N      connections (default 1); the open-files limit\n"
			"                           is raised to its hard limit\n"
			"  -r, --rate N             connections opened per second (default 1000;\n"
			"                           0: all at once)\n"
			"  -d, --duration S         run this many seconds (default 10; fractions ok)\n"
			"  -n, --events N           stop once N changes (insert, update, delete,\n"
			"                           truncate events) arrived, over all connections\n"
			"      --reconnect          when a stream ends or an attempt fails,\n"
			"                           connect again with Last-Event-ID = the last id\n"
			"                           the connection saw (a reset's since, after one)\n"
			"      --reconnect-delay MS wait before reconnecting (default: the server's\n"
			"                           retry: value, else 1000)\n"
			"\n"
			"Output:\n"
			"      --samples N          latency samples kept (default 1000000; a uniform\n"
			"                           sample of all when there are more)\n"
			"      --log FILE           one tab-separated line per event: connection,\n"
			"                           receive time (us since the epoch), id (- if\n"
			"                           none), type, latency in us (- if none), info\n"
			"                           (a reset's reason and since); and '#open' (info:\n"
			"                           the Last-Event-ID sent) and '#close' (info: how)\n"
			"                           lines for each attempt\n"
			"      --progress S         a status line on stderr every S seconds\n"
			"  -h, --help               this text\n"
			"\n"
			"The summary (stdout): attempts, established streams, failed attempts by\n"
			"cause and HTTP status, streams the server ended (closed_by_server) or\n"
			"that broke off (cut), reconnects, events by type, events/s over the run,\n"
			"changes/s between the first and last change, latency p50/p95/p99/max\n"
			"(ms), id order (duplicates, decreases, gaps: a change in a new epoch\n"
			"without a reset first), resets by reason, errors, bytes, and this\n"
			"client's CPU time.\n");
}

static void
die(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	fputs("sse-client: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/*
 * Read the command line into opt; exits with a message on anything wrong.
 */
static void
parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"port", required_argument, NULL, 'p'},
		{"host", required_argument, NULL, 1},
		{"path", required_argument, NULL, 2},
		{"header", required_argument, NULL, 'H'},
		{"token", required_argument, NULL, 3},
		{"tokens", required_argument, NULL, 4},
		{"prefer", required_argument, NULL, 5},
		{"last-event-id", required_argument, NULL, 6},
		{"connections", required_argument, NULL, 'c'},
		{"rate", required_argument, NULL, 'r'},
		{"duration", required_argument, NULL, 'd'},
		{"events", required_argument, NULL, 'n'},
		{"reconnect", no_argument, NULL, 7},
		{"reconnect-delay", required_argument, NULL, 8},
		{"samples", required_argument, NULL, 9},
		{"log", required_argument, NULL, 10},
		{"progress", required_argument, NULL, 11},
		{"paths", required_argument, NULL, 12},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	int			ch;
	char	   *end;

	opt.host = "127.0.0.1";
	opt.path = "/";
	opt.connections = 1;
	opt.rate = 1000;
	opt.duration = 10;
	opt.reconnect_delay = -1;
	opt.samples = 1000000;

	while ((ch = getopt_long(argc, argv, "p:H:c:r:d:n:h", longopts, NULL)) != -1)
	{
		errno = 0;
		end = NULL;
		switch (ch)
		{
			case 'p':
				opt.port = (int) strtol(optarg, &end, 10);
				if (*end || opt.port <= 0 || opt.port > 65535)
					die("invalid port \"%s\"", optarg);
				break;
			case 1:
				opt.host = optarg;
				break;
			case 2:
				opt.path = optarg;
				break;
			case 'H':
				add_header(optarg);
				break;
			case 3:
				opt.token = optarg;
				break;
			case 4:
				opt.tokens_file = optarg;
				break;
			case 12:
				opt.paths_file = optarg;
				break;
			case 5:
				opt.prefer = optarg;
				break;
			case 6:
				opt.last_event_id = optarg;
				break;
			case 'c':
				opt.connections = (int) strtol(optarg, &end, 10);
				if (*end || opt.connections <= 0 || opt.connections > 10000000)
					die("invalid number of connections \"%s\"", optarg);
				break;
			case 'r':
				opt.rate = strtod(optarg, &end);
				if (*end || opt.rate < 0)
					die("invalid rate \"%s\"", optarg);
				break;
			case 'd':
				opt.duration = strtod(optarg, &end);
				if (*end || opt.duration <= 0)
					die("invalid duration \"%s\"", optarg);
				break;
			case 'n':
				opt.events = strtoull(optarg, &end, 10);
				if (*end || errno)
					die("invalid number of events \"%s\"", optarg);
				break;
			case 7:
				opt.reconnect = 1;
				break;
			case 8:
				opt.reconnect_delay = (int) strtol(optarg, &end, 10);
				if (*end || opt.reconnect_delay < 0)
					die("invalid reconnect delay \"%s\"", optarg);
				break;
			case 9:
				opt.samples = strtoull(optarg, &end, 10);
				if (*end || errno || opt.samples == 0 || opt.samples > 100000000)
					die("invalid number of samples \"%s\"", optarg);
				break;
			case 10:
				opt.log_file = optarg;
				break;
			case 11:
				opt.progress = strtod(optarg, &end);
				if (*end || opt.progress < 0)
					die("invalid progress interval \"%s\"", optarg);
				break;
			case 'h':
				usage(stdout);
				exit(0);
			default:
				usage(stderr);
				exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument \"%s\" (see --help)", argv[optind]);
	if (opt.port == 0)
		die("--port is required (see --help)");
	if (opt.path[0] != '/' || strpbrk(opt.path, " \r\n\t"))
		die("--path must start with / and hold no spaces: \"%s\"", opt.path);
	if (opt.token && opt.tokens_file)
		die("--token and --tokens cannot both be given");
	if (opt.token && strpbrk(opt.token, "\r\n"))
		die("--token holds a line break");
	if (opt.prefer && strpbrk(opt.prefer, "\r\n"))
		die("--prefer holds a line break");
	if (opt.last_event_id &&
		(strpbrk(opt.last_event_id, "\r\n") || strlen(opt.last_event_id) >= ID_MAX))
		die("invalid --last-event-id");
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t) opt.port);
	if (inet_pton(AF_INET, opt.host, &addr.sin_addr) != 1)
		die("invalid IPv4 address \"%s\"", opt.host);
}

/*
 * Append one -H header to the extra headers, checked to be one line
 * with a name.
 */
static void
add_header(const char *h)
{
	size_t		n = strlen(h);
	const char *colon = strchr(h, ':');

	if (colon == NULL || colon == h || strpbrk(h, "\r\n"))
		die("invalid header \"%s\": want 'Name: value'", h);
	opt.headers = realloc(opt.headers, opt.headers_len + n + 3);
	if (opt.headers == NULL)
		die("out of memory");
	memcpy(opt.headers + opt.headers_len, h, n);
	memcpy(opt.headers + opt.headers_len + n, "\r\n", 3);
	opt.headers_len += n + 2;
}

/*
 * Read --tokens or --paths: one item a line, CR and surrounding blanks
 * removed, empty lines skipped.  Returns how many there are.
 */
static int
load_lines(const char *file, char ***lines)
{
	int			nlines = 0;
	FILE	   *f = fopen(file, "r");
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		n;
	int			alloc = 0;

	if (f == NULL)
		die("could not open \"%s\": %s", file, strerror(errno));
	while ((n = getline(&line, &cap, f)) != -1)
	{
		char	   *s = line;

		while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
						 s[n - 1] == ' ' || s[n - 1] == '\t'))
			s[--n] = '\0';
		while (*s == ' ' || *s == '\t')
			s++, n--;
		if (n == 0)
			continue;
		if (nlines == alloc)
		{
			alloc = alloc ? alloc * 2 : 64;
			*lines = realloc(*lines, alloc * sizeof(char *));
			if (*lines == NULL)
				die("out of memory");
		}
		(*lines)[nlines] = strdup(s);
		if ((*lines)[nlines] == NULL)
			die("out of memory");
		nlines++;
	}
	free(line);
	fclose(f);
	if (nlines == 0)
		die("no lines in \"%s\"", file);
	return nlines;
}

/*
 * Raise the open-files limit to its hard limit, and warn when even that
 * is too low for the connections asked for.
 */
static void
raise_nofile(int needed)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max)
	{
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && (rlim_t) needed + 16 > rl.rlim_cur)
		fprintf(stderr, "sse-client: open-files limit %llu is below %d connections; "
				"the rest will fail\n", (unsigned long long) rl.rlim_cur, needed);
}

/*
 * The part of the request every connection shares: Host, Accept, Prefer
 * and the -H headers.  The request line (its path), Authorization and
 * Last-Event-ID are added per attempt.
 */
static void
build_prefix(void)
{
	size_t		cap = strlen(opt.host) + opt.headers_len +
		(opt.prefer ? strlen(opt.prefer) : 0) + 256;

	req_prefix = malloc(cap);
	if (req_prefix == NULL)
		die("out of memory");
	req_prefix_len = (size_t) snprintf(req_prefix, cap,
									   "Host: %s:%d\r\n"
									   "Accept: text/event-stream\r\n"
									   "%s%s%s%.*s",
									   opt.host, opt.port,
									   opt.prefer ? "Prefer: " : "",
									   opt.prefer ? opt.prefer : "",
									   opt.prefer ? "\r\n" : "",
									   (int) opt.headers_len,
									   opt.headers ? opt.headers : "");
	if (req_prefix_len + 2 * ID_MAX + 64 > sizeof(sbuf))
		die("request headers too long");
}

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t
real_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
heap_push(int64_t due, int c)
{
	int			k = heap_len++;

	while (k > 0)
	{
		int			parent = (k - 1) / 2;

		if (heap_due[parent] <= due)
			break;
		heap_due[k] = heap_due[parent];
		heap_conn[k] = heap_conn[parent];
		k = parent;
	}
	heap_due[k] = due;
	heap_conn[k] = c;
}

/* remove and return the connection due first */
static int
heap_pop(void)
{
	int			top = heap_conn[0];
	int64_t		due;
	int			c;
	int			k = 0;

	heap_len--;
	if (heap_len == 0)
		return top;
	due = heap_due[heap_len];
	c = heap_conn[heap_len];
	for (;;)
	{
		int			child = 2 * k + 1;

		if (child >= heap_len)
			break;
		if (child + 1 < heap_len && heap_due[child + 1] < heap_due[child])
			child++;
		if (heap_due[child] >= due)
			break;
		heap_due[k] = heap_due[child];
		heap_conn[k] = heap_conn[child];
		k = child;
	}
	heap_due[k] = due;
	heap_conn[k] = c;
	return top;
}

/*
 * Start an attempt of connection i: a non-blocking socket connecting to
 * the server, watched for writability.
 */
static void
conn_open(int i)
{
	Conn	   *c = &conns[i];
	struct epoll_event ev;
	int			fd;
	int			one = 1;

	if (c->attempts++ > 0)
		st.reconnects++;
	st.attempts++;
	c->bstate = BD_SIZE;
	c->linelen = 0;
	c->skip_lf = 0;
	c->f_has_data = c->f_has_id = c->f_has_commit = 0;
	c->f_type = EV_MESSAGE;
	c->headlen = 0;
	c->has_length = 0;
	if (logfile)
		log_line(i, real_us(), "-", "#open", NULL,
				 c->last_id[0] ? c->last_id :
				 (opt.last_event_id ? opt.last_event_id : "-"));

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
	{
		c->fd = -1;
		c->state = CS_CONNECTING;
		if (!st.first_failure_shown++)
			fprintf(stderr, "sse-client: socket: %s\n", strerror(errno));
		conn_end(i, END_CONNECT);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->fd = fd;
	c->state = CS_CONNECTING;
	alive++;
	if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) != 0 &&
		errno != EINPROGRESS)
	{
		if (!st.first_failure_shown++)
			fprintf(stderr, "sse-client: connect: %s\n", strerror(errno));
		conn_end(i, END_CONNECT);
		return;
	}
	ev.events = EPOLLOUT;
	ev.data.u64 = (uint64_t) i;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
		die("epoll_ctl: %s", strerror(errno));
}

/*
 * Connection i is writable: finish connecting, then send the request
 * (what does not fit is kept for the next time), then wait for the
 * answer.
 */
static void
conn_send(int i)
{
	Conn	   *c = &conns[i];
	const char *p;
	size_t		len;
	ssize_t		n;
	struct epoll_event ev;

	if (c->state == CS_CONNECTING)
	{
		int			err = 0;
		socklen_t	elen = sizeof(err);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
			err = errno;
		if (err != 0)
		{
			if (!st.first_failure_shown++)
				fprintf(stderr, "sse-client: connect: %s\n", strerror(err));
			conn_end(i, END_CONNECT);
			return;
		}
		/* the request, in the shared buffer */
		{
			const char *path = npaths ? paths[i % npaths] : opt.path;
			size_t		pl = strlen(path);

			if (pl + req_prefix_len + 32 > sizeof(sbuf))
				die("path too long");
			memcpy(sbuf, "GET ", 4);
			memcpy(sbuf + 4, path, pl);
			memcpy(sbuf + 4 + pl, " HTTP/1.1\r\n", 11);
			len = pl + 15;
		}
		memcpy(sbuf + len, req_prefix, req_prefix_len);
		len += req_prefix_len;
		if (opt.token || ntokens)
		{
			const char *tok = opt.token ? opt.token : tokens[i % ntokens];
			size_t		tl = strlen(tok);

			if (len + tl + 64 + ID_MAX > sizeof(sbuf))
				die("token too long");
			memcpy(sbuf + len, "Authorization: Bearer ", 22);
			len += 22;
			memcpy(sbuf + len, tok, tl);
			len += tl;
			memcpy(sbuf + len, "\r\n", 2);
			len += 2;
		}
		{
			const char *lid = c->last_id[0] ? c->last_id : opt.last_event_id;

			if (lid && lid[0])
				len += (size_t) sprintf(sbuf + len, "Last-Event-ID: %s\r\n", lid);
		}
		memcpy(sbuf + len, "\r\n", 2);
		len += 2;
		p = sbuf;
	}
	else
	{
		p = c->req + c->reqoff;
		len = c->reqlen - c->reqoff;
	}

	n = send(c->fd, p, len, MSG_NOSIGNAL);
	if (n < 0)
	{
		if (errno != EAGAIN && errno != EWOULDBLOCK)
		{
			conn_end(i, END_CONNECT);
			return;
		}
		n = 0;
	}
	if ((size_t) n < len)
	{
		if (c->state == CS_CONNECTING)
		{
			c->req = malloc(len - (size_t) n);
			if (c->req == NULL)
				die("out of memory");
			memcpy(c->req, p + n, len - (size_t) n);
			c->reqlen = len - (size_t) n;
			c->reqoff = 0;
			c->state = CS_SENDING;
		}
		else
			c->reqoff += (size_t) n;
		return;
	}
	free(c->req);
	c->req = NULL;
	c->state = CS_HEAD;
	ev.events = EPOLLIN;
	ev.data.u64 = (uint64_t) i;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
		die("epoll_ctl: %s", strerror(errno));
}

/*
 * Connection i is readable: one read, through the head, the body decoder
 * and the SSE parser.
 */
static void
conn_read(int i)
{
	Conn	   *c = &conns[i];
	ssize_t		n;
	const char *p = rbuf;
	size_t		len;
	int64_t		now;
	int			r;

	n = read(c->fd, rbuf, sizeof(rbuf));
	if (n < 0)
	{
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		conn_end(i, c->state == CS_BODY ? END_CUT : END_NO_HEAD);
		return;
	}
	if (n == 0)
	{
		if (c->state != CS_BODY)
			conn_end(i, END_NO_HEAD);
		else if (c->bstate == BD_IDENTITY && !c->has_length)
			conn_end(i, END_CLEAN);
		else
			conn_end(i, END_CUT);
		return;
	}
	now = real_us();
	st.bytes += (uint64_t) n;
	st.reads++;
	len = (size_t) n;
	if (c->state == CS_HEAD)
	{
		size_t		used;

		r = head_feed(i, p, len, &used);
		if (r <= 0)
			return;				/* more to come, or ended */
		p += used;
		len -= used;
	}
	if (len == 0)
		return;
	r = body_feed(i, p, len, now);
	if (r > 0)
		conn_end(i, END_CLEAN);
	else if (r < 0)
		conn_end(i, END_CUT);
}

/*
 * End the current attempt of connection i; with --reconnect (and the run
 * going on), schedule the next.
 */
static void
conn_end(int i, int how)
{
	Conn	   *c = &conns[i];
	static const char *const names[] = {
		"clean", "cut", "connect", "status", "not_sse", "no_head", "bad_head", "stop"
	};

	if (c->fd >= 0)
	{
		close(c->fd);
		c->fd = -1;
		alive--;
	}
	st.ends[how]++;
	free(c->req);
	c->req = NULL;
	free(c->head);
	c->head = NULL;
	if (logfile)
		log_line(i, real_us(), "-", "#close", NULL, names[how]);
	if (how == END_STOP)
	{
		c->state = CS_DONE;
		return;
	}
	if (opt.reconnect && !stop_flag)
	{
		int			delay = opt.reconnect_delay >= 0 ? opt.reconnect_delay :
			(c->retry_ms >= 0 ? c->retry_ms : 1000);

		c->state = CS_WAIT;
		heap_push(mono_us() + (int64_t) delay * 1000, i);
	}
	else
		c->state = CS_DONE;
}

/*
 * Gather the response head of connection i.  Returns 1 when it is whole
 * and a stream (*used: the bytes of p it took), 0 when more is needed,
 * -1 when the attempt ended.
 */
static int
head_feed(int i, const char *p, size_t n, size_t *used)
{
	Conn	   *c = &conns[i];
	size_t		old = c->headlen;
	size_t		take = n;
	size_t		from;
	char	   *end;
	int			how;

	if (c->head == NULL)
	{
		c->head = malloc(HEAD_MAX + 1);
		if (c->head == NULL)
			die("out of memory");
	}
	if (take > HEAD_MAX - old)
		take = HEAD_MAX - old;
	memcpy(c->head + old, p, take);
	c->headlen += take;
	c->head[c->headlen] = '\0';
	from = old > 3 ? old - 3 : 0;
	end = memmem(c->head + from, c->headlen - from, "\r\n\r\n", 4);
	if (end == NULL)
	{
		if (c->headlen >= HEAD_MAX)
		{
			conn_end(i, END_BAD_HEAD);
			return -1;
		}
		return 0;
	}
	c->headlen = (size_t) (end - c->head) + 4;
	*used = c->headlen - old;
	c->head[c->headlen - 2] = '\0';	/* keep the last header's CRLF */
	how = head_parse(i);
	if (how >= 0)
	{
		/* the first failure is shown, with what came of its body */
		if (!st.first_failure_shown++)
		{
			size_t		rest = n - *used;

			fprintf(stderr, "sse-client: connection %d was answered:\n%s\r\n%.*s\n",
					i, c->head, (int) (rest > 400 ? 400 : rest), p + *used);
		}
		conn_end(i, how);
		return -1;
	}
	free(c->head);
	c->head = NULL;
	c->state = CS_BODY;
	st.established++;
	if (!c->streamed)
	{
		c->streamed = 1;
		if (++st.ever_established == opt.connections)
			st.ramp_us = mono_us() - mono_start;
	}
	return 1;
}

/*
 * Read the status line and the headers the stream depends on.  Returns
 * -1 for a 200 text/event-stream, else how the attempt fails (END_*).
 */
static int
head_parse(int i)
{
	Conn	   *c = &conns[i];
	char	   *s = c->head;
	char	   *eol;
	int			status;
	int			chunked = 0;
	int			sse = 0;
	int			length = -1;
	long long	clen = 0;

	if (strncmp(s, "HTTP/1.", 7) != 0 || s[8] != ' ' ||
		s[9] < '1' || s[9] > '5' || s[10] < '0' || s[10] > '9' ||
		s[11] < '0' || s[11] > '9')
		return END_BAD_HEAD;
	status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	st.status[status]++;
	eol = strstr(s, "\r\n");
	while (eol != NULL && eol[2] != '\0')
	{
		char	   *line = eol + 2;
		char	   *colon;
		char	   *v;

		eol = strstr(line, "\r\n");
		if (eol == NULL)
			break;
		*eol = '\0';
		colon = strchr(line, ':');
		if (colon != NULL)
		{
			v = colon + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			*colon = '\0';
			if (strcasecmp(line, "transfer-encoding") == 0)
				chunked = strcasestr(v, "chunked") != NULL;
			else if (strcasecmp(line, "content-type") == 0)
				sse = strncasecmp(v, "text/event-stream", 17) == 0;
			else if (strcasecmp(line, "content-length") == 0)
			{
				clen = strtoll(v, NULL, 10);
				length = clen >= 0;
			}
			*colon = ':';
		}
		*eol = '\r';
	}
	if (status != 200)
		return END_STATUS;
	if (!sse)
		return END_NOT_SSE;
	if (chunked)
		c->bstate = BD_SIZE;
	else
	{
		c->bstate = BD_IDENTITY;
		c->has_length = length == 1;
		c->crem = c->has_length ? (uint64_t) clen : 0;
	}
	c->cdigits = 0;
	return -1;
}

/*
 * Decode n bytes of connection i's body and pass its data to the SSE
 * parser.  Returns 0 to go on, 1 when the body ended (last chunk, or the
 * Content-Length reached), -1 on bytes that are not chunked coding.
 */
static int
body_feed(int i, const char *p, size_t n, int64_t now)
{
	Conn	   *c = &conns[i];
	const char *end = p + n;

	if (c->bstate == BD_IDENTITY)
	{
		if (c->has_length)
		{
			if ((uint64_t) n > c->crem)
				n = (size_t) c->crem;
			c->crem -= n;
		}
		sse_feed(c, i, p, n, now);
		return c->has_length && c->crem == 0 ? 1 : 0;
	}
	while (p < end)
	{
		char		ch = *p;

		switch (c->bstate)
		{
			case BD_SIZE:
				{
					int			d;

					if (ch >= '0' && ch <= '9')
						d = ch - '0';
					else if (ch >= 'a' && ch <= 'f')
						d = ch - 'a' + 10;
					else if (ch >= 'A' && ch <= 'F')
						d = ch - 'A' + 10;
					else
						d = -1;
					if (d >= 0)
					{
						if (c->cdigits++ == 0)
							c->crem = 0;
						if (c->cdigits > 15)
							return -1;
						c->crem = c->crem * 16 + (uint64_t) d;
						p++;
						break;
					}
					if (c->cdigits == 0)
						return -1;
					c->bstate = BD_EXT;
				}
				/* FALLTHROUGH */
			case BD_EXT:
				p++;
				if (ch != '\n')
					break;
				c->cdigits = 0;
				c->bstate = c->crem == 0 ? BD_TRL_START : BD_DATA;
				break;
			case BD_DATA:
				{
					size_t		take = (size_t) (end - p);

					if ((uint64_t) take > c->crem)
						take = (size_t) c->crem;
					sse_feed(c, i, p, take, now);
					p += take;
					c->crem -= take;
					if (c->crem == 0)
						c->bstate = BD_DATA_CR;
				}
				break;
			case BD_DATA_CR:
				p++;
				if (ch == '\r')
					c->bstate = BD_DATA_LF;
				else if (ch == '\n')
					c->bstate = BD_SIZE;
				else
					return -1;
				break;
			case BD_DATA_LF:
				p++;
				if (ch != '\n')
					return -1;
				c->bstate = BD_SIZE;
				break;
			case BD_TRL_START:
				p++;
				if (ch == '\n')
					c->bstate = BD_DONE;
				else if (ch == '\r')
					c->bstate = BD_TRL_CR;
				else
					c->bstate = BD_TRL_LINE;
				break;
			case BD_TRL_LINE:
				p++;
				if (ch == '\n')
					c->bstate = BD_TRL_START;
				break;
			case BD_TRL_CR:
				p++;
				c->bstate = ch == '\n' ? BD_DONE : BD_TRL_LINE;
				break;
			case BD_DONE:
				return 1;
		}
	}
	return c->bstate == BD_DONE ? 1 : 0;
}

/*
 * Split n bytes of event stream into lines: whole lines are read in
 * place, a line cut at the end is kept in the connection until its end
 * comes.
 */
static void
sse_feed(Conn *c, int i, const char *p, size_t n, int64_t now)
{
	const char *end = p + n;
	int			has_cr = memchr(p, '\r', n) != NULL;

	while (p < end)
	{
		const char *eol;

		if (c->skip_lf)
		{
			c->skip_lf = 0;
			if (*p == '\n')
			{
				p++;
				continue;
			}
		}
		eol = memchr(p, '\n', (size_t) (end - p));
		if (has_cr)
		{
			const char *cr = memchr(p, '\r', (size_t) ((eol ? eol : end) - p));

			if (cr)
				eol = cr;
		}
		if (eol == NULL)
		{
			line_append(c, p, (size_t) (end - p));
			break;
		}
		if (c->linelen > 0)
		{
			line_append(c, p, (size_t) (eol - p));
			sse_line(c, i, c->line, c->linelen, now);
			c->linelen = 0;
		}
		else
			sse_line(c, i, p, (size_t) (eol - p), now);
		if (*eol == '\r')
			c->skip_lf = 1;
		p = eol + 1;
	}
}

/*
 * Add to the connection's partial line, up to LINE_MAX_KEEP bytes (a
 * longer line is counted and cut there).
 */
static void
line_append(Conn *c, const char *p, size_t n)
{
	if (n > LINE_MAX_KEEP - c->linelen)
	{
		if (c->linelen < LINE_MAX_KEEP)
			st.truncated_lines++;
		n = LINE_MAX_KEEP - c->linelen;
	}
	if (c->linelen + n > c->linecap)
	{
		size_t		cap = c->linecap ? c->linecap : 256;

		while (cap < c->linelen + n)
			cap *= 2;
		c->line = realloc(c->line, cap);
		if (c->line == NULL)
			die("out of memory");
		c->linecap = cap;
	}
	memcpy(c->line + c->linelen, p, n);
	c->linelen += n;
}

/*
 * One SSE line (without its end): a field of the frame, a comment, or
 * the blank line that dispatches the frame.
 */
static void
sse_line(Conn *c, int i, const char *s, size_t n, int64_t now)
{
	const char *colon;
	const char *v;
	size_t		namelen;
	size_t		vlen;

	if (n == 0)
	{
		sse_dispatch(c, i, now);
		return;
	}
	if (s[0] == ':')
	{
		st.heartbeats++;
		return;
	}
	colon = memchr(s, ':', n);
	namelen = colon ? (size_t) (colon - s) : n;
	v = colon ? colon + 1 : s + n;
	if (colon && v < s + n && *v == ' ')
		v++;
	vlen = (size_t) (s + n - v);

	if (namelen == 4 && memcmp(s, "data", 4) == 0)
	{
		const char *val;
		size_t		len;

		c->f_has_data = 1;
		if (!c->f_has_commit &&
			json_string(v, vlen, "\"commit_timestamp\"", &val, &len) &&
			parse_iso_us(val, len, &c->f_commit_us))
			c->f_has_commit = 1;
		if (!EV_IS_CHANGE(c->f_type) && c->f_type != EV_SNAPSHOT)
		{
			/* a reset's fields (and an error's text) */
			if (json_string(v, vlen, "\"reason\"", &val, &len))
				copy_text(c->f_reason, REASON_MAX, val, len);
			if (json_string(v, vlen, "\"since\"", &val, &len))
				copy_text(c->f_since, ID_MAX, val, len);
			if (c->f_type == EV_ERROR && st.first_error[0] == '\0')
				copy_text(st.first_error, ERROR_KEEP, v, vlen);
		}
	}
	else if (namelen == 5 && memcmp(s, "event", 5) == 0)
		c->f_type = event_type(v, vlen);
	else if (namelen == 2 && memcmp(s, "id", 2) == 0)
	{
		if (memchr(v, '\0', vlen) == NULL)
		{
			copy_text(c->f_id, ID_MAX, v, vlen);
			c->f_has_id = 1;
		}
	}
	else if (namelen == 5 && memcmp(s, "retry", 5) == 0)
	{
		int			ms = 0;
		size_t		k;

		for (k = 0; k < vlen && k < 9 && v[k] >= '0' && v[k] <= '9'; k++)
			ms = ms * 10 + (v[k] - '0');
		if (k == vlen && k > 0)
			c->retry_ms = ms;
	}
}

/*
 * A blank line: the frame read so far is an event if it had data.  Count
 * it, take its latency, check its id, note a reset.
 */
static void
sse_dispatch(Conn *c, int i, int64_t now)
{
	int			type = c->f_type;
	int64_t		lat = 0;

	/* an id field sets the id sent on resume, with or without data */
	if (c->f_has_id)
		memcpy(c->last_id, c->f_id, ID_MAX);
	if (!c->f_has_data)
		goto clear;

	st.events++;
	st.by_type[type]++;
	if (c->f_has_commit)
	{
		lat = now - c->f_commit_us;
		latency_add(lat);
	}
	if (EV_IS_CHANGE(type))
	{
		st.changes++;
		if (st.first_change_us == 0)
			st.first_change_us = now;
		st.last_change_us = now;
		if (!c->f_has_commit)
			st.no_commit++;
		if (c->f_has_id)
			check_order(c, c->f_id);
		else
			st.unchecked++;
	}
	else if (type == EV_RESET)
	{
		uint32_t	e;
		uint64_t	l,
					q;

		count_reason(c->f_reason[0] ? c->f_reason : "(none)");
		c->reset_pending = 1;
		if (c->f_since[0] && parse_id(c->f_since, &e, &l, &q))
		{
			if (c->has_last && e != c->last_epoch)
				st.epoch_changes++; /* announced: not a gap */
			c->has_last = 1;
			c->last_epoch = e;
			c->last_lsn = l;
			c->last_seq = q;
			memcpy(c->last_id, c->f_since, ID_MAX);
		}
	}
	if (logfile)
	{
		char		info[REASON_MAX + ID_MAX + 2];

		if (type == EV_RESET)
			snprintf(info, sizeof(info), "%s:%s",
					 c->f_reason[0] ? c->f_reason : "-",
					 c->f_since[0] ? c->f_since : "-");
		log_line(i, now, c->f_has_id ? c->f_id : "-", ev_names[type],
				 c->f_has_commit ? &lat : NULL, type == EV_RESET ? info : "-");
	}

clear:
	c->f_has_data = c->f_has_id = c->f_has_commit = 0;
	c->f_type = EV_MESSAGE;
	c->f_reason[0] = '\0';
	c->f_since[0] = '\0';
}

/*
 * Compare a change's id with the last on its connection.
 */
static void
check_order(Conn *c, const char *id)
{
	uint32_t	e;
	uint64_t	l,
				q;

	if (!parse_id(id, &e, &l, &q))
	{
		st.bad_ids++;
		return;
	}
	if (c->has_last && e != c->last_epoch)
	{
		st.epoch_changes++;
		if (!c->reset_pending)
			st.gaps++;
	}
	else if (c->has_last && (l < c->last_lsn || (l == c->last_lsn && q < c->last_seq)))
	{
		st.decreases++;
		c->reset_pending = 0;
		return;					/* the last stays the highest */
	}
	else if (c->has_last && l == c->last_lsn && q == c->last_seq)
	{
		st.duplicates++;
		c->reset_pending = 0;
		return;
	}
	c->has_last = 1;
	c->reset_pending = 0;
	c->last_epoch = e;
	c->last_lsn = l;
	c->last_seq = q;
}

/*
 * Read 1 to max hex digits at *s, then a '-', into *v; advance *s past
 * them.  Returns 0 when they are not there.
 */
static int
hex_field(const char **s, int max, uint64_t *v)
{
	const char *p = *s;
	int			k;

	*v = 0;
	for (k = 0; k <= max; k++, p++)
	{
		int			d = (*p >= '0' && *p <= '9') ? *p - '0' :
			(*p >= 'a' && *p <= 'f') ? *p - 'a' + 10 :
			(*p >= 'A' && *p <= 'F') ? *p - 'A' + 10 : -1;

		if (d < 0)
			break;
		*v = *v * 16 + (uint64_t) d;
	}
	if (k == 0 || k > max || *p != '-')
		return 0;
	*s = p + 1;
	return 1;
}

/*
 * Parse "<hex epoch>-<hex LSN>-<decimal seq>" (up to 8, 16 and 19
 * digits).
 */
static int
parse_id(const char *s, uint32_t *epoch, uint64_t *lsn, uint64_t *seq)
{
	uint64_t	v;
	int			k;

	if (!hex_field(&s, 8, &v))
		return 0;
	*epoch = (uint32_t) v;
	if (!hex_field(&s, 16, lsn))
		return 0;
	v = 0;
	for (k = 0; k < 20 && *s >= '0' && *s <= '9'; k++, s++)
		v = v * 10 + (uint64_t) (*s - '0');
	if (k == 0 || k > 19 || *s != '\0')
		return 0;
	*seq = v;
	return 1;
}

/*
 * Find "key" (quotes included) in JSON text and, when a string follows
 * it after a colon, return where the string's characters are (escapes
 * left as they are).  A first match that is not a key ends the search:
 * the keys looked for come before any user data in pgrest's payloads.
 */
static int
json_string(const char *s, size_t n, const char *key, const char **val, size_t *vlen)
{
	size_t		klen = strlen(key);
	const char *p = memmem(s, n, key, klen);
	const char *end = s + n;
	const char *q;

	if (p == NULL)
		return 0;
	p += klen;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p++ != ':')
		return 0;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p++ != '"')
		return 0;
	for (q = p; q < end && *q != '"'; q++)
		if (*q == '\\')
			q++;
	if (q >= end)
		return 0;
	*val = p;
	*vlen = (size_t) (q - p);
	return 1;
}

/* days since 1970-01-01 of a date in the proleptic Gregorian calendar */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t		era;
	int64_t		yoe;
	int64_t		doy;
	int64_t		doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * Parse an ISO 8601 time, YYYY-MM-DD[T ]HH:MM:SS[.fraction] then Z, or
 * +HH, +HHMM or +HH:MM (or -), or nothing (UTC), into microseconds since
 * the epoch.
 */
static int
parse_iso_us(const char *s, size_t n, int64_t *us)
{
	int			f[6];
	static const int width[6] = {4, 2, 2, 2, 2, 2};
	static const char sep[6] = {'-', '-', 'T', ':', ':', '\0'};
	const char *p = s;
	const char *end = s + n;
	int64_t		frac = 0;
	int64_t		off = 0;
	int			k;

	for (k = 0; k < 6; k++)
	{
		int			w;

		f[k] = 0;
		for (w = 0; w < width[k]; w++, p++)
		{
			if (p >= end || *p < '0' || *p > '9')
				return 0;
			f[k] = f[k] * 10 + (*p - '0');
		}
		if (sep[k])
		{
			if (p >= end || !(*p == sep[k] || (sep[k] == 'T' && *p == ' ')))
				return 0;
			p++;
		}
	}
	if (p < end && *p == '.')
	{
		int			digits = 0;

		for (p++; p < end && *p >= '0' && *p <= '9'; p++)
			if (digits < 6)
			{
				frac = frac * 10 + (*p - '0');
				digits++;
			}
		while (digits++ < 6)
			frac *= 10;
	}
	if (p < end && (*p == 'Z' || *p == 'z'))
		p++;
	else if (p < end && (*p == '+' || *p == '-'))
	{
		int			sign = *p++ == '-' ? -1 : 1;
		int			hh = 0,
					mm = 0;

		if (end - p < 2 || p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
			return 0;
		hh = (p[0] - '0') * 10 + (p[1] - '0');
		p += 2;
		if (p < end && *p == ':')
			p++;
		if (end - p >= 2 && p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9')
		{
			mm = (p[0] - '0') * 10 + (p[1] - '0');
			p += 2;
		}
		off = sign * ((int64_t) hh * 3600 + mm * 60);
	}
	if (p != end || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 ||
		f[3] > 23 || f[4] > 59 || f[5] > 60)
		return 0;
	*us = ((days_from_civil(f[0], f[1], f[2]) * 86400 +
			f[3] * 3600 + f[4] * 60 + f[5] - off) * 1000000) + frac;
	return 1;
}

static int
event_type(const char *s, size_t n)
{
	int			t;

	for (t = 0; t < EV_MESSAGE; t++)
		if (strlen(ev_names[t]) == n && strncasecmp(s, ev_names[t], n) == 0)
			return t;
	if (n == 7 && strncasecmp(s, "message", 7) == 0)
		return EV_MESSAGE;
	return EV_OTHER;
}

/* copy text for the summary: bounded, control characters and non-ASCII
 * bytes replaced */
static void
copy_text(char *dst, size_t cap, const char *s, size_t n)
{
	size_t		k;

	if (n >= cap)
		n = cap - 1;
	for (k = 0; k < n; k++)
		dst[k] = (unsigned char) s[k] < 0x20 || (unsigned char) s[k] > 0x7e ? '?' : s[k];
	dst[n] = '\0';
}

static void
count_reason(const char *reason)
{
	int			k;

	for (k = 0; k < st.nreasons; k++)
		if (strcmp(st.reasons[k], reason) == 0)
			break;
	if (k == st.nreasons)
	{
		if (st.nreasons == MAX_REASONS)
		{
			st.reason_count[MAX_REASONS]++;
			return;
		}
		snprintf(st.reasons[k], REASON_MAX, "%s", reason);
		st.nreasons++;
	}
	st.reason_count[k]++;
}

/* keep a latency sample: every one until the reservoir is full, then a
 * uniform sample of all (Vitter's algorithm R) */
static void
latency_add(int64_t lat)
{
	uint64_t	j;

	if (lat > st.lat_max || st.lat_seen == 0)
		st.lat_max = lat;
	if (lat < 0)
		st.lat_negative++;
	if (st.lat_seen < opt.samples)
		st.res[st.lat_seen] = lat;
	else
	{
		/* xorshift64* */
		rng_state ^= rng_state >> 12;
		rng_state ^= rng_state << 25;
		rng_state ^= rng_state >> 27;
		j = (rng_state * 0x2545F4914F6CDD1DULL) % (st.lat_seen + 1);
		if (j < opt.samples)
			st.res[j] = lat;
	}
	st.lat_seen++;
}

static void
log_line(int i, int64_t recv, const char *id, const char *type, const int64_t *lat,
		 const char *info)
{
	if (lat)
		fprintf(logfile, "%d\t%" PRId64 "\t%s\t%s\t%" PRId64 "\t%s\n", i, recv, id, type, *lat, info);
	else
		fprintf(logfile, "%d\t%" PRId64 "\t%s\t%s\t-\t%s\n", i, recv, id, type, info);
}

static void
progress(int64_t now, int64_t *last_t, uint64_t *last_changes)
{
	int			streaming = 0;
	int			k;

	for (k = 0; k < opt.connections; k++)
		streaming += conns[k].state == CS_BODY;
	fprintf(stderr, "sse-client: %.1f s: %d streaming, %" PRIu64 " events, "
			"%" PRIu64 " changes (%.0f/s), %" PRIu64 " failed, %" PRIu64 " reconnects\n",
			(now - mono_start) / 1e6, streaming, st.events, st.changes,
			(st.changes - *last_changes) * 1e6 / (double) (now - *last_t),
			st.ends[END_CONNECT] + st.ends[END_STATUS] + st.ends[END_NOT_SSE] +
			st.ends[END_NO_HEAD] + st.ends[END_BAD_HEAD], st.reconnects);
	*last_t = now;
	*last_changes = st.changes;
}

/* a JSON string of text copy_text made (no control characters) */
static void
json_str(const char *s)
{
	putchar('"');
	for (; *s; s++)
	{
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a;
	int64_t		y = *(const int64_t *) b;

	return x < y ? -1 : x > y;
}

/*
 * The one-line JSON summary on stdout.
 */
static void
print_summary(int64_t elapsed)
{
	struct rusage ru;
	double		user,
				sys;
	uint64_t	failed = st.ends[END_CONNECT] + st.ends[END_STATUS] +
		st.ends[END_NOT_SSE] + st.ends[END_NO_HEAD] + st.ends[END_BAD_HEAD];
	int			streaming = 0,
				pending = 0,
				waiting = 0;
	int			k;
	int			first;
	size_t		nsamples;
	double		span;

	for (k = 0; k < opt.connections; k++)
	{
		streaming += conns[k].state == CS_BODY;
		pending += conns[k].state == CS_CONNECTING || conns[k].state == CS_SENDING ||
			conns[k].state == CS_HEAD;
		waiting += conns[k].state == CS_WAIT;
	}
	getrusage(RUSAGE_SELF, &ru);
	user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;

	printf("{\"connections\":%d,\"attempts\":%" PRIu64 ",\"established\":%" PRIu64
		   ",\"failed\":%" PRIu64, opt.connections, st.attempts, st.established, failed);
	printf(",\"failed_by\":{\"connect\":%" PRIu64 ",\"status\":%" PRIu64
		   ",\"not_sse\":%" PRIu64 ",\"no_head\":%" PRIu64 ",\"bad_head\":%" PRIu64 "}",
		   st.ends[END_CONNECT], st.ends[END_STATUS], st.ends[END_NOT_SSE],
		   st.ends[END_NO_HEAD], st.ends[END_BAD_HEAD]);
	printf(",\"http_status\":{");
	first = 1;
	for (k = 0; k < 600; k++)
		if (st.status[k])
		{
			printf("%s\"%d\":%" PRIu64, first ? "" : ",", k, st.status[k]);
			first = 0;
		}
	printf("},\"closed_by_server\":%" PRIu64 ",\"cut\":%" PRIu64
		   ",\"reconnects\":%" PRIu64 ",\"streaming_at_end\":%d"
		   ",\"pending_at_end\":%d,\"waiting_reconnect_at_end\":%d",
		   st.ends[END_CLEAN], st.ends[END_CUT], st.reconnects, streaming, pending, waiting);
	printf(",\"events\":%" PRIu64 ",\"by_type\":{", st.events);
	for (k = 0; k < EV_NTYPES; k++)
		printf("%s\"%s\":%" PRIu64, k ? "," : "", ev_names[k], st.by_type[k]);
	span = st.last_change_us > st.first_change_us ?
		(st.last_change_us - st.first_change_us) / 1e6 : 0;
	printf("},\"changes\":%" PRIu64 ",\"heartbeats\":%" PRIu64
		   ",\"elapsed_s\":%.3f,\"events_per_s\":%.1f,\"changes_span_s\":%.3f"
		   ",\"changes_per_s\":%.1f",
		   st.changes, st.heartbeats, elapsed / 1e6,
		   elapsed > 0 ? st.events * 1e6 / (double) elapsed : 0.0,
		   span, span > 0 ? (st.changes - 1) / span : 0.0);
	if (st.ramp_us >= 0)
		printf(",\"ramp_s\":%.3f", st.ramp_us / 1e6);
	else
		printf(",\"ramp_s\":null");

	nsamples = st.lat_seen < opt.samples ? (size_t) st.lat_seen : opt.samples;
	printf(",\"latency_ms\":{\"count\":%" PRIu64 ",\"samples\":%zu", st.lat_seen, nsamples);
	if (nsamples > 0)
	{
		static const double q[3] = {0.50, 0.95, 0.99};
		static const char *const qn[3] = {"p50", "p95", "p99"};

		qsort(st.res, nsamples, sizeof(int64_t), cmp_i64);
		for (k = 0; k < 3; k++)
		{
			size_t		rank = (size_t) (q[k] * nsamples + 0.999999);

			if (rank < 1)
				rank = 1;
			printf(",\"%s\":%.3f", qn[k], st.res[rank - 1] / 1000.0);
		}
		printf(",\"max\":%.3f,\"negative\":%" PRIu64, st.lat_max / 1000.0, st.lat_negative);
	}
	printf("},\"order\":{\"checked\":%" PRIu64 ",\"duplicates\":%" PRIu64
		   ",\"decreases\":%" PRIu64 ",\"gaps\":%" PRIu64 ",\"epoch_changes\":%" PRIu64
		   ",\"bad_ids\":%" PRIu64 ",\"without_id\":%" PRIu64 "}",
		   st.changes - st.unchecked - st.bad_ids, st.duplicates, st.decreases,
		   st.gaps, st.epoch_changes, st.bad_ids, st.unchecked);
	printf(",\"changes_without_commit_timestamp\":%" PRIu64, st.no_commit);
	printf(",\"resets\":{");
	for (k = 0; k < st.nreasons; k++)
	{
		if (k)
			putchar(',');
		json_str(st.reasons[k]);
		printf(":%" PRIu64, st.reason_count[k]);
	}
	if (st.reason_count[MAX_REASONS])
		printf("%s\"(more reasons)\":%" PRIu64, st.nreasons ? "," : "",
			   st.reason_count[MAX_REASONS]);
	printf("},\"errors\":%" PRIu64, st.by_type[EV_ERROR]);
	if (st.first_error[0])
	{
		printf(",\"first_error\":");
		json_str(st.first_error);
	}
	printf(",\"truncated_lines\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"reads\":%" PRIu64,
		   st.truncated_lines, st.bytes, st.reads);
	printf(",\"cpu_s\":{\"user\":%.3f,\"sys\":%.3f},\"cpu_us_per_event\":",
		   user, sys);
	if (st.events)
		printf("%.2f", (user + sys) * 1e6 / st.events);
	else
		printf("null");
	printf("}\n");
	fflush(stdout);
}

static void
on_signal(int sig)
{
	(void) sig;
	stop_flag = 1;
}

int
main(int argc, char **argv)
{
	struct epoll_event evs[MAX_EVENTS];
	struct sigaction sa;
	int64_t		end_us;
	int64_t		next_progress;
	int64_t		last_progress;
	uint64_t	last_changes = 0;
	int			opened = 0;
	int			k;

	parse_options(argc, argv);
	if (opt.tokens_file)
		ntokens = load_lines(opt.tokens_file, &tokens);
	if (opt.paths_file)
	{
		npaths = load_lines(opt.paths_file, &paths);
		for (int k = 0; k < npaths; k++)
		{
			if (paths[k][0] != '/' || strpbrk(paths[k], " \t"))
				die("a path must start with / and hold no spaces: \"%s\"", paths[k]);
		}
	}
	raise_nofile(opt.connections);
	build_prefix();

	conns = calloc((size_t) opt.connections, sizeof(Conn));
	heap_due = malloc((size_t) opt.connections * sizeof(int64_t));
	heap_conn = malloc((size_t) opt.connections * sizeof(int));
	st.res = malloc(opt.samples * sizeof(int64_t));
	if (!conns || !heap_due || !heap_conn || !st.res)
		die("out of memory");
	for (k = 0; k < opt.connections; k++)
	{
		conns[k].fd = -1;
		conns[k].retry_ms = -1;
	}
	st.ramp_us = -1;
	if (opt.log_file)
	{
		logfile = fopen(opt.log_file, "w");
		if (logfile == NULL)
			die("could not open \"%s\": %s", opt.log_file, strerror(errno));
		setvbuf(logfile, NULL, _IOFBF, 1 << 20);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		die("epoll_create1: %s", strerror(errno));

	mono_start = mono_us();
	end_us = mono_start + (int64_t) (opt.duration * 1e6);
	last_progress = mono_start;
	next_progress = opt.progress > 0 ? mono_start + (int64_t) (opt.progress * 1e6) : INT64_MAX;

	while (!stop_flag)
	{
		int64_t		now = mono_us();
		int64_t		wake = end_us;
		int			n;
		int			timeout;

		if (now >= end_us)
			break;
		if (opt.events && st.changes >= opt.events)
			break;

		/* open the connections due by now, at --rate a second */
		if (opened < opt.connections)
		{
			int64_t		due = opt.rate > 0 ?
				(int64_t) ((now - mono_start) * opt.rate / 1e6) + 1 : opt.connections;

			if (due > opt.connections)
				due = opt.connections;
			while (opened < due)
				conn_open(opened++);
			if (opened < opt.connections)
			{
				int64_t		t = mono_start + (int64_t) (opened * 1e6 / opt.rate);

				if (t < wake)
					wake = t;
			}
		}
		/* and those due to reconnect */
		while (heap_len > 0 && heap_due[0] <= now)
			conn_open(heap_pop());
		if (heap_len > 0 && heap_due[0] < wake)
			wake = heap_due[0];
		if (opened == opt.connections && alive == 0 && heap_len == 0)
			break;				/* nothing can come any more */

		if (now >= next_progress)
		{
			progress(now, &last_progress, &last_changes);
			next_progress += (int64_t) (opt.progress * 1e6);
		}
		if (next_progress < wake)
			wake = next_progress;
		timeout = wake > now ? (int) ((wake - now + 999) / 1000) : 0;
		if (timeout > 100)
			timeout = 100;

		n = epoll_wait(epfd, evs, MAX_EVENTS, timeout);
		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			die("epoll_wait: %s", strerror(errno));
		}
		for (k = 0; k < n; k++)
		{
			int			i = (int) evs[k].data.u64;
			Conn	   *c = &conns[i];

			if (c->state == CS_CONNECTING || c->state == CS_SENDING)
				conn_send(i);
			else if (c->state == CS_HEAD || c->state == CS_BODY)
				conn_read(i);
		}
	}

	if (logfile)
	{
		for (k = 0; k < opt.connections; k++)
			if (conns[k].fd >= 0)
				log_line(k, real_us(), "-", "#close", NULL, "stop");
		if (fclose(logfile) != 0)
			fprintf(stderr, "sse-client: could not write \"%s\": %s\n",
					opt.log_file, strerror(errno));
		logfile = NULL;
	}
	print_summary(mono_us() - mono_start);
	return 0;
}
