/**
 * bench:ingest's WebSocket client, in a process of its own like a real dashboard (its JSON parsing must not
 * be billed to the server). It records, for fixes dated after the window the parent opens, the delay from
 * the fix's publish (its fix time) to receiving the detection it caused, and to receiving it in a
 * `positions` frame. Parent -> child: { measureFromMs } opens a window; 'report' asks for the figures.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  LiveDetection,
  LiveFix,
  ServerToClientEvents,
} from '../../../libs/telemetry/src/index.js';

export interface WsClientReport {
  detectionLatencies: number[];
  positionLatencies: number[];
  firstSightings: number;
}

const [url] = process.argv.slice(2);
const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url!, {
  transports: ['websocket'],
  auth: { token: process.env.LOOKOUT_TOKEN },
});
let measureFromMs = Infinity;
let report: WsClientReport = { detectionLatencies: [], positionLatencies: [], firstSightings: 0 };

socket.on('detection', (detection: LiveDetection) => {
  // Detections a fix caused (a status change on a fix, a crossing), timed from that fix's publish; a device's
  // first sighting (unknown -> safe, all at once as the fleet starts) is counted apart.
  const causedByFix = detection.type !== 'status' || detection.cause === 'fix';
  if (!causedByFix || !detection.fix || detection.fix.fixTimeMs < measureFromMs) return;
  if (detection.previousStatus === 'unknown') report.firstSightings++;
  else report.detectionLatencies.push(Date.now() - detection.fix.fixTimeMs);
});
socket.on('positions', (frame: LiveFix[]) => {
  const now = Date.now();
  for (const fix of frame)
    if (fix.fixTimeMs >= measureFromMs) report.positionLatencies.push(now - fix.fixTimeMs);
});
socket.on('connect', () => process.send!('ready'));
socket.on('connect_error', (error) => {
  process.stderr.write(`ws-client: ${error.message}\n`);
  process.exit(1);
});
process.on('message', (message: 'report' | 'stop' | { measureFromMs: number }) => {
  if (message === 'report') {
    process.send!(report);
  } else if (message === 'stop') {
    socket.disconnect();
    process.disconnect();
  } else {
    measureFromMs = message.measureFromMs;
    report = { detectionLatencies: [], positionLatencies: [], firstSightings: 0 };
  }
});
