package io.jsanlock.engine;

/**
 * One entry of a lockspace's renewal history, as sanlock's {@code client renewal} reports it
 * ({@code timestamp read_ms write_ms next_timeouts next_errors}): the join, then each
 * successful renewal, each carrying the failed attempts that followed it — so while renewals
 * fail, the last record is the last success T and counts the failures since.
 *
 * @param timestamp the timestamp written (my monotonic second)
 * @param readMillis how long the area read took (0 for the join, as with the reference)
 * @param writeMillis how long the sector write took (0 for the join)
 * @param timeouts failed attempts with an I/O timeout (-202) after this one, before the next success
 * @param errors other failed attempts after this one, before the next success
 */
public record RenewalRecord(long timestamp, long readMillis, long writeMillis, int timeouts, int errors) {
    /** This record with one more failed attempt counted. */
    RenewalRecord withFailure(boolean timeout) {
        return new RenewalRecord(timestamp, readMillis, writeMillis, timeouts + (timeout ? 1 : 0), errors + (timeout ? 0 : 1));
    }
}
