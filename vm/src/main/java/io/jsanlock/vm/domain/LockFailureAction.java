package io.jsanlock.vm.domain;

import io.jsanlock.vm.VirError;
import io.jsanlock.vm.VirErrorCode;

import java.util.Locale;

/** The domain's {@code <on_lockfailure>} action (vm-leases.md §4.7). */
public enum LockFailureAction {
    DEFAULT, POWEROFF, RESTART, PAUSE, IGNORE;

    public String xmlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LockFailureAction parse(String v) throws VirError {
        for (LockFailureAction a : values()) {
            if (a.xmlName().equals(v)) {
                return a;
            }
        }
        throw new VirError(VirErrorCode.CONFIG_UNSUPPORTED, "unknown on_lockfailure action: " + v);
    }
}
