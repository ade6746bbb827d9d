// SPDX-License-Identifier: BSD-3-Clause
/*
 * backends.c - the backends compiled into this library (CMake DC_BACKENDS)
 * and the default one (DC_BACKEND). A kernel build compiles exactly one.
 */
#include "nodes/node.h"

static const struct dc_backend_ops *const dc_backends[] = {
#if DC_CONFIG_HAVE_TREE
	&dc_backend_tree,
#endif
#if DC_CONFIG_HAVE_BITMAP
	&dc_backend_bitmap,
#endif
#if DC_CONFIG_HAVE_ARRAY
	&dc_backend_array,
#endif
};

static bool name_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

const struct dc_backend_ops *dc_backend_find(const char *name)
{
	if (!name)
		return 0;
	for (size_t i = 0; i < sizeof(dc_backends) / sizeof(dc_backends[0]); i++)
		if (name_eq(dc_backends[i]->name, name))
			return dc_backends[i];
	return 0;
}

const struct dc_backend_ops *dc_backend_default(void)
{
	return &DC_CONFIG_DEFAULT_BACKEND;
}
