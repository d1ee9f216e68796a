// What both pages share: building elements with DOM APIs and textContent only, so data is never
// parsed as HTML, and the page's typed link to its panel. Bundled into each page's script.

/** What VS Code gives a webview page to talk to its panel (once per page). */
declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

type Listener<E extends Event> = (event: E) => unknown;

/** `text`: the element's textContent; `on…`: event listeners; the others: attributes. */
export interface Props {
  text?: string;
  onclick?: Listener<MouseEvent>;
  onkeydown?: Listener<KeyboardEvent>;
  oninput?: Listener<Event>;
  onchange?: Listener<Event>;
  [attribute: string]: string | Listener<never> | undefined;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    if (k === 'text') node.textContent = typeof v === 'string' ? v : '';
    else if (k.startsWith('on')) {
      if (typeof v === 'function') node.addEventListener(k.slice(2), v as EventListener);
    } else if (typeof v === 'string') node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

/**
 * Connects the page to its panel: `receive` gets each message from the panel whose `type` is one
 * of `types` (every type the protocol has, as the compiler checks), and the function returned
 * posts only what the protocol lets the page send. This is the one place where what arrives is
 * taken as a protocol message.
 */
export function connect<ToHost extends { type: string }, ToPage extends { type: string }>(
  types: Record<ToPage['type'], true>,
  receive: (message: ToPage) => void,
): (message: ToHost) => void {
  const vscode = acquireVsCodeApi();
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const data = event.data;
    if (typeof data === 'object' && data !== null && 'type' in data && typeof data.type === 'string' && Object.hasOwn(types, data.type)) {
      receive(data as ToPage);
    }
  });
  return (message) => vscode.postMessage(message);
}
