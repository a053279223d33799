package io.jsanlock.wire;

import org.jspecify.annotations.Nullable;

import io.jsanlock.base.SanlockError;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 32-byte {@code sm_header} that starts every request and reply (wire.md section 2).
 * All fields are 32-bit little-endian; {@code data} of a reply is the signed result.
 */
public record Header(int magic, int version, int cmd, int cmdFlags, int length, int seq, int data, int data2) {

    public static final int SIZE = 32;
    public static final int MAGIC = 0x04282010;

    /** A request header as libsanlock builds it: version 0.1, seq 0, length = 32 + body. */
    public static Header request(Command cmd, int cmdFlags, int bodyLength, int data, int data2) {
        return new Header(MAGIC, Limits.PROTOCOL_VERSION, cmd.number(), cmdFlags, SIZE + bodyLength, 0, data, data2);
    }

    /**
     * The reference's "result reply": a copy of the request with version 1,
     * length 32 + body, data = result and data2 as given (0 for most commands).
     */
    public Header resultReply(int result, int replyData2, int bodyLength) {
        return new Header(MAGIC, Limits.PROTOCOL_VERSION, cmd, cmdFlags, SIZE + bodyLength, seq, result, replyData2);
    }

    /**
     * The reference's inline-handler reply header (STATUS, HOST_STATUS, RENEWAL, REG_EVENT,
     * END_EVENT, SET_CONFIG): the request copied with version and data overwritten and
     * the length of the header itself, 32, whatever body the request had (a SET_CONFIG
     * request is 1136 bytes, its reply header says 32). Records that follow (STATUS,
     * HOST_STATUS, RENEWAL) are not counted, as in the reference.
     */
    public Header inlineReply(int result) {
        return new Header(MAGIC, Limits.PROTOCOL_VERSION, cmd, cmdFlags, SIZE, seq, result, data2);
    }

    public Header withLength(int newLength) {
        return new Header(magic, version, cmd, cmdFlags, newLength, seq, data, data2);
    }

    public Header withData2(int newData2) {
        return new Header(magic, version, cmd, cmdFlags, length, seq, data, newData2);
    }

    /** The command, or null when the number is not one the 3.8.5 daemon serves. */
    public @Nullable Command command() {
        return Command.ofNumber(cmd);
    }

    /** The reply's result code (same as {@code data}). */
    public int result() {
        return data;
    }

    /**
     * Whether the reference daemon would serve this header at all (wire.md section 1.6):
     * right magic, and a protocol major of 0 unless the command is VERSION, and a known
     * command number. Everything else is ignored silently by the reference.
     */
    public boolean acceptedByDaemon() {
        if (magic != MAGIC) {
            return false;
        }
        if (version != 0 && cmd != Command.VERSION.number() && (version & 0xFFFF0000) != 0) {
            return false;
        }
        return command() != null;
    }

    public void encode(ByteBuffer buf) {
        ByteOrder old = buf.order();
        buf.order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(magic).putInt(version).putInt(cmd).putInt(cmdFlags)
                .putInt(length).putInt(seq).putInt(data).putInt(data2);
        buf.order(old);
    }

    public ByteBuffer toBuffer() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        encode(b);
        return b.flip();
    }

    /** Decodes 32 bytes; does not judge magic or command (the caller decides how to react). */
    public static Header decode(ByteBuffer buf) throws WireException {
        Fields.need(buf, SIZE, "message header");
        ByteOrder old = buf.order();
        buf.order(ByteOrder.LITTLE_ENDIAN);
        Header h = new Header(buf.getInt(), buf.getInt(), buf.getInt(), buf.getInt(),
                buf.getInt(), buf.getInt(), buf.getInt(), buf.getInt());
        buf.order(old);
        return h;
    }

    /** Checks a reply header the client received against the request it sent. */
    public void checkReplyTo(Command expected) throws WireException {
        if (magic != MAGIC) {
            throw new WireException(SanlockError.EPROTO,
                    String.format("reply has bad magic 0x%08x (expected 0x%08x)", magic, MAGIC));
        }
        // The final SHUTDOWN_WAIT reply carries cmd 0 (wire.md 2.2).
        if (cmd != expected.number() && !(expected == Command.SHUTDOWN_WAIT && cmd == 0)) {
            throw new WireException(SanlockError.EPROTO,
                    "reply is for command " + cmd + ", expected " + expected.number() + " (" + expected + ")");
        }
    }

    @Override
    public String toString() {
        Command c = command();
        return String.format("Header[magic=0x%08x version=0x%08x cmd=%d%s flags=0x%x length=%d seq=%d data=%d data2=%d]",
                magic, version, cmd, c == null ? "" : "(" + c + ")", cmdFlags, length, seq, data, data2);
    }
}
