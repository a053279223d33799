package io.jsanlock.vm.ha;

import io.jsanlock.vm.VirError;
import io.jsanlock.vm.VirErrorCode;
import io.jsanlock.vm.domain.DomainXml;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A domain's high-availability policy, kept with its definition as libvirt keeps application
 * data: an element in the domain XML's {@code <metadata>},
 * <pre>
 *   &lt;metadata&gt;
 *     &lt;jvirsh:ha xmlns:jvirsh="https://jsanlock.io/xmlns/jvirsh/ha/1" enabled="yes" priority="5"/&gt;
 *   &lt;/metadata&gt;
 * </pre>
 * so it can be written in the XML given to {@code define} or set with {@code jvirsh ha}.
 * Each host keeps its own definition, so the priority is per host: a host prefers the
 * domains it has a higher priority for (docs/ha.md).
 *
 * @param enabled  whether this host's agent restarts the domain when its host dies
 * @param priority 0 (lowest) … {@link #MAX_PRIORITY}; a higher priority starts sooner
 */
public record HaPolicy(boolean enabled, int priority) {
    public static final String TAG = "jvirsh:ha";
    public static final String NAMESPACE = "https://jsanlock.io/xmlns/jvirsh/ha/1";
    public static final int MAX_PRIORITY = 10;
    public static final int DEFAULT_PRIORITY = 5;
    public static final HaPolicy NONE = new HaPolicy(false, DEFAULT_PRIORITY);

    public HaPolicy {
        if (priority < 0 || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be 0.." + MAX_PRIORITY + ", got " + priority);
        }
    }

    /** The policy in {@code xml}'s metadata; {@link #NONE} when it has none. */
    public static HaPolicy of(String xml) throws VirError {
        Optional<Map<String, String>> md = DomainXml.metadata(xml, TAG);
        if (md.isEmpty()) {
            return NONE;
        }
        String enabled = md.get().getOrDefault("enabled", "no");
        if (!enabled.equals("yes") && !enabled.equals("no")) {
            throw new VirError(VirErrorCode.XML_ERROR, "Invalid value for attribute 'enabled' in element '" + TAG
                    + "': '" + enabled + "'. Expected 'yes' or 'no'");
        }
        String p = md.get().getOrDefault("priority", Integer.toString(DEFAULT_PRIORITY));
        int priority;
        try {
            priority = Integer.parseInt(p);
        } catch (NumberFormatException e) {
            priority = -1;
        }
        if (priority < 0 || priority > MAX_PRIORITY) {
            throw new VirError(VirErrorCode.XML_ERROR, "Invalid value for attribute 'priority' in element '" + TAG
                    + "': '" + p + "'. Expected an integer 0.." + MAX_PRIORITY);
        }
        return new HaPolicy(enabled.equals("yes"), priority);
    }

    /** {@code xml} with this policy in its metadata ({@link #NONE}: the element removed). */
    public String applyTo(String xml) throws VirError {
        if (this.equals(NONE)) {
            return DomainXml.withMetadata(xml, TAG, null);
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("xmlns:jvirsh", NAMESPACE);
        attrs.put("enabled", enabled ? "yes" : "no");
        attrs.put("priority", Integer.toString(priority));
        return DomainXml.withMetadata(xml, TAG, attrs);
    }
}
