package io.herald.spring.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DataRefusalsTest {

    /** What a repository throws: an unchecked wrapper of the driver's exception. */
    private static RuntimeException failure(String sqlState) {
        return new IllegalStateException("statement failed", new SQLException("server said no", sqlState));
    }

    @Test
    void dataExceptionsAndConstraintViolationsAreRefusalsAndTheDatabaseBeingAwayIsNot() {
        assertThat(DataRefusals.isDataRefusal(failure("22021")))
                .as("NUL in text")
                .isTrue();
        assertThat(DataRefusals.isDataRefusal(failure("22P05")))
                .as("untranslatable character")
                .isTrue();
        assertThat(DataRefusals.isDataRefusal(failure("23514")))
                .as("check constraint")
                .isTrue();
        assertThat(DataRefusals.isDataRefusal(failure("08006")))
                .as("connection failure")
                .isFalse();
        assertThat(DataRefusals.isDataRefusal(failure("57P01")))
                .as("admin shutdown")
                .isFalse();
        assertThat(DataRefusals.isDataRefusal(failure("40001")))
                .as("serialization failure")
                .isFalse();
        assertThat(DataRefusals.isDataRefusal(new IllegalStateException("no SQL at all")))
                .isFalse();
        var batch = new BatchUpdateException("batch entry 3 was aborted", null, new int[0]);
        batch.setNextException(new SQLException("invalid byte sequence", "22021"));
        assertThat(DataRefusals.isDataRefusal(new IllegalStateException(batch)))
                .as("the state of a chained exception")
                .isTrue();
    }

    @Test
    void theRefusedItemsAreFoundAndEveryOtherItemIsWorkedOn() {
        List<Integer> batch = IntStream.range(0, 61).boxed().toList();
        Set<Integer> poison = Set.of(17, 40);
        List<Integer> done = new ArrayList<>();
        List<Integer> attempts = new ArrayList<>();

        List<DataRefusals.Refusal> refused = DataRefusals.refusedAmong(batch, part -> {
            attempts.add(part.size());
            if (part.stream().anyMatch(poison::contains)) {
                throw failure("22021");
            }
            done.addAll(part);
        });

        assertThat(refused).extracting(DataRefusals.Refusal::index).containsExactly(17, 40);
        assertThat(done)
                .containsExactlyInAnyOrderElementsOf(
                        batch.stream().filter(i -> !poison.contains(i)).toList());
        assertThat(attempts.size()).as("statements, not one per item").isLessThan(30);
    }

    @Test
    void aBatchWithNothingRefusedIsOneAttempt() {
        List<Integer> attempts = new ArrayList<>();

        assertThat(DataRefusals.refusedAmong(List.of(1, 2, 3), part -> attempts.add(part.size())))
                .isEmpty();
        assertThat(attempts).containsExactly(3);
    }

    @Test
    void anyOtherFailureIsLeftToTheCallersRetryAtOnce() {
        List<Integer> attempts = new ArrayList<>();

        assertThatThrownBy(() -> DataRefusals.refusedAmong(List.of(1, 2, 3, 4), part -> {
                    attempts.add(part.size());
                    throw failure("08006");
                }))
                .hasRootCauseMessage("server said no");
        assertThat(attempts).containsExactly(4);
    }
}
