#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""dt-validate.py: check device-tree nodes against a binding (YAML schema).

dt-schema is not packaged for Debian bookworm, so this implements the part
of it our bindings use: the compatible that selects nodes, required,
additionalProperties: false, properties that are uint32 (one cell) or
uint32-array with an items list (that many cells, with minimum/maximum),
and maxItems/minItems of reg (per #address-cells + #size-cells of the
parent) and interrupts (per #interrupt-cells of the interrupt parent).
For bao,ipcshmem it also checks what the binding's description requires
of read-channel and write-channel: inside reg, disjoint.

    dt-validate.py SCHEMA DTB...       one line per matching node:
                                       "ok PATH" or "fail PATH: reasons"
    dt-validate.py --example SCHEMA INCDIR
                                       compile each example (cpp with the
                                       kernel's include/ at INCDIR, dtc)
                                       and validate its nodes

Exit status 0 if every node passed, 1 otherwise.
"""
import os
import subprocess
import sys
import tempfile

import yaml

ALWAYS_ALLOWED = {'phandle', 'status', 'interrupt-parent', 'name'}


def fdtget(dtb, *args):
    r = subprocess.run(['fdtget', dtb, *args], capture_output=True, text=True)
    return r.stdout.split() if r.returncode == 0 else None


def cells(dtb, path, prop):
    v = fdtget(dtb, '-t', 'x', path, prop)
    return None if v is None else [int(x, 16) for x in v]


def walk(dtb, path='/'):
    yield path
    for child in fdtget(dtb, '-l', path) or []:
        yield from walk(dtb, (path.rstrip('/') + '/' + child))


def parent_of(path):
    p = path.rsplit('/', 1)[0]
    return p or '/'


def cell_count(dtb, path, prop, default):
    v = cells(dtb, path, prop)
    return v[0] if v else default


def interrupt_cells(dtb, path, phandles):
    p = path
    while True:
        ip = cells(dtb, p, 'interrupt-parent')
        if ip:
            target = phandles.get(ip[0])
            return cell_count(dtb, target, '#interrupt-cells', 0) if target else 0
        if p == '/':
            return 0
        p = parent_of(p)


def check_node(dtb, path, schema, phandles):
    errs = []
    props = schema.get('properties', {})
    present = set(fdtget(dtb, '-p', path) or [])
    for r in schema.get('required', []):
        if r not in present:
            errs.append("'%s' is required" % r)
    if schema.get('additionalProperties') is False:
        for p in sorted(present - set(props) - ALWAYS_ALLOWED):
            errs.append("'%s' is not allowed" % p)
    values = {}
    for name, spec in props.items():
        if name not in present or name == 'compatible':
            continue
        v = cells(dtb, path, name) or []
        values[name] = v
        ref = spec.get('$ref', '')
        if ref.endswith('/uint32') and len(v) != 1:
            errs.append("'%s' must be one uint32" % name)
        if ref.endswith('/uint32-array') and 'items' in spec:
            items = spec['items']
            if len(v) != len(items):
                errs.append("'%s' must have %d cells, has %d" % (name, len(items), len(v)))
            for i, (item, x) in enumerate(zip(items, v)):
                if 'minimum' in item and x < item['minimum']:
                    errs.append("'%s' cell %d is less than %d" % (name, i, item['minimum']))
                if 'maximum' in item and x > item['maximum']:
                    errs.append("'%s' cell %d is more than %d" % (name, i, item['maximum']))
        per = 0
        if name == 'reg':
            par = parent_of(path)
            per = cell_count(dtb, par, '#address-cells', 2) + \
                cell_count(dtb, par, '#size-cells', 1)
        elif name == 'interrupts':
            per = interrupt_cells(dtb, path, phandles)
        if per:
            n, rest = divmod(len(v), per)
            if rest or n < spec.get('minItems', 1) or n > spec.get('maxItems', n):
                errs.append("'%s' has %d cells, not %s entries of %d" %
                            (name, len(v), spec.get('maxItems', 'whole'), per))
    # The binding's description: both channels inside reg, disjoint.
    if 'read-channel' in props and 'reg' in values and not errs:
        par = parent_of(path)
        ac = cell_count(dtb, par, '#address-cells', 2)
        size = 0
        for c in values['reg'][ac:]:
            size = size << 32 | c
        ch = [values.get('read-channel'), values.get('write-channel')]
        for name, c in zip(('read-channel', 'write-channel'), ch):
            if c and c[0] + c[1] > size:
                errs.append("'%s' <%#x %#x> is not inside reg (size %#x)" %
                            (name, c[0], c[1], size))
        if all(ch) and ch[0][0] < ch[1][0] + ch[1][1] and ch[1][0] < ch[0][0] + ch[0][1]:
            errs.append('read-channel and write-channel overlap')
    return errs


def validate(schema, dtb):
    compat = schema['properties']['compatible']['const']
    nodes = list(walk(dtb))
    phandles = {}
    for n in nodes:
        ph = cells(dtb, n, 'phandle')
        if ph:
            phandles[ph[0]] = n
    ok = True
    for n in nodes:
        c = fdtget(dtb, n, 'compatible')
        if not c or compat not in c:
            continue
        errs = check_node(dtb, n, schema, phandles)
        if errs:
            ok = False
            print('fail %s: %s' % (n, '; '.join(errs)))
        else:
            print('ok %s' % n)
    return ok


def examples(schema, incdir):
    ok = True
    for i, ex in enumerate(schema.get('examples', [])):
        src = ('/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n'
               '\tinterrupt-parent = <&gic>;\n\tgic: interrupt-controller {\n'
               '\t\tinterrupt-controller;\n\t\t#interrupt-cells = <3>;\n\t};\n')
        body = [ln for ln in ex.splitlines() if not ln.startswith('#include')]
        incs = [ln for ln in ex.splitlines() if ln.startswith('#include')]
        src = '\n'.join(incs) + '\n' + src + '\n'.join(body) + '\n};\n'
        with tempfile.TemporaryDirectory() as d:
            pre = subprocess.run(['cpp', '-nostdinc', '-undef', '-P', '-x', 'assembler-with-cpp',
                                  '-I', incdir, '-'], input=src, capture_output=True,
                                 text=True)
            dtb = os.path.join(d, 'ex.dtb')
            dtc = subprocess.run(['dtc', '-q', '-I', 'dts', '-O', 'dtb', '-o', dtb, '-'],
                                 input=pre.stdout, capture_output=True, text=True)
            if pre.returncode or dtc.returncode:
                print('fail example %d: %s%s' % (i, pre.stderr, dtc.stderr))
                ok = False
                continue
            print('# example %d compiles with dtc' % i)
            ok = validate(schema, dtb) and ok
    return ok


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == '--example':
        with open(args[1]) as f:
            return 0 if examples(yaml.safe_load(f), args[2]) else 1
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(args[0]) as f:
        schema = yaml.safe_load(f)
    ok = True
    for dtb in args[1:]:
        ok = validate(schema, dtb) and ok
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
