// The preview: a run in flight, the last error, the page toolbar (paging, copies, Export Results…) with the
// export's one-line status, the key warnings,
// the grid (arrow keys move the focused cell, Ctrl+C copies it, PageUp/PageDown page, Shift+Alt+←/→ narrow
// or widen its column) and a cell's whole value. The grid is built when a page arrives; moving the focus
// only moves the tabindex. Columns start at a width fitted to their first values and are resized by
// dragging a header's edge; wider than the panel, the grid scrolls sideways under a sticky header.
import type { PreviewError, PreviewPage } from '../../../protocol/src/preview';
import { isTruncated } from '../../../protocol/src/preview';
import { rowsText } from '../../../protocol/src/export';
import { cellText, isNumericType, isTimeType, plain, shortTime, toCsv, toJson } from '../cells';
import { button, el, place, setDisabled, setText, type Button } from '../dom';
import { sliceMemo, type Feature, type Ui } from '../feature';
import { canExport, type PanelState } from '../state';

function previewGridFeature(): Feature {
  let ui: Ui;
  let root: HTMLElement;
  let current: PanelState | undefined;
  const parts = {} as {
    heading: HTMLElement;
    running: HTMLElement;
    runningText: Text;
    noPreview: HTMLElement;
    toolbar: HTMLElement;
    pages: HTMLElement;
    spacer: HTMLElement;
    copies: HTMLElement;
    exportGroup: HTMLElement;
    exportButton: Button;
    exportStatus: HTMLElement;
    exportRing: HTMLElement;
    exportText: Text;
    exportCancel: Button;
    pageInfo: HTMLElement;
    prev: Button;
    next: Button;
    keyMissing: HTMLElement;
    keyDuplicates: HTMLElement;
    whole: HTMLElement;
  };
  let errorBox: HTMLElement | undefined;
  let shownError: PreviewError | undefined;
  let grid: HTMLElement | undefined;
  let shownPage: PreviewPage | undefined;
  let shownFocus: PanelState['focus'] | undefined;
  let shownWhole: PanelState['preview']['whole'];
  /** The widths of the grid's columns as last set, for the next page of the same columns. */
  let kept: { key: string; widths: string[]; table: string } | undefined;
  const changed = sliceMemo();

  const page = () => current?.preview.page;
  const running = () => current?.preview.running !== undefined;

  return {
    mount(r, u) {
      ui = u;
      root = r;
      parts.runningText = document.createTextNode('');
      parts.running = el('div', { class: 'status', id: 'running' }, document.createElement('vscode-progress-ring'), parts.runningText, button('Cancel', () => ui.post({ type: 'cancel' }), { secondary: true, id: 'cancel-query' }));
      parts.noPreview = el('p', { class: 'muted', id: 'no-preview' }, 'Run the query to see its first 50 rows.');
      parts.prev = button('◀ Previous', () => goTo(-1), { secondary: true, id: 'prev', title: 'Previous page (Page Up)' });
      parts.next = button('Next ▶', () => goTo(1), { secondary: true, id: 'next', title: 'Next page (Page Down)' });
      parts.pageInfo = el('span', { id: 'page-info' });
      const copyPage = (what: 'CSV' | 'JSON') => {
        const p = page();
        if (!p) return;
        const columns = p.columns.map((c) => c.name);
        ui.post({ type: 'copy', what: `page as ${what}`, text: what === 'CSV' ? toCsv(columns, p.rows) : toJson(columns, p.rows) });
      };
      parts.pages = el('span', { class: 'group', role: 'group', 'aria-label': 'Pages' }, parts.prev, parts.pageInfo, parts.next);
      parts.spacer = el('span', { class: 'spacer' });
      parts.copies = el(
        'span',
        { class: 'group', role: 'group', 'aria-label': 'Copy', id: 'copy-actions' },
        el('span', { class: 'muted' }, 'Copy'),
        button('Cell', () => copyFocused('cell'), { secondary: true, id: 'copy-cell', title: 'Copy the focused cell (Ctrl+C)' }),
        button('Row', () => copyFocused('row'), { secondary: true, id: 'copy-row', title: 'Copy the focused row as JSON' }),
        button('Page as CSV', () => copyPage('CSV'), { secondary: true, id: 'copy-csv' }),
        button('Page as JSON', () => copyPage('JSON'), { secondary: true, id: 'copy-json' }),
      );
      // The copies take this page; an export runs the whole query again, so it is there before the first
      // run too (disabled, saying why), where a person looks for it.
      parts.exportButton = button('Export Results…', () => ui.post({ type: 'exportResults' }), { secondary: true, id: 'export-results', disabled: true });
      parts.exportGroup = el('span', { class: 'group export', role: 'group', 'aria-label': 'Export' }, parts.exportButton);
      parts.toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Preview' });
      parts.exportText = document.createTextNode('');
      parts.exportRing = document.createElement('vscode-progress-ring');
      parts.exportCancel = button('Cancel', () => ui.post({ type: 'cancelExport' }), { secondary: true, id: 'cancel-export', title: 'Stop the export; nothing is written' });
      parts.exportStatus = el('div', { class: 'status', id: 'export-status', role: 'status' });
      parts.keyMissing = el('p', { class: 'warning', id: 'key-missing' });
      parts.keyDuplicates = el('p', { class: 'warning', id: 'key-duplicates' });
      parts.whole = el('div', { class: 'whole', id: 'whole-value' });
      parts.heading = el('h2', {}, 'Preview');
      root.append(parts.heading);
      document.addEventListener('keydown', (e) => {
        const p = page();
        // Not while typing: PageUp/PageDown belong to the text (and a list of suggestions) there.
        const target = e.target as HTMLElement | null;
        if (!p || running() || (target && (['TEXTAREA', 'INPUT', 'SELECT'].includes(target.tagName) || target.isContentEditable))) return;
        if (e.key === 'PageDown' && p.hasMore) {
          e.preventDefault();
          goTo(1);
        } else if (e.key === 'PageUp' && p.page > 1) {
          e.preventDefault();
          goTo(-1);
        }
      });
    },
    render(s: PanelState) {
      if (!s.data || !changed([s.preview, s.focus, s.export])) return;
      current = s;
      const { page: p, running: run, error, whole } = s.preview;
      setText(parts.runningText, s.preview.status ?? `Running page ${run ?? ''}…`);
      if (error !== shownError) {
        shownError = error;
        errorBox = error ? errorView(error) : undefined;
      }
      const hadFocus = grid?.contains(document.activeElement) ?? false;
      if (p !== shownPage) {
        shownPage = p;
        shownFocus = undefined;
        grid = p ? gridView(p) : undefined;
      }
      if (p) {
        const first = (p.page - 1) * p.pageSize + 1;
        const last = (p.page - 1) * p.pageSize + p.rows.length;
        setText(parts.pageInfo, `Page ${p.page} · rows ${p.rows.length ? `${first}–${last}` : 'none'} · ${p.rowsSoFar} fetched · ${p.hasMore ? 'more rows follow' : 'no more rows'}`);
        setDisabled(parts.prev, p.page <= 1 || run !== undefined);
        setDisabled(parts.next, !p.hasMore || run !== undefined);
        setText(parts.keyMissing, `The primary key "${p.keys.column}" is not among the columns.`);
        const d = p.keys.duplicates;
        setText(parts.keyDuplicates, `Duplicate primary keys so far: ${d.slice(0, 20).join(', ')}${d.length > 20 ? ', …' : ''}`);
      }
      renderExport(s);
      if (whole && whole !== shownWhole) parts.whole.replaceChildren(el('h3', {}, whole.label), el('textarea', { readonly: 'true', rows: '8', 'aria-label': whole.label }, whole.value));
      for (const stale of [...root.children]) if (stale.matches('#preview-error, .grid-wrap') && stale !== errorBox && stale !== grid) stale.remove();
      shownWhole = whole;
      place(root, [
        // The heading first: what follows (a run's progress, an error) belongs to the preview.
        [parts.heading, true],
        [parts.running, run !== undefined],
        ...(errorBox ? [[errorBox, true] as [Node, boolean]] : []),
        [parts.noPreview, !p && run === undefined && !error],
        [parts.toolbar, true],
        [parts.exportStatus, s.export !== undefined],
        [parts.keyMissing, p?.keys.missing === true],
        [parts.keyDuplicates, (p?.keys.duplicates.length ?? 0) > 0],
        ...(grid ? [[grid, true] as [Node, boolean]] : []),
        [parts.whole, p !== undefined && whole !== undefined],
      ]);
      if (shownFocus !== s.focus) {
        shownFocus = s.focus;
        grid?.querySelectorAll('td[tabindex="0"]').forEach((td) => td.setAttribute('tabindex', '-1'));
        const td = cellAt(s.focus.row, s.focus.column);
        td?.setAttribute('tabindex', '0');
        if (hadFocus) td?.focus();
      }
    },
  };

  function renderExport(s: PanelState): void {
    const p = s.preview.page;
    place(parts.toolbar, [
      [parts.pages, p !== undefined],
      [parts.spacer, true],
      [parts.copies, p !== undefined],
      [parts.exportGroup, true],
    ]);
    setDisabled(parts.exportButton, !canExport(s));
    const title = s.export?.running
      ? 'An export of these results is running'
      : p
        ? 'Run the whole query again and write every row to a CSV or JSON Lines file'
        : 'Run the query first: the export writes every row of the query that ran';
    if (parts.exportButton.title !== title) parts.exportButton.title = title;
    const x = s.export;
    if (!x) return;
    setText(parts.exportText, x.running ? `Exporting… ${rowsText(x.rows)}` : x.message);
    parts.exportStatus.classList.toggle('failed', !x.running && !x.ok);
    place(parts.exportStatus, [
      [parts.exportRing, x.running],
      [parts.exportText, true],
      [parts.exportCancel, x.running],
    ]);
  }

  /** Keeps the widths just set for the next grid of the same columns (the table names its layout). */
  function rememberWidths(table: HTMLElement, cols: HTMLElement[]): void {
    kept = { key: table.dataset.layout ?? '', widths: cols.map((c) => c.style.width), table: table.style.width };
  }

  function goTo(delta: number): void {
    const p = page();
    if (p) ui.post({ type: 'page', page: p.page + delta });
  }

  function cellAt(row: number, column: number): HTMLElement | null | undefined {
    return grid?.querySelector<HTMLElement>(`td[data-row="${row}"][data-column="${column}"]`);
  }

  function errorView(error: PreviewError): HTMLElement {
    const box = el('div', { class: 'error', id: 'preview-error', role: 'alert' });
    const where = error.position ? ` (line ${error.position.line}, column ${error.position.column})` : '';
    const title = error.kind === 'cancelled' ? 'Cancelled' : error.kind === 'refused' ? 'Not run' : 'The query failed';
    box.append(el('strong', {}, `${title}${where}`), el('p', { id: 'error-message' }, error.message));
    if (error.position) {
      const pos = error.position;
      box.append(button('Go to line', () => ui.post({ type: 'goToLine', line: pos.line, column: pos.column }), { secondary: true, id: 'goto-line' }));
    }
    return box;
  }

  function gridView(p: PreviewPage): HTMLElement {
    const keyIndex = p.keys.column ? p.columns.findIndex((c) => c.name === p.keys.column) : -1;
    const numeric = p.columns.map((c) => isNumericType(c.type));
    const time = p.columns.map((c) => isTimeType(c.type));
    const table = el('table', { id: 'grid', role: 'grid', 'aria-rowcount': String(p.rows.length + 1) });
    const widths = p.columns.map((c, i) => startWidth(c.name, c.type, p.rows.map((r) => (time[i] && typeof r[i] === 'string' ? shortTime(r[i]) : (r[i] ?? null))), i === keyIndex));
    const fitted = widths.map((w) => `calc(${w}ch + ${CELL_PADDING_PX}px)`);
    // The next page of the same columns keeps the widths the user gave them, so nothing jumps.
    const layoutKey = JSON.stringify(p.columns.map((c) => [c.name, c.type]));
    table.dataset.layout = layoutKey;
    const start = kept?.key === layoutKey ? kept.widths : fitted;
    const cols = start.map((w) => el('col', { style: `width: ${w}` }));
    table.style.width = kept?.key === layoutKey ? kept.table : `calc(${widths.reduce((a, b) => a + b, 0)}ch + ${widths.length * CELL_PADDING_PX}px)`;
    const remember = () => rememberWidths(table, cols);
    table.append(el('colgroup', {}, ...cols));
    const head = el('tr', {});
    p.columns.forEach((c, i) => {
      const th = el('th', { scope: 'col', title: `${c.name}: ${c.type}` }, el('span', { class: 'col-name' }, c.name), el('span', { class: 'col-type' }, c.type));
      if (i === keyIndex) {
        th.classList.add('key');
        th.prepend(el('span', { class: 'key-mark', title: 'primary key' }, 'PK'));
      }
      if (numeric[i]) th.classList.add('number');
      const grip = el('span', { class: 'col-resizer', 'aria-hidden': 'true', title: 'Drag to resize, double-click to fit (keyboard: Shift+Alt+←/→ on a cell)' });
      grip.addEventListener('pointerdown', (e) => dragWidth(e, table, cols, i, remember));
      grip.addEventListener('dblclick', () => {
        setWidth(table, cols, i, fitted[i]!);
        remember();
      });
      th.append(grip);
      head.append(th);
    });
    table.append(el('thead', {}, head));
    const body = el('tbody', {});
    const flagged = new Set(p.keys.flaggedRows);
    p.rows.forEach((row, r) => {
      const tr = el('tr', { 'data-row': String(r) });
      if (flagged.has(r)) {
        tr.classList.add('flagged');
        tr.title = 'NULL or duplicate primary key';
      }
      row.forEach((cell, c) => {
        const td = el('td', { tabindex: '-1', 'data-row': String(r), 'data-column': String(c) });
        if (cell === null) {
          td.classList.add('null');
          td.textContent = 'NULL';
        } else if (cell === '') {
          td.classList.add('empty');
          td.title = 'empty string';
        } else if (isTruncated(cell)) {
          td.append(el('span', {}, `${cell.truncated.slice(0, 200)}…`));
          const more = el('a', { href: '#', class: 'more' }, `show all ${cell.size.toLocaleString('en-US')} chars`);
          more.addEventListener('click', (e) => {
            e.preventDefault();
            ui.post({ type: 'cell', page: p.page, row: r, column: c });
          });
          td.append(' ', more);
        } else {
          const text = cellText(cell);
          const shown = time[c] ? shortTime(text) : text;
          td.textContent = shown.length > 300 ? `${shown.slice(0, 300)}…` : shown;
          if (shown !== text) td.title = text;
          if (numeric[c] || typeof cell === 'number') td.classList.add('number');
        }
        td.addEventListener('focus', () => ui.dispatch({ type: 'focusCell', row: r, column: c }));
        tr.append(td);
      });
      body.append(tr);
    });
    table.append(body);
    table.addEventListener('keydown', (e) => onGridKey(e, p));
    return el('div', { class: 'grid-wrap' }, table);
  }

  function onGridKey(e: KeyboardEvent, p: PreviewPage): void {
    const { row, column } = current?.focus ?? { row: 0, column: 0 };
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const move = moves[e.key];
    // Shift+Alt, not Alt alone: VS Code also hears a webview's keys, and Alt+←/→ is its Go Back/Forward.
    if (e.altKey && e.shiftKey && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
      e.preventDefault();
      const table = grid?.querySelector('table');
      const cols = [...(grid?.querySelectorAll('col') ?? [])] as HTMLElement[];
      const th = grid?.querySelectorAll('th')[column] as HTMLElement | undefined;
      if (table && th) {
        setWidth(table, cols, column, `${Math.max(MIN_WIDTH_PX, th.getBoundingClientRect().width + (e.key === 'ArrowRight' ? 24 : -24))}px`);
        rememberWidths(table, cols);
      }
    } else if (move && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      const next = { row: Math.max(0, Math.min(p.rows.length - 1, row + move[0])), column: Math.max(0, Math.min(p.columns.length - 1, column + move[1])) };
      ui.dispatch({ type: 'focusCell', ...next });
      cellAt(next.row, next.column)?.focus();
    } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c') {
      e.preventDefault();
      copyFocused('cell');
    }
  }

  function copyFocused(what: 'cell' | 'row'): void {
    const p = page();
    const focus = current?.focus ?? { row: 0, column: 0 };
    const row = p?.rows[focus.row];
    if (!p || !row) return;
    if (what === 'cell') {
      const v = plain(row[focus.column] ?? null);
      ui.post({ type: 'copy', what: 'cell', text: v === null ? '' : String(v) });
    } else {
      ui.post({ type: 'copy', what: 'row as JSON', text: toJson(p.columns.map((c) => c.name), [row]).replace(/^\[\n|\n\]$/g, '') });
    }
  }
}

/** A cell's left and right padding with its border (panel.css), added to the width its text needs. */
const CELL_PADDING_PX = 20;
/** The narrowest a column is dragged to: the resize grip and a few characters stay visible. */
const MIN_WIDTH_PX = 40;

/**
 * A column's first width, in characters: its name (or type) or its longest value on the page, whichever is
 * wider, between 6 and 42 (about the 40 characters a cell shows before "…"), and one to spare.
 */
function startWidth(name: string, type: string, values: PreviewPage['rows'][number], key: boolean): number {
  let widest = Math.max(name.length + (key ? 4 : 0), Math.ceil(type.length * 0.85));
  for (const v of values) widest = Math.max(widest, Math.min(40, v === null ? 4 : isTruncated(v) ? 40 : cellText(v).length));
  return Math.min(42, Math.max(6, widest)) + 1;
}

/**
 * Sets one column's width and keeps the others at the width they have now: the table is as wide as its
 * columns (wider than the panel, the grid scrolls sideways), so no column takes up what another gave back.
 */
function setWidth(table: HTMLElement, cols: HTMLElement[], index: number, width: string): void {
  const px = [...table.querySelectorAll('th')].map((th) => th.getBoundingClientRect().width);
  let others = 0;
  cols.forEach((c, i) => {
    if (i === index) return;
    c.style.width = `${px[i] ?? 0}px`;
    others += px[i] ?? 0;
  });
  const col = cols[index];
  if (!col) return;
  col.style.width = width;
  table.style.width = `calc(${others}px + ${width})`;
}

function dragWidth(e: PointerEvent, table: HTMLElement, cols: HTMLElement[], index: number, done: () => void): void {
  const th = table.querySelectorAll('th')[index] as HTMLElement | undefined;
  const grip = e.target as HTMLElement;
  if (!th) return;
  e.preventDefault();
  const startX = e.clientX;
  const start = th.getBoundingClientRect().width;
  // The others are measured and fixed once: a move then changes one <col> and the table, no layout of all.
  setWidth(table, cols, index, `${start}px`);
  // Summed from the <col>s, now all in px: the table's own width reads back as one simplified calc().
  const others = cols.reduce((sum, c, i) => (i === index ? sum : sum + parseFloat(c.style.width)), 0);
  grip.setPointerCapture(e.pointerId);
  const move = (m: PointerEvent) => {
    const width = Math.max(MIN_WIDTH_PX, start + m.clientX - startX);
    cols[index]!.style.width = `${width}px`;
    table.style.width = `${others + width}px`;
  };
  const up = () => {
    grip.removeEventListener('pointermove', move);
    grip.removeEventListener('pointerup', up);
    grip.removeEventListener('pointercancel', up);
    done();
  };
  grip.addEventListener('pointermove', move);
  grip.addEventListener('pointerup', up);
  grip.addEventListener('pointercancel', up);
}

export const previewGrid = previewGridFeature();
