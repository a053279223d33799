package io.jsanlock.testkit;

import io.jsanlock.base.SanlockError;
import io.jsanlock.base.SanlockException;
import org.assertj.core.api.Condition;

/**
 * AssertJ conditions on sanlock results that print names, not bare numbers: a failing
 * {@code assertThatThrownBy(...).is(failsWith(SanlockError.EAGAIN))} reports the expected
 * {@code -11 EAGAIN} and the {@link SanlockException} that was thrown (its code, symbol and message).
 */
public final class SanlockConditions {
    private SanlockConditions() {
    }

    /** A {@link SanlockException} with {@code error}'s code. */
    public static Condition<Throwable> failsWith(SanlockError error) {
        return new Condition<>(t -> t instanceof SanlockException e && e.code() == error.code(),
                "a SanlockException %d %s", error.code(), error.symbol());
    }

    /** A result code equal to {@code error}'s (e.g. a reply field or an exit value). */
    public static Condition<Integer> code(SanlockError error) {
        return new Condition<>(c -> c != null && c == error.code(), "%d %s", error.code(), error.symbol());
    }

    /** {@code code} with its name, for assertion messages: {@code -11 EAGAIN}. */
    public static String describe(int code) {
        SanlockError e = SanlockError.ofCode(code);
        return e == null ? Integer.toString(code) : code + " " + e.symbol();
    }
}
