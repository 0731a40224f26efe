// snowflake-sdk is large (it brings cloud storage clients), so it is bundled on its own
// (dist/snowflake-sdk.js) and loaded only when Snowflake credentials are first used.
import { existsSync } from 'node:fs';
import * as path from 'node:path';

type SnowflakeSdk = typeof import('snowflake-sdk');
let sdk: SnowflakeSdk | undefined;

export async function loadSnowflakeSdk(): Promise<SnowflakeSdk> {
  if (!sdk) {
    // The AWS clients inside the driver (for stages we never use) warn on Node 20 at load; on stderr that
    // broke `retl sync --json`, whose errors are JSON there. This is the AWS SDK's own off switch.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const bundled = path.join(__dirname, 'snowflake-sdk.js');
    const loaded = (existsSync(bundled) ? require(bundled) : require('snowflake-sdk')) as SnowflakeSdk & { default?: SnowflakeSdk };
    sdk = loaded.default ?? loaded;
    // The driver would otherwise write a log file into the working folder; nothing of ours is logged there.
    sdk.configure({ logLevel: 'OFF', additionalLogToConsole: false } as Parameters<SnowflakeSdk['configure']>[0]);
  }
  return sdk;
}
