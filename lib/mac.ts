// MAC addresses: the one reading of an operator's, a file name's or a URL's spelling, to the
// lower-case colon form the database, bootd's view and the boot file names use.
//
// Accepted: 12 hex digits, any case, either bare (aabbcc001122) or in the three spellings tools
// print: six pairs with one separator throughout, ":" (Linux, iPXE) or "-" (Windows, pxelinux's
// 01-aa-bb-… file names), or three groups of four with "." (Cisco). Refused: mixed or doubled
// separators, groups of other sizes (a:abbcc001122), spaces inside, anything but hex: such a
// string is more likely a typo than a MAC, and guessing would claim the wrong machine.

const bare = /^[0-9a-f]{12}$/;
const pairs = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/;
const quads = /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/;

/** The pattern of the accepted spellings, for the OpenAPI document and the API's messages. */
export const macSpellingPattern = '^\\s*([0-9A-Fa-f]{12}|[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\\2[0-9A-Fa-f]{2}){4}|[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4})\\s*$';

/** aa:bb:cc:dd:ee:ff from an accepted spelling (surrounding blanks ignored), else null. */
export function normalizeMac(text: string): string | null {
  const t = text.trim().toLowerCase();
  if (!bare.test(t) && !pairs.test(t) && !quads.test(t)) return null;
  return t.replace(/[:.-]/g, '').match(/../g)!.join(':');
}
