// The emulator's private certificate authority and the loopback server certificate it signs.
//
// Clients trust the CA, never the server certificate directly: NODE_EXTRA_CA_CERTS (child
// processes) or tls.setDefaultCACertificates (in-process) take a CA. The CA is constrained
// (RFC 5280 name constraints) to 127.0.0.1 and localhost, so a copy that ends up in a trust
// store by mistake cannot vouch for any real host.
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  namedBitString,
  objectIdentifier,
  octetString,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der.js';

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extendedKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  nameConstraints: '2.5.29.30',
} as const;

const KEY_USAGE_BIT = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;
const LOOPBACK_IP = Buffer.from([127, 0, 0, 1]);
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface TlsMaterial {
  /** PEM of the CA certificate: what clients must trust. */
  caCertPem: string;
  caCertPath: string;
  /** PEM of the server certificate and its key, for https.createServer. */
  serverCertPem: string;
  serverKeyPem: string;
}

interface CertificateAuthority {
  certPem: string;
  certDer: Buffer;
  key: KeyObject;
  subjectKeyId: Buffer;
  subjectName: Buffer;
}

function distinguishedName(commonName: string): Buffer {
  return sequence(
    set(sequence(objectIdentifier(OID.organization), utf8String('entra-photos emulator'))),
    set(sequence(objectIdentifier(OID.commonName), utf8String(commonName))),
  );
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(objectIdentifier(oid), boolean(true), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

/** SHA-1 of the subjectPublicKey bits: the usual key identifier (RFC 5280 4.2.1.2, method 1). */
function keyIdentifier(spkiDer: Buffer): Buffer {
  return createHash('sha1').update(subjectPublicKeyBits(spkiDer)).digest();
}

/** The key bits inside a DER SubjectPublicKeyInfo: SEQUENCE { AlgorithmIdentifier, BIT STRING }. */
function subjectPublicKeyBits(spki: Buffer): Buffer {
  const header = (offset: number): { headerLength: number; contentLength: number } => {
    const first = spki[offset + 1] ?? 0;
    if (first < 0x80) return { headerLength: 2, contentLength: first };
    const count = first & 0x7f;
    let contentLength = 0;
    for (let i = 0; i < count; i++) contentLength = contentLength * 256 + (spki[offset + 2 + i] ?? 0);
    return { headerLength: 2 + count, contentLength };
  };
  const algorithmOffset = header(0).headerLength;
  const algorithm = header(algorithmOffset);
  const bitStringOffset = algorithmOffset + algorithm.headerLength + algorithm.contentLength;
  const bits = header(bitStringOffset);
  const contentStart = bitStringOffset + bits.headerLength;
  return spki.subarray(contentStart + 1, contentStart + bits.contentLength); // +1 skips the unused-bits byte
}

function signCertificate(tbs: Buffer, signingKey: KeyObject): Buffer {
  const algorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  // For EC keys node:crypto returns the DER ECDSA-Sig-Value that X.509 expects.
  const signature = sign('sha256', tbs, signingKey);
  return sequence(tbs, algorithm, bitString(signature));
}

function toPem(der: Buffer, label: string): string {
  const base64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${base64}-----END ${label}-----\n`;
}

function tbsCertificate(params: {
  issuerName: Buffer;
  subjectName: Buffer;
  spkiDer: Buffer;
  notBefore: Date;
  notAfter: Date;
  extensions: Buffer[];
}): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive
  return sequence(
    explicit(0, smallInteger(2)), // v3
    unsignedInteger(serial),
    sequence(objectIdentifier(OID.ecdsaWithSha256)),
    params.issuerName,
    sequence(time(params.notBefore), time(params.notAfter)),
    params.subjectName,
    params.spkiDer,
    explicit(3, sequence(...params.extensions)),
  );
}

function createCertificateAuthority(): CertificateAuthority {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
  const subjectName = distinguishedName('entra-photos emulator local CA');
  const subjectKeyId = keyIdentifier(spkiDer);
  const now = Date.now();
  const permittedSubtrees = sequence(
    sequence(implicitPrimitive(7, Buffer.concat([LOOPBACK_IP, Buffer.from([255, 255, 255, 255])]))),
    sequence(implicitPrimitive(2, Buffer.from('localhost', 'ascii'))),
  );
  const tbs = tbsCertificate({
    issuerName: subjectName,
    subjectName,
    spkiDer,
    notBefore: new Date(now - HOUR_MS),
    notAfter: new Date(now + 365 * DAY_MS),
    extensions: [
      extension(OID.basicConstraints, true, sequence(boolean(true), smallInteger(0))),
      extension(OID.keyUsage, true, namedBitString([KEY_USAGE_BIT.keyCertSign, KEY_USAGE_BIT.cRLSign])),
      extension(OID.subjectKeyIdentifier, false, octetString(subjectKeyId)),
      extension(OID.nameConstraints, true, sequence(tlvContext0(permittedSubtrees))),
    ],
  });
  const certDer = signCertificate(tbs, privateKey);
  return { certPem: toPem(certDer, 'CERTIFICATE'), certDer, key: privateKey, subjectKeyId, subjectName };
}

/** permittedSubtrees [0] IMPLICIT GeneralSubtrees: a constructed context tag over the SEQUENCE's content. */
function tlvContext0(subtreesSequence: Buffer): Buffer {
  // Re-tag the SEQUENCE (0x30) as [0] constructed (0xa0), keeping its length and content.
  const retagged = Buffer.from(subtreesSequence);
  retagged[0] = 0xa0;
  return retagged;
}

function createServerCertificate(ca: CertificateAuthority): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
  const now = Date.now();
  const tbs = tbsCertificate({
    issuerName: ca.subjectName,
    subjectName: distinguishedName('localhost'),
    spkiDer,
    notBefore: new Date(now - HOUR_MS),
    notAfter: new Date(now + 30 * DAY_MS),
    extensions: [
      extension(OID.basicConstraints, true, sequence()),
      extension(
        OID.keyUsage,
        true,
        namedBitString([KEY_USAGE_BIT.digitalSignature, KEY_USAGE_BIT.keyEncipherment]),
      ),
      extension(OID.extendedKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
      extension(
        OID.subjectAltName,
        false,
        sequence(implicitPrimitive(2, Buffer.from('localhost', 'ascii')), implicitPrimitive(7, LOOPBACK_IP)),
      ),
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spkiDer))),
      extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, ca.subjectKeyId))),
    ],
  });
  const certPem = toPem(signCertificate(tbs, ca.key), 'CERTIFICATE');
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { certPem, keyPem };
}

/** Loads a CA left in the state directory by an earlier run, if it is still usable. */
async function loadCertificateAuthority(certPath: string, keyPath: string): Promise<CertificateAuthority | undefined> {
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  try {
    const certPem = await readFile(certPath, 'utf8');
    const cert = new X509Certificate(certPem);
    const key = createPrivateKey(await readFile(keyPath, 'utf8'));
    const stillValidForAWeek = Date.parse(cert.validTo) - Date.now() > 7 * DAY_MS;
    if (!cert.ca || !stillValidForAWeek || !cert.checkPrivateKey(key)) return undefined;
    const certDer = cert.raw;
    const spkiDer = cert.publicKey.export({ type: 'spki', format: 'der' });
    // The subject is re-encoded exactly as createCertificateAuthority wrote it.
    return {
      certPem,
      certDer,
      key,
      subjectKeyId: keyIdentifier(spkiDer),
      subjectName: distinguishedName('entra-photos emulator local CA'),
    };
  } catch {
    return undefined;
  }
}

/**
 * Creates (or reuses, when the state directory already holds one) the CA, writes `ca.pem` and
 * `ca-key.pem` into `stateDir`, and issues a fresh server certificate for 127.0.0.1/localhost.
 * Reusing the CA lets a developer point NODE_EXTRA_CA_CERTS at a fixed path once.
 */
export async function prepareTls(stateDir: string): Promise<TlsMaterial> {
  const caCertPath = join(stateDir, 'ca.pem');
  const caKeyPath = join(stateDir, 'ca-key.pem');
  let ca = await loadCertificateAuthority(caCertPath, caKeyPath);
  if (!ca) {
    ca = createCertificateAuthority();
    await writeFile(caCertPath, ca.certPem, { mode: 0o644 });
    await writeFile(caKeyPath, ca.key.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
    await chmod(caKeyPath, 0o600);
  }
  const server = createServerCertificate(ca);
  return { caCertPem: ca.certPem, caCertPath, serverCertPem: server.certPem, serverKeyPem: server.keyPem };
}
