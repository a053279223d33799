package io.jsanlock.cli.client;

import io.jsanlock.base.SanlockException;
import io.jsanlock.client.RegisteredExec;
import io.jsanlock.client.Registration;
import io.jsanlock.posix.Errno;
import io.jsanlock.posix.Posix;
import io.jsanlock.wire.Options;
import io.jsanlock.wire.Resource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code client command -r RESOURCE… -c PATH ARGS…}: register, acquire the leases for
 * this process, then <em>become</em> the program with execv, keeping the registered
 * socket open (see {@link RegisteredExec} for why exec and not a supervising parent).
 * The program then is the lease holder: same pid, same connection; the daemon releases
 * the leases when it exits or is killed.
 *
 * <p>Output as sanlock's: {@code register}, {@code register done <fd>}, {@code acquire fd
 * <fd>}, {@code acquire done <rv>}. sanlock writes them through buffered stdout, so they
 * appear before the program's output on a terminal, are lost by a successful execv when
 * stdout is a pipe or file, and do appear (at exit) when something fails. The same
 * happens here. {@code <fd>} is the descriptor number the program finds the
 * registration at — what sanlock's own socket would have been given.
 *
 * <p>Exit status as sanlock's: the program's own once it runs; 1 when acquiring fails;
 * 0 when registering fails or execv fails (after {@code execv failed: <strerror>} on
 * stderr). Without {@code -c} the leases are held until the CLI is killed.
 */
final class CommandAction {
    private CommandAction() {
    }

    static int run(ClientActions.Context c) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream lines = new PrintStream(buf, true, StandardCharsets.ISO_8859_1);
        List<String> program = c.args().program();
        List<Resource> resources = LeaseActions.acquireResources(c);
        int flags = LeaseActions.acquireFlags(c);

        lines.println("register");
        Registration reg;
        try {
            reg = c.client().register();
        } catch (SanlockException e) {
            lines.println("register done " + c.code(e));
            emit(c, buf);
            return 0;
        }
        int fd = RegisteredExec.lowestProgramDescriptor(reg.fd());
        lines.println("register done " + fd);
        lines.println("acquire fd " + fd);
        try (Progress _ = Progress.start(c)) { // -v: progress on stderr
            if (resources.isEmpty()) {
                EmptyAcquire.call(reg.socket(), EmptyAcquire.request(-1, flags));
            } else {
                reg.acquire(resources, flags, Options.NONE);
            }
        } catch (SanlockException e) {
            lines.println("acquire done " + c.code(e));
            emit(c, buf);
            reg.close();
            return 1;
        }
        lines.println("acquire done 0");
        boolean terminal = Posix.isatty(1);
        if (terminal) {
            emit(c, buf);
            buf.reset();
        }
        if (program.isEmpty()) {
            // sanlock without -c keeps the leases until it is killed.
            c.out().flush();
            while (true) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 0;
                }
            }
        }
        c.out().flush();
        System.err.flush();
        int errno = RegisteredExec.exec(reg, program, fd);
        c.err().println("execv failed: " + Errno.strerror(errno));
        emit(c, buf);
        return 0;
    }

    private static void emit(ClientActions.Context c, ByteArrayOutputStream buf) {
        c.out().write(buf.toByteArray(), 0, buf.size());
        c.out().flush();
    }
}
