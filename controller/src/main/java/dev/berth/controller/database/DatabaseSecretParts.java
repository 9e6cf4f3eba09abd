package dev.berth.controller.database;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the Secrets Berth writes for a StandaloneDatabase have in common: their labels and annotation (which say whose
 * they are), the owner reference to the database, and base64 data (the API server turns {@code stringData} into
 * {@code data}, fabric8's mock does not, so Berth writes {@code data}).
 */
final class DatabaseSecretParts {
    /** Which of a database's Secrets this is: {@code credentials} or {@code connection}. */
    static final String LABEL_SECRET = "berth.dev/secret";
    /** The database a Secret belongs to, by name (an annotation: names may be longer than a label value). */
    static final String ANNOTATION_DATABASE = "berth.dev/database";

    private DatabaseSecretParts() {
    }

    static Map<String, String> labels(String role) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Berth.LABEL_MANAGED, "true");
        labels.put(LABEL_SECRET, role);
        return labels;
    }

    /** True when Berth made {@code secret} as {@code role} for the database {@code db} (labels and annotation agree). */
    static boolean madeFor(Secret secret, String role, StandaloneDatabase db) {
        Map<String, String> labels = secret.getMetadata().getLabels();
        Map<String, String> annotations = secret.getMetadata().getAnnotations();
        return labels != null && "true".equals(labels.get(Berth.LABEL_MANAGED)) && role.equals(labels.get(LABEL_SECRET))
                && annotations != null && db.getMetadata().getName().equals(annotations.get(ANNOTATION_DATABASE));
    }

    static OwnerReference ownerReference(StandaloneDatabase db) {
        return new OwnerReferenceBuilder()
                .withApiVersion(HasMetadata.getApiVersion(StandaloneDatabase.class))
                .withKind(HasMetadata.getKind(StandaloneDatabase.class))
                .withName(db.getMetadata().getName())
                .withUid(db.getMetadata().getUid())
                .withController(true)
                .build();
    }

    /**
     * {@code current} with the owner reference to {@code db} present or absent as {@code owned} says; references to
     * other owners stay, and so does one to an earlier database of the same name (a different uid) unless {@code owned}
     * (then this database's replaces it: only one controller reference is allowed).
     */
    static List<OwnerReference> withOwner(List<OwnerReference> current, StandaloneDatabase db, boolean owned) {
        List<OwnerReference> refs = new ArrayList<>();
        OwnerReference mine = ownerReference(db);
        for (OwnerReference r : current == null ? List.<OwnerReference>of() : current) {
            boolean sameKind = mine.getKind().equals(r.getKind()) && mine.getApiVersion().equals(r.getApiVersion());
            boolean thisOne = sameKind && Objects.equals(mine.getUid(), r.getUid());
            boolean sameName = sameKind && mine.getName().equals(r.getName());
            if (!thisOne && !(owned && sameName)) {
                refs.add(r);
            }
        }
        if (owned) {
            refs.add(mine);
        }
        return refs;
    }

    /** True when {@code refs} holds exactly the reference {@link #ownerReference} would make, or (owned false) none. */
    static boolean ownedAsWanted(List<OwnerReference> refs, StandaloneDatabase db, boolean owned) {
        List<OwnerReference> current = refs == null ? List.of() : refs;
        List<OwnerReference> wanted = withOwner(current, db, owned);
        return current.size() == wanted.size() && new HashSet<>(current).equals(new HashSet<>(wanted));
    }

    static Map<String, String> encode(Map<String, String> values) {
        Map<String, String> data = new LinkedHashMap<>();
        values.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return data;
    }

    /** The Secret's values, decoded; a value that is not base64 is left out (it then counts as missing). */
    static Map<String, String> decode(Secret secret) {
        Map<String, String> values = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> {
                try {
                    values.put(k, new String(Base64.getDecoder().decode(v == null ? "" : v.trim()),
                            StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    // not base64: reported as a missing key rather than used
                }
            });
        }
        if (secret.getStringData() != null) {
            secret.getStringData().forEach(values::putIfAbsent);
        }
        return values;
    }

    static Optional<String> value(Secret secret, String key) {
        return Optional.ofNullable(decode(secret).get(key));
    }
}
