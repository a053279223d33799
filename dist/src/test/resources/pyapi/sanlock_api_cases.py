#!/usr/bin/python3
"""Runs every case of the python3-sanlock API parity suite against the daemon at
$SANLOCK_RUN_DIR and prints one line per case, normalized so that the lines of a
reference daemon and of a jsanlock daemon in the same state can be compared for equality.

    sanlock_api_cases.py WORKDIR

WORKDIR is empty; the script makes every lease file in it itself, so two runs (one per
daemon, each with its own WORKDIR) start from the same bytes. Line 1 is
"API<TAB>f1,f2,..." (the public functions of the sanlock module); then one line per case,
"CASE<TAB>NAME<TAB>f1,f2 (functions it uses)<TAB>R<TAB>DISK", where R is JSON and DISK is
JSON {"offset": "hex of the masked 512-byte block"} of the area the case wrote, or "-".

R is the return value (bytes as {"b": hex} unless ASCII text), or for an exception
{"errno": N, "msg": "..."} (SanlockException) / {"raise": TYPE, "msg": "..."}. What is
masked, and why (nothing else is):
  * the WORKDIR prefix of paths, as "$D" (each run has its own directory);
  * "timestamp" in get_hosts / read_resource_owners results, as "T" (each daemon's own
    monotonic clock);
  * on disk (see image()): leader timestamp/write_timestamp/checksum, dblock inp3/checksum,
    request-record padding, as DiskImage.java masks them.
Cases run in order and share state: one join of lockspace LS (io_timeout 1) serves all
the cases that need a joined lockspace.
"""
import json
import os
import select
import signal
import struct
import subprocess
import sys
import time

import sanlock

MiB = 1 << 20
TiB = 1 << 40
WORK = os.fsencode(sys.argv[1])
DELTA, PAXOS, CLEAR, REQUEST = 0x12212010, 0x06152010, 0x11282016, 0x08292011


def p(name):
    """A path in WORKDIR, as bytes (names may be any bytes)."""
    return os.path.join(WORK, name if isinstance(name, bytes) else name.encode())


def mkfile(name, size):
    with open(p(name), "wb") as f:
        f.truncate(size)
    return p(name)


def norm(v):
    if isinstance(v, bytes):
        v = v.replace(WORK, b"$D")
        try:
            s = v.decode("ascii")
            if s.isprintable():
                return s
        except UnicodeDecodeError:
            pass
        return {"b": v.hex()}
    if isinstance(v, str):
        return v.replace(os.fsdecode(WORK), "$D")
    if isinstance(v, dict):
        return {k: ("T" if k == "timestamp" else norm(x)) for k, x in sorted(v.items())}
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    return v


def image(path, offset, length):
    """Non-zero 512-byte blocks of [offset, offset+length), masked as DiskImage.java does."""
    out = {}
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            b = bytearray(f.read(length))
    except OSError as e:
        return {"errno": e.errno}
    dstart = dend = -1
    dsec = 512
    for off in range(0, len(b) - 511, 512):
        magic = struct.unpack_from("<I", b, off)[0]
        if magic in (DELTA, PAXOS, CLEAR):
            b[off + 152:off + 160] = bytes(8)
            b[off + 168:off + 172] = bytes(4)
            if magic != DELTA:
                b[off + 192:off + 200] = bytes(8)
                ss, nh = struct.unpack_from("<IQ", b, off + 12)
                if ss in (512, 4096) and 0 < nh <= 2000:
                    dsec, dstart, dend = ss, off + 2 * ss, off + (2 + nh) * ss
        elif magic == REQUEST:
            b[off + 20:off + 24] = bytes(4)
        elif dstart <= off < dend and (off - dstart) % dsec == 0:
            b[off + 32:off + 40] = bytes(8)
            b[off + 48:off + 52] = bytes(4)
        blk = bytes(b[off:off + 512]).rstrip(b"\0")
        if blk:
            out[str(offset + off)] = blk.hex()
    return out


CASES = []


def case(name, calls, disk=None):
    """Registers a case. disk: (file, offset, length) whose bytes are compared after it."""
    def reg(fn):
        CASES.append((name, calls, fn, disk))
        return fn
    return reg


class CaseTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise CaseTimeout("no answer in 30 s")


def run(fn):
    # A call the daemon never answers must not hang the whole run: 30 s per case.
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(30)
    try:
        return norm(fn())
    except sanlock.SanlockException as e:
        return {"errno": e.errno, "msg": norm(e.args[1] if len(e.args) > 1 else "")}
    except Exception as e:  # argument errors raised by the binding itself, CaseTimeout
        return {"raise": type(e).__name__, "msg": norm(str(e))}
    finally:
        signal.alarm(0)


def retry_eagain(fn, seconds=15):
    """Calls fn until it stops failing with EAGAIN (the daemon says: not yet known)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return fn()
        except sanlock.SanlockException as e:
            if e.errno != 11 or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


# ---------------------------------------------------------------- storage, no lockspace joined
LS = b"LS"
F = b"leases"          # 16 MiB, 512/1M: LS at 0, resources from 1 MiB
NAME48 = b"n" * 47 + b"8"
NAME49 = b"n" * 48 + b"9"
UTF8 = "lé€א".encode()
RAW = b"\xff\xfe\x80x"


def setup():
    mkfile(F, 16 * MiB)
    mkfile("big", TiB)                       # sparse, for offsets near 1 TiB
    mkfile("s4k", 64 * MiB)                  # 4096-byte sector leases
    mkfile("short", 4096)                    # shorter than any lease (never written)
    mkfile("shortw", 4096)                   # the same, for the write cases (they extend it)
    mkfile("\u05d0".encode(), 16 * MiB)      # UTF-8 file name
    mkfile(b"\xff\xfe", 16 * MiB)            # not UTF-8 at all
    os.mkdir(p("dir"))


for sector in (512, 4096):
    for align in sanlock.ALIGN_SIZE:
        if sector == 512 and align != MiB:
            continue  # 512-byte sectors allow 1 MiB only (ondisk.md 1.1); tried below as wrong
        off = {MiB: 0, 2 * MiB: 2 * MiB, 4 * MiB: 4 * MiB, 8 * MiB: 8 * MiB}[align]
        tag = "s%d_a%dM" % (sector, align // MiB)

        @case("write_lockspace %s" % tag, ["write_lockspace"], disk=("s4k", 16 * MiB + off, align))
        def _(s=sector, a=align, o=off):
            return sanlock.write_lockspace(LS, p("s4k"), 16 * MiB + o, iotimeout=1, align=a, sector=s)

        @case("read_lockspace %s" % tag, ["read_lockspace"])
        def _(s=sector, a=align, o=off):
            return sanlock.read_lockspace(p("s4k"), 16 * MiB + o, align=a, sector=s)

        @case("write_resource %s" % tag, ["write_resource"], disk=("s4k", 32 * MiB + off, align))
        def _(s=sector, a=align, o=off):
            return sanlock.write_resource(LS, b"R" + tag.encode(), [(p("s4k"), 32 * MiB + o)], align=a, sector=s)

        @case("read_resource %s" % tag, ["read_resource"])
        def _(s=sector, a=align, o=off):
            return sanlock.read_resource(p("s4k"), 32 * MiB + o, align=a, sector=s)

        @case("read_resource_owners %s" % tag, ["read_resource_owners"])
        def _(s=sector, a=align, o=off):
            return sanlock.read_resource_owners(LS, b"R" + tag.encode(), [(p("s4k"), 32 * MiB + o)], align=a, sector=s)

        for wa in sanlock.ALIGN_SIZE:
            for ws in sanlock.SECTOR_SIZE:
                if (wa, ws) == (align, sector):
                    continue
                wtag = "s%d_a%dM" % (ws, wa // MiB)

                @case("read_lockspace written %s read as %s" % (tag, wtag), ["read_lockspace"])
                def _(s=ws, a=wa, o=off):
                    return sanlock.read_lockspace(p("s4k"), 16 * MiB + o, align=a, sector=s)

                @case("read_resource written %s read as %s" % (tag, wtag), ["read_resource"])
                def _(s=ws, a=wa, o=off):
                    return sanlock.read_resource(p("s4k"), 32 * MiB + o, align=a, sector=s)

                @case("read_resource_owners written %s read as %s" % (tag, wtag), ["read_resource_owners"])
                def _(s=ws, a=wa, o=off, t=tag):
                    return sanlock.read_resource_owners(LS, b"R" + t.encode(), [(p("s4k"), 32 * MiB + o)], align=a, sector=s)

for a in (2 * MiB, 4 * MiB, 8 * MiB):
    @case("write_lockspace s512 with align %dM (not allowed)" % (a // MiB), ["write_lockspace"], disk=(F, 12 * MiB, a))
    def _(a=a):
        return sanlock.write_lockspace(LS, p(F), 12 * MiB, align=a, sector=512)

    @case("write_resource s512 with align %dM (not allowed)" % (a // MiB), ["write_resource"], disk=(F, 12 * MiB, a))
    def _(a=a):
        return sanlock.write_resource(LS, b"R", [(p(F), 12 * MiB)], align=a, sector=512)

for bad in ((3 * MiB, 512), (MiB, 1024), (0, 512), (MiB, 0), (-1, 512)):
    @case("write_lockspace bad align/sector %r" % (bad,), ["write_lockspace"])
    def _(a=bad[0], s=bad[1]):
        return sanlock.write_lockspace(LS, p(F), 12 * MiB, align=a, sector=s)

    @case("read_resource bad align/sector %r" % (bad,), ["read_resource"])
    def _(a=bad[0], s=bad[1]):
        return sanlock.read_resource(p(F), MiB, align=a, sector=s)


@case("write_lockspace LS at 0 io_timeout 1", ["write_lockspace"], disk=(F, 0, MiB))
def _():
    return sanlock.write_lockspace(LS, p(F), 0, iotimeout=1)


@case("write_lockspace max_hosts 250", ["write_lockspace"], disk=(F, 12 * MiB, MiB))
def _():
    return sanlock.write_lockspace(b"LSM", p(F), 12 * MiB, max_hosts=250)


@case("read_lockspace max_hosts 250", ["read_lockspace"])
def _():
    return sanlock.read_lockspace(p(F), 12 * MiB)


for i, res in enumerate((b"R1", b"R2", b"R3", b"RLVB", b"RSH", b"RFORCE")):
    @case("write_resource %s at %d MiB" % (res.decode(), i + 1), ["write_resource"], disk=(F, (i + 1) * MiB, MiB))
    def _(i=i, res=res):
        return sanlock.write_resource(LS, res, [(p(F), (i + 1) * MiB)])


@case("write_resource num_hosts 4 max_hosts 8", ["write_resource"], disk=(F, 7 * MiB, MiB))
def _():
    return sanlock.write_resource(LS, b"RN", [(p(F), 7 * MiB)], max_hosts=8, num_hosts=4)


@case("read_resource num_hosts 4", ["read_resource"])
def _():
    return sanlock.read_resource(p(F), 7 * MiB)


@case("write_resource clear", ["write_resource"], disk=(F, 8 * MiB, MiB))
def _():
    sanlock.write_resource(LS, b"RC", [(p(F), 8 * MiB)])
    return sanlock.write_resource(LS, b"RC", [(p(F), 8 * MiB)], clear=True)


@case("read_resource of a cleared lease", ["read_resource"])
def _():
    return sanlock.read_resource(p(F), 8 * MiB)


@case("read_resource_owners of a cleared lease", ["read_resource_owners"])
def _():
    return sanlock.read_resource_owners(LS, b"RC", [(p(F), 8 * MiB)])


@case("read_lockspace of a resource area", ["read_lockspace"])
def _():
    return sanlock.read_lockspace(p(F), MiB)


@case("read_resource of a lockspace area", ["read_resource"])
def _():
    return sanlock.read_resource(p(F), 0)


@case("read_resource of zeroes", ["read_resource"])
def _():
    return sanlock.read_resource(p(F), 15 * MiB)


@case("read_resource_owners wrong resource name", ["read_resource_owners"])
def _():
    return sanlock.read_resource_owners(LS, b"OTHER", [(p(F), MiB)])


@case("read_resource_owners wrong lockspace name", ["read_resource_owners"])
def _():
    return sanlock.read_resource_owners(b"OTHER", b"R1", [(p(F), MiB)])


# names
for label, name in (("48-byte", NAME48), ("49-byte", NAME49), ("UTF-8", UTF8), ("non-UTF-8", RAW), ("empty", b"")):
    @case("write_lockspace %s lockspace name" % label, ["write_lockspace"], disk=(F, 10 * MiB, MiB))
    def _(name=name):
        return sanlock.write_lockspace(name, p(F), 10 * MiB)

    @case("read_lockspace after %s lockspace name" % label, ["read_lockspace"])
    def _():
        return sanlock.read_lockspace(p(F), 10 * MiB)

    @case("write_resource %s resource name" % label, ["write_resource"], disk=(F, 11 * MiB, MiB))
    def _(name=name):
        return sanlock.write_resource(NAME48, name, [(p(F), 11 * MiB)])

    @case("read_resource after %s resource name" % label, ["read_resource"])
    def _():
        return sanlock.read_resource(p(F), 11 * MiB)

    @case("read_resource_owners %s resource name" % label, ["read_resource_owners"])
    def _(name=name):
        return sanlock.read_resource_owners(NAME48, name, [(p(F), 11 * MiB)])

# paths
for label, path in (("UTF-8", "\u05d0".encode()), ("non-UTF-8", b"\xff\xfe")):
    @case("write_lockspace %s path" % label, ["write_lockspace"], disk=(path, 0, MiB))
    def _(path=path):
        return sanlock.write_lockspace(UTF8, p(path), 0, iotimeout=1)

    @case("read_lockspace %s path" % label, ["read_lockspace"])
    def _(path=path):
        return sanlock.read_lockspace(p(path), 0)

    @case("write_resource %s path" % label, ["write_resource"], disk=(path, MiB, MiB))
    def _(path=path):
        return sanlock.write_resource(UTF8, RAW, [(p(path), MiB)])

    @case("read_resource %s path" % label, ["read_resource"])
    def _(path=path):
        return sanlock.read_resource(p(path), MiB)

    @case("read_resource_owners %s path" % label, ["read_resource_owners"])
    def _(path=path):
        return sanlock.read_resource_owners(UTF8, RAW, [(p(path), MiB)])

    @case("get_alignment %s path" % label, ["get_alignment"])
    def _(path=path):
        return sanlock.get_alignment(p(path))

# offsets near 1 TiB on a sparse file, and past its end
for label, off in (("1 TiB - 8 MiB", TiB - 8 * MiB), ("1 TiB - 1 MiB", TiB - MiB), ("4 GiB + 1 MiB", (4 << 30) + MiB),
                   ("1 TiB (end)", TiB), ("1 TiB + 1 MiB", TiB + MiB)):
    @case("write_lockspace at %s" % label, ["write_lockspace"], disk=("big", off, MiB))
    def _(off=off):
        return sanlock.write_lockspace(LS, p("big"), off, iotimeout=1)

    @case("read_lockspace at %s" % label, ["read_lockspace"])
    def _(off=off):
        return sanlock.read_lockspace(p("big"), off)

    @case("write_resource at %s" % label, ["write_resource"], disk=("big", off, MiB))
    def _(off=off):
        return sanlock.write_resource(LS, b"RBIG", [(p("big"), off)])

    @case("read_resource at %s" % label, ["read_resource"])
    def _(off=off):
        return sanlock.read_resource(p("big"), off)

    @case("read_resource_owners at %s" % label, ["read_resource_owners"])
    def _(off=off):
        return sanlock.read_resource_owners(LS, b"RBIG", [(p("big"), off)])

for label, off in (("not aligned (512)", 512), ("negative", -MiB), ("not sector aligned (100)", 100)):
    @case("write_resource offset %s" % label, ["write_resource"], disk=(F, 14 * MiB, MiB))
    def _(off=off):
        return sanlock.write_resource(LS, b"RX", [(p(F), 14 * MiB + off)])

    @case("read_lockspace offset %s" % label, ["read_lockspace"])
    def _(off=off):
        return sanlock.read_lockspace(p(F), off)

# read_resource_owners looks at the leader's geometry before its magic, and compares names exactly
@case("read_resource_owners of a zeroed area", ["read_resource_owners"])
def _():
    return sanlock.read_resource_owners(LS, b"R", [(p("big"), 64 * MiB)])


@case("read_resource_owners with an empty resource name", ["read_resource_owners"], disk=("big", 128 * MiB, MiB))
def _():
    sanlock.write_resource(LS, b"RE", [(p("big"), 128 * MiB)])
    return sanlock.read_resource_owners(LS, b"", [(p("big"), 128 * MiB)])


# missing, short, directory
for label, path in (("missing file", "missing"), ("short file", "short"), ("directory", "dir")):
    wpath = "shortw" if path == "short" else path

    @case("write_lockspace %s" % label, ["write_lockspace"], disk=(wpath, 0, MiB))
    def _(path=wpath):
        return sanlock.write_lockspace(LS, p(path), 0)

    @case("read_lockspace %s" % label, ["read_lockspace"])
    def _(path=path):
        return sanlock.read_lockspace(p(path), 0)

    @case("write_resource %s" % label, ["write_resource"], disk=(wpath, MiB, MiB))
    def _(path=wpath):
        return sanlock.write_resource(LS, b"R", [(p(path), MiB)])

    @case("read_resource %s" % label, ["read_resource"])
    def _(path=path):
        return sanlock.read_resource(p(path), 0)

    @case("read_resource_owners %s" % label, ["read_resource_owners"])
    def _(path=path):
        return sanlock.read_resource_owners(LS, b"R", [(p(path), 0)])

    @case("get_alignment %s" % label, ["get_alignment"])
    def _(path=path):
        return sanlock.get_alignment(p(path))


@case("get_alignment of a 1M lockspace", ["get_alignment"])
def _():
    return sanlock.get_alignment(p(F))


@case("get_alignment of a 4K/8M lockspace", ["get_alignment"])
def _():
    sanlock.write_lockspace(LS, p("s4k"), 48 * MiB, align=8 * MiB, sector=4096)
    return sanlock.get_alignment(p("s4k"))


@case("get_alignment of a sparse 1 TiB file", ["get_alignment"])
def _():
    return sanlock.get_alignment(p("big"))


@case("write_resource with two disks", ["write_resource"], disk=(F, 9 * MiB, MiB))
def _():
    return sanlock.write_resource(LS, b"R2D", [(p(F), 9 * MiB), (p(F), 13 * MiB)])


@case("write_resource with no disks", ["write_resource"])
def _():
    return sanlock.write_resource(LS, b"R", [])

# ---------------------------------------------------------------- lockspace, daemon state


@case("get_lockspaces before any join", ["get_lockspaces"])
def _():
    return sanlock.get_lockspaces()


@case("inq_lockspace before join", ["inq_lockspace"])
def _():
    return sanlock.inq_lockspace(LS, 1, p(F), 0)


@case("add_lockspace missing path", ["add_lockspace"])
def _():
    return sanlock.add_lockspace(LS, 1, p("missing"), 0, iotimeout=1)


@case("add_lockspace short file", ["add_lockspace"])
def _():
    return sanlock.add_lockspace(LS, 1, p("short"), 0, iotimeout=1)


@case("add_lockspace host_id 0", ["add_lockspace"])
def _():
    return sanlock.add_lockspace(LS, 0, p(F), 0, iotimeout=1)


@case("add_lockspace host_id 2001", ["add_lockspace"])
def _():
    return sanlock.add_lockspace(LS, 2001, p(F), 0, iotimeout=1)


@case("add_lockspace wrong name on disk", ["add_lockspace"])
def _():
    return sanlock.add_lockspace(b"NOPE", 1, p(F), 0, iotimeout=1)


@case("add_lockspace of zeroes", ["add_lockspace"])
def _():
    return sanlock.add_lockspace(LS, 1, p(F), 15 * MiB, iotimeout=1)


@case("add_lockspace LS host 1 wait=False", ["add_lockspace"])
def _():
    return sanlock.add_lockspace(LS, 1, p(F), 0, iotimeout=1, wait=False)


@case("inq_lockspace wait=True while joining", ["inq_lockspace"])
def _():
    return sanlock.inq_lockspace(LS, 1, p(F), 0, wait=True)


@case("delta lease of host 1 after join", [], disk=(F, 0, 1024))
def _():
    return None


@case("inq_lockspace joined", ["inq_lockspace"])
def _():
    return sanlock.inq_lockspace(LS, 1, p(F), 0)


@case("inq_lockspace other host_id", ["inq_lockspace"])
def _():
    return sanlock.inq_lockspace(LS, 2, p(F), 0)


@case("add_lockspace again (already joined)", ["add_lockspace"])
def _():
    return sanlock.add_lockspace(LS, 1, p(F), 0, iotimeout=1)


@case("add_lockspace same name other host_id", ["add_lockspace"])
def _():
    return sanlock.add_lockspace(LS, 2, p(F), 0, iotimeout=1)


@case("get_lockspaces joined", ["get_lockspaces"])
def _():
    return sanlock.get_lockspaces()


@case("get_hosts", ["get_hosts"])
def _():
    return retry_eagain(lambda: sanlock.get_hosts(LS))


@case("get_hosts host_id 1", ["get_hosts"])
def _():
    return retry_eagain(lambda: sanlock.get_hosts(LS, 1))


@case("get_hosts host_id 2 (never joined)", ["get_hosts"])
def _():
    return retry_eagain(lambda: sanlock.get_hosts(LS, 2))


@case("get_hosts host_id 2000 (max_hosts, never joined)", ["get_hosts"])
def _():
    return retry_eagain(lambda: sanlock.get_hosts(LS, 2000))


@case("get_hosts host_id 2001 (past max_hosts)", ["get_hosts"])
def _():
    return retry_eagain(lambda: sanlock.get_hosts(LS, 2001))


@case("get_hosts unknown lockspace", ["get_hosts"])
def _():
    return sanlock.get_hosts(b"NOPE")

# ---------------------------------------------------------------- resources held by this process


FD = {}
R1 = [(p(F), MiB)]


@case("register", ["register"])
def _():
    FD["fd"] = sanlock.register()
    return FD["fd"] >= 0


@case("inquire nothing held", ["inquire"])
def _():
    return sanlock.inquire(slkfd=FD["fd"])


@case("acquire R1", ["acquire"], disk=(F, MiB, 4096))
def _():
    return sanlock.acquire(LS, b"R1", R1, slkfd=FD["fd"])


@case("inquire R1 held", ["inquire"])
def _():
    return sanlock.inquire(slkfd=FD["fd"])


@case("inquire by pid", ["inquire"])
def _():
    return [norm(r) for r in sanlock.inquire(pid=os.getpid())]


@case("read_resource R1 held", ["read_resource"])
def _():
    return sanlock.read_resource(p(F), MiB)


@case("read_resource_owners R1 held", ["read_resource_owners"])
def _():
    return sanlock.read_resource_owners(LS, b"R1", R1)


@case("acquire R1 again", ["acquire"])
def _():
    return sanlock.acquire(LS, b"R1", R1, slkfd=FD["fd"])


@case("acquire wrong resource name", ["acquire"])
def _():
    return sanlock.acquire(LS, b"WRONG", [(p(F), 2 * MiB)], slkfd=FD["fd"])


@case("acquire unknown lockspace", ["acquire"])
def _():
    return sanlock.acquire(b"NOPE", b"R2", [(p(F), 2 * MiB)], slkfd=FD["fd"])


@case("acquire short file", ["acquire"])
def _():
    return sanlock.acquire(LS, b"R", [(p("short"), 0)], slkfd=FD["fd"])


@case("acquire missing file", ["acquire"])
def _():
    return sanlock.acquire(LS, b"R", [(p("missing"), 0)], slkfd=FD["fd"])


@case("acquire zeroes", ["acquire"])
def _():
    return sanlock.acquire(LS, b"R", [(p(F), 15 * MiB)], slkfd=FD["fd"])


@case("acquire R2 version 1 (lease at 0)", ["acquire"])
def _():
    return sanlock.acquire(LS, b"R2", [(p(F), 2 * MiB)], slkfd=FD["fd"], version=1)


@case("acquire R2 version 0", ["acquire"], disk=(F, 2 * MiB, 4096))
def _():
    return sanlock.acquire(LS, b"R2", [(p(F), 2 * MiB)], slkfd=FD["fd"], version=0)


@case("acquire RSH shared", ["acquire"], disk=(F, 5 * MiB, 4096))
def _():
    return sanlock.acquire(LS, b"RSH", [(p(F), 5 * MiB)], slkfd=FD["fd"], shared=True)


@case("inquire three held", ["inquire"])
def _():
    return sorted(sanlock.inquire(slkfd=FD["fd"]), key=lambda r: r["resource"])


@case("request R1 held by us, version 1 (not newer)", ["request"])
def _():
    return sanlock.request(LS, b"R1", R1, action=sanlock.REQ_GRACEFUL, version=1)


@case("request free lease R3", ["request"], disk=(F, 3 * MiB, 4096))
def _():
    return sanlock.request(LS, b"R3", [(p(F), 3 * MiB)])


@case("request unknown lockspace", ["request"])
def _():
    return sanlock.request(b"NOPE", b"R3", [(p(F), 3 * MiB)])


@case("request bad action", ["request"])
def _():
    return sanlock.request(LS, b"R3", [(p(F), 3 * MiB)], action=7)


@case("release R2", ["release"], disk=(F, 2 * MiB, 4096))
def _():
    return sanlock.release(LS, b"R2", [(p(F), 2 * MiB)], slkfd=FD["fd"])


@case("release R2 again", ["release"])
def _():
    return sanlock.release(LS, b"R2", [(p(F), 2 * MiB)], slkfd=FD["fd"])


@case("release RSH shared", ["release"], disk=(F, 5 * MiB, 4096))
def _():
    return sanlock.release(LS, b"RSH", [(p(F), 5 * MiB)], slkfd=FD["fd"])


@case("release not held R3", ["release"])
def _():
    return sanlock.release(LS, b"R3", [(p(F), 3 * MiB)], slkfd=FD["fd"])


@case("release by pid", ["release"], disk=(F, MiB, 4096))
def _():
    return sanlock.release(LS, b"R1", R1, pid=os.getpid())


@case("rem_lockspace unused=True while holding", ["rem_lockspace", "acquire"])
def _():
    sanlock.acquire(LS, b"R1", R1, slkfd=FD["fd"])
    return sanlock.rem_lockspace(LS, 1, p(F), 0, unused=True)


@case("release R1 before lvb", ["release"])
def _():
    return sanlock.release(LS, b"R1", R1, slkfd=FD["fd"])

# ---------------------------------------------------------------- LVB
RLVB = [(p(F), 4 * MiB)]


@case("get_lvb not acquired", ["get_lvb"])
def _():
    return sanlock.get_lvb(LS, b"RLVB", RLVB, 16)


@case("acquire RLVB lvb=True", ["acquire"])
def _():
    return sanlock.acquire(LS, b"RLVB", RLVB, slkfd=FD["fd"], lvb=True)


for size in (1, 512, 4096, 4097, 0, 1 << 20):
    @case("get_lvb size %d fresh" % size, ["get_lvb"])
    def _(size=size):
        return sanlock.get_lvb(LS, b"RLVB", RLVB, size)

for label, data in (("hello", b"hello-lvb"), ("512 bytes", bytes(range(256)) * 2), ("513 bytes", b"x" * 513),
                    ("4096 bytes", b"y" * 4096), ("1 MiB", b"z" * MiB), ("empty", b"")):
    @case("set_lvb %s" % label, ["set_lvb"])
    def _(data=data):
        return sanlock.set_lvb(LS, b"RLVB", RLVB, data)

    @case("get_lvb 512 after set_lvb %s" % label, ["get_lvb"])
    def _():
        return sanlock.get_lvb(LS, b"RLVB", RLVB, 512)


@case("set_lvb hello again", ["set_lvb"])
def _():
    return sanlock.set_lvb(LS, b"RLVB", RLVB, b"hello-lvb")


@case("release RLVB writes the lvb", ["release"], disk=(F, 4 * MiB + 2002 * 512, 512))
def _():
    return sanlock.release(LS, b"RLVB", RLVB, slkfd=FD["fd"])


@case("acquire RLVB lvb=True again, get_lvb", ["acquire", "get_lvb"])
def _():
    sanlock.acquire(LS, b"RLVB", RLVB, slkfd=FD["fd"], lvb=True)
    return sanlock.get_lvb(LS, b"RLVB", RLVB, 16)


@case("release RLVB", ["release"])
def _():
    return sanlock.release(LS, b"RLVB", RLVB, slkfd=FD["fd"])

# ---------------------------------------------------------------- another process's leases


@case("killpath", ["killpath"])
def _():
    return sanlock.killpath(b"/bin/true", [b"a", b"b"], slkfd=FD["fd"])


@case("killpath args too long", ["killpath"])
def _():
    return sanlock.killpath(b"/bin/true", [b"a" * 200] * 10, slkfd=FD["fd"])


CHILD = {}


@case("acquire for another process (pid=)", ["acquire"], disk=(F, 6 * MiB, 4096))
def _():
    # A child that registers with the daemon and waits: the holder a request kills.
    c = subprocess.Popen([sys.executable, "-c", "import sanlock, sys; sanlock.register(); print(1, flush=True); sys.stdin.read()"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    c.stdout.readline()
    CHILD["p"] = c
    return sanlock.acquire(LS, b"RFORCE", [(p(F), 6 * MiB)], pid=c.pid)


@case("inquire pid of the other process", ["inquire"])
def _():
    return sanlock.inquire(pid=CHILD["p"].pid)


@case("request REQ_FORCE of a lease held on this host", ["request"], disk=(F, 6 * MiB + 512, 512))
def _():
    return sanlock.request(LS, b"RFORCE", [(p(F), 6 * MiB)], action=sanlock.REQ_FORCE)


@case("read_resource_owners after the holder died", ["read_resource_owners"])
def _():
    CHILD["p"].kill()
    CHILD["p"].wait()
    # The daemon releases a dead client's leases after it forgot the client (both daemons
    # do it in that order): wait until the lease has no owner, 10 s at most.
    deadline = time.monotonic() + 10
    while True:
        owners = sanlock.read_resource_owners(LS, b"RFORCE", [(p(F), 6 * MiB)])
        if not owners or time.monotonic() > deadline:
            return owners
        time.sleep(0.05)


def _alive_in_daemon(pid):
    try:
        sanlock.inquire(pid=pid)
        return True
    except sanlock.SanlockException:
        return False

# ---------------------------------------------------------------- events


EV = {}


@case("reg_event unknown lockspace", ["reg_event"])
def _():
    return sanlock.reg_event(b"NOPE")


@case("reg_event", ["reg_event"])
def _():
    EV["fd"] = sanlock.reg_event(LS)
    return EV["fd"] >= 0


@case("get_event nothing pending", ["get_event"])
def _():
    return sanlock.get_event(EV["fd"])


@case("set_event to host 1 current generation", ["set_event"])
def _():
    return sanlock.set_event(LS, 1, 0, 7, data=9, flags=sanlock.SETEV_CUR_GENERATION)


@case("set_event again without replace", ["set_event"])
def _():
    return sanlock.set_event(LS, 1, 0, 8, data=10, flags=sanlock.SETEV_CUR_GENERATION)


@case("set_event replace", ["set_event"])
def _():
    return sanlock.set_event(LS, 1, 0, 8, data=10, flags=sanlock.SETEV_CUR_GENERATION | sanlock.SETEV_REPLACE_EVENT)


@case("get_event after the host's renewal", ["get_event"])
def _():
    # Renewals come every 2 s (io_timeout 1): an event for this host would be seen by then.
    ready, _, _ = select.select([EV["fd"]], [], [], 3)
    return {"readable": bool(ready), "events": sanlock.get_event(EV["fd"]) if ready else None}


@case("delta lease of host 1 carries the event", [], disk=(F, 0, 512))
def _():
    return None


@case("set_event to host 2 sets its bit at the next renewal", ["set_event"], disk=(F, 0, 512))
def _():
    r = sanlock.set_event(LS, 2, 3, 4, data=5, flags=sanlock.SETEV_REPLACE_EVENT)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with open(p(F), "rb") as f:
            if f.read(512)[176:184] == struct.pack("<Q", 3):
                break
        time.sleep(0.05)
    return r


@case("set_event unknown lockspace", ["set_event"])
def _():
    return sanlock.set_event(b"NOPE", 1, 0, 7)


@case("set_event host_id 0", ["set_event"])
def _():
    return sanlock.set_event(LS, 0, 0, 7)


@case("set_event all hosts clear", ["set_event"])
def _():
    return sanlock.set_event(LS, 1, 0, 0, flags=sanlock.SETEV_ALL_HOSTS | sanlock.SETEV_CLEAR_EVENT)


@case("end_event", ["end_event"])
def _():
    return sanlock.end_event(EV["fd"], LS)


@case("end_event unknown lockspace", ["end_event"])
def _():
    fd = sanlock.reg_event(LS)
    return sanlock.end_event(fd, b"NOPE")

# ---------------------------------------------------------------- leaving


@case("close the registered fd releases what it held", ["inquire"])
def _():
    os.close(FD["fd"])
    deadline = time.monotonic() + 10
    while _alive_in_daemon(os.getpid()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _alive_in_daemon(os.getpid())


@case("rem_lockspace wrong host_id", ["rem_lockspace"])
def _():
    return sanlock.rem_lockspace(LS, 2, p(F), 0)


@case("rem_lockspace wrong path", ["rem_lockspace"])
def _():
    return sanlock.rem_lockspace(LS, 1, p("\u05d0".encode()), 0)


@case("rem_lockspace wrong offset", ["rem_lockspace"])
def _():
    return sanlock.rem_lockspace(LS, 1, p(F), MiB)


@case("inq_lockspace after rem_lockspace of another host_id, path, offset", ["inq_lockspace"])
def _():
    return sanlock.inq_lockspace(LS, 1, p(F), 0)


@case("rem_lockspace unknown", ["rem_lockspace"])
def _():
    return sanlock.rem_lockspace(b"NOPE", 1, p(F), 0)


@case("rem_lockspace wait=False, asked twice", ["rem_lockspace"])
def _():
    # The second request comes before the removal begins (the daemon's next one-second tick).
    return [sanlock.rem_lockspace(LS, 1, p(F), 0, wait=False), sanlock.rem_lockspace(LS, 1, p(F), 0, wait=False)]


@case("inq_lockspace wait=True while leaving", ["inq_lockspace"])
def _():
    return sanlock.inq_lockspace(LS, 1, p(F), 0, wait=True)


@case("delta lease of host 1 after leave", [], disk=(F, 0, 1024))
def _():
    return None


@case("get_lockspaces after leave", ["get_lockspaces"])
def _():
    deadline = time.monotonic() + 10
    while sanlock.get_lockspaces() and time.monotonic() < deadline:
        time.sleep(0.05)
    return sanlock.get_lockspaces()


@case("add_lockspace UTF-8 name and path", ["add_lockspace", "inq_lockspace", "get_lockspaces"])
def _():
    path = p("\u05d0".encode())
    # io_timeout 3, not 1: this join runs while other slow classes load the machine, and one
    # O_DIRECT write over 1 s failed jsanlock's join with -202 (SANLK_AIO_TIMEOUT) in a CI run
    # where the reference's happened to be quick. Both daemons get the same request.
    sanlock.add_lockspace(UTF8, 1, path, 0, iotimeout=3)
    return [sanlock.inq_lockspace(UTF8, 1, path, 0), sanlock.get_lockspaces()]


@case("rem_lockspace UTF-8 name and path", ["rem_lockspace", "get_lockspaces"])
def _():
    r = sanlock.rem_lockspace(UTF8, 1, p("\u05d0".encode()), 0)
    return [r, sanlock.get_lockspaces()]


@case("rem_lockspace of a lockspace with a holder: states while leaving", ["add_lockspace", "get_hosts", "acquire", "rem_lockspace", "inq_lockspace", "get_lockspaces", "inquire"], disk=("remls", 0, 2 * MiB))
def _():
    f = mkfile("remls", 2 * MiB)
    sanlock.write_lockspace(b"LSR", f, 0, iotimeout=1)
    sanlock.write_resource(b"LSR", b"RR", [(f, MiB)])
    sanlock.add_lockspace(b"LSR", 1, f, 0, iotimeout=1)
    try:  # the other hosts are read at the first renewal, not yet
        hosts_at_once = sanlock.get_hosts(b"LSR")
    except sanlock.SanlockException as e:
        hosts_at_once = e.errno
    c = subprocess.Popen([sys.executable, "-c", "import sanlock, sys; sanlock.register(); print(1, flush=True); sys.stdin.read()"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    c.stdout.readline()
    CHILD["rem"] = c
    sanlock.acquire(b"LSR", b"RR", [(f, MiB)], pid=c.pid)
    sanlock.rem_lockspace(b"LSR", 1, f, 0, wait=False)
    # Each view's values in the order seen (sampled every few ms), and whether the
    # lockspace was ever listed as leaving while its holder still held the lease.
    seen = {"inq": [], "flags": [], "holder": []}
    rem_while_held = False
    deadline = time.monotonic() + 10
    gone = False
    while time.monotonic() < deadline:
        gone = gone or not [ls for ls in sanlock.get_lockspaces() if ls["lockspace"] == b"LSR"]
        flags = [ls["flags"] for ls in sanlock.get_lockspaces() if ls["lockspace"] == b"LSR"]
        inq = sanlock.inq_lockspace(b"LSR", 1, f, 0)
        try:  # asked last: still held after the lockspace was listed as leaving would be wrong
            held = "held" if sanlock.inquire(pid=c.pid) else "none"
        except sanlock.SanlockException as e:
            held = e.errno
        rem_while_held |= flags == [sanlock.LSFLAG_REM] and held == "held"
        for k, v in (("inq", inq), ("flags", flags), ("holder", held)):
            if not seen[k] or seen[k][-1] != v:
                seen[k].append(v)
        if gone:  # one full sample after the lockspace went: every view shows the end state
            break
    return {"get_hosts right after add": hosts_at_once, "seen": seen, "listed as leaving while held": rem_while_held,
            "holder": c.wait()}


def main():
    api = sorted(n for n in dir(sanlock) if not n.startswith("_") and callable(getattr(sanlock, n))
                 and n != "SanlockException")
    print("API\t" + ",".join(api), flush=True)
    setup()
    seen = set()
    for name, calls, fn, disk in CASES:
        if name in seen:
            raise SystemExit("duplicate case name: " + name)
        seen.add(name)
        result = json.dumps(run(fn), sort_keys=True)
        image_json = json.dumps(image(p(disk[0]), disk[1], disk[2])) if disk else "-"
        print("\t".join(("CASE", name, ",".join(calls), result, image_json)), flush=True)
    for c in CHILD.values():
        if c.poll() is None:
            c.kill()


if __name__ == "__main__":
    main()
