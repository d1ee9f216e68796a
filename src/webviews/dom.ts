// What every panel's page shares: building elements with DOM APIs and textContent only, so data
// is never parsed as HTML. Loaded before the page's own script.
// @ts-check
(function () {
  /**
   * @param {string} tag
   * @param {Record<string, any>} [props] text: textContent; on*: event listeners; others: attributes
   * @param {(Node | string)[]} [children]
   */
  function el(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  }
  /** @type {any} */ (window).hdiElement = el;
})();
