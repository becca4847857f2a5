package io.herald.dispatch.fcm.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class PendingRequestTest {

    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    private static PendingRequest request() {
        return new PendingRequest(AsciiString.of("/send"), "Bearer t", new byte[0], 0);
    }

    @Test
    void theAnswerIsItsFirstHeadersAndItsBodyPiecesInOrder() throws Exception {
        PendingRequest request = request();

        request.headers(429, "7");
        request.data(Unpooled.copiedBuffer("{\"error\":", StandardCharsets.UTF_8), ALLOC);
        request.data(Unpooled.EMPTY_BUFFER, ALLOC);
        request.data(Unpooled.copiedBuffer("{}}", StandardCharsets.UTF_8), ALLOC);
        request.headers(200, null); // trailers change nothing
        request.complete();

        assertThat(request.future.get()).isEqualTo(new Http2Response(429, "{\"error\":{}}", "7"));
    }

    @Test
    void anAnswerWithoutBodyHasNone() throws Exception {
        PendingRequest request = request();

        request.headers(204, null);
        request.complete();

        assertThat(request.future.get()).isEqualTo(new Http2Response(204, null, null));
    }

    @Test
    void aFailureReleasesWhatArrivedAndLaterCompletionsAreIgnored() {
        PendingRequest request = request();
        var piece = Unpooled.copiedBuffer("{\"na", StandardCharsets.UTF_8);
        request.headers(200, null);
        request.data(piece, ALLOC);

        request.fail(new IOException("the server reset the stream (HTTP/2 error 8)"));
        request.complete();

        assertThatThrownBy(request.future::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IOException.class)
                .hasMessage("the server reset the stream (HTTP/2 error 8)");
        assertThat(piece.refCnt()).as("the frame's buffer stays the decoder's").isEqualTo(1);
    }
}
