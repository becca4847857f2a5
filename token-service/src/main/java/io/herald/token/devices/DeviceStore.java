package io.herald.token.devices;

import io.herald.events.Platform;
import io.herald.events.Provider;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** The {@code token.devices} table, owned by token-service. Thread-safe. */
@Repository
public class DeviceStore {

    private static final int LOOKUP_CHUNK = 5_000;

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
     */
    record Registered(
            Device device,
            boolean created,
            @org.jspecify.annotations.Nullable String previousUser) {}

    /**
     * Registers a token for a user, or refreshes it: the same provider and token again updates the row (and
     * moves it to {@code userId} if another user had it) instead of adding one.
     */
    @Transactional
    Registered register(String userId, DeviceRegistration r) {
        Timestamp now = Timestamp.from(clock.instant());
        return jdbc.sql("""
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
                            device(rs), rs.getBoolean("created"), userId.equals(previous) ? null : previous);
                })
                .single();
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
        return jdbc.sql("delete from token.devices where user_id = :userId and device_id = :id")
                        .param("userId", userId)
                        .param("id", deviceId)
                        .update()
                == 1;
    }

    /** Deactivates a token a provider called dead; returns whether a device had it. */
    public boolean deactivate(String provider, String token) {
        return jdbc.sql(
                                "update token.devices set active = false where provider = :provider and token = :token and active")
                        .param("provider", provider)
                        .param("token", token)
                        .update()
                > 0;
    }

    /** Deletes devices not seen since {@code cutoff}; returns how many. */
    int deleteNotSeenSince(java.time.Instant cutoff) {
        return jdbc.sql("delete from token.devices where last_seen_at < :cutoff")
                .param("cutoff", Timestamp.from(cutoff))
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
