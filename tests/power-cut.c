/* power-cut PATH: the power fails for the filesystem that holds PATH. The filesystem is shut
 * down at once without writing what is only in memory (EXT4_IOC_SHUTDOWN with NOLOGFLUSH, the
 * ioctl xfstests' "godown" uses): what was not fsync'd is gone, what was is on the device, and
 * every later access fails. Unmount and mount it again to see what survived. Needs root. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* From linux/fs/ext4/ext4.h (the same number as XFS_IOC_GOINGDOWN). */
#define EXT4_IOC_SHUTDOWN	    _IOR('X', 125, uint32_t)
#define EXT4_GOING_FLAGS_NOLOGFLUSH 0x2

int main(int argc, char **argv)
{
	uint32_t flags = EXT4_GOING_FLAGS_NOLOGFLUSH;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: power-cut PATH\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		fprintf(stderr, "power-cut: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (ioctl(fd, EXT4_IOC_SHUTDOWN, &flags) < 0) {
		fprintf(stderr, "power-cut: shutdown of %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}
