package io.jsanlock.daemon;

import io.jsanlock.base.SanlockException;
import io.jsanlock.daemon.CommandHandler.Handler;
import io.jsanlock.daemon.CommandHandler.Outcome;
import io.jsanlock.wire.Command;
import io.jsanlock.wire.Lockspace;
import io.jsanlock.wire.Replies;
import io.jsanlock.wire.Requests;
import io.jsanlock.wire.StateRecord;
import io.jsanlock.wire.StateType;
import io.jsanlock.wire.WireException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The status commands: STATUS (`client status`), HOST_STATUS, RENEWAL, LOG_DUMP. */
final class StatusCommands {
    private final Daemon d;

    StatusCommands(Daemon d) {
        this.d = d;
    }

    void addTo(Map<Command, Handler> t) {
        t.put(Command.STATUS, r -> {
            r.replyInline(0);
            send(r, statusRecords(r.header.data()));
            return Outcome.CLOSE;
        });
        t.put(Command.HOST_STATUS, this::lockspaceRecords);
        t.put(Command.RENEWAL, this::lockspaceRecords);
        t.put(Command.LOG_DUMP, r -> {
            r.reply(Replies.logDump(r.header, d.log.dump()));
            return Outcome.CLOSE;
        });
    }

    private static void send(Request r, List<StateRecord> records) throws IOException, WireException {
        for (StateRecord rec : records) {
            ByteBuffer b = ByteBuffer.allocate(rec.encodedSize()).order(ByteOrder.LITTLE_ENDIAN);
            rec.encode(b);
            r.reply(b.flip());
        }
    }

    /** HOST_STATUS and RENEWAL: a lockspace's records; RENEWAL's reply carries its io_timeout in data2. */
    private Outcome lockspaceRecords(Request r) throws IOException, WireException {
        Lockspace ls = Requests.readLockspace(r.body());
        List<StateRecord> recs;
        int data2 = r.header.data2();
        try {
            if (r.header.command() == Command.HOST_STATUS) {
                recs = d.backend.hostRecords(ls.name());
            } else {
                recs = d.backend.renewalRecords(ls.name());
                if (!recs.isEmpty()) {
                    data2 = d.backend.ioTimeout(ls.name());
                }
            }
        } catch (SanlockException e) {
            r.replyInline(r.failure(e));
            return Outcome.CLOSE;
        }
        r.reply(r.header.inlineReply(0).withData2(data2).toBuffer());
        send(r, recs);
        return Outcome.CLOSE;
    }

    /** STATUS's records of sections up to {@code section}: 1 daemon, 2 clients, 3 lockspaces, else resources too. */
    List<StateRecord> statusRecords(int section) {
        List<StateRecord> out = new ArrayList<>();
        out.add(daemonRecord());
        if (section == 1) {
            return out;
        }
        List<ResourceBackend.ClientLeases> holders = new ArrayList<>();
        for (Client c : d.clients.all()) {
            Client.Status s = c.status();
            out.add(s.record());
            if (s.leases() != null) {
                holders.add(s.leases());
            }
        }
        if (section == 2) {
            return out;
        }
        out.addAll(d.backend.lockspaceRecords());
        if (section == 3) {
            return out;
        }
        out.addAll(d.backend.resourceRecords(holders));
        for (ResourceBackend.ClientLeases exited : d.releasing) {
            for (HeldLease l : exited.leases()) {
                TokenTable.Token t = d.backend instanceof EngineBackend e ? e.tokenOf(l) : TokenTable.Token.NONE;
                out.add(EngineBackend.resourceRecord(l, exited.pid(), "rem", new TokenTable.Token(0, t.resId(), t.reused(), t.geometry())));
            }
        }
        return out;
    }

    /** The socket's owner (-U/-G or sanlock.conf uname/gname), shown as the reference shows it. */
    private long socketOwner(String which) {
        try {
            return ((Number) Files.getAttribute(d.options.runDir().resolve("sanlock.sock"), "unix:" + which)).longValue();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private StateRecord daemonRecord() {
        DaemonOptions o = d.options;
        String text = "our_host_name=" + o.hostName()
                + " use_watchdog=" + (o.useWatchdog() ? 1 : 0)
                + " high_priority=" + (o.highPriority() ? 1 : 0)
                + " mlock_level=" + o.mlockLevel()
                + " quiet_fail=" + (o.quietFail() ? 1 : 0)
                + " debug_renew=" + (o.debugRenew() ? 1 : 0)
                + " debug_clients=" + o.debugClients()
                + " debug_cmds=0xfffffffffe06ffff"
                + " renewal_history_size=" + o.renewalHistorySize()
                + " gid=" + socketOwner("gid") + " uid=" + socketOwner("uid")
                + " sh_retries=" + o.shRetries()
                // sanlock.conf's max_sectors_kb (ignore|align|num) as the reference reports it
                // without that key: num=1024, its built-in default (jsanlock accepts the key
                // and notes at start that it has no effect)
                + " max_sectors_kb_ignore=0 max_sectors_kb_align=0 max_sectors_kb_num=1024"
                + " max_worker_threads=" + o.maxWorkerThreads()
                + " write_init_io_timeout=" + o.writeInitIoTimeout()
                + " use_aio=" + (o.useAio() ? 1 : 0)
                + " kill_grace_seconds=" + o.graceSeconds()
                + " helper_pid=-1 helper_kill_fd=-1 helper_full_count=0 helper_last_status=0"
                + " monotime=" + d.clock.seconds()
                + " version_str=3.8.5 version_num=3.8.5 version_hex=03080500 smproto_hex=00000001";
        return new StateRecord(StateType.DAEMON, 0, 0, 0, o.hostName(), text, null, null);
    }
}
