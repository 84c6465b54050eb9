/**
 * @module
 * A certificate authority of this machine for `ota-mock --tls`, kept in a directory the way mkcert keeps its root:
 * created on first use, reused after, so a device flashed once with `ca.pem` keeps trusting every later session.
 * Keys are RSA 2048 with SHA-256 signatures, what the smallest TLS stacks on modules (mbedTLS builds without ECC,
 * AT-command firmware) accept; OneNET's own chain (DigiCert Global Root CA) is RSA too.
 */
import { generateKeyPair } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

/** A CA: its certificate (PEM, what the device trusts) and the key that signs server certificates. */
export interface Authority {
  /** The CA certificate in PEM: flash this into the device, or pass it to `ota-device --ca`. */
  certificate: string;
  /** Where `certificate` is on disk. */
  certificateFile: string;
  /** Whether this call created it (the device does not trust it yet). */
  created: boolean;
  /** The CA's private key, PKCS#8 PEM. */
  key: string;
}

/** The certificate and key a TLS server presents, in PEM. */
export interface ServerCredentials {
  cert: string;
  key: string;
}

/**
 * Where the CA lives unless told: `$OTA_MOCK_CAROOT`, else `$XDG_CONFIG_HOME/ota-mock/ca`, else
 * `~/.config/ota-mock/ca`. One per user, not per run: a device flashed with it once stays good.
 */
export function defaultAuthorityDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OTA_MOCK_CAROOT) return env.OTA_MOCK_CAROOT;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'ota-mock', 'ca');
}

/** Reads the CA in `dir` (`ca.pem`, `ca-key.pem`), creating both when absent. */
export async function loadOrCreateAuthority(dir: string): Promise<Authority> {
  const certificateFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'ca-key.pem');
  try {
    return {
      certificate: readFileSync(certificateFile, 'utf8'),
      certificateFile,
      created: false,
      key: readFileSync(keyFile, 'utf8'),
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const keys = await rsaKeys();
  const ca = certificate(keys.publicKey, 'ota-mock local CA', 3_650);
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(forge.pki.privateKeyFromPem(keys.privateKey), forge.md.sha256.create());
  const pem = forge.pki.certificateToPem(ca);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, keys.privateKey, { mode: 0o600 });
  writeFileSync(certificateFile, pem);
  return { certificate: pem, certificateFile, created: true, key: keys.privateKey };
}

/**
 * A server certificate signed by `authority` for `names` (host names and IP addresses). OneNET's own host names are
 * always included, so a device that resolves `iot-api.heclouds.com` to this machine (a hosts entry, a DNS override on
 * the bench router) verifies the host name as it would in the field.
 */
export async function issueServerCertificate(authority: Authority, names: string[]): Promise<ServerCredentials> {
  const keys = await rsaKeys();
  const all = [...new Set([...names, 'localhost', '127.0.0.1', '::1', ...oneNetHosts])];
  // Under 398 days, the longest a server certificate may live for clients that enforce it.
  const server = certificate(keys.publicKey, 'ota-mock', 397);
  server.setIssuer(forge.pki.certificateFromPem(authority.certificate).subject.attributes);
  server.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: all.map((name) => (isIpAddress(name) ? { type: 7, ip: name } : { type: 2, value: name })),
    },
  ]);
  server.sign(forge.pki.privateKeyFromPem(authority.key), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(server), key: keys.privateKey };
}

/** The hosts OneNET's devices are built to reach, one per generation. */
const oneNetHosts = ['ota.heclouds.com', 'studio-ota.heclouds.com', 'iot-api.heclouds.com'];

// Keys come from node:crypto (native, milliseconds); node-forge only writes the certificates.
function rsaKeys(): Promise<{ publicKey: string; privateKey: string }> {
  return promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

function certificate(publicKeyPem: string, commonName: string, days: number): forge.pki.Certificate {
  const made = forge.pki.createCertificate();
  made.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  // Positive, 16 random bytes: unique per certificate, as RFC 5280 asks.
  made.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
  const now = Date.now();
  // A day back: a device whose clock lags still accepts it.
  made.validity.notBefore = new Date(now - 86_400_000);
  made.validity.notAfter = new Date(now + days * 86_400_000);
  made.setSubject([
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'onenet-ota-kit' },
  ]);
  return made;
}

function isIpAddress(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(':');
}
