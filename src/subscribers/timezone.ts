// Time zones: accept any IANA name (or a backward-compatible link such as US/Eastern) and store one canonical
// name, so two spellings of one zone never differ and the schedule always uses a name luxon knows.
// ICU (behind Intl) resolves links, but to CLDR's *legacy* canonical names (Asia/Kolkata → Asia/Calcutta,
// Europe/Kyiv → Europe/Kiev), and which names it returns changes with the ICU version. So: Intl resolves, then
// CLDR_TO_IANA maps CLDR's legacy names to the current IANA ones. Same result on every ICU we know of.
import { IANAZone } from 'luxon';

/** CLDR canonical (legacy) id → current IANA canonical id. */
const CLDR_TO_IANA: Record<string, string> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
  'Etc/UTC': 'UTC',
  'Etc/GMT': 'UTC',
};

const MAX_ZONE_LENGTH = 64;

// Building an Intl.DateTimeFormat costs a few hundred µs; a CSV import asks about the same few zones 10,000 times.
// A pure memo (the answer for a name never changes within a process), bounded against junk input.
const memo = new Map<string, string | null>();
const MEMO_MAX = 2_000;

/** The canonical IANA name for `name` (case-insensitive; links resolved), or null when it is not a zone. */
export function canonicalZone(name: string): string | null {
  if (typeof name !== 'string') return null;
  const known = memo.get(name);
  if (known !== undefined) return known;
  const result = resolveZone(name);
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(name, result);
  return result;
}

function resolveZone(name: string): string | null {
  const trimmed = name.trim();
  // Offsets ("+05:00") and abbreviations other than UTC/GMT are not zones: they do not follow DST.
  if (!trimmed || trimmed.length > MAX_ZONE_LENGTH || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(trimmed)) return null;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  const canonical = CLDR_TO_IANA[resolved] ?? resolved;
  return IANAZone.isValidZone(canonical) ? canonical : null;
}
