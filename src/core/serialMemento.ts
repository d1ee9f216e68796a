// One writer for the extension's global state. VS Code's globalState (ExtensionMemento) holds the
// extension's whole state as one object, flushes it on a timer, and the workbench echoes every
// write back as the whole object (MainThreadStorage.$acceptValue, own writes included), which
// replaces the object in the extension host. Two parts of the extension writing different keys
// at once (the last-known tree and the trusted SSH host keys) lost a write that way: the echo of
// the tree's write landed between the host key's update and its flush, and the key was gone for
// good. Here writes go one at a time, each after the one before was stored and echoed, and a
// key this window wrote is read as written.

/** The part of VS Code's Memento the extension uses. */
export interface StateStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export class SerialMemento implements StateStore {
  private readonly written = new Map<string, string | undefined>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly inner: StateStore) {}

  get<T>(key: string): T | undefined {
    if (!this.written.has(key)) return this.inner.get<T>(key);
    const json = this.written.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  update(key: string, value: unknown): Promise<void> {
    // Stored as JSON, as VS Code stores it: a caller changing its object later changes nothing here.
    this.written.set(key, value === undefined ? undefined : JSON.stringify(value));
    const write = this.queue.then(() => this.inner.update(key, this.get(key)));
    this.queue = write.then(
      () => undefined,
      () => undefined,
    );
    return write;
  }
}
