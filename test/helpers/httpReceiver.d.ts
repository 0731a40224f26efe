import { type IncomingHttpHeaders } from 'node:http';
export interface Received {
    path: string;
    headers: IncomingHttpHeaders;
    body: unknown;
}
export type Answer = {
    status: number;
    body?: unknown;
};
export interface HttpReceiver {
    url: string;
    requests: Received[];
    /** Decides the answer to each request; 200 with no body by default. */
    answer: (r: Received, index: number) => Answer;
    close(): Promise<void>;
}
export declare function startReceiver(): Promise<HttpReceiver>;
