/** The codes themselves: a sample's nearest latent neighbours, and exporting codes to a file. */
import type { ExportRequest, ExportResponse, NeighborsRequest, NeighborsResponse } from '../../../shared/protocol';
import { neighborsOfPoint } from '../../compute/knn';
import { encodeNpy } from '../../export';
import { checkIndices, gatherRows, shownCount, slotOf, withData, SessionError, type SessionState } from '../state';

/** Exact nearest neighbours of one sample's code (one query against the n shown codes). */
export async function neighbors(session: SessionState, request: NeighborsRequest): Promise<NeighborsResponse> {
  const state = withData(session);
  const slot = slotOf(state, request.slot);
  const n = shownCount(state);
  const [index] = checkIndices(state, Int32Array.of(request.index));
  if (!Number.isInteger(request.k) || request.k < 1 || request.k >= n) {
    throw new SessionError('invalid-argument', `k must be an integer in 1–${n - 1}, got ${request.k}`);
  }
  const found = neighborsOfPoint(slot.codes.subarray(0, n * slot.model.latentSize), n, slot.model.latentSize, index, request.k, request.metric);
  return { slot: request.slot, index, ...found };
}

export async function exportCodes(session: SessionState, request: ExportRequest): Promise<ExportResponse> {
  const state = withData(session);
  const slot = slotOf(state, request.slot);
  const n = shownCount(state);
  const indices = request.indices ? checkIndices(state, request.indices) : Int32Array.from({ length: n }, (_, i) => i);
  const dim = slot.model.latentSize;
  const codes = gatherRows(slot.codes, dim, indices);
  const base = `${slot.label}-codes-${indices.length}`;
  if (request.format === 'npy') {
    return { fileName: `${base}.npy`, mime: 'application/octet-stream', data: new Uint8Array(encodeNpy(codes, [indices.length, dim])) };
  }
  const { labels, info } = state.data;
  const classes = info.labels?.classes;
  const rows = Array.from(indices, (shownIndex, row) => ({
    index: state.data.indices[shownIndex],
    label: labels ? (classes?.[labels[shownIndex]] ?? String(labels[shownIndex])) : null,
    error: slot.errors ? slot.errors[shownIndex] : null,
    code: Array.from(codes.subarray(row * dim, (row + 1) * dim)),
  }));
  if (request.format === 'json') {
    const text = JSON.stringify({ model: slot.label, dataset: info.path, latentSize: dim, rows });
    return { fileName: `${base}.json`, mime: 'application/json', data: new TextEncoder().encode(text) };
  }
  const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const header = ['index', 'label', 'reconstruction_error', ...Array.from({ length: dim }, (_, c) => `z${c}`)].join(',');
  const lines = rows.map((r) => [r.index, r.label === null ? '' : quote(r.label), r.error ?? '', ...r.code].join(','));
  return { fileName: `${base}.csv`, mime: 'text/csv', data: new TextEncoder().encode([header, ...lines].join('\n') + '\n') };
}
