'use strict';
// bench/results.svg: two bar charts (record msgs/s, callback req/s) and the memory figure, as plain
// SVG text with no dependencies, from the results of one run.

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(value) {
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(1, value)));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function panel({ x, y, width, height, title, unit, bars }) {
  const max = niceMax(Math.max(...bars.map((b) => b.value)));
  const left = x + 56;
  const plotWidth = width - 66;
  const top = y + 34;
  const plotHeight = height - 110;
  const out = [];
  out.push(`<text x="${x + width / 2}" y="${y + 16}" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const ty = top + plotHeight - (plotHeight * i) / 4;
    out.push(`<line x1="${left}" y1="${ty}" x2="${left + plotWidth}" y2="${ty}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${ty + 4}" text-anchor="end" font-size="11" fill="#555">${Math.round(v)}</text>`);
  }
  out.push(`<text x="${x + 10}" y="${top + plotHeight / 2}" font-size="11" fill="#555" transform="rotate(-90 ${x + 10} ${top + plotHeight / 2})" text-anchor="middle">${escape(unit)}</text>`);
  const slot = plotWidth / bars.length;
  const barWidth = Math.min(70, slot * 0.6);
  bars.forEach((bar, i) => {
    const h = (plotHeight * bar.value) / max;
    const bx = left + slot * i + (slot - barWidth) / 2;
    const by = top + plotHeight - h;
    out.push(`<rect x="${bx.toFixed(1)}" y="${by.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="${bar.color}"/>`);
    out.push(`<text x="${(bx + barWidth / 2).toFixed(1)}" y="${(by - 5).toFixed(1)}" text-anchor="middle" font-size="12" font-weight="bold">${Math.round(bar.value)}</text>`);
    bar.label.forEach((line, li) => {
      out.push(`<text x="${(bx + barWidth / 2).toFixed(1)}" y="${top + plotHeight + 16 + li * 13}" text-anchor="middle" font-size="11">${escape(line)}</text>`);
    });
    if (bar.note) {
      out.push(`<text x="${(bx + barWidth / 2).toFixed(1)}" y="${top + plotHeight + 16 + bar.label.length * 13}" text-anchor="middle" font-size="10" fill="#666">${escape(bar.note)}</text>`);
    }
  });
  return out.join('\n');
}

function renderSvg(r) {
  const width = 1040;
  const height = 430;
  const ours = '#8c1c2c';
  const theirs = '#7a8ca3';
  const rec = r.record;
  const cb = r.callback;
  const parts = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`);
  parts.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  parts.push(
    panel({
      x: 10, y: 10, width: 600, height: 370,
      title: `telapi-record: msgs/s at ${rec.concurrency} in flight`,
      unit: 'messages per second',
      bars: [
        { label: ['telapi-record', 'http in driver'], note: `p99 ${rec.p99Ms.node} ms`, value: rec.msgsPerSec.node, color: ours },
        { label: ['DIY function +', 'http request'], note: `p99 ${rec.p99Ms.diy} ms`, value: rec.msgsPerSec.diy, color: theirs },
        { label: ['telapi-record', 'in-flow driver'], note: `p99 ${rec.inFlow.p99Ms.node} ms`, value: rec.inFlow.msgsPerSec.node, color: '#b84a5a' },
        { label: ['DIY, in-flow', 'driver'], note: `p99 ${rec.inFlow.p99Ms.diy} ms`, value: rec.inFlow.msgsPerSec.diy, color: '#a3b1c2' },
        { label: ['raw got loop', '(no Node-RED)'], note: `p99 ${rec.p99Ms.rawGot} ms`, value: rec.msgsPerSec.rawGot, color: '#d0d6de' },
      ],
    }),
  );
  parts.push(
    panel({
      x: 620, y: 10, width: 410, height: 370,
      title: `telapi-callback: req/s at ${cb.concurrency} in flight`,
      unit: 'requests per second',
      bars: [
        { label: ['telapi-callback', '(token)'], note: `p99 ${cb.p99Ms.node} ms`, value: cb.reqPerSec.node, color: ours },
        { label: ['telapi-callback', '(signature)'], note: `p99 ${cb.p99Ms.signature} ms`, value: cb.signature.reqPerSec, color: '#b84a5a' },
        { label: ['http in +', 'http response'], note: `p99 ${cb.p99Ms.httpIn} ms`, value: cb.reqPerSec.httpIn, color: theirs },
      ],
    }),
  );
  const footer = [
    `telapi-record = ${rec.ratioVsDiy}x the DIY flow; in-flow driver: ${rec.inFlow.ratioVsDiy}x DIY and ${rec.inFlow.ratioVsRawGot}x the raw got loop; ` +
      `telapi-callback (token) = ${cb.ratioVsHttpIn}x http in.`,
    `Memory: RSS growth ${r.memory.rssGrowthMb} MiB after ${r.memory.messages.toLocaleString('en-US')} record messages (after GC).`,
    `${r.mode} run, ${r.date.slice(0, 10)}, ${r.client.library} ${r.client.version}; ${r.machine}`,
  ];
  footer.forEach((line, i) => {
    parts.push(`<text x="20" y="${height - 40 + i * 14}" font-size="${i === 2 ? 9.5 : 12}" fill="${i === 2 ? '#666' : '#222'}">${escape(line)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

module.exports = { renderSvg };
