package io.jsanlock.cli.client;

import io.jsanlock.base.SanlockException;
import io.jsanlock.wire.CommandFlags;
import io.jsanlock.wire.ResourceEntry;
import io.jsanlock.wire.ResourceIndex;

/**
 * {@code client format|create|delete|lookup|update|rebuild -x RINDEX}: resource-index
 * operations done by the daemon (wire.md 4.18, 7.5).
 */
final class RindexActions {
    private RindexActions() {
    }

    static int client(String action, ClientActions.Context c) {
        Args a = c.args();
        ResourceIndex rx = RindexArgs.rindex(a.text('x'), action.equals("format") ? a.geometryFlags() : 0);
        ResourceEntry entry = RindexArgs.entry(a.text('e'));
        var out = c.out();
        ResourceEntry result = null;
        int rv = 0;
        try {
            if (rx.disk().path().isEmpty()) {
                throw new SanlockException(io.jsanlock.base.SanlockError.EINVAL, "-x RINDEX needs <lockspace>:<path>:<offset>");
            }
            switch (action) {
                case "format" -> c.client().formatRindex(rx);
                case "rebuild" -> c.client().rebuildRindex(rx, false);
                case "create" -> result = c.client().createResource(rx, entry.name(), (int) a.atoll('m', 0), (int) a.atoll('n', 0));
                case "delete" -> c.client().deleteResource(rx, entry);
                case "lookup" -> result = c.client().lookupRindex(rx, entry, false);
                case "update" -> c.client().updateRindex(rx, entry, a.has('z') ? CommandFlags.RXUP_REM : CommandFlags.RXUP_ADD);
                default -> throw new IllegalArgumentException(action);
            }
        } catch (SanlockException e) {
            rv = c.code(e);
        }
        String label = switch (action) {
            case "create" -> "create_resource";
            case "delete" -> "delete_resource";
            default -> action;
        };
        out.println(label + " done " + rv);
        if (rv == 0 && action.equals("create")) {
            out.println("offset " + result.offset());
        } else if (rv == 0 && action.equals("lookup")) {
            out.println("name " + (result.name().isEmpty() ? "-" : result.name()) + " offset " + result.offset());
        }
        return rv == 0 ? 0 : 1;
    }
}
