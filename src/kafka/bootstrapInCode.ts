// The Kafka brokers a job's code names: every string literal that is a comma-separated list of
// host:port, wherever the code puts it (`.option("kafka.bootstrap.servers", "…")`, a variable, a
// dict of options), so the extension can tell which of the clusters it knows the job reads.
const LITERAL = /"""([\s\S]*?)"""|'''([\s\S]*?)'''|"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'/g;
const HOST_PORT = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:\d{1,5}$/;

/** The host:port entries of the code's bootstrap-server-like literals, lower-cased, each once, in order. */
export function brokersNamedIn(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(LITERAL)) {
    const text = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
    const parts = text
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (parts.length === 0 || !parts.every((p) => HOST_PORT.test(p))) continue;
    for (const p of parts) found.add(p.toLowerCase());
  }
  return [...found];
}
