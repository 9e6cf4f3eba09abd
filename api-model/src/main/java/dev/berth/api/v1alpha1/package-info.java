/**
 * The berth.dev/v1alpha1 API: Server, Application, StandaloneDatabase and ScheduledBackup.
 * Plain data classes only; defaults are field initialisers (so they hold even where no API server applies
 * the CRD schema's defaults) and mirrored in the schema with {@code @Default}.
 */
package dev.berth.api.v1alpha1;
