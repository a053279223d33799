package io.jsanlock.testkit;

import java.util.Random;

/**
 * The seed of a randomized test or fuzzer: {@code -Djsanlock.seed=N} when given (to replay a failure),
 * else a fresh one. Either way it is printed with the line that replays it, so a CI log is enough to
 * reproduce a failure: {@code bin/test -pl MODULE -Dtest=CLASS -Djsanlock.seed=N}.
 */
public final class Seeds {
    /** The system property that fixes the seed. */
    public static final String PROPERTY = "jsanlock.seed";

    private Seeds() {
    }

    /** The seed for {@code test} (its class, for the replay line); printed to stdout. */
    public static long seed(Class<?> test) {
        return seed(test, null);
    }

    /**
     * Like {@link #seed(Class)}, with a fixed default used when the property is absent (a long run whose
     * seed is part of its documented scenario, e.g. the chaos run); the property still overrides it.
     */
    public static long seed(Class<?> test, Long fixedDefault) {
        Long given = Long.getLong(PROPERTY);
        long seed = given != null ? given : fixedDefault != null ? fixedDefault : System.nanoTime();
        System.out.println(test.getSimpleName() + " seed " + seed + " (replay: -D" + PROPERTY + "=" + seed
                + " -Dtest=" + test.getSimpleName() + ")");
        return seed;
    }

    /** A {@link Random} on {@link #seed(Class)}. */
    public static Random random(Class<?> test) {
        return new Random(seed(test));
    }
}
