package io.jsanlock.engine;

/**
 * A host event (sanlock set_event / sanlk_host_event) received from another host
 * through its delta lease: its bitmap named me and its write_* fields carry
 * (generation, event, data).
 *
 * @param lockspace where it arrived
 * @param fromHostId the sender's host id
 * @param fromGeneration the sender's generation
 * @param generation the generation the sender addressed (write_id)
 * @param event the event value (write_generation, non-zero)
 * @param data the data value (write_timestamp)
 */
public record HostEvent(String lockspace, long fromHostId, long fromGeneration, long generation, long event, long data) {
}
