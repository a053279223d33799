package io.jsanlock.client;

import io.jsanlock.wire.Host;
import io.jsanlock.wire.Resource;

import java.util.List;

/** READ_RESOURCE_OWNERS result: the resource (SHARED flag when shared owners exist) and its owners. */
public record ResourceOwners(Resource resource, List<Host> owners) {
    public ResourceOwners {
        owners = List.copyOf(owners);
    }
}
