package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class StreamGateTest {

    private final List<String> written = new ArrayList<>();

    private void out(byte[] utf8) {
        written.add(new String(utf8, StandardCharsets.UTF_8));
    }

    private static StreamGate.Frame frame(int partition, long offset) {
        return new StreamGate.Frame(partition, offset, (partition + ":" + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static List<StreamGate.Frame> frames(int partition, long from, long to) {
        return LongStream.rangeClosed(from, to)
                .mapToObj(o -> frame(partition, o))
                .toList();
    }

    private static List<String> names(int partition, long from, long to) {
        return LongStream.rangeClosed(from, to)
                .mapToObj(o -> partition + ":" + o)
                .toList();
    }

    @Test
    void liveFramesFlowInOrderAndOneReadAgainIsDropped() {
        var gate = new StreamGate(100, false);
        for (var frame : frames(1, 10, 14)) {
            assertThat(gate.live(frame, this::out)).isTrue();
        }
        // The live consumer restarted and reads 12 to 15 again.
        frames(1, 12, 15).forEach(frame -> gate.live(frame, this::out));
        assertThat(written).containsExactlyElementsOf(names(1, 10, 15));
    }

    @Test
    void aResumeAsTheFirstMessageReplaysTheGapThenTheHeldLiveFramesEachOnceInOrder() {
        var gate = new StreamGate(100, true);
        // The client had up to 20. Live frames 26 to 30 come while the socket opens (held), 31 and 32 while the
        // resume is under way; the frontier was 28 when the resume read it, so the inbox gives 21 to 27 (the live
        // path pushed 26 and 27 to this socket too).
        frames(1, 26, 30).forEach(frame -> gate.live(frame, this::out));
        gate.resuming();
        frames(1, 31, 32).forEach(frame -> gate.live(frame, this::out));
        gate.opened(this::out); // the resume window ends meanwhile: it changes nothing
        assertThat(written).isEmpty();

        int replayed = gate.resumed(1, 20, 28, frames(1, 21, 27), this::out);

        assertThat(written).containsExactlyElementsOf(names(1, 21, 32));
        assertThat(replayed).isEqualTo(5); // 21 to 25; 26 and 27 were the live path's
        // Later live frames: what the replay covered is dropped.
        frames(1, 27, 34).forEach(frame -> gate.live(frame, this::out));
        assertThat(written).containsExactlyElementsOf(names(1, 21, 34));
    }

    @Test
    void aNodeBehindTheClientPushesNothingItHadAlready() {
        var gate = new StreamGate(100, true);
        // The client had up to 50 from a node further ahead; this node's live path is at 40.
        frames(1, 40, 45).forEach(frame -> gate.live(frame, this::out));
        gate.resuming();
        int replayed = gate.resumed(1, 50, 46, List.of(), this::out);
        assertThat(replayed).isZero();
        assertThat(written).isEmpty();
        frames(1, 46, 53).forEach(frame -> gate.live(frame, this::out));
        assertThat(written).containsExactlyElementsOf(names(1, 51, 53));
    }

    @Test
    void aResumeAfterLiveFramesFlowedReplaysOnlyWhatTheSocketHasNot() {
        var gate = new StreamGate(100, false);
        frames(1, 30, 35).forEach(frame -> gate.live(frame, this::out));
        gate.resuming();
        frames(1, 36, 37).forEach(frame -> gate.live(frame, this::out));
        // The client had up to 20; the frontier is 38 and the inbox has 21 to 37.
        int replayed = gate.resumed(1, 20, 38, frames(1, 21, 37), this::out);
        assertThat(replayed).isEqualTo(9); // 21 to 29
        assertThat(written)
                .containsExactlyElementsOf(Stream.of(names(1, 30, 35), names(1, 21, 29), names(1, 36, 37))
                        .flatMap(List::stream)
                        .toList());
        // A second resume from the same place on the same socket sends nothing again.
        gate.resuming();
        written.clear();
        assertThat(gate.resumed(1, 20, 38, frames(1, 21, 37), this::out)).isZero();
        assertThat(written).isEmpty();
    }

    @Test
    void withoutAResumeTheHeldFramesFlowWhenTheClientSpeaksOrTheWindowEnds() {
        var gate = new StreamGate(100, true);
        frames(2, 5, 7).forEach(frame -> gate.live(frame, this::out));
        assertThat(written).isEmpty();
        gate.opened(this::out);
        assertThat(written).containsExactlyElementsOf(names(2, 5, 7));
        gate.opened(this::out);
        frames(2, 8, 8).forEach(frame -> gate.live(frame, this::out));
        assertThat(written).containsExactlyElementsOf(names(2, 5, 8));
    }

    @Test
    void aRefusedResumeLetsTheHeldFramesFlow() {
        var gate = new StreamGate(100, true);
        gate.resuming();
        frames(0, 1, 2).forEach(frame -> gate.live(frame, this::out));
        gate.resumed(this::out);
        frames(0, 3, 3).forEach(frame -> gate.live(frame, this::out));
        assertThat(written).containsExactlyElementsOf(names(0, 1, 3));
    }

    @Test
    void moreHeldFramesThanTheLimitAskForTheSocketToBeClosed() {
        var gate = new StreamGate(3, true);
        assertThat(frames(0, 1, 3).stream().map(frame -> gate.live(frame, this::out)))
                .containsOnly(true);
        assertThat(gate.live(frame(0, 4), this::out)).isFalse();
        assertThat(written).isEmpty();
    }
}
