package io.jsanlock.daemon.watchdog;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One message of wdmd's client protocol, as sanlock 3.8.5 exchanges it with wdmd on
 * {@code /run/wdmd/wdmd.sock} (observed on the wire with strace; algorithms.md 2.8 gives
 * the meaning). Every message, request or reply, is 176 bytes, little-endian:
 *
 * <pre>
 *   0  u32  (0)
 *   4  u32  cmd            1 REGISTER, 2 REFCOUNT_SET, 3 REFCOUNT_CLEAR, 4 TEST_LIVE, 5 STATUS
 *   8  u32  (0)
 *  12  u32  (0)
 *  16  u32  test_interval  STATUS reply: 10
 *  20  u32  fire_timeout   STATUS reply: 60
 *  24  u64  last_keepalive STATUS reply, monotonic seconds
 *  32  u64  renewal_time   TEST_LIVE, monotonic seconds (0 disarms)
 *  40  u64  expire_time    TEST_LIVE, monotonic seconds (0 disarms)
 *  48  char name[128]      REGISTER: the connection's name, NUL-terminated
 * </pre>
 *
 * Only STATUS is answered; wdmd takes the client's pid from the socket's peer credentials.
 */
public record WdmdMessage(int cmd, int testInterval, int fireTimeout, long lastKeepalive,
                          long renewal, long expire, String name) {
    public static final int SIZE = 176;
    public static final int NAME_SIZE = 128;

    public static final int CMD_REGISTER = 1;
    public static final int CMD_REFCOUNT_SET = 2;
    public static final int CMD_REFCOUNT_CLEAR = 3;
    public static final int CMD_TEST_LIVE = 4;
    public static final int CMD_STATUS = 5;

    public WdmdMessage {
        if (name == null) {
            name = "";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length >= NAME_SIZE) {
            throw new IllegalArgumentException("wdmd connection name longer than " + (NAME_SIZE - 1) + " bytes: " + name);
        }
    }

    public static WdmdMessage register(String name) {
        return new WdmdMessage(CMD_REGISTER, 0, 0, 0, 0, 0, name);
    }

    public static WdmdMessage command(int cmd) {
        return new WdmdMessage(cmd, 0, 0, 0, 0, 0, "");
    }

    public static WdmdMessage testLive(long renewal, long expire) {
        return new WdmdMessage(CMD_TEST_LIVE, 0, 0, 0, renewal, expire, "");
    }

    public ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(4, cmd);
        b.putInt(16, testInterval);
        b.putInt(20, fireTimeout);
        b.putLong(24, lastKeepalive);
        b.putLong(32, renewal);
        b.putLong(40, expire);
        b.put(48, name.getBytes(StandardCharsets.UTF_8));
        return b;
    }

    /** Decodes exactly {@link #SIZE} bytes from {@code b}'s position (absolute reads; position unchanged). */
    public static WdmdMessage decode(ByteBuffer b) {
        if (b.remaining() < SIZE) {
            throw new IllegalArgumentException("wdmd message of " + b.remaining() + " bytes, expected " + SIZE);
        }
        ByteBuffer m = b.slice(b.position(), SIZE).order(ByteOrder.LITTLE_ENDIAN);
        byte[] raw = new byte[NAME_SIZE];
        m.get(48, raw);
        int len = 0;
        while (len < NAME_SIZE - 1 && raw[len] != 0) {
            len++;
        }
        return new WdmdMessage(m.getInt(4), m.getInt(16), m.getInt(20), m.getLong(24), m.getLong(32), m.getLong(40),
                new String(raw, 0, len, StandardCharsets.UTF_8));
    }
}
