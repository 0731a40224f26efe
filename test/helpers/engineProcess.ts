// The built engine (dist/server.js) as a child process over stdio, initialised on a workspace folder the
// way an editor does it. `listen` registers the test's handlers before the first message arrives.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { REPO } from './cli';

export interface EngineProcess {
  conn: MessageConnection;
  stop(): Promise<void>;
}

export async function startEngineProcess(workspace: string, listen: (conn: MessageConnection) => void, capabilities: object = {}): Promise<EngineProcess> {
  const child = spawn(process.execPath, [path.join(REPO, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  listen(conn);
  conn.listen();
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(workspace).toString(),
    capabilities,
    initializationOptions: { demoDataDir: path.join(workspace, '.retl', 'demo') },
  });
  void conn.sendNotification('initialized', {});
  return {
    conn,
    async stop() {
      await conn.sendRequest('shutdown').catch(() => undefined);
      void conn.sendNotification('exit');
      conn.dispose();
      child.kill();
    },
  };
}
