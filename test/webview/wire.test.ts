import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame, encodeFrame } from '../../src/shared/wire';

test('decodeFrame(encodeFrame(message)) restores typed arrays of every kind, nested, with their values', () => {
  const message = {
    kind: 'response',
    id: 7,
    body: {
      positions: Float32Array.from([1.5, -2.25, NaN, Infinity]),
      labels: Int32Array.from([3, -1, 2_000_000_000]),
      mask: Uint8Array.from([0, 1, 255]),
      nested: { deep: [Float64Array.from([Math.PI]), Uint16Array.from([65535])] },
      text: 'ünïcode ✓',
      none: null,
    },
  };
  const decoded = decodeFrame<typeof message>(encodeFrame(message));
  assert.ok(decoded.body.positions instanceof Float32Array);
  assert.deepEqual(Array.from(decoded.body.positions), [1.5, -2.25, NaN, Infinity]);
  assert.ok(decoded.body.labels instanceof Int32Array);
  assert.deepEqual(Array.from(decoded.body.labels), [3, -1, 2_000_000_000]);
  assert.deepEqual(Array.from(decoded.body.mask), [0, 1, 255]);
  assert.equal(decoded.body.nested.deep[0][0], Math.PI);
  assert.equal(decoded.body.nested.deep[1][0], 65535);
  assert.equal(decoded.body.text, 'ünïcode ✓');
  assert.equal(decoded.body.none, null);
});

test('encodeFrame keeps only the viewed part of a subarray, and decoded arrays own separate buffers', () => {
  const whole = Float32Array.from({ length: 10 }, (_, i) => i);
  const decoded = decodeFrame<{ a: Float32Array; b: Float32Array }>(encodeFrame({ a: whole.subarray(3, 6), b: whole.subarray(0, 1) }));
  assert.deepEqual(Array.from(decoded.a), [3, 4, 5]);
  assert.notEqual(decoded.a.buffer, decoded.b.buffer);
  assert.equal(decoded.a.byteOffset, 0);
});

test('decodeFrame reads a frame at an unaligned byte offset (as Node Buffers from a pool arrive)', () => {
  const frame = encodeFrame({ values: Float64Array.from([1, 2, 3]) });
  const pool = new Uint8Array(frame.length + 3);
  pool.set(frame, 3);
  const decoded = decodeFrame<{ values: Float64Array }>(pool.subarray(3));
  assert.deepEqual(Array.from(decoded.values), [1, 2, 3]);
  const buffer = Buffer.from(frame);
  assert.deepEqual(Array.from(decodeFrame<{ values: Float64Array }>(buffer).values), [1, 2, 3]);
});

test('encodeFrame accepts a Node Buffer as a Uint8Array', () => {
  const decoded = decodeFrame<{ data: Uint8Array }>(encodeFrame({ data: Buffer.from([9, 8, 7]) }));
  assert.ok(decoded.data instanceof Uint8Array);
  assert.deepEqual(Array.from(decoded.data), [9, 8, 7]);
});

test('decodeFrame rejects truncated frames with the sizes in the message', () => {
  assert.throws(() => decodeFrame(new Uint8Array(2)), /frame of 2 bytes is too short/);
  const frame = encodeFrame({ values: Float32Array.from([1, 2, 3, 4]) });
  assert.throws(() => decodeFrame(frame.subarray(0, frame.length - 4)), /Float32Array\(4\) at \d+ overruns a frame of \d+/);
  const header = new Uint8Array(8);
  new DataView(header.buffer).setUint32(0, 100, true);
  assert.throws(() => decodeFrame(header), /header of 100 bytes overruns a frame of 8/);
});

test('decodeFrame refuses tags that name Object members or carry non-integer, negative or text offsets and lengths', () => {
  const frameWith = (header: string) => {
    const json = new TextEncoder().encode(header);
    const frame = new Uint8Array(Math.ceil((4 + json.length) / 8) * 8 + 16);
    new DataView(frame.buffer).setUint32(0, json.length, true);
    frame.set(json, 4);
    return frame;
  };
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    assert.throws(() => decodeFrame(frameWith(`{"a":{"$typed":"${name}","offset":0,"length":1}}`)), /wire: unknown typed array/, name);
  }
  for (const [offset, length] of [['"8"', '1'], ['0', '-1'], ['0.5', '1'], ['0', '1e400'], ['-8', '1']]) {
    assert.throws(() => decodeFrame(frameWith(`{"a":{"$typed":"Float32Array","offset":${offset},"length":${length}}}`)), /wire: Float32Array tag with offset/, `${offset}, ${length}`);
  }
  assert.deepEqual(decodeFrame(frameWith('{"a":{"$typed":"Float32Array","offset":0,"length":2}}')), { a: new Float32Array(2) });
});
