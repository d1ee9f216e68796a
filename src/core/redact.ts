// Removes secrets from text that is about to be logged or shown. A last line of defence: code
// should not put secrets into messages in the first place.

const patterns: [RegExp, string][] = [
  // Authorization headers and bearer tokens
  [/\b(authorization\s*[:=]\s*)(basic|bearer)\s+[^\s",']+/gi, '$1$2 ***'],
  [/\bbearer\s+[A-Za-z0-9\-_.~+/]+=*/gi, 'Bearer ***'],
  // user:password@host in URLs
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@\s/]+@/gi, '$1***@'],
  // "password": "…", password=…, and friends (JSON and query strings)
  [
    /("?(?:password|passwd|secret|token|access_token|refresh_token|client_secret|restAuthCredential\.password)"?\s*[:=]\s*)("[^"]*"|[^\s,&}]+)/gi,
    '$1"***"',
  ],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, replacement] of patterns) out = out.replace(re, replacement);
  return out;
}
