/**
 * How long both backends keep multipart upload state. The gateway passes the configured abandoned age
 * (MULTIPART_ABANDONED_HOURS, whose default is the same 7 days); a store built without it uses this one.
 */

/** Uploads started this long ago and not completed are aborted in the background. */
export const DEFAULT_ABANDONED_UPLOAD_MS = 7 * 24 * 3600 * 1000;
/** A finished upload is remembered this long, so that a retried Complete answers as the first did. */
export const COMPLETED_UPLOAD_MEMORY_MS = 3600 * 1000;
