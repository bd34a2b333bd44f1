/** A configuration the server cannot start with; the message names the key or variable. */
export class ConfigError extends Error {}
