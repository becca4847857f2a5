package io.herald.gateway.problems;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Tomcat's answer to what it refuses before Spring sees it (a path with an encoded slash or a NUL, a request
 * line it cannot parse): a problem document like every other refusal, instead of Tomcat's HTML error page.
 */
public final class ProblemReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0) {
            return;
        }
        var ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get() || !response.setErrorReported()) {
            return;
        }
        String kind = ApiProblem.kindOf(status);
        String title = ApiProblem.titleOf(status);
        String body =
                "{\"type\":\"" + ApiProblem.TYPE_BASE + kind + "\",\"title\":\"" + title + "\",\"status\":" + status
                        + ",\"detail\":\"the request was refused before it reached Herald: check its path and headers\"}";
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding("utf-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // The connection is gone or the response already under way: nothing more to say.
        }
    }
}
