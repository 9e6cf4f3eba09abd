package dev.berth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an enum of the API by its spellings ({@code @JsonProperty} name, else the constant's name, plus any
 * {@code @JsonAlias}). A value it does not know, met in a field of an {@link EnumFields} part, is kept there and the
 * field reads {@code null}; anywhere else it fails as Jackson's own enum handling does.
 */
public final class TolerantEnumDeserializer extends StdDeserializer<Enum<?>> implements ContextualDeserializer {
    private final Map<String, Enum<?>> bySpelling;

    public TolerantEnumDeserializer() {
        this(Enum.class, Map.of());
    }

    private TolerantEnumDeserializer(Class<?> type, Map<String, Enum<?>> bySpelling) {
        super(type);
        this.bySpelling = bySpelling;
    }

    @Override
    public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
        JavaType type = ctxt.getContextualType() != null ? ctxt.getContextualType()
                : property == null ? null : property.getType();
        if (type == null || !type.isEnumType()) {
            throw new IllegalStateException("TolerantEnumDeserializer is for enum types, not " + type);
        }
        return new TolerantEnumDeserializer(type.getRawClass(), spellings(type.getRawClass()));
    }

    /** Every spelling of every constant of {@code type}, in declaration order. */
    private static Map<String, Enum<?>> spellings(Class<?> type) {
        Map<String, Enum<?>> spellings = new LinkedHashMap<>();
        for (Object constant : type.getEnumConstants()) {
            Enum<?> e = (Enum<?>) constant;
            try {
                var field = type.getField(e.name());
                JsonProperty name = field.getAnnotation(JsonProperty.class);
                spellings.put(name == null || name.value().isEmpty() ? e.name() : name.value(), e);
                JsonAlias aliases = field.getAnnotation(JsonAlias.class);
                if (aliases != null) {
                    for (String alias : aliases.value()) {
                        spellings.put(alias, e);
                    }
                }
            } catch (NoSuchFieldException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        return spellings;
    }

    @Override
    public Enum<?> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (!p.currentToken().isScalarValue()) {
            return (Enum<?>) ctxt.handleUnexpectedToken(handledType(), p);
        }
        String text = p.getText();
        Enum<?> known = bySpelling.get(text);
        if (known != null) {
            return known;
        }
        if (p.currentValue() instanceof EnumFields part && p.currentName() != null) {
            part.keepUnknown(p.currentName(), text, List.copyOf(bySpelling.keySet()));
            return null;
        }
        return (Enum<?>) ctxt.handleWeirdStringValue(handledType(), text, "not one of %s", bySpelling.keySet());
    }
}
