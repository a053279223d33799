package io.jsanlock.wire.unix;

import org.jspecify.annotations.Nullable;

import io.jsanlock.posix.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Readiness waiting for non-blocking FFM sockets, so that a thread waiting for a
 * message parks instead of sitting in a native call.
 *
 * <p>Why: a virtual thread inside a native (FFM) call pins its carrier, and there are
 * only as many carriers as cores. A daemon with 1000 registered clients, each blocked in
 * {@code recv()}, would starve every other virtual thread; so would 1000 client threads
 * blocked waiting for ACQUIRE replies. Instead all fds are non-blocking; on EAGAIN a
 * thread arms a one-shot epoll interest and parks, and this class's single platform
 * thread ({@code epoll_wait}) unparks it. This is the same scheme the JDK uses for its
 * own channels, done here because the JDK cannot give us the fd we need for
 * SO_PEERCRED (see {@link UnixSocket}).
 *
 * <p>No wakeup is lost: interest is level-triggered, so arming after data already
 * arrived reports it at once, and an unpark that precedes the park makes the park
 * return immediately. Callers always retry their non-blocking call after waking
 * (spurious wakeups are harmless).
 */
final class Poller {
    private static volatile @Nullable Poller instance;

    static Poller get() {
        Poller p = instance;
        if (p == null) {
            synchronized (Poller.class) {
                p = instance;
                if (p == null) {
                    p = new Poller();
                    instance = p;
                }
            }
        }
        return p;
    }

    private static final class Interest {
        @Nullable Thread reader;
        @Nullable Thread writer;
        boolean added;
    }

    private final int epfd;
    private final Map<Integer, Interest> interests = new ConcurrentHashMap<>();

    private Poller() {
        epfd = Sockets.epollCreate();
        if (epfd < 0) {
            throw new IllegalStateException("epoll_create1 failed: errno " + -epfd);
        }
        Thread t = Thread.ofPlatform().daemon().name("jsanlock-poller").unstarted(this::loop);
        t.start();
    }

    /**
     * Parks the calling thread until {@code fd} is probably readable (or writable), the
     * deadline ({@link System#nanoTime} scale, 0 = none) passes, or it is interrupted.
     */
    void await(int fd, boolean write, long deadlineNanos, java.util.function.BooleanSupplier cancelled) {
        Thread me = Thread.currentThread();
        Interest in = interests.computeIfAbsent(fd, k -> new Interest());
        synchronized (in) {
            if (write) {
                in.writer = me;
            } else {
                in.reader = me;
            }
            arm(fd, in);
        }
        // A close that ran before we armed could not wake us (forget() found nothing to wake):
        // check after arming, so either forget() sees our interest or we see the close.
        if (cancelled.getAsBoolean()) {
            synchronized (in) {
                if (write) {
                    in.writer = null;
                } else {
                    in.reader = null;
                }
            }
            interests.remove(fd, in);
            return;
        }
        if (deadlineNanos == 0) {
            LockSupport.park(this);
        } else {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                LockSupport.parkNanos(this, left);
            }
        }
        synchronized (in) {
            if (write && in.writer == me) {
                in.writer = null;
            } else if (!write && in.reader == me) {
                in.reader = null;
            }
        }
    }

    private void arm(int fd, Interest in) {
        int ev = Sockets.EPOLLONESHOT | Sockets.EPOLLRDHUP;
        if (in.reader != null) {
            ev |= Sockets.EPOLLIN;
        }
        if (in.writer != null) {
            ev |= Sockets.EPOLLOUT;
        }
        int r = in.added ? Sockets.epollCtl(epfd, Sockets.EPOLL_CTL_MOD, fd, ev) : Sockets.epollCtl(epfd, Sockets.EPOLL_CTL_ADD, fd, ev);
        if (r == 0) {
            in.added = true;
        } else if (!in.added && r == -17) { // EEXIST: a stale registration of a reused fd
            Sockets.epollCtl(epfd, Sockets.EPOLL_CTL_MOD, fd, ev);
            in.added = true;
        } else if (in.added && r == -2 && Sockets.epollCtl(epfd, Sockets.EPOLL_CTL_ADD, fd, ev) == 0) {
            // ENOENT: the kernel dropped the registration when an earlier fd with this number closed
        } else {
            // fd unusable (closed/EBADF): wake the waiters so they retry and see the error.
            wake(in.reader);
            wake(in.writer);
        }
    }

    /** Forgets {@code fd} before it is closed, waking anyone still waiting on it. */
    void forget(int fd) {
        Interest in = interests.remove(fd);
        Sockets.epollCtl(epfd, Sockets.EPOLL_CTL_DEL, fd, 0);
        if (in != null) {
            synchronized (in) {
                wake(in.reader);
                wake(in.writer);
            }
        }
    }

    private static void wake(@Nullable Thread t) {
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void loop() {
        final int max = 256;
        MemorySegment events = Arena.global().allocate((long) max * Sockets.EPOLL_EVENT_SIZE, 8);
        while (true) {
            int n = Sockets.epollWait(epfd, events, max, -1);
            if (n < 0) {
                continue; // EINTR
            }
            for (int i = 0; i < n; i++) {
                long base = (long) i * Sockets.EPOLL_EVENT_SIZE;
                int ev = events.get(JAVA_INT, base);
                int fd = (int) events.get(JAVA_LONG.withByteAlignment(4), base + Sockets.EPOLL_DATA_OFFSET);
                Interest in = interests.get(fd);
                if (in == null) {
                    continue;
                }
                synchronized (in) {
                    boolean any = (ev & (Sockets.EPOLLERR | Sockets.EPOLLHUP | Sockets.EPOLLRDHUP)) != 0;
                    if (any || (ev & Sockets.EPOLLIN) != 0) {
                        wake(in.reader);
                        in.reader = null;
                    }
                    if (any || (ev & Sockets.EPOLLOUT) != 0) {
                        wake(in.writer);
                        in.writer = null;
                    }
                    if (in.reader != null || in.writer != null) {
                        arm(fd, in); // one-shot fired for one direction only: re-arm the other
                    }
                }
            }
        }
    }
}
