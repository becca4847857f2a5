package io.herald.token.devices;

import java.util.List;

/**
 * The device changes one look found ({@link DeviceStore#changesSince}).
 *
 * @param horizon the transaction id to look from next time
 * @param changes the changes made by transactions from the previous horizon on; a look may find one again
 */
record DeviceChanges(long horizon, List<Change> changes) {

    /**
     * One change to a user's devices.
     *
     * @param seq its number, to tell a change found again from a new one
     * @param tx the transaction that made it
     * @param userId whose devices changed
     */
    record Change(long seq, long tx, String userId) {}
}
