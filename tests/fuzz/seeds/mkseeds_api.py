#!/usr/bin/env python3
# mkseeds_api.py - writes the hand-made seeds of fuzz_api into
# tests/fuzz/corpus/api: a few call sequences in fuzz_api.c's input
# format (header, then one opcode and its arguments per call), so that the
# fuzzer starts from systems that are finalized, full and stealing.
import os, struct, sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), '..', 'corpus', 'api')

def addr(off, page=True):
    return bytes([1 if page else 0]) + struct.pack('<I', off)

def pages(n):
    return bytes([1, n - 1])

def small(n):
    return bytes([0, n])

def add(nid, off, npages):
    return bytes([0, nid]) + addr(off) + pages(npages)

def alloc(size, nid=250, flags=0, align_k=0):
    return bytes([5, align_k]) + size + bytes([0, 0, nid, flags])

def free_live(k=0):
    return bytes([9, k])

def reserve(off, size):
    return bytes([3]) + addr(off, False) + size

FINALIZE = bytes([15])

def seq(header, *calls):
    return bytes(header) + b''.join(calls)

seeds = {}
for be in range(3):
    for hi in (0, 8):
        base = [add(0, 0x100000, 64), add(1, 0x200000, 64),
                add(2, 0x400000, 8), reserve(0x100010, small(100)),
                FINALIZE]
        allocs = [alloc(small(1 + i * 7), nid=i % 3, flags=(i & 3) << 1)
                  for i in range(24)]
        frees = [free_live(i) for i in range(0, 24, 3)]
        seeds['steal_b%d_h%d' % (be, hi)] = seq(
            [be | hi, 2], *(base + allocs + frees + allocs))
        seeds['zero_b%d_h%d' % (be, hi)] = seq(
            [be | hi | 4, 0], *(base + [bytes([29, 1]) + addr(0x201000)] +
                               [alloc(pages(1), nid=1, flags=0x10)] * 6))
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)
