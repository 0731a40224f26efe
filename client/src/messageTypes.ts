// The extension bundle's stand-in for vscode-languageserver-protocol (scripts/build.mjs aliases it here).
// protocol/src/requests.ts declares the requests with its classes; the real ones live in the language
// client bundle, loaded right after activation (engineClient.ts), and two copies of vscode-jsonrpc would
// not recognise each other's ParameterStructures ("Unknown parameter structure auto"). These classes
// carry what vscode-jsonrpc reads from a message type — method, number of parameters, and the parameter
// structure, taken from the language client's own copy when a request is first sent — so the typed
// objects are sent as they are, and one copy of vscode-jsonrpc is in the extension at run time.
import * as path from 'node:path';

type ParameterStructures = unknown;

function auto(): ParameterStructures {
  const lc = require(path.join(__dirname, 'languageclient.js')) as { ParameterStructures: { auto: ParameterStructures } };
  return lc.ParameterStructures.auto;
}

abstract class MessageSignature {
  constructor(
    readonly method: string,
    readonly numberOfParams: number,
  ) {}

  get parameterStructures(): ParameterStructures {
    return auto();
  }
}

export class RequestType0<R, E> extends MessageSignature {
  declare readonly _?: [R, E, void];
  constructor(method: string) {
    super(method, 0);
  }
}

export class RequestType<P, R, E> extends MessageSignature {
  declare readonly _?: [P, R, E, void];
  constructor(method: string) {
    super(method, 1);
  }
}

export class NotificationType<P> extends MessageSignature {
  declare readonly _?: [P, void];
  constructor(method: string) {
    super(method, 1);
  }
}
