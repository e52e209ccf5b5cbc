#include "testhook.h"

#ifdef ADMITD_TEST_HOOKS
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void testhook_pause(const char *point, const char *detail)
{
	const char *armed = getenv("ADMITD_TEST_PAUSE");
	const char *file = getenv("ADMITD_TEST_PAUSE_FILE");
	char line[512];
	int fd, n;

	if (armed == NULL || strcmp(armed, point) != 0)
		return;
	if (file != NULL && (fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) >= 0) {
		n = snprintf(line, sizeof(line), "%s %s\n", point, detail ? detail : "-");
		if (n > 0 && write(fd, line, (size_t)n) < 0)
			perror("testhook");
		close(fd);
	}
	for (int i = 0; i < 60; i++)
		sleep(1);
}
#endif
