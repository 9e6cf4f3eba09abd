package dev.berth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import lombok.EqualsAndHashCode;

/**
 * A part of a spec with enum fields. A value this version of Berth does not know (a resource stored against another
 * version of the CRD, or written where no API server enforces the schema) is kept here instead of failing
 * deserialisation, which would stop the informer of the whole kind: the field itself reads {@code null}, the spec's
 * validator reports the value (Ready=False, InvalidSpec), and serialisation writes the text back unchanged (JOSDK
 * clones each resource through JSON before reconciling it, so a value dropped here would turn into the default).
 */
@EqualsAndHashCode
public abstract class EnumFields {
    /** JSON property name → the text found; written back under its own name, and left out of the CRD schema. */
    @JsonAnyGetter
    @SchemaFrom(type = void.class)
    private final Map<String, String> unknownTexts = new TreeMap<>();
    @JsonIgnore
    @EqualsAndHashCode.Exclude
    private final Map<String, List<String>> acceptedSpellings = new TreeMap<>();

    /** The text found in a field and the spellings this version accepts for it. */
    public record UnknownValue(String text, List<String> accepted) {
    }

    /** JSON property name → the unknown value found there; empty when every enum field holds a known value. */
    public Map<String, UnknownValue> unknownValues() {
        Map<String, UnknownValue> values = new TreeMap<>();
        unknownTexts.forEach((name, text) -> values.put(name, new UnknownValue(text, acceptedSpellings.get(name))));
        return Collections.unmodifiableMap(values);
    }

    void keepUnknown(String property, String text, List<String> accepted) {
        unknownTexts.put(property, text);
        acceptedSpellings.put(property, List.copyOf(accepted));
    }
}
