package io.jsanlock.vm;

/**
 * The libvirt error codes jvirsh reports, each with the prefix libvirt puts in front of
 * the detail when it formats the message (vm-leases.md §5.2). SYSTEM_ERROR has no prefix:
 * its detail already ends with the errno text.
 */
public enum VirErrorCode {
    INTERNAL_ERROR("internal error: "),
    OPERATION_FAILED("operation failed: "),
    INVALID_ARG("invalid argument: "),
    XML_ERROR("XML error: "),
    CONF_SYNTAX("configuration file syntax error: "),
    SYSTEM_ERROR(""),
    NO_DOMAIN("Domain not found: "),
    NO_NAME(""),
    OPERATION_INVALID("Requested operation is not valid: "),
    CONFIG_UNSUPPORTED("unsupported configuration: "),
    RESOURCE_BUSY("resource busy: "),
    DEVICE_MISSING("device not found: ");

    private final String prefix;

    VirErrorCode(String prefix) {
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }
}
