#!/bin/sh
# Regenerates the TEXT table of src/main/java/io/jsanlock/posix/Errno.java from this host's glibc
# (python3's os.strerror in the C locale: the English texts sanlock and libvirt print, whatever
# the user's locale). Paste the output as the array's elements. ErrnoTest re-checks it live.
LC_ALL=C python3 -c '
import os
print("            null,")
for i in range(1, 134):
    t = os.strerror(i)
    print("            null, // %d" % i if t.startswith("Unknown error") else "            \"%s\", // %d" % (t, i))
'
