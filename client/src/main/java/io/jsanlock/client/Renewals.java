package io.jsanlock.client;

import io.jsanlock.wire.StateRecord;

import java.util.List;

/** RENEWAL result: the lockspace io_timeout (0 when no records came) and the renewal history records, oldest first. */
public record Renewals(int ioTimeout, List<StateRecord> records) {
    public Renewals {
        records = List.copyOf(records);
    }
}
