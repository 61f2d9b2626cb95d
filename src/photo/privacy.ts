/**
 * Personal metadata detection, from the blocks sharp's `metadata()` already returns (EXIF,
 * XMP, IPTC, PNG text) — no decoding and no extra dependency. Everything is stripped from the
 * uploaded photo anyway; these findings exist because the original, with its metadata, is in
 * git history, and student portraits are personal data of minors.
 *
 * Parsers are defensive: any malformed block is treated as "nothing found", never an error.
 */

export interface PrivacyFindings {
  /** The photo carries GPS position (EXIF GPS IFD or XMP exif:GPS*). */
  gps: boolean;
  /** Friendly names of other personal fields present, e.g. "camera serial number". */
  personal: string[];
}

/** The metadata blocks we look at; a subset of sharp's `Metadata`. */
export interface MetadataBlocks {
  exif?: Buffer | undefined;
  xmp?: Buffer | undefined;
  xmpAsString?: string | undefined;
  iptc?: Buffer | undefined;
  comments?: ReadonlyArray<{ keyword: string; text: string }> | undefined;
}

export function findPersonalMetadata(meta: MetadataBlocks): PrivacyFindings {
  const personal = new Set<string>();
  let gps = false;
  if (meta.exif) {
    const exif = readExif(meta.exif);
    gps ||= exif.gps;
    exif.personal.forEach((p) => personal.add(p));
  }
  const xmp = meta.xmpAsString ?? meta.xmp?.toString('utf8');
  if (xmp) {
    const x = scanXmp(xmp);
    gps ||= x.gps;
    x.personal.forEach((p) => personal.add(p));
  }
  if (meta.iptc) scanIptc(meta.iptc).forEach((p) => personal.add(p));
  for (const c of meta.comments ?? []) {
    if (/^(author|artist|owner|creator)$/i.test(c.keyword) && c.text.trim()) personal.add('author name (PNG text)');
  }
  return { gps, personal: [...personal].sort() };
}

// ---------------------------------------------------------------------------------------------
// EXIF (a TIFF structure, optionally prefixed with "Exif\0\0")

const IFD0_PERSONAL: ReadonlyMap<number, string> = new Map([
  [0x013b, 'artist/photographer name'],
  [0x010e, 'image description'],
  [0x9c9b, 'title (Windows)'],
  [0x9c9c, 'comment (Windows)'],
  [0x9c9d, 'author (Windows)'],
  [0x9c9f, 'subject (Windows)'],
]);
const EXIF_IFD_PERSONAL: ReadonlyMap<number, string> = new Map([
  [0xa430, 'camera owner name'],
  [0xa431, 'camera serial number'],
  [0xa435, 'lens serial number'],
  [0x9286, 'user comment'],
]);
const TAG_EXIF_IFD = 0x8769;
const TAG_GPS_IFD = 0x8825;
/** Values cameras write into ImageDescription/UserComment by themselves. */
const PLACEHOLDER = /^(|[\s\0]*|.*digital camera.*|sony dsc|default|ascii|unicode)$/i;

interface Entry {
  tag: number;
  type: number;
  count: number;
  /** Offset (into the TIFF buffer) of the value bytes. */
  valueAt: number;
}

export function readExif(raw: Buffer): { gps: boolean; personal: string[] } {
  const found = { gps: false, personal: [] as string[] };
  try {
    const tiff = raw.toString('latin1', 0, 6) === 'Exif\0\0' ? raw.subarray(6) : raw;
    if (tiff.length < 8) return found;
    const order = tiff.toString('latin1', 0, 2);
    if (order !== 'II' && order !== 'MM') return found;
    const le = order === 'II';
    const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
    const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
    const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };

    const readIfd = (offset: number): Entry[] => {
      if (offset < 8 || offset + 2 > tiff.length) return [];
      const n = u16(offset);
      const entries: Entry[] = [];
      for (let i = 0; i < n; i++) {
        const at = offset + 2 + i * 12;
        if (at + 12 > tiff.length) break;
        const type = u16(at + 2);
        const count = u32(at + 4);
        const size = (TYPE_SIZE[type] ?? 1) * count;
        const valueAt = size <= 4 ? at + 8 : u32(at + 8);
        entries.push({ tag: u16(at), type, count, valueAt });
      }
      return entries;
    };
    const hasContent = (e: Entry): boolean => {
      const size = e.type === 3 ? e.count * 2 : e.count;
      if (e.valueAt + size > tiff.length || size === 0) return false;
      let bytes = tiff.subarray(e.valueAt, e.valueAt + size);
      // UserComment starts with an 8-byte character-code prefix.
      if (e.tag === 0x9286) bytes = bytes.subarray(8);
      // Windows XP* tags are UCS-2; drop NULs to read them as text.
      const text = [...bytes].filter((b) => b !== 0).map((b) => String.fromCharCode(b)).join('').trim();
      return !PLACEHOLDER.test(text);
    };

    const ifd0 = readIfd(u32(4));
    for (const e of ifd0) {
      const label = IFD0_PERSONAL.get(e.tag);
      if (label && hasContent(e)) found.personal.push(label);
      if (e.tag === TAG_GPS_IFD) {
        const gpsIfd = readIfd(u32(e.valueAt));
        // Tag 0 is GPSVersionID alone; anything else is position, time or direction data.
        found.gps = gpsIfd.some((g) => g.tag !== 0x0000);
      }
      if (e.tag === TAG_EXIF_IFD) {
        for (const x of readIfd(u32(e.valueAt))) {
          const l = EXIF_IFD_PERSONAL.get(x.tag);
          if (l && hasContent(x)) found.personal.push(l);
        }
      }
    }
  } catch {
    // Malformed EXIF: nothing we can say. The block is stripped before upload regardless.
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// XMP (RDF/XML text) — element or attribute names are enough to know a field is present.

const XMP_PERSONAL: ReadonlyArray<[RegExp, string]> = [
  [/dc:creator\b/, 'creator name (XMP)'],
  [/Iptc4xmpCore:CreatorContactInfo\b/, 'creator contact details (XMP)'],
  [/Iptc4xmpExt:PersonInImage\b|MP:PersonDisplayName\b|MPRI:PersonDisplayName\b|mwg-rs:Name\b/, 'names of people in the photo (XMP)'],
  [/photoshop:(City|State|Country)\b|Iptc4xmpCore:(Location|CountryCode)\b|Iptc4xmpExt:LocationShown\b/, 'location (XMP)'],
  [/aux:SerialNumber\b|exifEX:BodySerialNumber\b|aux:LensSerialNumber\b|exifEX:LensSerialNumber\b/, 'camera serial number (XMP)'],
  [/aux:OwnerName\b|exifEX:CameraOwnerName\b/, 'camera owner name (XMP)'],
];

function scanXmp(xmp: string): { gps: boolean; personal: string[] } {
  const gps = /exif:GPS(Latitude|Longitude)\b/.test(xmp);
  const personal = XMP_PERSONAL.filter(([re]) => re.test(xmp)).map(([, label]) => label);
  return { gps, personal };
}

// ---------------------------------------------------------------------------------------------
// IPTC-IIM records (0x1C, record 2, dataset, length), possibly inside a Photoshop 8BIM block.

const IPTC_PERSONAL: ReadonlyMap<number, string> = new Map([
  [80, 'creator name (IPTC)'],
  [90, 'location (IPTC)'],
  [92, 'location (IPTC)'],
  [95, 'location (IPTC)'],
  [101, 'location (IPTC)'],
  [118, 'contact details (IPTC)'],
  [120, 'caption (IPTC)'],
]);

function scanIptc(buf: Buffer): string[] {
  const found = new Set<string>();
  let i = 0;
  while (i + 5 <= buf.length) {
    if (buf[i] === 0x1c && buf[i + 1] === 0x02) {
      const dataset = buf[i + 2]!;
      const len = buf.readUInt16BE(i + 3);
      if (len & 0x8000) break; // extended length: not used for text fields; stop scanning
      const label = IPTC_PERSONAL.get(dataset);
      if (label && len > 0 && buf.subarray(i + 5, i + 5 + len).toString('latin1').trim()) found.add(label);
      i += 5 + len;
    } else {
      i++;
    }
  }
  return [...found];
}
