// SPDX-License-Identifier: GPL-2.0-only
/*
 * Booted without the test hypervisor: the gunyah module must refuse to
 * load with ENODEV and say why in exactly one log line; the hypercall
 * library itself loads (it has no hardware to check).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gunyah_util.h"

static int load_module(const char *name)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s.ko", getenv("GH_MODDIR") ?: "/lib/modules/gunyah",
		 name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret ? -errno : 0;
}

int main(void)
{
	struct stat st;
	int ret;

	tap_begin();
	ret = load_module("gunyah_hypercall");
	tap_check(ret == 0, "gunyah_hypercall loads (%d)", ret);
	ret = load_module("gunyah");
	tap_check(ret == -ENODEV, "gunyah refuses to load with ENODEV (%d: %s)", ret,
		  strerror(-ret));
	tap_check(stat("/sys/module/gunyah", &st) != 0, "no gunyah module left behind");
	ret = klog_count("not running under the Gunyah hypervisor");
	tap_check(ret == 1, "exactly one log line explains the refusal (%d)", ret);
	ret = load_module("gunyah");
	tap_check(ret == -ENODEV, "a second attempt fails the same way (%d)", ret);
	return tap_finish();
}
