// Small DOM helpers. Everything goes into the page as text (textContent, attributes), never as HTML: a
// cell holding markup shows the markup.

export type Child = Node | string | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  append(node, ...children);
  return node;
}

export function append(node: Node & ParentNode, ...children: Child[]): void {
  for (const c of children) if (c !== undefined && c !== false) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
}

export type Button = HTMLElement & { disabled: boolean; secondary: boolean };

export function button(label: string, onClick: () => void, opts: { secondary?: boolean; disabled?: boolean; title?: string; id?: string } = {}): Button {
  const b = document.createElement('vscode-button') as Button;
  b.textContent = label;
  if (opts.id) b.id = opts.id;
  if (opts.title) b.title = opts.title;
  b.secondary = opts.secondary ?? false;
  b.disabled = opts.disabled ?? false;
  b.addEventListener('click', () => {
    if (!b.disabled) onClick();
  });
  return b;
}

/** Sets a text only when it differs, so an unchanged node is left alone. */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

export function setDisabled(b: Button, disabled: boolean): void {
  if (b.disabled !== disabled) b.disabled = disabled;
}

export function show(node: HTMLElement, visible: boolean): void {
  if (node.hidden === visible) node.hidden = !visible;
}

/** Sets an input's value unless the user is in it (their text and caret win) or it already holds it. */
export function setValue(input: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  if (input.value !== value && document.activeElement !== input) input.value = value;
}

/**
 * Puts the wanted nodes into `parent` in the given order and takes out the unwanted ones, moving only what
 * is out of place: a node already where it belongs (a focused grid cell's table) is not touched.
 */
export function place(parent: Node & ParentNode, parts: [Node, boolean][]): void {
  let prev: Node | null = null;
  for (const [node, wanted] of parts) {
    if (!wanted) {
      if (node.parentNode === parent) parent.removeChild(node);
      continue;
    }
    const at: Node | null = prev ? prev.nextSibling : parent.firstChild;
    if (at !== node) parent.insertBefore(node, at);
    prev = node;
  }
}
