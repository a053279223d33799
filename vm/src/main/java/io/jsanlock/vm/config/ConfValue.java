package io.jsanlock.vm.config;

import java.math.BigInteger;
import java.util.List;

/** A value in a libvirt .conf file: an integer (with its sign as written), a string or a list. */
public sealed interface ConfValue {
    /** An integer; {@code signed} is true when it was written with a leading '-'. */
    record Int(BigInteger value, boolean signed) implements ConfValue {
    }

    record Str(String value) implements ConfValue {
    }

    record ListValue(List<ConfValue> items) implements ConfValue {
    }
}
