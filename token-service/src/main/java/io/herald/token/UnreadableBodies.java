package io.herald.token;

import java.net.URI;
import java.util.stream.Collectors;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import tools.jackson.core.JacksonException;

/**
 * A body that cannot be read as what the endpoint takes (not JSON, not an object, a field of the wrong type) is
 * answered with the field at fault, not Spring's "Failed to read request".
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class UnreadableBodies {

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ProblemDetail unreadable(HttpMessageNotReadableException e) {
        String field = null;
        if (e.getCause() instanceof JacksonException jackson
                && !jackson.getPath().isEmpty()) {
            field = jackson.getPath().stream()
                    .map(r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."))
                    .replace(".[", "[");
        }
        var problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.BAD_REQUEST,
                field == null
                        ? "the body must be a JSON object with the documented fields"
                        : field + " has the wrong type or an unknown value");
        problem.setType(URI.create("https://herald.dev/problems/invalid-request"));
        problem.setTitle("Invalid request");
        if (field != null) {
            problem.setProperty("field", field);
        }
        return problem;
    }
}
