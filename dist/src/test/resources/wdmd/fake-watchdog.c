/*
 * A watchdog device for the real wdmd where the kernel has none (no /dev/watchdog, no
 * softdog here): preloaded into wdmd, it makes the regular file named by $FAKE_WATCHDOG
 * answer the watchdog ioctls wdmd uses (timeout get/set, keepalive) and appends one line
 * per event ("<CLOCK_MONOTONIC s.ms> keepalive", "... open", "... close") to
 * $FAKE_WATCHDOG_LOG, so a test can see when wdmd pets the device and when it stops.
 * wdmd writes the magic 'V' to the file itself on a clean stop. Test-only.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/watchdog.h>

static int fake_fd = -1;
static int timeout_s = 60;

static void note(const char *what)
{
	const char *log = getenv("FAKE_WATCHDOG_LOG");
	struct timespec ts;
	FILE *f;

	if (!log)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	f = fopen(log, "a");
	if (!f)
		return;
	fprintf(f, "%ld.%03ld %s\n", (long)ts.tv_sec, ts.tv_nsec / 1000000, what);
	fclose(f);
}

static int is_fake(const char *path)
{
	const char *p = getenv("FAKE_WATCHDOG");
	return p && path && strcmp(p, path) == 0;
}

int openat(int dirfd, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	mode_t mode = 0;
	int fd;

	if (!real)
		real = dlsym(RTLD_NEXT, "openat");
	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	fd = real(dirfd, path, flags, mode);
	if (fd >= 0 && is_fake(path)) {
		fake_fd = fd;
		note("open");
	}
	return fd;
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return openat(AT_FDCWD, path, flags, mode);
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*real)(int, unsigned long, ...);
	char buf[64];
	va_list ap;
	void *arg;

	if (!real)
		real = dlsym(RTLD_NEXT, "ioctl");
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd < 0 || fd != fake_fd)
		return real(fd, req, arg);
	switch (req) {
	case WDIOC_GETTIMEOUT:
		*(int *)arg = timeout_s;
		return 0;
	case WDIOC_SETTIMEOUT:
		timeout_s = *(int *)arg;
		snprintf(buf, sizeof(buf), "settimeout %d", timeout_s);
		note(buf);
		return 0;
	case WDIOC_KEEPALIVE:
		note("keepalive");
		return 0;
	default:
		snprintf(buf, sizeof(buf), "ioctl %lx", req);
		note(buf);
		return 0;
	}
}

int close(int fd)
{
	static int (*real)(int);

	if (!real)
		real = dlsym(RTLD_NEXT, "close");
	if (fd >= 0 && fd == fake_fd) {
		note("close");
		fake_fd = -1;
	}
	return real(fd);
}
