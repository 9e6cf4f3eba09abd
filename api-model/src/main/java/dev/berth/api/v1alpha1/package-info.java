/**
 * The berth.dev/v1alpha1 API: Server, Application, StandaloneDatabase and ScheduledBackup.
 * Plain data classes only; defaults are field initialisers (so they hold even where no API server applies
 * the CRD schema's defaults) and mirrored in the schema with {@code @Default}. Enum fields read their values with
 * {@link dev.berth.api.v1alpha1.TolerantEnumDeserializer}: a value this version does not know is kept by the part
 * holding it ({@link dev.berth.api.v1alpha1.EnumFields}) for the validator to report, never a failure to read.
 */
package dev.berth.api.v1alpha1;
