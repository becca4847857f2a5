package io.herald.token.devices;

import io.herald.events.Platform;
import io.herald.events.Provider;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** The {@code token.devices} table, owned by token-service. Thread-safe. */
@Repository
public class DeviceStore {

    private static final int LOOKUP_CHUNK = 5_000;
    /** The class of the advisory locks registrations of one user take turns on ("devi"). */
    private static final int USER_LOCK_CLASS = 0x64657669;

    private final JdbcClient jdbc;
    private final Clock clock;

    DeviceStore(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * The outcome of a registration.
     *
     * @param created whether the token was new
     * @param previousUser the user who had the token before, when it moved, or {@code null}
     * @param retired the user's devices deleted to keep them within the cap, least recently seen first
     */
    record Registered(
            Device device, boolean created, @Nullable String previousUser, List<Device> retired) {}

    /**
     * Registers a token for a user, or refreshes it: the same provider and token again updates the row (and
     * moves it to {@code userId} if another user had it) instead of adding one. A user keeps at most {@code
     * maxPerUser} devices: the registration deletes the least recently seen beyond it (inactive ones first; never the
     * one registered). Registrations of one user take turns, so two at once cannot both stay over the cap. The
     * change is noted for every instance's device cache, in the same transaction.
     */
    @Transactional
    Registered register(String userId, DeviceRegistration r, int maxPerUser) {
        jdbc.sql("select pg_advisory_xact_lock(:lockClass, hashtext(:userId))")
                .param("lockClass", USER_LOCK_CLASS)
                .param("userId", userId)
                .query(rs -> {});
        Timestamp now = Timestamp.from(clock.instant());
        Registered registered = jdbc.sql("""
                        with previous as (
                            select user_id from token.devices where provider = :provider and token = :token)
                        insert into token.devices (device_id, user_id, provider, token, platform, app_id, locale,
                            time_zone, firebase_installation_id, active, registered_at, last_seen_at)
                        values (:id, :userId, :provider, :token, :platform, :appId, :locale, :timeZone, :fid, true, :now, :now)
                        on conflict (provider, token) do update set
                            user_id = excluded.user_id, platform = excluded.platform, app_id = excluded.app_id,
                            locale = excluded.locale, time_zone = excluded.time_zone,
                            firebase_installation_id = excluded.firebase_installation_id, active = true,
                            last_seen_at = excluded.last_seen_at
                        returning *, (xmax = 0) as created, (select user_id from previous) as previous_user
                        """)
                .param("id", UUID.randomUUID())
                .param("userId", userId)
                .param("provider", r.provider())
                .param("token", r.token())
                .param("platform", r.platform())
                .param("appId", r.appId())
                .param("locale", r.locale())
                .param("timeZone", r.timeZone())
                .param("fid", r.firebaseInstallationId())
                .param("now", now)
                .query((rs, row) -> {
                    String previous = rs.getString("previous_user");
                    return new Registered(
                            device(rs), rs.getBoolean("created"), userId.equals(previous) ? null : previous, List.of());
                })
                .single();
        List<Device> retired = jdbc.sql("""
                        delete from token.devices where device_id in (
                            select device_id from token.devices where user_id = :userId and device_id <> :kept
                            order by active desc, last_seen_at desc, registered_at desc, device_id
                            offset :others)
                        returning *
                        """)
                .param("userId", userId)
                .param("kept", registered.device().deviceId())
                .param("others", maxPerUser - 1)
                .query((rs, row) -> device(rs))
                .list();
        noteChanged(registered.previousUser() == null ? List.of(userId) : List.of(userId, registered.previousUser()));
        List<Device> leastRecentFirst = new ArrayList<>(retired);
        leastRecentFirst.sort(Comparator.comparing(Device::lastSeenAt));
        return new Registered(
                registered.device(), registered.created(), registered.previousUser(), List.copyOf(leastRecentFirst));
    }

    /** Notes that these users' devices changed, for every instance's device cache ({@link DeviceCache}). */
    private void noteChanged(List<String> userIds) {
        for (String user : userIds) {
            jdbc.sql("insert into token.device_changes (user_id) values (:userId)")
                    .param("userId", user)
                    .update();
        }
    }

    /** A user's active devices, newest first. */
    List<Device> list(String userId) {
        return jdbc.sql("""
                        select * from token.devices where user_id = :userId and active
                        order by registered_at desc, device_id
                        """)
                .param("userId", userId)
                .query((rs, row) -> device(rs))
                .list();
    }

    /** Removes one of a user's devices; {@code false} when it is not theirs or does not exist. */
    boolean delete(String userId, UUID deviceId) {
        return jdbc.sql("""
                        with gone as (delete from token.devices where user_id = :userId and device_id = :id returning user_id),
                        noted as (insert into token.device_changes (user_id) select user_id from gone)
                        select count(*) from gone
                        """)
                        .param("userId", userId)
                        .param("id", deviceId)
                        .query(Integer.class)
                        .single()
                == 1;
    }

    /** Deactivates a token a provider called dead; the user whose device had it, if an active one did. */
    public Optional<String> deactivate(String provider, String token) {
        return jdbc.sql("""
                        with hit as (
                            update token.devices set active = false
                            where provider = :provider and token = :token and active returning user_id),
                        noted as (insert into token.device_changes (user_id) select user_id from hit)
                        select user_id from hit
                        """)
                .param("provider", provider)
                .param("token", token)
                .query(String.class)
                .optional();
    }

    /** Deletes devices not seen since {@code cutoff}; returns how many. */
    int deleteNotSeenSince(Instant cutoff) {
        return jdbc.sql("""
                        with gone as (delete from token.devices where last_seen_at < :cutoff returning user_id),
                        noted as (insert into token.device_changes (user_id) select distinct user_id from gone)
                        select count(*) from gone
                        """)
                .param("cutoff", Timestamp.from(cutoff))
                .query(Integer.class)
                .single();
    }

    /**
     * The device changes since {@code horizon} (a transaction id; none: only the horizon), and the horizon to
     * look from next. In one statement, under one snapshot: a change it does not see was made by a transaction
     * still running or not begun when it was taken, whose id is at least the snapshot's oldest running one — the
     * next horizon — so the next look sees it.
     */
    DeviceChanges changesSince(OptionalLong horizon) {
        if (horizon.isEmpty()) {
            long next = jdbc.sql("select pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
                    .query(Long.class)
                    .single();
            return new DeviceChanges(next, List.of());
        }
        List<DeviceChanges.Change> changes = new ArrayList<>();
        long[] next = {horizon.getAsLong()};
        jdbc.sql("""
                        select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as horizon,
                            c.seq, c.tx::text::bigint as tx, c.user_id
                        from (select 1) as one
                        left join token.device_changes c on c.tx >= cast(cast(:horizon as text) as xid8)
                        """).param("horizon", horizon.getAsLong()).query(rs -> {
            next[0] = rs.getLong("horizon");
            String user = rs.getString("user_id");
            if (user != null) {
                changes.add(new DeviceChanges.Change(rs.getLong("seq"), rs.getLong("tx"), user));
            }
        });
        return new DeviceChanges(next[0], changes);
    }

    /** Forgets device changes older than {@code age}: every instance has looked since. */
    int forgetChangesOlderThan(Duration age) {
        return jdbc.sql("delete from token.device_changes where changed_at < now() - cast(:age as interval)")
                .param("age", age.toSeconds() + " seconds")
                .update();
    }

    /** The active devices of all {@code userIds}, in one query. Users without devices are absent. */
    public Map<String, List<ActiveDevice>> activeDevicesOf(Collection<String> userIds) {
        Map<String, List<ActiveDevice>> byUser = new HashMap<>();
        if (userIds.isEmpty()) {
            return byUser;
        }
        List<String> users = List.copyOf(userIds);
        // One query per chunk of users (a recipient list holds up to 10,000), never one per user or device.
        for (int from = 0; from < users.size(); from += LOOKUP_CHUNK) {
            List<String> chunk = users.subList(from, Math.min(users.size(), from + LOOKUP_CHUNK));
            jdbc.sql("""
                        select device_id, user_id, provider, token, platform, locale from token.devices
                        where user_id in (:users) and active
                        """)
                    .param("users", chunk)
                    .query((rs, row) -> new ActiveDevice(
                            rs.getObject("device_id", UUID.class),
                            rs.getString("user_id"),
                            Provider.fromWire(rs.getString("provider")),
                            rs.getString("token"),
                            rs.getString("platform") == null ? null : Platform.fromWire(rs.getString("platform")),
                            rs.getString("locale")))
                    .list()
                    .forEach(d -> byUser.computeIfAbsent(d.userId(), u -> new ArrayList<>())
                            .add(d));
        }
        return byUser;
    }

    /**
     * Each user's device time zone: that of their most recently seen active device that names one (the lowest device
     * id among equally recent ones), in one query per chunk of users. Users without such a device are absent.
     */
    public Map<String, String> timeZonesOf(Collection<String> userIds) {
        Map<String, String> byUser = new HashMap<>();
        List<String> users = List.copyOf(userIds);
        for (int from = 0; from < users.size(); from += LOOKUP_CHUNK) {
            jdbc.sql("""
                        select distinct on (user_id) user_id, time_zone from token.devices
                        where user_id in (:users) and active and time_zone is not null
                        order by user_id, last_seen_at desc, device_id
                        """)
                    .param("users", users.subList(from, Math.min(users.size(), from + LOOKUP_CHUNK)))
                    .query((rs, row) -> Map.entry(rs.getString("user_id"), rs.getString("time_zone")))
                    .list()
                    .forEach(e -> byUser.put(e.getKey(), e.getValue()));
        }
        return byUser;
    }

    private static Device device(ResultSet rs) throws SQLException {
        String token = rs.getString("token");
        return new Device(
                rs.getObject("device_id", UUID.class),
                rs.getString("provider"),
                rs.getString("platform"),
                rs.getString("app_id"),
                rs.getString("locale"),
                rs.getString("time_zone"),
                token.substring(Math.max(0, token.length() - 6)),
                rs.getBoolean("active"),
                rs.getTimestamp("registered_at").toInstant(),
                rs.getTimestamp("last_seen_at").toInstant());
    }
}
