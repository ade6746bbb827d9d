/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memblock_peer_load.h - find, build and load the memblock peer (issue 15).
 *
 * For the integrator of `discontig bench --peer memblock[=DIR]`:
 *
 *	struct dc_peer_memblock pm;
 *	char why[256];
 *	int r = dc_peer_memblock_open(dir_or_NULL, true, &pm, why, sizeof(why));
 *	if (r)		// 2: not installed, why says how to get it; 1: failed
 *		note("memblock peer: %s (going on without it)\n", why);
 *	else		// pm.ops->reset(), ->add(), ... (memblock_peer.h)
 *		...; dc_peer_memblock_close(&pm);
 *
 * The peer is a shared object built by scripts/memblock-peer.sh from the
 * linux-source package (or DIR) into the user's cache; open() runs the
 * script (a no-op once built: it only hashes its inputs), reads the path
 * it prints, dlopen()s the object and checks its ABI. Environment:
 * DC_MEMBLOCK_PEER_SO names a built object and skips the script;
 * DC_MEMBLOCK_PEER_SCRIPT replaces the script's path compiled in from the
 * source tree (DC_MEMBLOCK_PEER_SCRIPT_PATH). The bench should time the
 * peer's calls exactly as it times dc_* calls: through the same kind of
 * batch functions, with the layout built by the same code (see
 * tools/peer/peer_bench.c, whose targets put both behind one interface).
 */
#ifndef DC_TOOLS_PEER_MEMBLOCK_PEER_LOAD_H
#define DC_TOOLS_PEER_MEMBLOCK_PEER_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "memblock_peer.h"

struct dc_peer_memblock {
	void *dl;				/* dlopen handle */
	const struct dc_memblock_peer *ops;	/* the peer */
	char so[4096];				/* the object loaded */
};

/**
 * dc_peer_memblock_open() - build if needed, then load the memblock peer
 * @source:  an unpacked kernel tree or a linux-source tarball (the DIR of
 *           --peer memblock=DIR); NULL: the script's default, Debian's
 *           /usr/src/linux-source-6.1.tar.xz
 * @verbose: pass the script's progress lines on to stderr
 * @pm:      filled in on success
 * @why:     one line on failure (not NULL)
 * @len:     bytes of @why
 *
 * Return: 0; 2 when the peer cannot be built here (no kernel source, no
 * liburcu-dev, not x86_64: @why is the script's line saying why and how
 * to get what is missing); 1 when the build or the load failed (@why
 * names the log or dlerror()).
 */
int dc_peer_memblock_open(const char *source, bool verbose,
			  struct dc_peer_memblock *pm, char *why, size_t len);

/* dlclose() after the peer's own reset(0, 0), which unmaps its memory. */
void dc_peer_memblock_close(struct dc_peer_memblock *pm);

#endif /* DC_TOOLS_PEER_MEMBLOCK_PEER_LOAD_H */
