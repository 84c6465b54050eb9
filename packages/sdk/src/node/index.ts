/**
 * @module
 * `@onenet-ota/sdk/node`: what only Node can do. A file store that survives a restart, the new platform's MQTT
 * upgrade notification, and the `ota-device` command as a function.
 */

export { commandRestore } from './command-restore.ts';
export { fileSource } from './file-source.ts';
export { FileStore } from './file-store.ts';
export type { InformListener, InformListenerOptions } from './inform-listener.ts';
export { listenForInform } from './inform-listener.ts';
export { DeviceUsageError, runOtaDevice, usage as otaDeviceUsage } from './ota-device.ts';
export { runInformed } from './run-informed.ts';
export { shellWord } from './shell-word.ts';
