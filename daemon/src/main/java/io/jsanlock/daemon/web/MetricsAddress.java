package io.jsanlock.daemon.web;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The address of daemon -M / metrics_address: {@code HOST:PORT}, IPv6 in brackets; a bare port or
 * an empty host means loopback (127.0.0.1). Kept apart from {@link MetricsServer} so that the
 * options can be checked at parse time without loading anything of the Prometheus client.
 */
public final class MetricsAddress {
    /** The host used for a bare port ({@code -M 9464}) or an empty host ({@code -M :9464}). */
    static final String DEFAULT_HOST = "127.0.0.1";

    private MetricsAddress() {
    }

    /** The socket address of {@code address}; IllegalArgumentException saying what is wrong with it. */
    public static InetSocketAddress parse(String address) {
        String host = DEFAULT_HOST;
        String port = address;
        int colon = address.lastIndexOf(':');
        if (colon >= 0) {
            host = address.substring(0, colon);
            port = address.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty()) {
                host = DEFAULT_HOST;
            }
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("metrics address '" + address + "': expected HOST:PORT (e.g. 127.0.0.1:9464)");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (IOException e) {
            throw new IllegalArgumentException("metrics address '" + address + "': unknown host " + host);
        }
    }
}
