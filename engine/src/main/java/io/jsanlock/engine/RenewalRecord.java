package io.jsanlock.engine;

/**
 * One successful renewal, as sanlock's {@code client renewal} reports it (4.5).
 *
 * @param timestamp the timestamp written (my monotonic second)
 * @param readMillis how long the area read took
 * @param writeMillis how long the sector write took
 * @param timeouts failed attempts with an I/O timeout since the previous success
 * @param errors other failed attempts since the previous success
 */
public record RenewalRecord(long timestamp, long readMillis, long writeMillis, int timeouts, int errors) {
}
