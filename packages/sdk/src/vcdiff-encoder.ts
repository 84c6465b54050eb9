/**
 * @module
 * `@onenet-ota/sdk/vcdiff-encoder`: makes VCDIFF (RFC 3284) patches. Only a platform generates patches, so the
 * encoder is not in the SDK's entry, which devices and browsers bundle; the mock platform imports it from here.
 */
export type { VcdiffOptions } from './diff/vcdiff-encode.ts';
export { createVcdiff } from './diff/vcdiff-encode.ts';
