#!/usr/bin/env node
// Draws media/icon.png (128×128): three task lanes, running stretches in colour and suspended
// stretches as thin lines, under a lens with a pause sign. Pure Node: shapes as signed distance
// functions, 4×4 supersampling for smooth edges, a minimal PNG encoder on node:zlib.
// Run `node scripts/make-icon.mjs` after changing the drawing; the PNG is committed.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SIZE = 128;
const SS = 4;

// ---- shapes: signed distance (negative inside), in icon pixels
const roundedBox = (cx, cy, hw, hh, r) => (x, y) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;
const ring = (cx, cy, r, w) => (x, y) => Math.abs(Math.hypot(x - cx, y - cy) - r) - w / 2;
const capsule = (ax, ay, bx, by, r) => (x, y) => {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
  const h = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - dx * h, py - dy * h) - r;
};
const minus = (a, b) => (x, y) => Math.max(a(x, y), -b(x, y));

const hex = (h, alpha = 1) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16), alpha];

// ---- the drawing, back to front
const background = roundedBox(64, 64, 62, 62, 22);
const layers = [];
const add = (shape, color) => layers.push({ shape, color });

// Lanes: y, then [start, end, running?] stretches.
const lanes = [
  { y: 34, color: '#4fd1c5', parts: [[16, 44, true], [44, 70, false], [70, 88, true]] },
  { y: 58, color: '#f6ad55', parts: [[16, 28, false], [28, 52, true], [52, 100, false], [100, 112, true]] },
  { y: 82, color: '#b794f4', parts: [[16, 40, false], [40, 56, false], [56, 74, true]] },
];
for (const lane of lanes) {
  for (const [a, b, running] of lane.parts) {
    if (running) add(roundedBox((a + b) / 2, lane.y, (b - a) / 2, 7, 4), hex(lane.color));
    else add(capsule(a + 3, lane.y, b - 3, lane.y, 1.6), hex('#8a97b8', 0.9));
  }
}
// Hand-off ticks between lanes (the loop passes control).
add(capsule(44, 40, 28, 52, 1.8), hex('#e2e8f0', 0.85));
add(capsule(52, 64, 56, 76, 1.8), hex('#e2e8f0', 0.85));

// The lens: a glass disc, its rim and handle, a pause sign inside.
const lens = { x: 88, y: 84, r: 22 };
add(circle(lens.x, lens.y, lens.r), hex('#0f1522', 0.78));
add(ring(lens.x, lens.y, lens.r, 6), hex('#f7fafc'));
add(capsule(lens.x + 16, lens.y + 16, 118, 118, 5), hex('#f7fafc'));
add(roundedBox(lens.x - 6, lens.y, 3.5, 10, 1.5), hex('#f6ad55'));
add(roundedBox(lens.x + 6, lens.y, 3.5, 10, 1.5), hex('#f6ad55'));

const coverage = (shape, x, y) => {
  let inside = 0;
  for (let i = 0; i < SS; i++) for (let j = 0; j < SS; j++) {
    if (shape(x + (i + 0.5) / SS, y + (j + 0.5) / SS) <= 0) inside++;
  }
  return inside / (SS * SS);
};

const rgba = Buffer.alloc(SIZE * SIZE * 4);
for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    const bg = coverage(background, x, y);
    if (bg === 0) continue;
    // Background: a vertical gradient from navy to a lighter slate.
    const t = y / SIZE;
    let r = 27 + (45 - 27) * t, g = 34 + (58 - 34) * t, b = 51 + (89 - 51) * t;
    for (const { shape, color } of layers) {
      const a = coverage(shape, x, y) * color[3];
      if (a === 0) continue;
      r = r * (1 - a) + color[0] * a;
      g = g * (1 - a) + color[1] * a;
      b = b * (1 - a) + color[2] * a;
    }
    const o = (y * SIZE + x) * 4;
    rgba[o] = Math.round(r); rgba[o + 1] = Math.round(g); rgba[o + 2] = Math.round(b); rgba[o + 3] = Math.round(bg * 255);
  }
}

// ---- PNG: signature, IHDR, one IDAT (filter 0 per row), IEND
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0); ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) rgba.copy(raw, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
]);
const out = join(import.meta.dirname, '..', 'media', 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
