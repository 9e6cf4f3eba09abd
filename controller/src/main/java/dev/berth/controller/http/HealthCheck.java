package dev.berth.controller.http;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * One line of /readyz. {@code problem} returns empty when all is well, else a short reason. A {@code required}
 * check failing makes the operator not ready (HTTP 503); an optional one only shows as degraded in the body.
 */
public record HealthCheck(String name, boolean required, Supplier<Optional<String>> problem) {
}
