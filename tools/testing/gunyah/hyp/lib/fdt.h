/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gunyah test hypervisor: a small, read-only reader of flattened device
 * trees (DTB format, version 17) for blobs that come from an untrusted
 * source, such as a guest VM's device tree placed in memory by the host.
 *
 * fdt_init() checks the header against the size of the memory that holds
 * the blob and then walks the whole structure block once, so a malformed
 * blob is refused up front.  The accessors still check every offset and
 * length they use against the limits recorded by fdt_init(), so they never
 * read outside the blob even when given a bad node offset.
 *
 * Nodes are named by their offset from the start of the blob (always
 * positive); negative values are FDT_ERR_* codes.  Pointers returned by the
 * accessors point into the blob.  The blob must not change while it is
 * being read: if another party can still write it, copy it first.
 */
#ifndef HYP_FDT_H
#define HYP_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC		0xd00dfeedU
#define FDT_HEADER_SIZE		40

/* Header fields, by byte offset (big-endian 32-bit each) */
#define FDT_HDR_MAGIC			0
#define FDT_HDR_TOTALSIZE		4
#define FDT_HDR_OFF_DT_STRUCT		8
#define FDT_HDR_OFF_DT_STRINGS		12
#define FDT_HDR_OFF_MEM_RSVMAP		16
#define FDT_HDR_VERSION			20
#define FDT_HDR_LAST_COMP_VERSION	24
#define FDT_HDR_BOOT_CPUID_PHYS		28
#define FDT_HDR_SIZE_DT_STRINGS		32
#define FDT_HDR_SIZE_DT_STRUCT		36

/* Structure block tokens */
#define FDT_BEGIN_NODE		0x1
#define FDT_END_NODE		0x2
#define FDT_PROP		0x3
#define FDT_NOP			0x4
#define FDT_END			0x9

/* Error codes */
#define FDT_ERR_NOTFOUND	(-1)	/* no such node or property */
#define FDT_ERR_BADMAGIC	(-2)	/* not a device tree blob */
#define FDT_ERR_BADVERSION	(-3)	/* not compatible with version 17 */
#define FDT_ERR_BADHEADER	(-4)	/* header sizes or offsets out of range */
#define FDT_ERR_BADSTRUCTURE	(-5)	/* malformed structure or strings block */
#define FDT_ERR_BADOFFSET	(-6)	/* node offset is not a node */
#define FDT_ERR_BADPATH		(-7)	/* path does not start with '/' */

/* Limits of a blob that passed fdt_init(); offsets are from the blob start. */
struct fdt {
	const uint8_t *blob;
	uint32_t size;			/* totalsize */
	uint32_t struct_off;		/* structure block */
	uint32_t struct_end;
	uint32_t strings_off;		/* strings block */
	uint32_t strings_size;
	uint32_t root;			/* root node */
};

/*
 * Check the blob at @blob, of which at most @max_size bytes may be read,
 * and fill in @fdt.  Returns 0 or a negative FDT_ERR_* code.
 */
int fdt_init(struct fdt *fdt, const void *blob, size_t max_size);

/* Offset of the root node. */
int fdt_root(const struct fdt *fdt);

/*
 * Offset of the node at absolute @path ("/", "/cpus", "/a/b@1").  A path
 * component matches a node name exactly, or the part of it before '@'; the
 * first matching child wins.
 */
int fdt_path_offset(const struct fdt *fdt, const char *path);

/* Direct children of a node, in blob order; FDT_ERR_NOTFOUND at the end. */
int fdt_first_subnode(const struct fdt *fdt, int node);
int fdt_next_subnode(const struct fdt *fdt, int node);

/* Name of a node (with unit address, not NUL-counted in *@len), or NULL. */
const char *fdt_node_name(const struct fdt *fdt, int node, int *len);

/* Whether a node is named @base or "base@unit-address". */
bool fdt_node_name_is(const struct fdt *fdt, int node, const char *base);

/*
 * Value of property @name of @node, and its length in *@len (if @len is not
 * NULL).  Returns NULL if absent; *@len is then a negative FDT_ERR_* code.
 */
const void *fdt_getprop(const struct fdt *fdt, int node, const char *name, int *len);

/* A 4-byte property, converted from big endian. */
bool fdt_prop_u32(const struct fdt *fdt, int node, const char *name, uint32_t *out);

/* Cell @index of a property made of 4-byte cells. */
bool fdt_prop_u32_index(const struct fdt *fdt, int node, const char *name,
			unsigned int index, uint32_t *out);

/* An 8-byte property (two cells, most significant first), or a 4-byte one. */
bool fdt_prop_u64(const struct fdt *fdt, int node, const char *name, uint64_t *out);

/*
 * First string of a string (list) property, or NULL unless the value holds
 * a NUL-terminated string.
 */
const char *fdt_prop_string(const struct fdt *fdt, int node, const char *name);

/* Whether the first string of property @name equals @str. */
bool fdt_prop_string_is(const struct fdt *fdt, int node, const char *name, const char *str);

#endif
