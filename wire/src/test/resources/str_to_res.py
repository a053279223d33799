# Reads resource strings, one per line as hex bytes, and prints what libsanlock 3.8.5's own
# sanlock_str_to_res makes of each: "rv N" on failure, else
# "ls=HEX name=HEX lver=N flags=N disks=PATHHEX@OFFSET,..." (numbers unsigned decimal).
# Used by ResourceStringParityTest, so the expectations come from the reference library.
import ctypes, sys

lib = ctypes.CDLL("libsanlock.so.1")


class Disk(ctypes.Structure):
    _fields_ = [("path", ctypes.c_char * 1024), ("offset", ctypes.c_uint64),
                ("pad1", ctypes.c_uint32), ("pad2", ctypes.c_uint32)]


class Res(ctypes.Structure):
    _fields_ = [("lockspace_name", ctypes.c_char * 48), ("name", ctypes.c_char * 48),
                ("lver", ctypes.c_uint64), ("data64", ctypes.c_uint64), ("data32", ctypes.c_uint32),
                ("unused", ctypes.c_uint32), ("flags", ctypes.c_uint32), ("num_disks", ctypes.c_uint32),
                ("disks", Disk * 4)]


lib.sanlock_str_to_res.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.POINTER(Res))]
for line in sys.stdin:
    p = ctypes.POINTER(Res)()
    rv = lib.sanlock_str_to_res(bytes.fromhex(line.strip()), ctypes.byref(p))
    if rv:
        print("rv %d" % rv)
        continue
    r = p.contents
    disks = ",".join("%s@%d" % (r.disks[i].path.hex(), r.disks[i].offset) for i in range(r.num_disks))
    print("ls=%s name=%s lver=%d flags=%d disks=%s" % (r.lockspace_name.hex(), r.name.hex(), r.lver, r.flags, disks))
