package io.herald.token.preferences;

import io.herald.events.HeraldJson;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code token.preferences} table. Thread-safe. */
@Repository
public class PreferenceStore {

    private static final int LOOKUP_CHUNK = 5_000;

    private final JdbcClient jdbc;
    private final Clock clock;

    PreferenceStore(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    Preferences of(String userId) {
        return ofAll(List.of(userId)).getOrDefault(userId, Preferences.DEFAULT);
    }

    void save(String userId, Preferences preferences) {
        jdbc.sql("""
                        insert into token.preferences (user_id, document, updated_at) values (:user, cast(:doc as jsonb), :now)
                        on conflict (user_id) do update set document = excluded.document, updated_at = excluded.updated_at
                        """)
                .param("user", userId)
                .param("doc", HeraldJson.mapper().writeValueAsString(preferences))
                .param("now", Timestamp.from(clock.instant()))
                .update();
    }

    /** The preferences of every user in {@code userIds} who has any, in one query per 5,000 users. */
    public Map<String, Preferences> ofAll(Collection<String> userIds) {
        Map<String, Preferences> found = new HashMap<>();
        List<String> users = List.copyOf(userIds);
        for (int from = 0; from < users.size(); from += LOOKUP_CHUNK) {
            jdbc.sql("select user_id, document::text as document from token.preferences where user_id in (:users)")
                    .param("users", users.subList(from, Math.min(users.size(), from + LOOKUP_CHUNK)))
                    .query((rs, row) -> Map.entry(
                            rs.getString("user_id"),
                            HeraldJson.mapper().readValue(rs.getString("document"), Preferences.class)))
                    .list()
                    .forEach(e -> found.put(e.getKey(), e.getValue()));
        }
        return found;
    }
}
