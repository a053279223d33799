package io.jsanlock.client;

/** VERSION result: daemon version ({@code 0x03080500} = 3.8.5) and socket protocol ({@code 0x00000001} = 0.1). */
public record DaemonVersion(int version, int protocol) {
    public int major() {
        return (version >>> 24) & 0xFF;
    }

    public int minor() {
        return (version >>> 16) & 0xFF;
    }

    public int patch() {
        return (version >>> 8) & 0xFF;
    }

    /** "3.8.5". */
    public String text() {
        return major() + "." + minor() + "." + patch();
    }

    /** "0.1". */
    public String protocolText() {
        return ((protocol >>> 16) & 0xFFFF) + "." + (protocol & 0xFFFF);
    }
}
