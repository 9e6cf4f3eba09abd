package dev.berth.controller.validation;

import dev.berth.api.v1alpha1.Patterns;
import dev.berth.api.v1alpha1.ScheduledBackupSpec;
import dev.berth.controller.schedule.CronSchedule;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/** The ScheduledBackup spec's rules: cron and time zone, a destination with s3 or host, retention, timeout. */
public final class ScheduledBackupSpecValidator {
    private static final String BUCKET = "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$";
    private static final String DATABASE_NAME = "^[A-Za-z_][A-Za-z0-9_$-]{0,62}$";

    private ScheduledBackupSpecValidator() {
    }

    public static SpecViolations validate(ScheduledBackupSpec spec) {
        SpecViolations v = new SpecViolations();
        if (spec == null) {
            return v.add("spec", "required");
        }
        FieldRules.localRef(v, "spec.databaseRef", spec.getDatabaseRef(), true);
        if (v.required("spec.schedule", spec.getSchedule())) {
            try {
                CronSchedule.parseCron(spec.getSchedule());
            } catch (IllegalArgumentException e) {
                v.add("spec.schedule", e.getMessage());
            }
        }
        try {
            CronSchedule.zone(spec.getTimeZone());
        } catch (IllegalArgumentException e) {
            v.add("spec.timeZone", e.getMessage());
        }
        List<String> databases = spec.getDatabases() == null ? List.of() : spec.getDatabases();
        for (int i = 0; i < databases.size(); i++) {
            if (v.required("spec.databases[" + i + "]", databases.get(i))) {
                v.matches("spec.databases[" + i + "]", databases.get(i), DATABASE_NAME, "a database name");
            }
        }
        if (databases.size() > 1) {
            v.add("spec.databases", "names " + databases.size() + " databases; this version dumps one per "
                    + "ScheduledBackup (make one ScheduledBackup per database, or use all: true)");
        }
        if (Boolean.TRUE.equals(spec.getAll()) && !databases.isEmpty()) {
            v.add("spec.all", "cannot be combined with spec.databases: either list databases or dump all");
        }
        destination(v, spec.getDestination());
        ScheduledBackupSpec.Retention retention = spec.getRetention();
        if (retention != null) {
            v.atLeast("spec.retention.keepLast", retention.getKeepLast(), 1);
            FieldRules.duration(v, "spec.retention.maxAge", retention.getMaxAge());
            v.matches("spec.retention.maxTotalSize", retention.getMaxTotalSize(), Patterns.MEMORY, "a size such as 500m or 10g");
        }
        FieldRules.duration(v, "spec.timeout", spec.getTimeout());
        return v;
    }

    private static void destination(SpecViolations v, ScheduledBackupSpec.Destination destination) {
        if (destination == null) {
            v.add("spec.destination", "required");
            return;
        }
        if (destination.getS3() == null && destination.getHost() == null) {
            v.add("spec.destination", "at least one of s3 and host must be set");
        }
        ScheduledBackupSpec.S3Destination s3 = destination.getS3();
        if (s3 != null) {
            if (v.required("spec.destination.s3.endpoint", s3.getEndpoint())) {
                endpoint(v, s3.getEndpoint());
            }
            if (v.required("spec.destination.s3.bucket", s3.getBucket())) {
                v.matches("spec.destination.s3.bucket", s3.getBucket(), BUCKET,
                        "an S3 bucket name (3-63 lowercase letters, digits, '.', '-')");
            }
            FieldRules.localRef(v, "spec.destination.s3.credentialsSecretRef", s3.getCredentialsSecretRef(), true);
            if (s3.getPrefix() != null && s3.getPrefix().startsWith("/")) {
                v.add("spec.destination.s3.prefix", "must not start with '/'");
            }
            if (s3.getEndpointCA() != null) {
                FieldRules.secretKeyRef(v, "spec.destination.s3.endpointCA", s3.getEndpointCA(), false);
                if (s3.getEndpoint() != null && !s3.getEndpoint().startsWith("https://")) {
                    v.add("spec.destination.s3.endpointCA", "needs an https:// endpoint (plain HTTP has no certificate)");
                }
            }
        }
        ScheduledBackupSpec.HostDestination host = destination.getHost();
        if (host != null && v.required("spec.destination.host.path", host.getPath())) {
            v.matches("spec.destination.host.path", host.getPath(), Patterns.ABSOLUTE_PATH, "an absolute path");
        }
    }

    private static void endpoint(SpecViolations v, String endpoint) {
        try {
            URI uri = new URI(endpoint);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                v.add("spec.destination.s3.endpoint", "must be an http:// or https:// URL with a host");
            } else if (uri.getUserInfo() != null) {
                v.add("spec.destination.s3.endpoint", "must not carry credentials (use credentialsSecretRef)");
            }
        } catch (URISyntaxException e) {
            v.add("spec.destination.s3.endpoint", "must be an http:// or https:// URL with a host");
        }
    }
}
