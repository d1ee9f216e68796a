// Removes secrets from text that is about to be logged or shown. Every log line (the Logger) and
// every message made from an error (userMessage) passes through `redact`. A last line of defence:
// code should not put secrets into messages in the first place. No vscode import.

const HIDDEN = '***';

// Fields whose value is a password-like secret: any text, possibly with spaces, commas, quotes,
// `@` or `/`. Matched as a whole field name or as its last part (sshPassword, restAuthCredential.password).
const PASSWORD_FIELD = String.raw`[\w.-]*(?:password|passwd|pwd|passphrase|private[_-]?key|secret)`;
// Fields whose value is an encoded secret (base64, URL-encoded, a JWT): it holds no spaces or separators.
const ENCODED_FIELD = String.raw`[\w.-]*(?:token|account[_.-]?key|sharedaccesskey|sharedaccesssignature|fs\.azure\.sas)[\w.-]*`;

// A quoted value: JSON "…" with escapes, util.inspect's '…' and `…`.
const QUOTED = String.raw`"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\x60(?:[^\x60\\\n]|\\.)*\x60`;

/**
 * Group 1: a field name that starts a word, optionally quoted (JSON, inspected objects), then
 * `:` or `=`. (Group 2 is the name's quote.)
 */
function field(name: string): string {
  return String.raw`((?<![\w.-])(["'\x60]?)(?:${name})\2[ \t]*[:=][ \t]*(?![ \t]))`;
}

/** Keeps the field and the value's quotes, hides the value. */
function hideValue(_match: string, prefix: string, _q: string, quoted?: string): string {
  const quote = quoted ? quoted[0] : '';
  return `${prefix}${quote}${HIDDEN}${quote}`;
}

/** Credentials that look encoded (base64, a token), so that "Basic tier" or "Bearer token" in prose stay. */
function looksEncoded(token: string): boolean {
  return /[0-9+/=._~-]/.test(token) || (token.length >= 12 && /[A-Z]/.test(token.slice(1)));
}

/** Rules applied in order; later rules see the output of earlier ones and leave *** alone. */
const rules: [RegExp, (...groups: string[]) => string][] = [
  // JSON.parse's own message quotes the text around the fault (V8: `Unexpected token 'x', ..."text"... is not
  // valid JSON`, at most some 40 characters), cut anywhere: a field's name may be cut off while its value
  // shows. The text is dropped. (Bounded repetitions here and below keep every rule linear in the text.)
  [
    /(Unexpected token '[\s\S]{1,2}', )(?:\.\.\.)?"[\s\S]{0,200}?"(?:\.\.\.)? is not valid JSON/g,
    (_m, prefix) => `${prefix}the text (not shown) is not valid JSON`,
  ],
  // PEM private keys, with real or escaped (\n) line breaks; a cut-off key is hidden to the end of the text.
  [
    /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$(?![\s\S]))/g,
    (_m, kind) => `-----BEGIN ${kind}PRIVATE KEY----- ${HIDDEN} -----END ${kind}PRIVATE KEY-----`,
  ],
  // Authorization headers (plain, JSON, inspected): keep the scheme, hide the credentials.
  [
    new RegExp(String.raw`${field('authorization')}(["'\x60]?)(basic|bearer|negotiate|digest|sharedkey)\s+[^\s"'\x60,;}]+`, 'gi'),
    (_m, prefix, _q, quote, scheme) => `${prefix}${quote}${scheme} ${HIDDEN}`,
  ],
  // Any other authorization value: the quoted value, or the rest of the line.
  [new RegExp(String.raw`${field('authorization')}(?!["'\x60]?\w+ \*\*\*)(?:(${QUOTED})|[^\n]+)`, 'gi'), hideValue],
  // In a URL's query a password is URL-encoded and ends at & or #.
  [new RegExp(String.raw`([?&]${PASSWORD_FIELD}=)[^&#\s"'<>]+`, 'gi'), (_m, prefix) => `${prefix}${HIDDEN}`],
  // Password-like fields. A quoted value is hidden when its closing quote really ends the field
  // (a separator or the end of the line follows); otherwise, and for unquoted values, the rest of
  // the line is hidden: the value may hold spaces, commas, quotes, @ or /, and no end can be told.
  [
    new RegExp(String.raw`${field(PASSWORD_FIELD)}(?!\*\*\*|(["'\x60])\*\*\*\3)(?:(${QUOTED})(?=[ \t]*(?:[,;}\])]|$))|[^\n]+)`, 'gim'),
    (match, prefix, q, _again, quoted) => hideValue(match, prefix, q, quoted),
  ],
  // Encoded secrets: storage account keys (AccountKey=…; "fs.azure.account.key.ACCOUNT.blob.core.windows.net": …),
  // SAS tokens, OAuth tokens. An unquoted one ends at the first space or separator.
  [new RegExp(String.raw`${field(ENCODED_FIELD)}(?!\*\*\*)(?:(${QUOTED})|[^\s;&,"'\x60}\])]+)`, 'gi'), hideValue],
  // The signature of a SAS URL or token.
  [/(?<![\w.-])(sig=)(?!\*\*\*)[^&#\s"'<>]+/gi, (_m, prefix) => `${prefix}${HIDDEN}`],
  // user:password@host in URLs: everything up to the last @ of the address (the password may hold @ or /).
  [/((?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/[^/\s:@"']+:)\S{0,512}@/gi, (_m, prefix) => `${prefix}${HIDDEN}@`],
  // Bearer tokens anywhere, and JWTs without a scheme.
  [/\b(bearer\s+)([A-Za-z0-9\-_.~+/]+=*)/gi, (match, prefix, token) => (looksEncoded(token) ? `${prefix}${HIDDEN}` : match)],
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?/g, () => HIDDEN],
  // A bare `Basic <base64>`, from a header echoed in some message.
  [
    /\b(basic\s+)([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/gi,
    (match, prefix, token) => (looksEncoded(token) ? `${prefix}${HIDDEN}` : match),
  ],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, replacement] of rules) out = out.replace(re, replacement);
  return out;
}
