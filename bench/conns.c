/*
 * conns.c: many keep-alive HTTP connections from one thread, for bench/run.
 *
 *   conns -p PORT [--host 127.0.0.1] [--path /items?id=eq.{r}] [--range N]
 *         -c CONNECTIONS [-r RATE] [-d SECONDS] [--open-rate N] [--slow MS]
 *
 * Opens CONNECTIONS connections (at most --open-rate a second, default
 * 2000) and keeps them open.  With a RATE (requests a second over all
 * connections), each connection sends a GET every CONNECTIONS / RATE
 * seconds, at its own phase, one at a time: an open loop, so the latency
 * of a request counts from when it was due, not from when a slow answer
 * to the one before let it go (no coordinated omission).  Without one,
 * each connection sends one request once open and then stays idle for
 * the run (for the server's memory per idle connection): "idle" is
 * printed on stderr once every connection has had its answer.  {r} in the
 * path becomes a random integer in [1, --range] (default 100000).
 *
 * --slow MS makes each request dribble: sent in pieces of 8 bytes, one
 * every MS milliseconds (a client on a slow link, holding a half-read
 * request in the server).
 *
 * Prints one line of JSON: connections established and failed, requests
 * sent, answers by class, connections the server closed, latency p50,
 * p99 and maximum (ms, to within 1/8 of a power of two), the rate
 * answered.  With a RATE, the latency and the rate are those of the
 * steady state: from a second after the last connection opened.  Needs a file descriptor per connection: it raises its
 * open-files limit to the hard limit.
 *
 * One C99 file with no dependencies beyond libc (Linux: epoll):
 *   cc -O2 -Wall -Wextra -o /tmp/conns bench/conns.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUCKETS (31 * 8)

typedef struct Conn
{
	int			fd;
	int			open;			/* 0 not yet, 1 connecting/open, -1 failed or closed */
	int			busy;			/* a request is out */
	int			answered_once;
	uint64_t	due;			/* when the next request is due (us) */
	uint64_t	sent_due;		/* when the one out was due */
	char		req[512];
	size_t		req_len;
	size_t		req_sent;
	uint64_t	next_piece;		/* --slow: when the next piece goes */
	char		buf[16384];
	size_t		len;
} Conn;

static uint64_t hist[BUCKETS];
static uint64_t hist_count, hist_max;

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
bucket_of(uint64_t us)
{
	int			msb;

	if (us < 8)
		return (int) us;
	msb = 63 - __builtin_clzll(us);
	int			b = (msb - 2) * 8 + (int) ((us >> (msb - 3)) & 7);

	return b < BUCKETS ? b : BUCKETS - 1;
}

static uint64_t
bucket_top(int b)
{
	if (b < 8)
		return (uint64_t) b;
	int			msb = b / 8 + 2;

	return (((uint64_t) (8 + b % 8 + 1)) << (msb - 3)) - 1;
}

static double
percentile(double p)
{
	uint64_t	rank = (uint64_t) (hist_count * p + 0.999999);
	uint64_t	seen = 0;

	if (hist_count == 0)
		return 0;
	for (int b = 0; b < BUCKETS; b++)
	{
		seen += hist[b];
		if (seen >= rank)
			return (bucket_top(b) < hist_max ? bucket_top(b) : hist_max) / 1000.0;
	}
	return hist_max / 1000.0;
}

static const char *host = "127.0.0.1";
static const char *path = "/items?id=eq.{r}";
static int	port, nconns, range = 100000, open_rate = 2000, slow_ms = 0;
static double rate = 0, seconds = 10;
static int	ep;
static uint64_t established, failed, sent, ok2xx, other, closed_by_server, cut;

static void
make_request(Conn *c)
{
	char		target[400];
	const char *r = strstr(path, "{r}");

	if (r)
		snprintf(target, sizeof(target), "%.*s%d%s", (int) (r - path), path,
				 1 + rand() % range, r + 3);
	else
		snprintf(target, sizeof(target), "%s", path);
	c->req_len = (size_t) snprintf(c->req, sizeof(c->req),
								   "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, host);
	c->req_sent = 0;
}

static void
send_some(Conn *c, uint64_t now)
{
	while (c->req_sent < c->req_len)
	{
		size_t		n = c->req_len - c->req_sent;
		ssize_t		w;

		if (slow_ms > 0)
		{
			if (now < c->next_piece)
				return;
			if (n > 8)
				n = 8;
			c->next_piece = now + (uint64_t) slow_ms * 1000;
		}
		w = send(c->fd, c->req + c->req_sent, n, MSG_NOSIGNAL);
		if (w < 0)
		{
			if (errno == EAGAIN)
				return;
			c->open = -1;
			cut++;
			close(c->fd);
			return;
		}
		c->req_sent += (size_t) w;
		if (slow_ms > 0)
			return;
	}
}

static void
start_request(Conn *c, uint64_t due, uint64_t now)
{
	make_request(c);
	c->busy = 1;
	c->sent_due = due;
	c->next_piece = now;
	sent++;
	send_some(c, now);
}

/* a whole answer in the buffer? returns its length, 0 if not yet */
static size_t
answer_length(Conn *c, int *status)
{
	char	   *end;
	char	   *cl;
	size_t		head;

	if (c->len < 12)
		return 0;
	c->buf[c->len] = '\0';
	end = strstr(c->buf, "\r\n\r\n");
	if (end == NULL)
		return 0;
	head = (size_t) (end - c->buf) + 4;
	*status = atoi(c->buf + 9);
	cl = strcasestr(c->buf, "\r\nContent-Length:");
	if (cl != NULL && cl < end)
	{
		size_t		body = (size_t) strtoul(cl + 17, NULL, 10);

		return c->len >= head + body ? head + body : 0;
	}
	/* chunked: up to the last chunk */
	end = strstr(c->buf + head, "\r\n0\r\n\r\n");
	if (end == NULL)
		return (c->len >= head && strncmp(c->buf + head, "0\r\n\r\n", 5) == 0) ? head + 5 : 0;
	return (size_t) (end - c->buf) + 7;
}

static void
read_some(Conn *c, uint64_t now)
{
	for (;;)
	{
		ssize_t		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
		size_t		whole;
		int			status = 0;

		if (n == 0 || (n < 0 && errno != EAGAIN))
		{
			c->open = -1;
			closed_by_server++;
			close(c->fd);
			return;
		}
		if (n < 0)
			return;
		c->len += (size_t) n;
		while ((whole = answer_length(c, &status)) > 0)
		{
			uint64_t	lat = now > c->sent_due ? now - c->sent_due : 0;

			hist[bucket_of(lat)]++;
			hist_count++;
			if (lat > hist_max)
				hist_max = lat;
			if (status >= 200 && status < 300)
				ok2xx++;
			else
				other++;
			memmove(c->buf, c->buf + whole, c->len - whole);
			c->len -= whole;
			c->busy = 0;
			c->answered_once = 1;
		}
		if (c->len >= sizeof(c->buf) - 1)
			c->len = 0;			/* a body too big to follow: drop it */
	}
}

static int
open_conn(Conn *c)
{
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c};
	int			one = 1;

	inet_pton(AF_INET, host, &addr.sin_addr);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *) &addr, sizeof(addr)) < 0 && errno != EINPROGRESS)
	{
		close(c->fd);
		return -1;
	}
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
	c->open = 1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct rlimit lim;
	Conn	   *conns;
	uint64_t	start,
				end,
				interval = 0,
				first_answer = 0;
	int			opened = 0,
				idle_said = 0;
	uint64_t	all_open = 0,	/* when the last connection was opened */
				steady = 0;		/* a second later: measuring starts */
	uint64_t	steady_answers = 0;
	uint64_t	next_scan = 0;
	uint64_t	next_due = UINT64_MAX;
	struct epoll_event events[1024];

	for (int i = 1; i < argc; i++)
	{
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : "";

		if (!strcmp(a, "-p") || !strcmp(a, "--port")) port = atoi(v), i++;
		else if (!strcmp(a, "--host")) host = v, i++;
		else if (!strcmp(a, "--path")) path = v, i++;
		else if (!strcmp(a, "--range")) range = atoi(v), i++;
		else if (!strcmp(a, "-c") || !strcmp(a, "--connections")) nconns = atoi(v), i++;
		else if (!strcmp(a, "-r") || !strcmp(a, "--rate")) rate = atof(v), i++;
		else if (!strcmp(a, "-d") || !strcmp(a, "--duration")) seconds = atof(v), i++;
		else if (!strcmp(a, "--open-rate")) open_rate = atoi(v), i++;
		else if (!strcmp(a, "--slow")) slow_ms = atoi(v), i++;
		else
		{
			fprintf(stderr, "usage: conns -p PORT [--host H] [--path P] [--range N] -c N [-r RATE] [-d S] [--open-rate N] [--slow MS]\n");
			return 2;
		}
	}
	if (port <= 0 || nconns <= 0)
	{
		fprintf(stderr, "conns: -p and -c are required\n");
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0)
	{
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_NOFILE, &lim);
	}
	srand((unsigned) now_us());
	conns = calloc((size_t) nconns, sizeof(Conn));
	ep = epoll_create1(0);
	if (rate > 0)
		interval = (uint64_t) (nconns / rate * 1e6);
	start = now_us();
	end = start + (uint64_t) (seconds * 1e6);

	for (;;)
	{
		uint64_t	now = now_us();
		int			n;

		if (now >= end)
			break;
		/* open more, at --open-rate */
		while (opened < nconns && (uint64_t) opened * 1000000 / (uint64_t) open_rate <= now - start)
		{
			Conn	   *c = &conns[opened];

			if (open_conn(c) < 0)
			{
				c->open = -1;
				failed++;
			}
			else
			{
				established++;
				/* its first request: at once, or at its phase of the rate */
				c->due = interval ? now + (uint64_t) ((double) interval * opened / nconns) % interval : now;
			}
			opened++;
		}
		/*
		 * requests due: with many connections looked for every 250 us, not
		 * on every event; noting the next one due
		 */
		next_due = UINT64_MAX;
		for (int i = 0; now >= next_scan && i < opened; i++)
		{
			Conn	   *c = &conns[i];

			if (c->open != 1)
				continue;
			if (c->busy)
			{
				if (slow_ms > 0 && c->req_sent < c->req_len)
					send_some(c, now);
				continue;
			}
			if (c->due <= now && (interval > 0 || !c->answered_once) && c->due != UINT64_MAX)
			{
				uint64_t	due = c->due;

				c->due = interval ? c->due + interval : UINT64_MAX;
				start_request(c, due, now);
			}
			if (c->open == 1 && !c->busy && c->due < next_due)
				next_due = c->due;
		}
		if (now >= next_scan)
			next_scan = now + (nconns > 1000 ? 250 : 0);
		/* a second after the last connection opened, the latency starts over */
		if (opened == nconns && all_open == 0)
			all_open = now;
		if (all_open != 0 && steady == 0 && interval > 0 && now >= all_open + 1000000)
		{
			steady = now;
			memset(hist, 0, sizeof(hist));
			hist_count = 0;
			hist_max = 0;
			steady_answers = 0;
		}
		/* until the next request is due (to the microsecond), 1 ms at most */
		{
			uint64_t	wait = 1000;
			struct timespec ts;

			if (next_scan > now && next_scan - now < wait)
				wait = next_scan - now;
			if (next_due != UINT64_MAX)
				wait = next_due <= now ? 0 : (next_due - now < wait ? next_due - now : wait);
			ts.tv_sec = 0;
			ts.tv_nsec = (long) wait * 1000;
			n = epoll_pwait2(ep, events, 1024, &ts, NULL);
		}
		now = now_us();
		for (int i = 0; i < n; i++)
		{
			Conn	   *c = events[i].data.ptr;

			if (c->open != 1)
				continue;
			if (events[i].events & EPOLLOUT && c->busy)
				send_some(c, now);
			if (c->open == 1 && events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				read_some(c, now);
			if (first_answer == 0 && hist_count > 0)
				first_answer = now;
			steady_answers = hist_count;
		}
		if (interval == 0 && !idle_said && opened == nconns &&
			ok2xx + other + closed_by_server + cut + failed >= (uint64_t) nconns)
		{
			fprintf(stderr, "idle\n");
			idle_said = 1;
		}
	}
	printf("{\"connections\":%d,\"established\":%llu,\"failed\":%llu,\"requests\":%llu,"
		   "\"ok\":%llu,\"other_status\":%llu,\"closed_by_server\":%llu,\"cut\":%llu,"
		   "\"ramp_s\":%.1f,\"steady_s\":%.1f,\"answered_per_s\":%.0f,"
		   "\"latency_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f}}\n",
		   nconns, (unsigned long long) established, (unsigned long long) failed,
		   (unsigned long long) sent, (unsigned long long) ok2xx, (unsigned long long) other,
		   (unsigned long long) closed_by_server, (unsigned long long) cut,
		   all_open ? (all_open - start) / 1e6 : -1.0,
		   steady ? (end - steady) / 1e6 : 0.0,
		   steady ? steady_answers / ((end - steady) / 1e6) : hist_count / seconds,
		   percentile(0.5), percentile(0.99), hist_max / 1000.0);
	return 0;
}
