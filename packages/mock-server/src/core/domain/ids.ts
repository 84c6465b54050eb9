const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` random letters and digits from the platform's CSPRNG (web-standard `crypto`). */
export function randomAlphanumeric(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  // 256 % 62 leaves a slight bias towards the first 8 characters; irrelevant for a test platform's ids.
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/** A new upgrade token: `ota_` and 20 letters or digits, the form OneNET issues (schema `UpgradeToken`). */
export function newUpgradeToken(): string {
  return `ota_${randomAlphanumeric(20)}`;
}

/** A new access key: base64 of 32 random bytes, as the OneNET console shows them (schema `AccessKey`). */
export function newAccessKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes));
}
