package io.herald.token.log;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The delivery log's view of digests ({@code token.digest_members}, written by routing's {@code Digests}): which
 * digest absorbed an event for each recipient, and which events a digest absorbed. Thread-safe.
 */
@Repository
class DigestMembers {

    /** The most absorbed events one answer lists for a digest. */
    static final int MAX_ABSORBED = 1000;

    /** An event absorbed for one recipient into a digest of app {@code source}. */
    record Absorbed(String userId, String source, UUID digestId, Instant at) {}

    /**
     * The events a digest absorbed, in order of arrival, at most {@link #MAX_ABSORBED}.
     *
     * @param truncated whether it absorbed more
     */
    record Listing(@Nullable String source, List<UUID> eventIds, boolean truncated) {}

    private final JdbcClient jdbc;

    DigestMembers(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Where the event was absorbed, per recipient; empty when it was not. */
    List<Absorbed> digestsOf(UUID eventId) {
        return jdbc.sql("""
                        select user_id, source, digest_id, absorbed_at from token.digest_members
                        where event_id = :id order by seq
                        """)
                .param("id", eventId)
                .query((rs, n) -> new Absorbed(
                        rs.getString("user_id"),
                        rs.getString("source"),
                        rs.getObject("digest_id", UUID.class),
                        rs.getTimestamp("absorbed_at").toInstant()))
                .list();
    }

    /** What the digest absorbed (of app {@code source} only if given); no event ids when it is no digest. */
    Listing absorbedBy(UUID digestId, @Nullable String source) {
        record Row(UUID eventId, String source) {}
        var query = jdbc.sql("select event_id, source from token.digest_members where digest_id = :id"
                        + (source == null ? "" : " and source = :source")
                        + " order by seq limit " + (MAX_ABSORBED + 1))
                .param("id", digestId);
        if (source != null) {
            query = query.param("source", source);
        }
        List<Row> rows = query.query((rs, n) -> new Row(rs.getObject("event_id", UUID.class), rs.getString("source")))
                .list();
        return new Listing(
                rows.isEmpty() ? null : rows.getFirst().source(),
                rows.stream().limit(MAX_ABSORBED).map(Row::eventId).toList(),
                rows.size() > MAX_ABSORBED);
    }
}
