#include "testhook.h"

#ifdef ADMITD_TEST_HOOKS
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whether `armed` ("POINT" or "POINT:N") names this point and this is its Nth arrival
 * (counted in *arrivals). */
static bool due(const char *armed, const char *point, int *arrivals)
{
	size_t len = strlen(point);
	long nth = 1;

	if (armed == NULL || strncmp(armed, point, len) != 0)
		return false;
	if (armed[len] == ':')
		nth = strtol(armed + len + 1, NULL, 10);
	else if (armed[len] != '\0')
		return false;
	return ++*arrivals == nth;
}

void testhook_pause(const char *point, const char *detail)
{
	const char *file = getenv("ADMITD_TEST_PAUSE_FILE");
	static int arrivals;
	char line[512];
	int fd, n;

	if (!due(getenv("ADMITD_TEST_PAUSE"), point, &arrivals))
		return;
	if (file != NULL &&
	    (fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) >= 0) {
		n = snprintf(line, sizeof(line), "%s %s\n", point, detail ? detail : "-");
		if (n > 0 && write(fd, line, (size_t)n) < 0)
			perror("testhook");
		close(fd);
	}
	for (int i = 0; i < 60; i++)
		sleep(1);
}

bool testhook_fault(const char *point)
{
	static int arrivals;

	return due(getenv("ADMITD_TEST_FAULT"), point, &arrivals);
}
#endif
