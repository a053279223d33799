package io.jsanlock.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Encoders and decoders against the captured byte sequences of wire.md section 6. */
class CapturedBytesTest {

    @Test
    void structSizesAreTheAbiSizes() {
        assertEquals(32, Header.SIZE);
        assertEquals(1040, Disk.SIZE);
        assertEquals(128, Resource.SIZE);
        assertEquals(56, Options.SIZE);
        assertEquals(1104, Lockspace.SIZE);
        assertEquals(32, Host.SIZE);
        assertEquals(32, HostEvent.SIZE);
        assertEquals(80, StateRecord.HEAD_SIZE);
        assertEquals(80, EventCallback.SIZE);
        assertEquals(1104, ResourceIndex.SIZE);
        assertEquals(64, ResourceEntry.SIZE);
    }

    @Test
    void addLockspaceRequest() throws Exception {
        ByteBuffer m = Requests.addLockspace(Lockspace.of("LS", 1, "leases/f", 0), 0, 0);
        byte[] b = Hex.toArray(m);
        assertEquals(32 + 1104, b.length);
        assertArrayEquals(Hex.bytes("10 20 28 04 01 00 00 00 02 00 00 00 00 00 00 00 70 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00"),
                Arrays.copyOf(b, 32));
        assertArrayEquals(Hex.bytes("4c 53 00 00"), Arrays.copyOfRange(b, 32, 36));
        assertEquals(1, b[32 + 0x30]);
        assertArrayEquals("leases/f".getBytes(), Arrays.copyOfRange(b, 32 + 0x40, 32 + 0x48));
        assertEquals(0, b[32 + 0x48]);
        // python add_lockspace(..., iotimeout=5, wait=False): cmd_flags 1, data 5
        Header h = Header.decode(Requests.addLockspace(Lockspace.of("LSG", 1, "leases/g", 0), 5, CommandFlags.ADD_ASYNC));
        assertEquals(1, h.cmdFlags());
        assertEquals(5, h.data());
    }

    @Test
    void registerAndAcquireAsClientCommandSendsThem() throws Exception {
        assertArrayEquals(Hex.bytes("10 20 28 04 01 00 00 00 01 00 00 00 00 00 00 00 20 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"),
                Hex.toArray(Requests.headerOnly(Command.REGISTER, 0, 0, 0)));
        ByteBuffer m = Requests.acquire(Requests.SELF, 0, List.of(Resource.of("LS", "R", "leases/f", 1048576)), null);
        byte[] b = Hex.toArray(m);
        assertEquals(0x4e8, b.length);
        assertArrayEquals(Hex.bytes("10 20 28 04 01 00 00 00 07 00 00 00 00 00 00 00 e8 04 00 00 00 00 00 00 01 00 00 00 ff ff ff ff"),
                Arrays.copyOf(b, 32));
        int res = 32;
        assertArrayEquals(Hex.bytes("00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00"), Arrays.copyOfRange(b, res + 0x70, res + 0x80));
        int disk = res + 128;
        assertArrayEquals(Hex.bytes("00 00 10 00 00 00 00 00 00 00 00 00 00 00 00 00"), Arrays.copyOfRange(b, disk + 0x400, disk + 0x410));
        assertThat(Arrays.copyOfRange(b, disk + 1040, b.length)).containsOnly((byte) 0).hasSize(56);

        // and the daemon decodes it back
        WireIn in = WireIn.of(m);
        Header h = Header.decode(in.read(32, "header"));
        Requests.Acquire a = Requests.readAcquire(h, in);
        assertEquals("R", a.resources().get(0).name());
        assertEquals(1048576, a.resources().get(0).disks().get(0).offset());
        assertEquals("", a.options().ownerName());
        assertThat(in.readOrEof(1)).isNull();
    }

    @Test
    void twoResourceAcquireLength() throws Exception {
        ByteBuffer m = Requests.acquire(1234, CommandFlags.ACQUIRE_ORPHAN,
                List.of(Resource.of("LS", "R2", "leases/f", 2097152), Resource.of("LS", "R3", "leases/f", 3145728)), null);
        Header h = Header.decode(m.duplicate());
        assertEquals(2424, h.length());
        assertEquals(2, h.data());
        assertEquals(1234, h.data2());
        assertEquals(2, h.cmdFlags());
    }

    @Test
    void acquireRejectedAtFailure() {
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(WireException.class,
                () -> Requests.acquire(-1, 0, java.util.Collections.nCopies(9, Resource.of("LS", "R", "f", 0)), null)).code())
                .isEqualTo(-7);
    }

    @Test
    void inquireRequestAndReply() throws Exception {
        assertArrayEquals(Hex.bytes("10 20 28 04 01 00 00 00 09 00 00 00 00 00 00 00 20 00 00 00 00 00 00 00 00 00 00 00 22 28 00 00"),
                Hex.toArray(Requests.headerOnly(Command.INQUIRE, 0, 0, 10274)));
        Header req = Header.decode(Requests.headerOnly(Command.INQUIRE, 0, 0, 10274));
        ByteBuffer reply = Replies.inquire(req, 0, 1, "LS:R:leases/f:1048576:1");
        byte[] b = Hex.toArray(reply);
        assertArrayEquals(Hex.bytes("10 20 28 04 01 00 00 00 09 00 00 00 00 00 00 00 38 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00"),
                Arrays.copyOf(b, 32));
        assertEquals(56, b.length);
        assertEquals(0, b[55]);
        WireIn in = WireIn.of(reply);
        Header h = Header.decode(in.read(32, "h"));
        assertEquals("LS:R:leases/f:1048576:1", Replies.readInquire(h, in));
        // no leases: no body
        assertEquals(32, Hex.toArray(Replies.inquire(req, 0, 0, null)).length);
    }

    @Test
    void versionReply() throws Exception {
        Header req = Header.decode(Hex.buf("10 20 28 04 01 00 00 00 1c 00 00 00 00 00 00 00 20 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"));
        assertArrayEquals(Hex.bytes("10 20 28 04 01 00 00 00 1c 00 00 00 00 00 00 00 20 00 00 00 00 00 00 00 00 00 00 00 00 05 08 03"),
                Hex.toArray(Replies.version(req.withData2(0), Limits.DAEMON_VERSION)));
    }

    @Test
    void hostRecordOfGetHosts() throws Exception {
        Host h = Host.decode(Hex.buf("01 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 dc 02 00 00 00 00 00 00 0a 00 00 00 03 00 00 00"));
        assertEquals(new Host(1, 2, 0x2dc, 10, 3), h);
        assertEquals(HostState.LIVE, h.state());
    }

    @Test
    void eventCallbackRecord() throws Exception {
        ByteBuffer b = Hex.buf("""
                10 20 28 04 01 00 00 00 01 00 00 00 00 00 00 00
                50 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                10 00 00 00 00 00 00 00 20 00 00 00 00 00 00 00
                02 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00""");
        EventCallback cb = EventCallback.decode(b.duplicate());
        assertEquals(new EventCallback(new HostEvent(1, 0, 0x10, 0x20), 2, 2), cb);
        ByteBuffer out = ByteBuffer.allocate(80).order(ByteOrder.LITTLE_ENDIAN);
        cb.encode(out);
        assertArrayEquals(Hex.toArray(b), out.array());
    }

    @Test
    void hostStatusRequestCarriesTheWrongLength() throws Exception {
        ByteBuffer m = Requests.hostStatusLike(Command.HOST_STATUS, Lockspace.named("LS"));
        assertEquals(32 + 1104, m.remaining());
        assertEquals(32, Header.decode(m.duplicate()).length());
        ByteBuffer l = Requests.rindexEntry(Command.LOOKUP_RINDEX, 0, 0, 0, new ResourceIndex(0, 0, "LS", new Disk("leases/r", 0)),
                ResourceEntry.EMPTY);
        assertEquals(32 + 1104 + 64, l.remaining());
        assertEquals(0x4f0, Header.decode(l.duplicate()).length());
    }

    @Test
    void statusRecordsRoundTrip() throws Exception {
        StateRecord daemon = new StateRecord(StateType.DAEMON, 0, 0, 0, "hostA", "our_host_name=hostA use_watchdog=0", null, null);
        StateRecord lsRec = new StateRecord(StateType.LOCKSPACE, 0, 0, 1, "LS", "list=spaces space_id=2",
                Lockspace.of("LS", 1, "leases/f", 0), null);
        Resource r = Resource.of("LS", "R", 0, 0, List.of(new Disk("leases/f", 1048576)));
        StateRecord resRec = new StateRecord(StateType.RESOURCE, 0, 10274, 1, "R", "list=held flags=0", null, r);
        ByteBuffer b = ByteBuffer.allocate(daemon.encodedSize() + lsRec.encodedSize() + resRec.encodedSize());
        daemon.encode(b);
        lsRec.encode(b);
        resRec.encode(b);
        b.flip();
        // head bytes of the daemon record as captured in wire.md 6.1 (type 1, name at 0x18, str_len at 0x48)
        assertEquals(1, b.get(0));
        assertEquals('h', b.get(0x18));
        assertEquals(daemon.text().length() + 1, b.order(ByteOrder.LITTLE_ENDIAN).getInt(0x48));
        WireIn in = WireIn.of(b);
        assertEquals(daemon, StateRecord.read(in));
        assertEquals(lsRec, StateRecord.read(in));
        StateRecord back = StateRecord.read(in);
        assertEquals(resRec, back);
        assertEquals("held", back.field("list"));
        assertThat(StateRecord.read(in)).isNull();
    }

    @Test
    void lvbRequestLengthGivesLvbSize() throws Exception {
        ByteBuffer m = Requests.setLvb(Resource.of("LS", "R2", 0, 0, List.of()), "hello-lvb".getBytes());
        Header h = Header.decode(m.duplicate());
        assertEquals(0xa9, h.length());
        WireIn in = WireIn.of(m);
        in.read(32, "h");
        Requests.SetLvb s = Requests.readSetLvb(h, in);
        assertEquals("hello-lvb", new String(s.lvb()));
    }

    @Test
    void killpathFieldsAreCutAndPadded() throws Exception {
        ByteBuffer m = Requests.killpath(CommandFlags.KILLPATH_PID, "libvirt_sanlock_helper", "x".repeat(300));
        Header h = Header.decode(m.duplicate());
        assertEquals(0x120, h.length());
        assertEquals(-1, h.data2());
        WireIn in = WireIn.of(m);
        in.read(32, "h");
        Requests.Killpath k = Requests.readKillpath(in);
        assertEquals("libvirt_sanlock_helper", k.path());
        assertEquals(127, k.args().length());
    }

    @Test
    void headerAcceptance() {
        Header ok = Header.request(Command.STATUS, 0, 0, 0, 0);
        assertThat(ok.acceptedByDaemon()).isTrue();
        assertThat(new Header(0x12345678, 1, 5, 0, 32, 0, 0, 0).acceptedByDaemon()).isFalse();
        assertThat(new Header(Header.MAGIC, 0x00020001, 5, 0, 32, 0, 0, 0).acceptedByDaemon()).isFalse();
        assertThat(new Header(Header.MAGIC, 0x00010000, 5, 0, 32, 0, 0, 0).acceptedByDaemon()).isFalse();
        assertThat(new Header(Header.MAGIC, 0x0000FFFF, 5, 0, 32, 0, 0, 0).acceptedByDaemon()).isTrue();
        assertThat(new Header(Header.MAGIC, 0, 5, 0, 32, 0, 0, 0).acceptedByDaemon()).isTrue();
        assertThat(new Header(Header.MAGIC, 0x00020001, 28, 0, 32, 0, 0, 0).acceptedByDaemon()).isTrue();
        assertThat(new Header(Header.MAGIC, 1, 0, 0, 32, 0, 0, 0).acceptedByDaemon()).isFalse();
        assertThat(new Header(Header.MAGIC, 1, 99, 0, 32, 0, 0, 0).acceptedByDaemon()).isFalse();
        assertThat(new Header(Header.MAGIC, 1, 41, 0, 32, 0, 0, 0).acceptedByDaemon()).isFalse();
    }
}
