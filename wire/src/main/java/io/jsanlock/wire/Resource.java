package io.jsanlock.wire;

import io.jsanlock.base.SanlockError;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sanlk_resource}: 128 bytes, followed by {@code numDisks} × {@link Disk} only in
 * the commands that send disks (wire.md 3.2). {@code numDisks} is kept apart from
 * {@code disks} because RELEASE, CONVERT, EXAMINE, LVB and the READ_RESOURCE reply send
 * the count without the disks.
 */
public record Resource(String lockspace, String name, long lver, long data64, int data32, int flags,
                       int numDisks, List<Disk> disks) {
    public static final int SIZE = 128;

    public Resource {
        lockspace = lockspace == null ? "" : lockspace;
        name = name == null ? "" : name;
        disks = disks == null ? List.of() : List.copyOf(disks);
    }

    /** A resource with its disks (num_disks = disks.size()). */
    public static Resource of(String lockspace, String name, int flags, long lver, List<Disk> disks) {
        return new Resource(lockspace, name, lver, 0, 0, flags, disks.size(), disks);
    }

    public static Resource of(String lockspace, String name, String path, long offset) {
        return of(lockspace, name, 0, 0, List.of(new Disk(path, offset)));
    }

    public boolean shared() {
        return (flags & ResourceFlags.SHARED) != 0;
    }

    public Resource withFlags(int newFlags) {
        return new Resource(lockspace, name, lver, data64, data32, newFlags, numDisks, disks);
    }

    public Resource withLver(long newLver) {
        return new Resource(lockspace, name, newLver, data64, data32, flags, numDisks, disks);
    }

    /** Bytes of the struct with its disks. */
    public int encodedSize(boolean withDisks) {
        return SIZE + (withDisks ? disks.size() * Disk.SIZE : 0);
    }

    /** Writes the 128-byte part, then the disks when {@code withDisks}. */
    public void encode(ByteBuffer buf, boolean withDisks) throws WireException {
        ByteBuffer b = buf.order(ByteOrder.LITTLE_ENDIAN);
        Fields.putString(b, "lockspace name", lockspace, Limits.NAME_LEN, false);
        Fields.putString(b, "resource name", name, Limits.NAME_LEN, false);
        b.putLong(lver).putLong(data64).putInt(data32).putInt(0).putInt(flags).putInt(numDisks);
        if (withDisks) {
            if (disks.size() != numDisks) {
                throw new WireException(SanlockError.EINVAL,
                        "resource " + name + " says num_disks " + numDisks + " but has " + disks.size() + " disks");
            }
            for (Disk d : disks) {
                d.encode(b);
            }
        }
    }

    /** Reads the 128-byte part only (disks, if any follow, are left in the buffer). */
    public static Resource decodeHead(ByteBuffer buf) throws WireException {
        Fields.need(buf, SIZE, "sanlk_resource");
        buf.order(ByteOrder.LITTLE_ENDIAN);
        String ls = Fields.getString(buf, Limits.NAME_LEN);
        String name = Fields.getString(buf, Limits.NAME_LEN);
        long lver = buf.getLong();
        long data64 = buf.getLong();
        int data32 = buf.getInt();
        buf.getInt();
        int flags = buf.getInt();
        int numDisks = buf.getInt();
        return new Resource(ls, name, lver, data64, data32, flags, numDisks, List.of());
    }

    /**
     * Checks num_disks as the reference does before reading disks: 0 or above 4 is
     * -ERANGE. Protects readers from a lying count.
     */
    public void checkNumDisks() throws WireException {
        if (numDisks < 1 || numDisks > Limits.MAX_DISKS) {
            throw new WireException(SanlockError.ERANGE,
                    "resource " + Fields.abbreviate(name) + " has num_disks " + Integer.toUnsignedString(numDisks)
                            + ", must be 1.." + Limits.MAX_DISKS);
        }
    }

    /** Reads the 128-byte part and its num_disks disks (validated first). */
    public static Resource decodeWithDisks(ByteBuffer buf) throws WireException {
        Resource head = decodeHead(buf);
        head.checkNumDisks();
        return head.withDisksFrom(buf);
    }

    /** This head plus {@code numDisks} disks read from {@code buf} (num_disks must already be checked). */
    public Resource withDisksFrom(ByteBuffer buf) throws WireException {
        List<Disk> ds = new ArrayList<>(numDisks);
        for (int i = 0; i < numDisks; i++) {
            ds.add(Disk.decode(buf));
        }
        return new Resource(lockspace, name, lver, data64, data32, flags, numDisks, ds);
    }
}
