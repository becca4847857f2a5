package io.herald.spring.web;

import io.herald.events.HeraldJson;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;

/** An RFC 9457 problem document written straight to a servlet response, by a filter that refuses a request. */
final class Problems {

    static final String TYPE_BASE = "https://herald.dev/problems/";

    private Problems() {}

    static void write(HttpServletResponse response, int status, String kind, String title, String detail)
            throws IOException {
        var problem = new LinkedHashMap<String, Object>();
        problem.put("type", TYPE_BASE + kind);
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        byte[] body = HeraldJson.mapper().writeValueAsBytes(problem);
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }
}
