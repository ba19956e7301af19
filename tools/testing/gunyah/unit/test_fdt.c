// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the test hypervisor's flattened device tree reader, on the
 * build host.  Valid blobs are made by dtc from small device tree sources;
 * malformed ones by truncating, patching and randomly mutating those, and
 * by assembling structure blocks token by token.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "../../selftests/gunyah/tap.h"
#include "../hyp/lib/fdt.h"

#define NR_MUTANTS	4000
#define MAX_WALK	100000
#define MAX_DEPTH	64

static const char guest_dts[] =
	"/dts-v1/;\n"
	"/memreserve/ 0x81000000 0x1000;\n"
	"/ {\n"
	"	#address-cells = <2>;\n"
	"	#size-cells = <2>;\n"
	"	model = \"gunyah test guest\";\n"
	"	cpus {\n"
	"		#address-cells = <1>;\n"
	"		#size-cells = <0>;\n"
	"		cpu@0 { device_type = \"cpu\"; compatible = \"arm,armv8\"; reg = <0>; };\n"
	"		cpu@1 { device_type = \"cpu\"; compatible = \"arm,armv8\"; reg = <1>; };\n"
	"		cpu@2 { device_type = \"cpu\"; compatible = \"arm,armv8\"; reg = <2>; };\n"
	"		cpu@3 { device_type = \"cpu\"; compatible = \"arm,armv8\"; reg = <3>; };\n"
	"		cpu@4 { device_type = \"cpu\"; compatible = \"arm,armv8\"; reg = <4>; };\n"
	"		cpu@5 { device_type = \"cpu\"; compatible = \"arm,armv8\"; reg = <5>; };\n"
	"		cpu@6 { device_type = \"cpu\"; compatible = \"arm,armv8\"; reg = <6>; };\n"
	"		cpu@7 { device_type = \"cpu\"; compatible = \"arm,armv8\"; reg = <7>; };\n"
	"	};\n"
	"	memory@80000000 {\n"
	"		device_type = \"memory\";\n"
	"		reg = <0x0 0x80000000 0x0 0x10000000>;\n"
	"	};\n"
	"	gunyah-vm-config {\n"
	"		image-name = \"test\";\n"
	"		vcpus { affinity = \"proxy\"; };\n"
	"		memory {\n"
	"			base-address = <0x0 0x80000000>;\n"
	"			size = /bits/ 64 <0x123456789>;\n"
	"		};\n"
	"		vdevices {\n"
	"			generate = \"/hypervisor\";\n"
	"			bell-1 { vdevice-type = \"doorbell\"; label = <1>; peer-default; };\n"
	"			bell-2 { vdevice-type = \"doorbell\"; label = <2>; };\n"
	"			msgq-1 {\n"
	"				vdevice-type = \"message-queue-pair\";\n"
	"				label = <3>;\n"
	"				message-size = <240>;\n"
	"				queue-depth = <16>;\n"
	"			};\n"
	"		};\n"
	"	};\n"
	"	compat { compatible = \"a,one\", \"b,two\"; };\n"
	"};\n";

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* A copy in a buffer of exactly @n bytes, so that reading past it is caught. */
static uint8_t *dup_exact(const uint8_t *b, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	if (!p)
		abort();
	memcpy(p, b, n);
	return p;
}

/* Compile device tree source with dtc; NULL on failure. */
static uint8_t *compile_dts(const char *dts, size_t *size)
{
	char path[] = "/tmp/test_fdt-XXXXXX", cmd[128];
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, dts, strlen(dts)) != (ssize_t)strlen(dts)) {
		close(fd);
		unlink(path);
		return NULL;
	}
	close(fd);

	snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb %s", path);
	f = popen(cmd, "r");
	if (f) {
		for (;;) {
			if (n == cap) {
				cap = cap ? 2 * cap : 4096;
				buf = realloc(buf, cap);
				if (!buf)
					abort();
			}
			got = fread(buf + n, 1, cap - n, f);
			if (!got)
				break;
			n += got;
		}
		if (pclose(f) != 0 || !n) {
			free(buf);
			buf = NULL;
		}
	}
	unlink(path);
	*size = n;
	return buf;
}

static bool valid_err(int err)
{
	return err >= FDT_ERR_BADPATH && err <= FDT_ERR_NOTFOUND;
}

static bool in_blob(const uint8_t *blob, size_t size, const void *p, size_t len)
{
	const uint8_t *q = p;

	return q >= blob && q <= blob + size && len <= (size_t)(blob + size - q);
}

static bool name_eq(const struct fdt *fdt, int node, const char *want)
{
	const char *name;
	int len;

	name = fdt_node_name(fdt, node, &len);
	return name && len >= 0 && (size_t)len == strlen(want) && !memcmp(name, want, len);
}

static const char *const prop_names[] = {
	"reg", "label", "vdevice-type", "compatible", "#address-cells", "base-address",
	"peer-default", "", "no-such-property",
};

static const char *const paths[] = {
	"/", "/cpus", "/cpus/cpu@3", "/cpus/cpu", "/memory", "/gunyah-vm-config/vdevices",
	"/gunyah-vm-config/vdevices/bell-2", "/nonexistent", "//cpus//", "cpus",
};

/*
 * Query one node with every accessor.  Results must be offsets, pointers and
 * lengths inside the blob, or defined error codes.
 */
static bool query_node(const struct fdt *fdt, const uint8_t *blob, size_t size, int node)
{
	const char *name, *str;
	const void *val;
	uint32_t u32;
	uint64_t u64;
	bool ok = true;
	unsigned int i;
	int len, sub;

	name = fdt_node_name(fdt, node, &len);
	if (name)
		ok &= len >= 0 && in_blob(blob, size, name, len);
	else
		ok &= valid_err(len);
	fdt_node_name_is(fdt, node, "cpu");
	fdt_node_name_is(fdt, node, "");

	for (i = 0; i < ARRAY_SIZE(prop_names); i++) {
		val = fdt_getprop(fdt, node, prop_names[i], &len);
		if (val)
			ok &= len >= 0 && in_blob(blob, size, val, len);
		else
			ok &= valid_err(len);
		fdt_prop_u32(fdt, node, prop_names[i], &u32);
		fdt_prop_u32_index(fdt, node, prop_names[i], 1, &u32);
		fdt_prop_u64(fdt, node, prop_names[i], &u64);
		str = fdt_prop_string(fdt, node, prop_names[i]);
		if (str)
			ok &= in_blob(blob, size, str, 1);
		fdt_prop_string_is(fdt, node, prop_names[i], "doorbell");
	}

	sub = fdt_first_subnode(fdt, node);
	ok &= sub >= 0 ? (size_t)sub < size : valid_err(sub);
	sub = fdt_next_subnode(fdt, node);
	ok &= sub >= 0 ? (size_t)sub < size : valid_err(sub);
	return ok;
}

/*
 * Walk the whole tree of a blob that fdt_init() accepted, query every node,
 * look up some paths and poke at arbitrary offsets.  Returns false if any
 * accessor gave a result outside the blob or an undefined error, or if the
 * walk did not end.
 */
static bool exercise(const struct fdt *fdt, const uint8_t *blob, size_t size)
{
	int stack[MAX_DEPTH], depth = 0, node, next, steps = 0;
	bool ok = true;
	unsigned int i;

	node = fdt_root(fdt);
	if (node < 0)
		return valid_err(node);
	while (node >= 0 && steps++ < MAX_WALK) {
		ok &= query_node(fdt, blob, size, node);
		next = depth < MAX_DEPTH ? fdt_first_subnode(fdt, node) : FDT_ERR_NOTFOUND;
		if (next >= 0) {
			ok &= next > node;
			stack[depth++] = node;
			node = next;
			continue;
		}
		ok &= valid_err(next);
		for (;;) {
			next = fdt_next_subnode(fdt, node);
			if (next >= 0) {
				ok &= next > node;
				node = next;
				break;
			}
			ok &= valid_err(next);
			if (!depth) {
				node = -1;
				break;
			}
			node = stack[--depth];
		}
	}
	ok &= steps < MAX_WALK;

	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		node = fdt_path_offset(fdt, paths[i]);
		ok &= node >= 0 ? (size_t)node < size : valid_err(node);
	}
	for (i = 0; i < 16; i++)
		ok &= query_node(fdt, blob, size, (int)(rng() % (size + 16)) - 8);
	ok &= query_node(fdt, blob, size, INT32_MAX);
	ok &= query_node(fdt, blob, size, INT32_MIN);
	return ok;
}

/* Result of fdt_init() on an exact-size copy; accepted copies are exercised. */
static int try_blob(const uint8_t *b, size_t n, size_t max_size, bool *ok)
{
	uint8_t *copy = dup_exact(b, n);
	struct fdt fdt;
	int err;

	err = fdt_init(&fdt, copy, max_size);
	if (!err)
		*ok &= exercise(&fdt, copy, n);
	else
		*ok &= valid_err(err);
	free(copy);
	return err;
}

/* Assembly of structure blocks, token by token */
struct builder {
	uint8_t s[8192];
	size_t len;
};

static void b_tok(struct builder *b, uint32_t v)
{
	put32(b->s + b->len, v);
	b->len += 4;
}

static void b_raw(struct builder *b, const char *s, size_t n)
{
	memcpy(b->s + b->len, s, n);
	b->len += n;
	while (b->len % 4)
		b->s[b->len++] = 0;
}

static void b_begin(struct builder *b, const char *name)
{
	b_tok(b, FDT_BEGIN_NODE);
	b_raw(b, name, strlen(name) + 1);
}

static void b_prop(struct builder *b, uint32_t nameoff, uint32_t len, const void *val)
{
	b_tok(b, FDT_PROP);
	b_tok(b, len);
	b_tok(b, nameoff);
	b_raw(b, val, len);
}

/* Strings block of assembled blobs */
static const char strings[] = "reg\0label";
#define STR_REG		0
#define STR_LABEL	4

/* Header, an empty reservation map, the structure block and @strings. */
static uint8_t *assemble(const struct builder *b, const char *str, size_t str_len, size_t *size)
{
	size_t off_struct = 56, off_strings = off_struct + b->len;
	uint8_t *p;

	*size = off_strings + str_len;
	p = calloc(1, *size);
	if (!p)
		abort();
	put32(p + FDT_HDR_MAGIC, FDT_MAGIC);
	put32(p + FDT_HDR_TOTALSIZE, *size);
	put32(p + FDT_HDR_OFF_DT_STRUCT, off_struct);
	put32(p + FDT_HDR_OFF_DT_STRINGS, off_strings);
	put32(p + FDT_HDR_OFF_MEM_RSVMAP, 40);
	put32(p + FDT_HDR_VERSION, 17);
	put32(p + FDT_HDR_LAST_COMP_VERSION, 16);
	put32(p + FDT_HDR_SIZE_DT_STRINGS, str_len);
	put32(p + FDT_HDR_SIZE_DT_STRUCT, b->len);
	memcpy(p + off_struct, b->s, b->len);
	memcpy(p + off_strings, str, str_len);
	return p;
}

/* fdt_init() result for an assembled blob, which is exercised if accepted. */
static int init_built(const struct builder *b, const char *str, size_t str_len, bool *ok)
{
	size_t size;
	uint8_t *p = assemble(b, str, str_len, &size);
	int err = try_blob(p, size, size, ok);

	free(p);
	return err;
}

static void test_guest(const uint8_t *blob, size_t size)
{
	int root, cpus, node, len, n, vdev, offsets[3];
	const char *name, *str;
	struct fdt fdt;
	uint32_t u32;
	uint64_t u64;
	bool ok;

	tap_check(fdt_init(&fdt, blob, size) == 0, "guest DT: fdt_init accepts dtc output");
	root = fdt_root(&fdt);
	tap_check(root > 0 && fdt_path_offset(&fdt, "/") == root, "guest DT: \"/\" is the root");
	name = fdt_node_name(&fdt, root, &len);
	tap_check(name && len == 0, "guest DT: root name is empty");
	tap_check(fdt_prop_u32(&fdt, root, "#address-cells", &u32) && u32 == 2,
		  "guest DT: root #address-cells = 2");
	tap_check(fdt_prop_string_is(&fdt, root, "model", "gunyah test guest"),
		  "guest DT: root model string");
	tap_check(fdt_next_subnode(&fdt, root) == FDT_ERR_NOTFOUND,
		  "guest DT: root has no sibling");

	cpus = fdt_path_offset(&fdt, "/cpus");
	tap_check(cpus > root && name_eq(&fdt, cpus, "cpus"), "guest DT: /cpus found");
	ok = true;
	n = 0;
	for (node = fdt_first_subnode(&fdt, cpus); node >= 0; node = fdt_next_subnode(&fdt, node)) {
		char want[16];

		snprintf(want, sizeof(want), "cpu@%d", n);
		ok &= name_eq(&fdt, node, want) && fdt_node_name_is(&fdt, node, "cpu") &&
		      fdt_node_name_is(&fdt, node, want) && !fdt_node_name_is(&fdt, node, "cp") &&
		      fdt_prop_u32(&fdt, node, "reg", &u32) && u32 == (uint32_t)n &&
		      fdt_prop_string_is(&fdt, node, "device_type", "cpu");
		n++;
	}
	tap_check(n == 8 && node == FDT_ERR_NOTFOUND, "guest DT: /cpus has 8 subnodes (%d)", n);
	tap_check(ok, "guest DT: cpu@N names, name_is(\"cpu\"), reg = N, device_type");

	node = fdt_path_offset(&fdt, "/cpus/cpu@3");
	tap_check(name_eq(&fdt, node, "cpu@3") && fdt_prop_u32(&fdt, node, "reg", &u32) && u32 == 3,
		  "guest DT: /cpus/cpu@3 has reg 3");
	tap_check(name_eq(&fdt, fdt_path_offset(&fdt, "/cpus/cpu"), "cpu@0"),
		  "guest DT: /cpus/cpu matches the first cpu@N");
	tap_check(fdt_path_offset(&fdt, "//cpus//cpu@7/") == fdt_path_offset(&fdt, "/cpus/cpu@7") &&
		  name_eq(&fdt, fdt_path_offset(&fdt, "/cpus/cpu@7"), "cpu@7"),
		  "guest DT: repeated and trailing slashes are ignored");
	tap_check(fdt_path_offset(&fdt, "/cpus/cpu@8") == FDT_ERR_NOTFOUND &&
		  fdt_path_offset(&fdt, "/cpus/cpu@") == FDT_ERR_NOTFOUND &&
		  fdt_path_offset(&fdt, "/cpus/cp") == FDT_ERR_NOTFOUND &&
		  fdt_path_offset(&fdt, "/cpus/cpu@0@0") == FDT_ERR_NOTFOUND &&
		  fdt_path_offset(&fdt, "/cpu") == FDT_ERR_NOTFOUND &&
		  fdt_path_offset(&fdt, "/cpus/cpu@3/x") == FDT_ERR_NOTFOUND,
		  "guest DT: missing nodes are FDT_ERR_NOTFOUND");
	tap_check(fdt_path_offset(&fdt, "cpus") == FDT_ERR_BADPATH &&
		  fdt_path_offset(&fdt, "") == FDT_ERR_BADPATH &&
		  fdt_path_offset(&fdt, NULL) == FDT_ERR_BADPATH,
		  "guest DT: relative and empty paths are FDT_ERR_BADPATH");

	node = fdt_path_offset(&fdt, "/memory");
	tap_check(name_eq(&fdt, node, "memory@80000000"), "guest DT: /memory is memory@80000000");
	tap_check(fdt_prop_u32_index(&fdt, node, "reg", 1, &u32) && u32 == 0x80000000 &&
		  fdt_prop_u32_index(&fdt, node, "reg", 3, &u32) && u32 == 0x10000000 &&
		  !fdt_prop_u32_index(&fdt, node, "reg", 4, &u32) &&
		  !fdt_prop_u32_index(&fdt, node, "device_type", 0, &u32),
		  "guest DT: memory reg cells by index");
	tap_check(!fdt_prop_u32(&fdt, node, "reg", &u32) && !fdt_prop_u64(&fdt, node, "reg", &u64),
		  "guest DT: a 16-byte reg is neither u32 nor u64");

	node = fdt_path_offset(&fdt, "/gunyah-vm-config/vcpus");
	str = fdt_prop_string(&fdt, node, "affinity");
	tap_check(str && !strcmp(str, "proxy"), "guest DT: vcpus affinity = \"proxy\"");
	tap_check(fdt_prop_string_is(&fdt, node, "affinity", "proxy") &&
		  !fdt_prop_string_is(&fdt, node, "affinity", "prox") &&
		  !fdt_prop_string_is(&fdt, node, "affinity", "proxyy") &&
		  !fdt_prop_string_is(&fdt, node, "affinity", ""),
		  "guest DT: fdt_prop_string_is compares whole strings");
	tap_check(fdt_path_offset(&fdt, "/gunyah-vm-config/memory") >= 0 &&
		  name_eq(&fdt, fdt_path_offset(&fdt, "/gunyah-vm-config/memory"), "memory"),
		  "guest DT: /gunyah-vm-config/memory is not /memory@80000000");

	node = fdt_path_offset(&fdt, "/gunyah-vm-config/memory");
	tap_check(fdt_prop_u64(&fdt, node, "base-address", &u64) && u64 == 0x80000000ULL,
		  "guest DT: base-address as two cells = 0x80000000");
	tap_check(fdt_prop_u64(&fdt, node, "size", &u64) && u64 == 0x123456789ULL,
		  "guest DT: /bits/ 64 size = 0x123456789");
	tap_check(!fdt_prop_u32(&fdt, node, "base-address", &u32),
		  "guest DT: an 8-byte property is not a u32");

	vdev = fdt_path_offset(&fdt, "/gunyah-vm-config/vdevices");
	tap_check(vdev > 0 && name_eq(&fdt, vdev, "vdevices"), "guest DT: vdevices found");
	n = 0;
	for (node = fdt_first_subnode(&fdt, vdev); node >= 0; node = fdt_next_subnode(&fdt, node))
		if (n < 3)
			offsets[n++] = node;
		else
			n++;
	tap_check(n == 3 && name_eq(&fdt, offsets[0], "bell-1") &&
		  name_eq(&fdt, offsets[1], "bell-2") && name_eq(&fdt, offsets[2], "msgq-1"),
		  "guest DT: vdevices has bell-1, bell-2, msgq-1 (%d)", n);
	if (n == 3) {
		const void *val;

		tap_check(fdt_prop_string_is(&fdt, offsets[0], "vdevice-type", "doorbell") &&
			  fdt_prop_u32(&fdt, offsets[0], "label", &u32) && u32 == 1,
			  "guest DT: bell-1 is a doorbell with label 1");
		tap_check(fdt_prop_u64(&fdt, offsets[1], "label", &u64) && u64 == 2,
			  "guest DT: a 4-byte label read as u64 is 2");
		tap_check(fdt_prop_string_is(&fdt, offsets[2], "vdevice-type",
					     "message-queue-pair") &&
			  fdt_prop_u32(&fdt, offsets[2], "message-size", &u32) && u32 == 240 &&
			  fdt_prop_u32(&fdt, offsets[2], "queue-depth", &u32) && u32 == 16,
			  "guest DT: msgq-1 type, message-size, queue-depth");
		val = fdt_getprop(&fdt, offsets[0], "peer-default", &len);
		tap_check(val && len == 0, "guest DT: empty property peer-default has length 0");
		tap_check(!fdt_prop_u32(&fdt, offsets[0], "peer-default", &u32) &&
			  !fdt_prop_string(&fdt, offsets[0], "peer-default"),
			  "guest DT: empty property is neither u32 nor string");
		tap_check(!fdt_getprop(&fdt, offsets[1], "peer-default", &len) &&
			  len == FDT_ERR_NOTFOUND && !fdt_prop_u32(&fdt, offsets[1], "size", &u32),
			  "guest DT: missing properties are FDT_ERR_NOTFOUND");
		tap_check(!fdt_getprop(&fdt, vdev, "label", NULL) &&
			  fdt_prop_string_is(&fdt, vdev, "generate", "/hypervisor"),
			  "guest DT: subnode properties are not the parent's");
		tap_check(fdt_next_subnode(&fdt, offsets[2]) == FDT_ERR_NOTFOUND,
			  "guest DT: msgq-1 is the last vdevice");
	}

	node = fdt_path_offset(&fdt, "/compat");
	str = fdt_prop_string(&fdt, node, "compatible");
	tap_check(str && !strcmp(str, "a,one") &&
		  fdt_prop_string_is(&fdt, node, "compatible", "a,one") &&
		  !fdt_prop_string_is(&fdt, node, "compatible", "b,two"),
		  "guest DT: string list gives its first string");

	tap_check(fdt_first_subnode(&fdt, 1) == FDT_ERR_BADOFFSET &&
		  fdt_next_subnode(&fdt, -4) == FDT_ERR_BADOFFSET &&
		  !fdt_node_name(&fdt, (int)size, &len) && len == FDT_ERR_BADOFFSET &&
		  !fdt_getprop(&fdt, INT32_MAX, "reg", &len) && len == FDT_ERR_BADOFFSET &&
		  !fdt_node_name_is(&fdt, 0, "") &&
		  fdt_first_subnode(&fdt, (int)get32(blob + FDT_HDR_OFF_DT_STRINGS)) ==
		  FDT_ERR_BADOFFSET,
		  "guest DT: offsets that are not nodes are FDT_ERR_BADOFFSET");
	tap_check(exercise(&fdt, blob, size), "guest DT: full walk and queries");
}

static void test_header(const uint8_t *blob, size_t size)
{
	static const struct {
		unsigned int field;
		uint32_t value;
		int err;
		const char *what;
	} cases[] = {
		{ FDT_HDR_MAGIC, 0xedfe0dd0, FDT_ERR_BADMAGIC, "byte-swapped magic" },
		{ FDT_HDR_VERSION, 16, FDT_ERR_BADVERSION, "version 16" },
		{ FDT_HDR_LAST_COMP_VERSION, 18, FDT_ERR_BADVERSION, "last_comp_version 18" },
		{ FDT_HDR_TOTALSIZE, 39, FDT_ERR_BADHEADER, "totalsize below header size" },
		{ FDT_HDR_TOTALSIZE, 0xffffffff, FDT_ERR_BADHEADER, "totalsize 4 GiB" },
		{ FDT_HDR_OFF_DT_STRUCT, 0, FDT_ERR_BADHEADER, "structure block in header" },
		{ FDT_HDR_OFF_DT_STRUCT, 0xfffffffc, FDT_ERR_BADHEADER, "structure offset wraps" },
		{ FDT_HDR_OFF_DT_STRUCT, 0x3a, FDT_ERR_BADHEADER, "misaligned structure block" },
		{ FDT_HDR_SIZE_DT_STRUCT, 0xfffffffc, FDT_ERR_BADHEADER, "structure size wraps" },
		{ FDT_HDR_SIZE_DT_STRUCT, 6, FDT_ERR_BADHEADER, "structure size not 4-aligned" },
		{ FDT_HDR_SIZE_DT_STRUCT, 0, FDT_ERR_BADSTRUCTURE, "empty structure block" },
		{ FDT_HDR_OFF_DT_STRINGS, 0xffffffff, FDT_ERR_BADHEADER, "strings offset wraps" },
		{ FDT_HDR_SIZE_DT_STRINGS, 0xffffffff, FDT_ERR_BADHEADER, "strings size wraps" },
		{ FDT_HDR_SIZE_DT_STRINGS, 0, FDT_ERR_BADSTRUCTURE, "empty strings block" },
		{ FDT_HDR_OFF_MEM_RSVMAP, 44, FDT_ERR_BADHEADER, "misaligned reservation map" },
		{ FDT_HDR_OFF_MEM_RSVMAP, 0xfffffff8, FDT_ERR_BADHEADER, "rsvmap offset wraps" },
		{ FDT_HDR_BOOT_CPUID_PHYS, 0xffffffff, 0, "boot_cpuid_phys is not checked" },
	};
	uint32_t fields[] = {
		FDT_HDR_MAGIC, FDT_HDR_TOTALSIZE, FDT_HDR_OFF_DT_STRUCT, FDT_HDR_OFF_DT_STRINGS,
		FDT_HDR_OFF_MEM_RSVMAP, FDT_HDR_VERSION, FDT_HDR_LAST_COMP_VERSION,
		FDT_HDR_BOOT_CPUID_PHYS, FDT_HDR_SIZE_DT_STRINGS, FDT_HDR_SIZE_DT_STRUCT,
	};
	uint8_t *p = dup_exact(blob, size);
	unsigned int i, j, accepted = 0, tried = 0;
	struct fdt fdt;
	bool ok = true;
	int err;

	tap_check(fdt_init(&fdt, NULL, 4096) == FDT_ERR_BADHEADER && fdt_root(&fdt) < 0,
		  "header: NULL blob refused");
	tap_check(fdt_init(&fdt, blob, 39) == FDT_ERR_BADHEADER, "header: max_size 39 refused");
	tap_check(fdt_init(&fdt, blob, size - 1) == FDT_ERR_BADHEADER,
		  "header: totalsize beyond max_size refused");
	tap_check(fdt_init(&fdt, blob, size + 4096) == 0 && fdt.size == size,
		  "header: max_size above totalsize accepted");

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memcpy(p, blob, size);
		put32(p + cases[i].field, cases[i].value);
		err = try_blob(p, size, size, &ok);
		tap_check(err == cases[i].err, "header: %s gives %d (%d)", cases[i].what,
			  cases[i].err, err);
	}
	memcpy(p, blob, size);
	put32(p + FDT_HDR_TOTALSIZE, size + 8);
	err = fdt_init(&fdt, p, size);
	tap_check(err == FDT_ERR_BADHEADER && !fdt_getprop(&fdt, fdt_root(&fdt), "model", NULL),
		  "header: totalsize lying beyond max_size refused, fdt left unusable");

	/* Every field set to a spread of values around the real ones */
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		uint32_t orig = get32(blob + fields[i]);
		uint32_t values[] = {
			0, 1, 4, 8, 40, 56, orig - 8, orig - 4, orig - 1, orig + 1, orig + 4,
			orig + 8, size - 4, size, size + 4, 0x7fffffff, 0x80000000, 0xffffffff,
		};

		for (j = 0; j < ARRAY_SIZE(values); j++) {
			memcpy(p, blob, size);
			put32(p + fields[i], values[j]);
			accepted += try_blob(p, size, size, &ok) == 0;
			tried++;
		}
	}
	tap_check(ok, "header: %u patched headers (%u accepted) handled", tried, accepted);
	free(p);
}

static void test_truncation(const uint8_t *blob, size_t size)
{
	uint32_t struct_size = get32(blob + FDT_HDR_SIZE_DT_STRUCT);
	uint32_t strings_size = get32(blob + FDT_HDR_SIZE_DT_STRINGS);
	unsigned int bad = 0;
	uint8_t *p;
	bool ok = true;
	size_t n;

	for (n = 0; n < size; n++)
		bad += try_blob(blob, n, n, &ok) == 0;
	tap_check(ok && !bad, "truncation: all %zu proper prefixes refused", size);

	/* Consistent headers, shortened blocks */
	p = dup_exact(blob, size);
	for (n = 0; n < struct_size; n += 4) {
		memcpy(p, blob, size);
		put32(p + FDT_HDR_SIZE_DT_STRUCT, n);
		bad += try_blob(p, size, size, &ok) == 0;
	}
	tap_check(ok && !bad, "truncation: all %u shorter structure blocks refused",
		  struct_size / 4);
	for (n = 0; n < strings_size; n++) {
		memcpy(p, blob, size);
		put32(p + FDT_HDR_SIZE_DT_STRINGS, n);
		bad += try_blob(p, size, size, &ok) == 0;
	}
	tap_check(ok && !bad, "truncation: all %u shorter strings blocks refused", strings_size);

	/* Blobs cut short with totalsize matching the cut */
	for (n = 40; n < size; n++) {
		memcpy(p, blob, size);
		put32(p + FDT_HDR_TOTALSIZE, n);
		bad += try_blob(p, n, n, &ok) == 0;
	}
	tap_check(ok && !bad, "truncation: cut blobs with matching totalsize refused");
	free(p);
}

static void test_props(const uint8_t *blob, size_t size)
{
	uint32_t off_struct = get32(blob + FDT_HDR_OFF_DT_STRUCT);
	uint32_t off_strings = get32(blob + FDT_HDR_OFF_DT_STRINGS);
	uint32_t strings_size = get32(blob + FDT_HDR_SIZE_DT_STRINGS);
	uint8_t *p = dup_exact(blob, size);
	uint8_t *prop = p + off_struct + 8;	/* root: BEGIN_NODE "" then its first property */
	bool ok = true;
	struct fdt fdt;
	int err;

	tap_check(get32(prop) == FDT_PROP, "props: root's first property located");

	put32(prop + 8, strings_size);
	err = try_blob(p, size, size, &ok);
	tap_check(err == FDT_ERR_BADSTRUCTURE, "props: name offset at end of strings refused");
	put32(prop + 8, 0xffffffff);
	err = try_blob(p, size, size, &ok);
	tap_check(err == FDT_ERR_BADSTRUCTURE, "props: name offset 0xffffffff refused");
	put32(prop + 8, strings_size - 1);
	err = fdt_init(&fdt, p, size);
	tap_check(!err && !fdt_getprop(&fdt, fdt_root(&fdt), "#address-cells", NULL) &&
		  fdt_getprop(&fdt, fdt_root(&fdt), "", NULL),
		  "props: name offset at the final NUL is the empty name");

	memcpy(p, blob, size);
	put32(prop + 4, size);
	tap_check(try_blob(p, size, size, &ok) == FDT_ERR_BADSTRUCTURE,
		  "props: value longer than the structure block refused");
	put32(prop + 4, 0xfffffffe);
	tap_check(try_blob(p, size, size, &ok) == FDT_ERR_BADSTRUCTURE,
		  "props: value length 0xfffffffe refused");

	memcpy(p, blob, size);
	p[off_strings + strings_size - 1] = 'x';
	tap_check(try_blob(p, size, size, &ok) == FDT_ERR_BADSTRUCTURE,
		  "props: unterminated property name in strings block refused");

	memcpy(p, blob, size);
	put32(prop, 5);
	tap_check(try_blob(p, size, size, &ok) == FDT_ERR_BADSTRUCTURE,
		  "props: unknown token refused");
	put32(prop, FDT_END);
	tap_check(try_blob(p, size, size, &ok) == FDT_ERR_BADSTRUCTURE,
		  "props: FDT_END inside the root refused");
	tap_check(ok, "props: patched blobs handled");
	free(p);
}

static void test_built(void)
{
	static const uint8_t one[4] = { 0, 0, 0, 1 };
	struct builder *b = calloc(1, sizeof(*b));
	char path[2 * 200 + 1];
	size_t size;
	uint8_t *p;
	bool ok = true;
	int i, err, root, node;
	struct fdt fdt;

	if (!b)
		abort();

	b_begin(b, "");
	b_tok(b, FDT_END_NODE);
	b_tok(b, FDT_END);
	tap_check(init_built(b, strings, sizeof(strings), &ok) == 0,
		  "built: minimal tree accepted");

	/* NOPs anywhere, properties before subnodes */
	b->len = 0;
	b_tok(b, FDT_NOP);
	b_begin(b, "");
	b_tok(b, FDT_NOP);
	b_prop(b, STR_LABEL, 4, one);
	b_tok(b, FDT_NOP);
	b_begin(b, "a");
	b_tok(b, FDT_NOP);
	b_tok(b, FDT_END_NODE);
	b_tok(b, FDT_NOP);
	b_begin(b, "b@1");
	b_prop(b, STR_REG, 4, one);
	b_tok(b, FDT_END_NODE);
	b_tok(b, FDT_NOP);
	b_tok(b, FDT_END_NODE);
	b_tok(b, FDT_NOP);
	b_tok(b, FDT_END);
	p = assemble(b, strings, sizeof(strings), &size);
	err = fdt_init(&fdt, p, size);
	root = fdt_root(&fdt);
	node = fdt_first_subnode(&fdt, root);
	tap_check(!err && name_eq(&fdt, node, "a") &&
		  name_eq(&fdt, fdt_next_subnode(&fdt, node), "b@1") &&
		  fdt_next_subnode(&fdt, fdt_next_subnode(&fdt, node)) == FDT_ERR_NOTFOUND,
		  "built: NOPs are skipped by subnode iteration");
	tap_check(fdt_prop_u32(&fdt, root, "label", &(uint32_t){ 0 }) &&
		  fdt_prop_u32(&fdt, fdt_path_offset(&fdt, "/b"), "reg", &(uint32_t){ 0 }) &&
		  !fdt_getprop(&fdt, root, "reg", NULL),
		  "built: NOPs are skipped by property lookup");
	ok &= exercise(&fdt, p, size);
	free(p);

	/* Unterminated node name running to the end of the structure block */
	b->len = 0;
	b_begin(b, "");
	b_tok(b, FDT_BEGIN_NODE);
	b_raw(b, "abcdefgh", 8);
	tap_check(init_built(b, strings, sizeof(strings), &ok) == FDT_ERR_BADSTRUCTURE,
		  "built: unterminated node name refused");

	/* Unterminated strings block */
	b->len = 0;
	b_begin(b, "");
	b_prop(b, STR_LABEL, 4, one);
	b_tok(b, FDT_END_NODE);
	b_tok(b, FDT_END);
	tap_check(init_built(b, strings, sizeof(strings), &ok) == 0 &&
		  init_built(b, strings, sizeof(strings) - 1, &ok) == FDT_ERR_BADSTRUCTURE,
		  "built: property name without NUL at end of strings refused");

	/* Property header cut by the end of the structure block */
	b->len = 0;
	b_begin(b, "");
	b_tok(b, FDT_PROP);
	b_tok(b, 0);
	tap_check(init_built(b, strings, sizeof(strings), &ok) == FDT_ERR_BADSTRUCTURE,
		  "built: truncated property header refused");

	b->len = 0;
	b_begin(b, "");
	b_tok(b, FDT_END);
	tap_check(init_built(b, strings, sizeof(strings), &ok) == FDT_ERR_BADSTRUCTURE,
		  "built: missing FDT_END_NODE refused");

	b->len = 0;
	b_begin(b, "");
	b_tok(b, FDT_END_NODE);
	b_tok(b, FDT_END_NODE);
	b_tok(b, FDT_END);
	tap_check(init_built(b, strings, sizeof(strings), &ok) == FDT_ERR_BADSTRUCTURE,
		  "built: extra FDT_END_NODE refused");

	b->len = 0;
	b_begin(b, "");
	b_tok(b, FDT_END_NODE);
	tap_check(init_built(b, strings, sizeof(strings), &ok) == FDT_ERR_BADSTRUCTURE,
		  "built: missing FDT_END refused");

	b->len = 0;
	b_begin(b, "");
	b_tok(b, FDT_END_NODE);
	b_begin(b, "");
	b_tok(b, FDT_END_NODE);
	b_tok(b, FDT_END);
	tap_check(init_built(b, strings, sizeof(strings), &ok) == FDT_ERR_BADSTRUCTURE,
		  "built: second root refused");

	b->len = 0;
	b_prop(b, STR_REG, 4, one);
	b_begin(b, "");
	b_tok(b, FDT_END_NODE);
	b_tok(b, FDT_END);
	tap_check(init_built(b, strings, sizeof(strings), &ok) == FDT_ERR_BADSTRUCTURE,
		  "built: property outside the root refused");

	b->len = 0;
	b_begin(b, "");
	b_begin(b, "a");
	b_tok(b, FDT_END_NODE);
	b_prop(b, STR_REG, 4, one);
	b_tok(b, FDT_END_NODE);
	b_tok(b, FDT_END);
	tap_check(init_built(b, strings, sizeof(strings), &ok) == FDT_ERR_BADSTRUCTURE,
		  "built: property after a subnode refused");

	b->len = 0;
	b_begin(b, "root");
	b_tok(b, FDT_END_NODE);
	b_tok(b, FDT_END);
	tap_check(init_built(b, strings, sizeof(strings), &ok) == FDT_ERR_BADSTRUCTURE,
		  "built: named root refused");

	b->len = 0;
	b_begin(b, "");
	b_begin(b, "");
	b_tok(b, FDT_END_NODE);
	b_tok(b, FDT_END_NODE);
	b_tok(b, FDT_END);
	tap_check(init_built(b, strings, sizeof(strings), &ok) == FDT_ERR_BADSTRUCTURE,
		  "built: unnamed subnode refused");

	/* 200 nested nodes */
	b->len = 0;
	b_begin(b, "");
	for (i = 0; i < 200; i++)
		b_begin(b, "n");
	b_prop(b, STR_LABEL, 4, one);
	for (i = 0; i <= 200; i++)
		b_tok(b, FDT_END_NODE);
	b_tok(b, FDT_END);
	for (i = 0; i < 200; i++)
		memcpy(path + 2 * i, "/n", 2);
	path[400] = '\0';
	p = assemble(b, strings, sizeof(strings), &size);
	err = fdt_init(&fdt, p, size);
	node = fdt_path_offset(&fdt, path);
	tap_check(!err && node == (int)(56 + 8 * 200) &&
		  fdt_getprop(&fdt, node, "label", NULL) &&
		  fdt_first_subnode(&fdt, node) == FDT_ERR_NOTFOUND &&
		  fdt_next_subnode(&fdt, fdt_first_subnode(&fdt, fdt_root(&fdt))) ==
		  FDT_ERR_NOTFOUND,
		  "built: 200 nested nodes");
	ok &= exercise(&fdt, p, size);
	free(p);

	tap_check(ok, "built: all assembled blobs handled");
	free(b);
}

static void mutate(uint8_t *p, size_t size)
{
	static const uint32_t words[] = {
		FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP, FDT_END, 0, 0xffffffff,
		0x7fffffff, 0x80000000, 0xfffffffc,
	};
	unsigned int i, n = 1 + rng() % 4;
	size_t at;

	for (i = 0; i < n; i++) {
		at = rng() % size;
		switch (rng() % 4) {
		case 0:
			p[at] = rng();
			break;
		case 1:
			p[at] ^= 1 << (rng() % 8);
			break;
		case 2:
			at &= ~(size_t)3;
			if (at + 4 <= size)
				put32(p + at, words[rng() % ARRAY_SIZE(words)]);
			break;
		default:
			at &= ~(size_t)3;
			if (at + 4 <= size)
				put32(p + at, get32(p + at) + (uint32_t)(rng() % 17) - 8);
			break;
		}
	}
}

static void test_mutants(const uint8_t *blob, size_t size)
{
	unsigned int i, accepted = 0, rejected = 0;
	uint8_t *p = dup_exact(blob, size);
	bool ok = true;
	struct fdt fdt;
	size_t n;

	for (i = 0; i < NR_MUTANTS; i++) {
		memcpy(p, blob, size);
		mutate(p, size);
		/* One in eight is also cut short. */
		n = rng() % 8 ? size : rng() % (size + 1);
		if (try_blob(p, n, n, &ok) == 0)
			accepted++;
		else
			rejected++;
	}
	tap_check(ok && accepted + rejected == NR_MUTANTS,
		  "mutants: %u random mutants parsed (%u) or refused (%u)", NR_MUTANTS,
		  accepted, rejected);
	tap_check(accepted > 0 && rejected > 0, "mutants: both outcomes occur");

	/* The blob changed after fdt_init(): accessors must stay inside it. */
	for (i = 0; i < NR_MUTANTS / 4; i++) {
		memcpy(p, blob, size);
		if (fdt_init(&fdt, p, size)) {
			ok = false;
			break;
		}
		mutate(p, size);
		ok &= exercise(&fdt, p, size);
	}
	tap_check(ok, "mutants: %u blobs changed after fdt_init handled", NR_MUTANTS / 4);
	free(p);
}

int main(void)
{
	size_t size;
	uint8_t *blob, *copy;

	tap_begin();
	blob = compile_dts(guest_dts, &size);
	if (!tap_check(blob && size > 40, "dtc compiles the guest device tree (%zu bytes)", size))
		return tap_finish();
	copy = dup_exact(blob, size);
	free(blob);

	test_guest(copy, size);
	test_header(copy, size);
	test_truncation(copy, size);
	test_props(copy, size);
	test_built();
	test_mutants(copy, size);
	free(copy);
	return tap_finish();
}
