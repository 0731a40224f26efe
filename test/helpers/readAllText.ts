import type { ExportFormat } from '../../protocol/src/export';
import { encoderFor, type RowEncoder } from '../../server/src/export/exportFormats';
import type { Warehouse } from '../../server/src/warehouse/warehouse';

/** The whole result of `sql` as the export writes it, in memory (for small test results); `onBatch` after each batch. */
export async function readAllText(warehouse: Warehouse, sql: string, format: ExportFormat, signal = new AbortController().signal, onBatch: () => void = () => undefined): Promise<string> {
  let out = '';
  let encoder: RowEncoder | undefined;
  await warehouse.readAll(sql, { timeoutMs: 60_000, signal }, {
    columns: async (columns) => {
      encoder = encoderFor(format, columns);
      out += encoder.start();
    },
    rows: async (batch) => {
      out += encoder!.rows(batch);
      onBatch();
    },
  });
  return out;
}
