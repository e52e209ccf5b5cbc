/* A stand-in for systemd's notification socket: prints every datagram sent to the socket at
 * argv[1], one line per field, flushed, until killed. With TIMES, each datagram is also
 * appended there after the seconds since the listener started ("1.503 WATCHDOG=1"), so a test
 * can measure the intervals between pings. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timespec start;
	FILE *times = NULL;
	char buf[4096];
	int fd;

	if (argc < 2 || argc > 3 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: notify-listen SOCKET [TIMES]\n");
		return 64;
	}
	if (argc == 3 && (times = fopen(argv[2], "a")) == NULL) {
		perror(argv[2]);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", argv[1]);
	unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("notify-listen");
		return 1;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		if (n <= 0)
			continue;
		buf[n] = '\0';
		printf("%s\n", buf);
		fflush(stdout);
		if (times != NULL) {
			fprintf(times, "%.3f %s\n", seconds_since(&start), buf);
			fflush(times);
		}
	}
}
