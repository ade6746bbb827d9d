#!/usr/bin/env python3
"""Boot the example kernel (examples/kernel/) with every backend on a matrix
of QEMU machines, and check each serial report against what QEMU was told.

Each machine below is described once; the QEMU arguments are derived from
it, and so are the expectations: the node count, each node's CPUs and
memory (SRAT ranges sum to the -numa memdev size, less the 640 KiB - 1 MiB
hole on the first memory node; registered memory is the e820 RAM inside
them, at most 2 MiB short of the memdev size), the SLIT as given (or "no
such table" without -numa dist), CPU-only nodes, and the node each
CPU-only node's per-CPU areas land on (the nearest memory node by the
distances given). The kernel's own verdict (PASS, QEMU status 33) must
hold too.

usage: kernel_matrix.py [--backends tree,bitmap,array] [--machines a,b]
                        [--jobs 2] [--keep DIR]
Exit 0 if every boot passed, 1 if one failed, 2 on a usage or build error.
Reports are kept in DIR (default build-kernel/reports).
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import time

MiB = 1 << 20
GiB = 1 << 30
HOLE = 0x100000 - 0xA0000  # QEMU's SRAT leaves 640 KiB - 1 MiB out

# name: (nodes as (memory MiB, cpus), {(a, b): distance} or None, extra)
MACHINES = {
    # no -numa at all: no SRAT, one node
    "one-node": (None, None, ["-m", "256M", "-smp", "2"]),
    # 4 nodes, a ring SLIT: neighbours 20, opposite 30
    "ring4": ([(128, [0]), (128, [1]), (128, [2]), (128, [3])],
              {(0, 1): 20, (0, 2): 30, (0, 3): 20, (1, 2): 20, (1, 3): 30,
               (2, 3): 20}, []),
    # node 3 is CPU-only; its nearest memory node is 1, not 0
    "cpu-only": ([(128, [0]), (128, [1]), (128, [2]), (0, [3, 4])],
                 {(0, 1): 20, (0, 2): 20, (0, 3): 30, (1, 2): 20,
                  (1, 3): 15, (2, 3): 25}, []),
    # unequal nodes, no SLIT: default distances
    "unequal3": ([(64, [0]), (192, [1]), (384, [2, 3])], None, []),
    # 6 GiB: RAM continues at 4 GiB; node 2 has nothing below the
    # direct map (896 MiB), so its node data and struct pages fall back
    # to node 1, its nearest
    "6g-high": ([(512, [0]), (1536, [1]), (4096, [2, 3])],
                {(0, 1): 20, (0, 2): 30, (1, 2): 15}, []),
    # memory-only nodes 1 and 3; fallback from 0 is 0, 3, 2, 1
    "mem-nodes": ([(128, [0, 1]), (64, []), (128, [2, 3]), (64, [])],
                  {(0, 1): 40, (0, 2): 20, (0, 3): 15, (1, 2): 15,
                   (1, 3): 40, (2, 3): 40}, []),
}


def qemu_args(nodes, dist, extra):
    if nodes is None:
        return list(extra)
    total = sum(m for m, _ in nodes)
    ncpu = sum(len(c) for _, c in nodes)
    a = ["-m", f"{total}M", "-smp", str(ncpu)] + list(extra)
    for i, (mem, cpus) in enumerate(nodes):
        spec = f"node,nodeid={i}"
        if mem:
            a += ["-object", f"memory-backend-ram,id=m{i},size={mem}M"]
            spec += f",memdev=m{i}"
        for c in cpus:
            spec += f",cpus={c}"
        a += ["-numa", spec]
    for (s, d), v in sorted((dist or {}).items()):
        a += ["-numa", f"dist,src={s},dst={d},val={v}"]
    return a


RANGE = r"\[0x([0-9a-f]+)-0x([0-9a-f]+)\]"


def parse(text):
    """The parts of a serial report the checks need."""
    r = {"e820": [], "srat": [], "frags": [], "slit": None, "nodes": {},
         "percpu": {}, "verdict": None, "failed": []}
    lines = text.splitlines()
    section = None
    for i, line in enumerate(lines):
        if line.startswith("firmware memory map"):
            section = "e820"
        elif line.startswith("registered fragments"):
            section = "frags"
        elif not line.startswith("  "):
            section = None
        m = re.match(r"  " + RANGE + r" (\S+)", line)
        if m and section == "e820":
            r["e820"].append((int(m[1], 16), int(m[2], 16) + 1, m[3]))
        m = re.match(r"  " + RANGE + r" node (\d+) ", line)
        if m and section == "frags":
            r["frags"].append((int(m[1], 16), int(m[2], 16) + 1, int(m[3])))
        m = re.match(r"  memory " + RANGE + r" .* -> node (\d+)", line)
        if m:
            r["srat"].append((int(m[1], 16), int(m[2], 16) + 1, int(m[3])))
        m = re.match(r"SLIT: (\d+) localities", line)
        if m:
            n = int(m[1])
            rows = lines[i + 2:i + 2 + n]
            r["slit"] = [[int(x) for x in row.split()[1:]] for row in rows]
        if line.startswith("SLIT: ") and "distances 10 local" in line:
            r["slit_note"] = line
        m = re.match(r"nodes: (\d+)", line)
        if m:
            r["nnodes"] = int(m[1])
        m = re.match(r"  node (\d+): (\d+) cpus, memory", line)
        if m:
            r["nodes"][int(m[1])] = {"cpus": int(m[2]),
                                     "cpu_only": "CPU-only" in line}
        m = re.match(r"  cpu (\d+) \(node (\d+).*\): 0x[0-9a-f]+ on node (-?\d+)",
                     line)
        if m:
            r["percpu"][int(m[1])] = (int(m[2]), int(m[3]))
        if line.startswith("  check failed"):
            r["failed"].append(line.strip())
        if re.match(r"(PASS|FAIL)", line):
            r["verdict"] = line
    return r


def overlap(a0, a1, b0, b1):
    return max(0, min(a1, b1) - max(a0, b0))


def check(name, report, status):
    """Complaints about one boot, [] if it matches the machine."""
    nodes, dist, _ = MACHINES[name]
    r = parse(report)
    bad = []
    if status != 0 or not (r["verdict"] or "").startswith("PASS"):
        bad.append(f"verdict: {r['verdict']!r}, scripts/kernel.sh exit {status}")
        bad += r["failed"][:5]
    if nodes is None:       # no -numa: one node with all RAM, no SRAT
        nodes = [(256, [0, 1])]
        told_no_srat = True
    else:
        told_no_srat = False
    if r.get("nnodes") != len(nodes):
        bad.append(f"nodes: report says {r.get('nnodes')}, QEMU was told {len(nodes)}")
    ram = [(b, e) for b, e, t in r["e820"] if t == "RAM"]
    first_mem = min(i for i, (m, _) in enumerate(nodes) if m)
    for nid, (mem, cpus) in enumerate(nodes):
        told = mem * MiB
        got = r["nodes"].get(nid)
        if not got:
            bad.append(f"node {nid}: missing from the report")
            continue
        if got["cpus"] != len(cpus):
            bad.append(f"node {nid}: {got['cpus']} cpus, told {len(cpus)}")
        if got["cpu_only"] != (mem == 0):
            bad.append(f"node {nid}: CPU-only is {got['cpu_only']}, told memory {mem} MiB")
        srat = [(b, e) for b, e, n in r["srat"] if n == nid]
        if not told_no_srat:
            want = told - (HOLE if nid == first_mem else 0)
            have = sum(e - b for b, e in srat)
            if have != want:
                bad.append(f"node {nid}: SRAT gives {have} bytes, QEMU was told "
                           f"{told} ({want} without the hole)")
        else:
            srat = [(0, 1 << 64)]
        frags = sum(e - b for b, e, n in r["frags"] if n == nid)
        expect = sum(overlap(b, e, sb, se) for b, e in ram for sb, se in srat)
        if frags != expect:
            bad.append(f"node {nid}: {frags} bytes registered, the e820 RAM in "
                       f"its SRAT ranges is {expect}")
        if not told - 2 * MiB < frags <= told and mem:
            bad.append(f"node {nid}: {frags} bytes registered, told {told}")
    if dist:
        want = [[10 if a == b else dist.get((min(a, b), max(a, b)))
                 for b in range(len(nodes))] for a in range(len(nodes))]
        if r["slit"] != want:
            bad.append(f"SLIT {r['slit']}, told {want}")
    elif "no such table" not in r.get("slit_note", "") and \
            "no usable SRAT" not in r.get("slit_note", ""):
        bad.append(f"no -numa dist, but the report says {r.get('slit_note') or r['slit']}")

    def d(a, b):
        if a == b:
            return 10
        return dist.get((min(a, b), max(a, b))) if dist else 20
    for cpu, (nid, landed) in r["percpu"].items():
        if nodes[nid][0]:
            continue
        mems = [n for n, (m, _) in enumerate(nodes) if m]
        near = min(mems, key=lambda n: (d(nid, n), n))
        if landed != near:
            bad.append(f"cpu {cpu} of CPU-only node {nid}: per-CPU area on node "
                       f"{landed}, nearest memory node is {near}")
    return bad


def boot(backend, name, keep):
    args = qemu_args(*MACHINES[name])
    t0 = time.monotonic()
    env = dict(os.environ)
    env.setdefault("DC_KERNEL_TIMEOUT", "90")   # the slowest boot takes ~10 s
    p = subprocess.run(["scripts/kernel.sh", backend] + args, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    secs = time.monotonic() - t0
    text = p.stdout.decode(errors="replace")
    with open(os.path.join(keep, f"{name}-{backend}.txt"), "w") as f:
        f.write("scripts/kernel.sh " + backend + " " + " ".join(args) + "\n")
        f.write(text)
    return backend, name, p.returncode, secs, check(name, text, p.returncode)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backends", default="tree,bitmap,array")
    ap.add_argument("--machines", default=",".join(MACHINES))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", default="build-kernel/reports")
    a = ap.parse_args()
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    backends = a.backends.split(",")
    machines = a.machines.split(",")
    for m in machines:
        if m not in MACHINES:
            print(f"kernel_matrix: unknown machine {m}", file=sys.stderr)
            return 2
    os.makedirs(a.keep, exist_ok=True)
    t0 = time.monotonic()
    for b in backends:   # build first, so that parallel boots only boot
        if subprocess.run(["nice", "make", "-s", "-C", "examples/kernel",
                           f"BACKEND={b}", f"O={os.getcwd()}/build-kernel/{b}",
                           "-j2"]).returncode:
            print(f"kernel_matrix: building the {b} kernel failed", file=sys.stderr)
            return 2
    results = {}
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        futs = [ex.submit(boot, b, m, a.keep) for m in machines for b in backends]
        for f in concurrent.futures.as_completed(futs):
            b, m, rc, secs, bad = f.result()
            results[(b, m)] = (rc, secs, bad)
            print(f"{'PASS' if not bad else 'FAIL'} {m:10} {b:6} {secs:5.1f} s",
                  flush=True)
            for line in bad:
                print(f"     {line}")
    print(f"\n{'machine':10}" + "".join(f" {b:>12}" for b in backends))
    for m in machines:
        cells = []
        for b in backends:
            rc, secs, bad = results[(b, m)]
            cells.append(f"{'PASS' if not bad else 'FAIL'} {secs:4.1f}s")
        print(f"{m:10}" + "".join(f" {c:>12}" for c in cells))
    failed = sum(1 for v in results.values() if v[2])
    print(f"{len(results) - failed} of {len(results)} boots passed in "
          f"{time.monotonic() - t0:.0f} s (reports in {a.keep})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
