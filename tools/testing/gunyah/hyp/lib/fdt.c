// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah test hypervisor: bounds-checked reader of flattened device trees.
 *
 * Layout of a blob (all integers big endian):
 *
 *	header		magic, totalsize, off_dt_struct, off_dt_strings,
 *			off_mem_rsvmap, version, last_comp_version,
 *			boot_cpuid_phys, size_dt_strings, size_dt_struct
 *	structure	a sequence of 4-byte aligned tokens: FDT_BEGIN_NODE and
 *			the NUL-terminated node name, FDT_PROP with the value
 *			length, the name offset in the strings block and the
 *			value, FDT_END_NODE, FDT_NOP; FDT_END last
 *	strings		NUL-terminated property names
 *
 * All arithmetic is on 32-bit unsigned offsets from the blob start.  The
 * blob is at most INT32_MAX bytes, so a sum of two in-range offsets cannot
 * wrap and every offset fits a non-negative int.  Each step through the
 * structure block moves forward by at least one token, so every walk ends.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fdt.h"

#define FDT_VERSION		17
#define TOKEN_SIZE		4
#define PROP_HDR_SIZE		12	/* token, value length, name offset */
#define RSVMAP_ENTRY_SIZE	16
#define FDT_MAX_SIZE		0x7fffffffU

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t align4(uint32_t off)
{
	return (off + 3) & ~3U;
}

/* Offset of the first NUL in [@from, @end) of the blob, or @end if none. */
static uint32_t find_nul(const struct fdt *fdt, uint32_t from, uint32_t end)
{
	while (from < end && fdt->blob[from])
		from++;
	return from;
}

/* Whether the @n bytes at @a and @b are equal. */
static bool bytes_eq(const uint8_t *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != (uint8_t)b[i])
			return false;
	return true;
}

/* Whether the first @avail bytes at @s hold the NUL-terminated string @str. */
static bool bounded_streq(const uint8_t *s, size_t avail, const char *str)
{
	size_t i;

	for (i = 0; i < avail; i++) {
		if (s[i] != (uint8_t)str[i])
			return false;
		if (!str[i])
			return true;
	}
	return false;
}

static size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* A decoded structure block token */
struct token {
	uint32_t tag;
	uint32_t next;		/* offset of the following token */
	uint32_t len;		/* FDT_PROP: value length */
	uint32_t name;		/* FDT_PROP: offset of the name in the blob */
};

/*
 * Decode the token at @off.  The token, a node's name and a property's value
 * must lie within the structure block, and a property's name within the
 * strings block.  Each field is read once, so the checks hold for what the
 * caller gets even if the blob is changed meanwhile.
 */
static int next_token(const struct fdt *fdt, uint32_t off, struct token *t)
{
	uint32_t end = fdt->struct_end, strings_end, nul;

	t->len = 0;
	t->name = 0;
	if (off < fdt->struct_off || off > end || end - off < TOKEN_SIZE ||
	    (off - fdt->struct_off) % TOKEN_SIZE)
		return FDT_ERR_BADSTRUCTURE;
	t->tag = be32(fdt->blob + off);

	switch (t->tag) {
	case FDT_BEGIN_NODE:
		nul = find_nul(fdt, off + TOKEN_SIZE, end);
		if (nul == end)
			return FDT_ERR_BADSTRUCTURE;
		t->next = align4(nul + 1);
		return 0;
	case FDT_PROP:
		if (end - off < PROP_HDR_SIZE)
			return FDT_ERR_BADSTRUCTURE;
		t->len = be32(fdt->blob + off + 4);
		t->name = be32(fdt->blob + off + 8);
		off += PROP_HDR_SIZE;
		if (t->len > end - off || t->name >= fdt->strings_size)
			return FDT_ERR_BADSTRUCTURE;
		t->name += fdt->strings_off;
		strings_end = fdt->strings_off + fdt->strings_size;
		if (find_nul(fdt, t->name, strings_end) == strings_end)
			return FDT_ERR_BADSTRUCTURE;
		t->next = align4(off + t->len);
		return 0;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		t->next = off + TOKEN_SIZE;
		return 0;
	default:
		return FDT_ERR_BADSTRUCTURE;
	}
}

/*
 * Walk the whole structure block: one unnamed root node holding properties
 * before named subnodes, balanced begin and end tokens, FDT_END last.
 * NOPs may appear between any tokens.
 */
static int check_structure(struct fdt *fdt)
{
	uint32_t off = fdt->struct_off, depth = 0;
	bool root_done = false, props_ok = false, unnamed;
	struct token t;
	int err;

	for (;; off = t.next) {
		err = next_token(fdt, off, &t);
		if (err)
			return err;

		switch (t.tag) {
		case FDT_BEGIN_NODE:
			if (root_done)
				return FDT_ERR_BADSTRUCTURE;
			if (!depth)
				fdt->root = off;
			/* The name's NUL is in the block, so this byte is too. */
			unnamed = !fdt->blob[off + TOKEN_SIZE];
			if (unnamed != !depth)
				return FDT_ERR_BADSTRUCTURE;
			depth++;
			props_ok = true;
			break;
		case FDT_END_NODE:
			if (!depth)
				return FDT_ERR_BADSTRUCTURE;
			depth--;
			root_done = !depth;
			props_ok = false;
			break;
		case FDT_PROP:
			if (!props_ok)
				return FDT_ERR_BADSTRUCTURE;
			break;
		case FDT_END:
			return root_done ? 0 : FDT_ERR_BADSTRUCTURE;
		}
	}
}

/* Leave @fdt describing no blob: every accessor then fails. */
static void fdt_clear(struct fdt *fdt)
{
	fdt->blob = NULL;
	fdt->size = 0;
	fdt->struct_off = 0;
	fdt->struct_end = 0;
	fdt->strings_off = 0;
	fdt->strings_size = 0;
	fdt->root = 0;
}

static int check_header(struct fdt *fdt, const uint8_t *p, size_t max_size)
{
	uint32_t size, rsvmap, off, len;

	if (!p || max_size < FDT_HEADER_SIZE)
		return FDT_ERR_BADHEADER;
	if (be32(p + FDT_HDR_MAGIC) != FDT_MAGIC)
		return FDT_ERR_BADMAGIC;
	if (be32(p + FDT_HDR_VERSION) < FDT_VERSION ||
	    be32(p + FDT_HDR_LAST_COMP_VERSION) > FDT_VERSION)
		return FDT_ERR_BADVERSION;

	size = be32(p + FDT_HDR_TOTALSIZE);
	if (size < FDT_HEADER_SIZE || size > FDT_MAX_SIZE || size > max_size)
		return FDT_ERR_BADHEADER;

	rsvmap = be32(p + FDT_HDR_OFF_MEM_RSVMAP);
	if (rsvmap < FDT_HEADER_SIZE || rsvmap % 8 || rsvmap > size ||
	    size - rsvmap < RSVMAP_ENTRY_SIZE)
		return FDT_ERR_BADHEADER;

	off = be32(p + FDT_HDR_OFF_DT_STRUCT);
	len = be32(p + FDT_HDR_SIZE_DT_STRUCT);
	if (off < FDT_HEADER_SIZE || off % TOKEN_SIZE || len % TOKEN_SIZE || off > size ||
	    len > size - off)
		return FDT_ERR_BADHEADER;
	fdt->struct_off = off;
	fdt->struct_end = off + len;

	off = be32(p + FDT_HDR_OFF_DT_STRINGS);
	len = be32(p + FDT_HDR_SIZE_DT_STRINGS);
	if (off < FDT_HEADER_SIZE || off > size || len > size - off)
		return FDT_ERR_BADHEADER;
	fdt->strings_off = off;
	fdt->strings_size = len;
	fdt->size = size;
	fdt->blob = p;
	return 0;
}

int fdt_init(struct fdt *fdt, const void *blob, size_t max_size)
{
	int err;

	fdt_clear(fdt);
	err = check_header(fdt, blob, max_size);
	if (!err)
		err = check_structure(fdt);
	if (err)
		fdt_clear(fdt);
	return err;
}

int fdt_root(const struct fdt *fdt)
{
	return fdt->blob ? (int)fdt->root : FDT_ERR_BADOFFSET;
}

/* Check that @node is a node; return the offset of the token after its name. */
static int node_body(const struct fdt *fdt, int node, uint32_t *body)
{
	struct token t;

	if (node < 0 || next_token(fdt, (uint32_t)node, &t) || t.tag != FDT_BEGIN_NODE)
		return FDT_ERR_BADOFFSET;
	*body = t.next;
	return 0;
}

int fdt_first_subnode(const struct fdt *fdt, int node)
{
	struct token t;
	uint32_t off;
	int err;

	err = node_body(fdt, node, &off);
	if (err)
		return err;

	for (;; off = t.next) {
		err = next_token(fdt, off, &t);
		if (err)
			return err;
		if (t.tag == FDT_BEGIN_NODE)
			return (int)off;
		if (t.tag == FDT_END_NODE)
			return FDT_ERR_NOTFOUND;
		if (t.tag != FDT_PROP && t.tag != FDT_NOP)
			return FDT_ERR_BADSTRUCTURE;
	}
}

int fdt_next_subnode(const struct fdt *fdt, int node)
{
	uint32_t off, depth = 0;
	struct token t;
	int err;

	err = node_body(fdt, node, &off);
	if (err)
		return err;

	/* Skip @node and everything below it. */
	for (off = (uint32_t)node;; off = t.next) {
		err = next_token(fdt, off, &t);
		if (err)
			return err;
		if (t.tag == FDT_BEGIN_NODE)
			depth++;
		else if (t.tag == FDT_END_NODE && !--depth)
			break;
		else if (t.tag == FDT_END)
			return FDT_ERR_BADSTRUCTURE;
	}

	for (off = t.next;; off = t.next) {
		err = next_token(fdt, off, &t);
		if (err)
			return err;
		if (t.tag == FDT_BEGIN_NODE)
			return (int)off;
		if (t.tag == FDT_END_NODE || t.tag == FDT_END)
			return FDT_ERR_NOTFOUND;
		if (t.tag != FDT_NOP)
			return FDT_ERR_BADSTRUCTURE;
	}
}

const char *fdt_node_name(const struct fdt *fdt, int node, int *len)
{
	uint32_t body, name;

	if (node_body(fdt, node, &body)) {
		if (len)
			*len = FDT_ERR_BADOFFSET;
		return NULL;
	}
	name = (uint32_t)node + TOKEN_SIZE;
	if (len)
		*len = (int)(find_nul(fdt, name, fdt->struct_end) - name);
	return (const char *)fdt->blob + name;
}

/*
 * Whether node name @name (@len bytes) is @str (@n bytes), or @str has no
 * unit address and @name is @str followed by one.
 */
static bool name_matches(const char *name, int len, const char *str, size_t n)
{
	size_t nlen = (size_t)len, i;

	if (nlen < n || !bytes_eq((const uint8_t *)name, str, n))
		return false;
	if (nlen == n)
		return true;
	if (name[n] != '@')
		return false;
	for (i = 0; i < n; i++)
		if (str[i] == '@')
			return false;
	return true;
}

bool fdt_node_name_is(const struct fdt *fdt, int node, const char *base)
{
	const char *name;
	int len;

	name = fdt_node_name(fdt, node, &len);
	return name && name_matches(name, len, base, str_len(base));
}

int fdt_path_offset(const struct fdt *fdt, const char *path)
{
	const char *name;
	int node, child, len;
	size_t n;

	if (!path || *path != '/')
		return FDT_ERR_BADPATH;
	node = fdt_root(fdt);

	for (;;) {
		while (*path == '/')
			path++;
		if (!*path)
			return node;
		for (n = 0; path[n] && path[n] != '/'; n++)
			;

		for (child = fdt_first_subnode(fdt, node); child >= 0;
		     child = fdt_next_subnode(fdt, child)) {
			name = fdt_node_name(fdt, child, &len);
			if (name && name_matches(name, len, path, n))
				break;
		}
		if (child < 0)
			return child;
		node = child;
		path += n;
	}
}

const void *fdt_getprop(const struct fdt *fdt, int node, const char *name, int *len)
{
	struct token t;
	uint32_t off;
	int err;

	err = node_body(fdt, node, &off);
	for (; !err; off = t.next) {
		err = next_token(fdt, off, &t);
		if (err)
			break;
		if (t.tag == FDT_PROP) {
			if (bounded_streq(fdt->blob + t.name,
					  fdt->strings_off + fdt->strings_size - t.name, name)) {
				if (len)
					*len = (int)t.len;
				return fdt->blob + off + PROP_HDR_SIZE;
			}
		} else if (t.tag == FDT_BEGIN_NODE || t.tag == FDT_END_NODE) {
			err = FDT_ERR_NOTFOUND;
		} else if (t.tag != FDT_NOP) {
			err = FDT_ERR_BADSTRUCTURE;
		}
	}
	if (len)
		*len = err;
	return NULL;
}

bool fdt_prop_u32_index(const struct fdt *fdt, int node, const char *name,
			unsigned int index, uint32_t *out)
{
	const uint8_t *val;
	int len;

	val = fdt_getprop(fdt, node, name, &len);
	if (!val || len % 4 || index >= (unsigned int)len / 4)
		return false;
	*out = be32(val + 4 * (size_t)index);
	return true;
}

bool fdt_prop_u32(const struct fdt *fdt, int node, const char *name, uint32_t *out)
{
	const uint8_t *val;
	int len;

	val = fdt_getprop(fdt, node, name, &len);
	if (!val || len != 4)
		return false;
	*out = be32(val);
	return true;
}

bool fdt_prop_u64(const struct fdt *fdt, int node, const char *name, uint64_t *out)
{
	const uint8_t *val;
	int len;

	val = fdt_getprop(fdt, node, name, &len);
	if (!val || (len != 4 && len != 8))
		return false;
	if (len == 4)
		*out = be32(val);
	else
		*out = (uint64_t)be32(val) << 32 | be32(val + 4);
	return true;
}

const char *fdt_prop_string(const struct fdt *fdt, int node, const char *name)
{
	const uint8_t *val;
	int len, i;

	val = fdt_getprop(fdt, node, name, &len);
	if (!val)
		return NULL;
	for (i = 0; i < len; i++)
		if (!val[i])
			return (const char *)val;
	return NULL;
}

bool fdt_prop_string_is(const struct fdt *fdt, int node, const char *name, const char *str)
{
	const uint8_t *val;
	int len;

	val = fdt_getprop(fdt, node, name, &len);
	return val && bounded_streq(val, (size_t)len, str);
}
