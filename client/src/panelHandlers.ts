// The model panel's messages as a table of handlers, one per FromWebview type (checked by the compiler).
import type { FromWebview } from '../../protocol/src/webviewMessages';

type Msg<K extends FromWebview['type']> = Extract<FromWebview, { type: K }>;

export type PanelHandlers = { [K in FromWebview['type']]: (m: Msg<K>) => Promise<unknown> | unknown };
