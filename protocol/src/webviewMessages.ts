// Messages between the model panel (webview) and the extension. Typed once, used by both sides.
import type { ModelSummary } from './config';

/** Webview → extension. */
export type FromWebview = { type: 'ready' };

/** Extension → webview. */
export type ToWebview = { type: 'model'; model: ModelSummary };
