package dev.berth.controller.validation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The problems found in a spec, each naming its field ({@code spec.port: must be between 1 and 65535}). The same
 * rules as the CRD schema, checked in code because an API server that does not enforce the schema (the in-process
 * one) would otherwise let them through. Values are echoed only where a check says so: never for free text that
 * could hold something private.
 */
public final class SpecViolations {
    /** Kubernetes caps event messages at 1 KiB; a condition message this long is already unreadable. */
    private static final int MAX_MESSAGE = 1000;
    private final List<String> problems = new ArrayList<>();

    public SpecViolations add(String field, String problem) {
        problems.add(field + ": " + problem);
        return this;
    }

    /** Required: not null, and not blank when a string. Returns whether the value is present. */
    public boolean required(String field, Object value) {
        if (value == null || value instanceof String s && s.isBlank()) {
            add(field, "required");
            return false;
        }
        return true;
    }

    /** When the value is present it must match the regex; {@code expected} says in words what is allowed. */
    public SpecViolations matches(String field, String value, String regex, String expected) {
        if (value != null && !Pattern.compile(regex).matcher(value).matches()) {
            add(field, "must be " + expected);
        }
        return this;
    }

    public SpecViolations range(String field, Integer value, long min, long max) {
        if (value != null && (value < min || value > max)) {
            add(field, "must be between " + min + " and " + max + " (got " + value + ")");
        }
        return this;
    }

    public SpecViolations atLeast(String field, Integer value, long min) {
        if (value != null && value < min) {
            add(field, "must be at least " + min + " (got " + value + ")");
        }
        return this;
    }

    public SpecViolations noWhitespace(String field, String value) {
        if (value != null && value.chars().anyMatch(Character::isWhitespace)) {
            add(field, "must not contain whitespace");
        }
        return this;
    }

    /** Exactly one of the named fields set (cross-field rule). */
    public SpecViolations exactlyOne(String prefix, String nameA, Object a, String nameB, Object b) {
        if ((a == null) == (b == null)) {
            add(prefix.isEmpty() ? nameA + "/" + nameB : prefix,
                    "exactly one of " + nameA + " and " + nameB + " must be set");
        }
        return this;
    }

    public void addAll(Collection<String> more) {
        problems.addAll(more);
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** "Invalid spec: spec.port: must be ...; spec.host: required". */
    public String message() {
        String m = "Invalid spec: " + String.join("; ", problems);
        return m.length() <= MAX_MESSAGE ? m : m.substring(0, MAX_MESSAGE - 3) + "...";
    }
}
