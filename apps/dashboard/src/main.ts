import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  LiveDetection,
  LiveDeviceStatus,
  LiveFix,
  LiveKpiFrame,
  ServerToClientEvents,
} from '../../../libs/telemetry/src/live-events.js';
import {
  api,
  ApiError,
  DETECTION_PAGE,
  session as auth,
  type DetectionView,
  type Session,
  type Trial,
} from './api.js';
import { AlertFeed } from './feed.js';
import { renderKpis } from './kpi.js';
import { LiveMap } from './map.js';
import { RenderStats } from './stats.js';
import { renderTimeline } from './timeline.js';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const stats = new RenderStats();
(window as unknown as { lookoutStats: RenderStats }).lookoutStats = stats;

interface Dashboard {
  map: LiveMap;
  feed: AlertFeed;
  socket: LiveSocket | null;
  trials: Trial[];
  sessions: Session[];
  supplierOfDevice: Map<string, string>;
  supplierNames: Map<string, string>;
  positionTimes: Map<string, number[]>;
  pending: LiveFix[];
  frameRequested: boolean;
  mode: 'live' | 'replay';
  replay: Replay | null;
  /** Bumped by every replay load, so a slower, older load never overwrites a newer one. */
  replayLoads: number;
  /** Bumped by every trial selection, so a slower, older one never draws over a newer one. */
  trialGeneration: number;
  /** The server's latest KPI frame for the room watched (live mode only). */
  serverKpis: LiveKpiFrame | null;
}

interface TimedStatus {
  atMs: number;
  status: LiveDeviceStatus;
}

interface Replay {
  startMs: number;
  endMs: number;
  /** Each device's stored fixes, oldest first. */
  byDevice: Map<string, LiveFix[]>;
  /** Each device's stored status changes, oldest first: safe and back-to-safe too, not only the alerts. */
  statuses: Map<string, TimedStatus[]>;
  /** Set when the server cut the fixes short. */
  note: string;
  timer: number | null;
}

let dashboard: Dashboard | null = null;

function showScreen(name: 'login' | 'dashboard'): void {
  $('login-screen').hidden = name !== 'login';
  $('dashboard-screen').hidden = name !== 'dashboard';
  $('logout').hidden = name !== 'dashboard';
}

function setConnection(text: string, ok: boolean): void {
  const element = $('connection');
  element.textContent = text;
  element.className = `connection ${ok ? 'ok' : 'down'}`;
}

// Login

$<HTMLFormElement>('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const email = $<HTMLInputElement>('email').value;
  const password = $<HTMLInputElement>('password').value;
  $('login-error').textContent = '';
  api.login(email, password).then(
    ({ accessToken, user }) => {
      auth.save(accessToken, user);
      void startDashboard();
    },
    (error: unknown) => {
      $('login-error').textContent =
        error instanceof ApiError && error.status === 401 ? 'Wrong email or password.' : String(error);
    },
  );
});

$('logout').addEventListener('click', () => {
  dashboard?.socket?.disconnect();
  auth.clear();
  location.reload();
});

// Alert cue: visible always, audible when asked for.

let cueTimer: number | undefined;
function cue(text: string): void {
  const element = $('cue');
  element.textContent = text;
  element.hidden = false;
  element.classList.remove('flash');
  void element.offsetWidth; // restart the animation
  element.classList.add('flash');
  window.clearTimeout(cueTimer);
  cueTimer = window.setTimeout(() => (element.hidden = true), 8000);
  if ($<HTMLInputElement>('sound').checked) beep();
}

function beep(): void {
  const context = new AudioContext();
  const oscillator = context.createOscillator();
  oscillator.frequency.value = 880;
  oscillator.connect(context.destination);
  oscillator.start();
  oscillator.stop(context.currentTime + 0.25);
  oscillator.onended = () => void context.close();
}

// Dashboard

async function startDashboard(): Promise<void> {
  const user = auth.user;
  if (!auth.token || !user) {
    showScreen('login');
    return;
  }
  showScreen('dashboard');
  $('who').textContent = `${user.email} (${user.role})`;
  // A tile server is optional (DASHBOARD_TILE_URL, or ?tiles= for a one-off); without one the map is plain.
  const tileUrl =
    new URLSearchParams(location.search).get('tiles') ??
    (await api.config().catch(() => ({ tileUrl: null }))).tileUrl;
  const map = new LiveMap($('map'), tileUrl);
  const feed = new AlertFeed(
    $<HTMLOListElement>('feed'),
    $('feed-count'),
    user.role === 'manager',
    async (detectionId) => {
      const acknowledgement = await api.acknowledge(detectionId);
      feed.acknowledged(acknowledgement);
    },
  );
  const d: Dashboard = {
    map,
    feed,
    socket: null,
    trials: [],
    sessions: [],
    supplierOfDevice: new Map(),
    supplierNames: new Map(),
    positionTimes: new Map(),
    pending: [],
    frameRequested: false,
    mode: 'live',
    replay: null,
    replayLoads: 0,
    trialGeneration: 0,
    serverKpis: null,
  };
  dashboard = d;
  try {
    await loadDirectory(d);
    d.trials = await api.trials();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      auth.clear();
      showScreen('login');
      return;
    }
    throw error;
  }
  const trialSelect = $<HTMLSelectElement>('trial');
  trialSelect.innerHTML =
    '<option value="">All trials</option>' +
    d.trials
      .map((t) => `<option value="${t.id}">${t.name.replace(/</g, '&lt;')} (${t.status})</option>`)
      .join('');
  if (d.trials.length > 0) trialSelect.value = d.trials[0]!.id;
  trialSelect.addEventListener('change', () => void selectTrial(d));
  $<HTMLSelectElement>('session').addEventListener('change', () => {
    if (d.mode === 'replay') void startReplay(d);
    refreshTimeline(d);
  });
  $('mode-live').addEventListener('click', () => setMode(d, 'live'));
  $('mode-replay').addEventListener('click', () => setMode(d, 'replay'));
  $<HTMLInputElement>('replay-slider').addEventListener('input', () => showReplayAt(d));
  $('replay-play').addEventListener('click', () => toggleReplayPlay(d));
  window.setInterval(() => refreshSide(d), 1000);
  await selectTrial(d);
}

/** Which supplier owns each visible device (through its model), for the KPI cards. */
async function loadDirectory(d: Dashboard): Promise<void> {
  const [devices, models, suppliers] = await Promise.all([
    api.devices(),
    api.models(),
    api.suppliers().catch(() => []),
  ]);
  const supplierOfModel = new Map(models.map((m) => [m.id, m.supplierId]));
  for (const device of devices) {
    d.supplierOfDevice.set(device.id, (device.modelId && supplierOfModel.get(device.modelId)) || '');
  }
  for (const supplier of suppliers) d.supplierNames.set(supplier.id, supplier.name);
}

const selectedTrialId = () => $<HTMLSelectElement>('trial').value || undefined;

function selectedSession(d: Dashboard): Session | undefined {
  return d.sessions.find((s) => s.id === $<HTMLSelectElement>('session').value);
}

function sessionSpan(s: Session | undefined): { startMs: number; endMs: number } | null {
  if (!s) return null;
  const startMs = Date.parse(s.actualStart ?? s.plannedStart);
  const endMs = s.actualEnd ? Date.parse(s.actualEnd) : Math.max(Date.parse(s.plannedEnd), Date.now());
  return { startMs, endMs };
}

async function selectTrial(d: Dashboard): Promise<void> {
  // Picking another trial while this one loads supersedes it: a late answer must not draw the wrong
  // trial's sessions or zones, nor open its live stream.
  const generation = ++d.trialGeneration;
  const trialId = selectedTrialId();
  const sessions = trialId ? await api.sessions(trialId) : [];
  if (generation !== d.trialGeneration) return;
  d.sessions = sessions;
  $<HTMLSelectElement>('session').innerHTML =
    '<option value="">(none)</option>' +
    d.sessions
      .map(
        (s) =>
          `<option value="${s.id}">${new Date(s.actualStart ?? s.plannedStart).toLocaleString()} — ${s.status}</option>`,
      )
      .join('');
  const running = d.sessions.find((s) => s.status === 'running') ?? d.sessions[0];
  if (running) $<HTMLSelectElement>('session').value = running.id;
  const zones = await api.zones(trialId);
  if (generation !== d.trialGeneration) return;
  d.map.setZones(zones);
  if (d.mode === 'live') connectLive(d);
  else await startReplay(d);
}

// Live: snapshot on every (re)connect, then batched positions and immediate detections.

function connectLive(d: Dashboard): void {
  d.socket?.disconnect();
  d.pending = []; // positions of the view being left, not yet drawn
  d.map.clearDevices();
  d.feed.clear();
  d.serverKpis = null;
  // One trial's room when a trial is picked (the server sends only its devices), else the whole fleet's.
  const trialId = selectedTrialId();
  const socket: LiveSocket = io({
    auth: { token: auth.token, ...(trialId ? { trialId } : {}) },
    transports: ['websocket'],
  });
  d.socket = socket;
  socket.on('connect', () => {
    setConnection('live', true);
    void takeSnapshot(d, socket);
  });
  socket.on('disconnect', () => setConnection('reconnecting…', false));
  socket.on('connect_error', (error) => {
    setConnection(`disconnected: ${error.message}`, false);
    if (/unauthenticated/.test(error.message)) {
      socket.disconnect();
      auth.clear();
      showScreen('login');
    }
  });
  socket.on('positions', (fixes) => {
    const nowMs = Date.now();
    stats.arrived(fixes, nowMs);
    for (const fix of fixes) {
      d.pending.push(fix);
      const times = d.positionTimes.get(fix.deviceId);
      if (times) {
        times.push(nowMs);
        if (times.length > 700) times.splice(0, times.length - 600);
      } else d.positionTimes.set(fix.deviceId, [nowMs]);
    }
    requestFrame(d);
  });
  socket.on('detection', (detection) => onDetection(d, detection, true));
  socket.on('acknowledgement', (acknowledgement) => d.feed.acknowledged(acknowledgement));
  socket.on('deviceStatus', ({ deviceId, online }) => d.map.setOnline(deviceId, online));
  socket.on('kpis', (frame) => {
    d.serverKpis = frame;
    refreshSide(d);
  });
}

async function takeSnapshot(d: Dashboard, socket: LiveSocket): Promise<void> {
  const snapshot = await api.snapshot(selectedTrialId());
  // Switched to replay (or to another trial) while it loaded: it belongs to a view that is gone.
  if (d.socket !== socket) return;
  for (const fix of snapshot.positions) d.map.showFix(fix);
  for (const { deviceId, status } of snapshot.statuses) if (status) d.map.setStatus(deviceId, status);
  for (const { deviceId, online } of snapshot.connections) d.map.setOnline(deviceId, online);
  for (const detection of snapshot.openDetections) d.feed.add(detection, detection.acknowledgement);
  refreshSide(d);
}

function onDetection(d: Dashboard, detection: LiveDetection, live: boolean): void {
  if (detection.fix) d.map.showFix(detection.fix);
  if (detection.type === 'status' && detection.status) d.map.setStatus(detection.deviceId, detection.status);
  const kind = d.feed.add(detection);
  if (live && (kind === 'breach' || kind === 'probable-breach' || kind === 'crossing')) {
    cue(
      `${kind === 'crossing' ? 'CROSSING' : kind === 'breach' ? 'BREACH' : 'PROBABLE BREACH'}: ${detection.deviceId}`,
    );
  }
  if (kind) refreshTimeline(d);
}

/** Positions are drawn once per animation frame, whatever the number of frames received since. */
function requestFrame(d: Dashboard): void {
  if (d.frameRequested) return;
  d.frameRequested = true;
  requestAnimationFrame(() => {
    d.frameRequested = false;
    const fixes = d.pending;
    d.pending = [];
    const startedAt = performance.now();
    for (const fix of fixes) d.map.showFix(fix);
    // Measured after the browser has painted the frame (the task after the animation frame).
    window.setTimeout(() => stats.record(performance.now() - startedAt, fixes, Date.now()), 0);
  });
}

function refreshSide(d: Dashboard): void {
  renderKpis($('kpis'), {
    nowMs: Date.now(),
    supplierOf: (deviceId) => d.supplierOfDevice.get(deviceId) ?? '',
    supplierName: (id) => (id ? (d.supplierNames.get(id) ?? `supplier ${id.slice(0, 8)}`) : 'Unassigned'),
    lastFixes: d.map.lastFixes(),
    positionTimes: d.positionTimes,
    alertCounts: d.feed.counts(),
    acknowledgements: d.feed.acknowledgements(),
    server: d.mode === 'live' ? d.serverKpis : null,
  });
  refreshTimeline(d);
}

function refreshTimeline(d: Dashboard): void {
  const cursor = d.mode === 'replay' && d.replay ? replayTime(d) : Date.now();
  renderTimeline(
    $('timeline'),
    d.replay && d.mode === 'replay' ? d.replay : sessionSpan(selectedSession(d)),
    d.feed.alerts(),
    cursor,
  );
}

// Replay of a past session from stored fixes and detections.

function setMode(d: Dashboard, mode: 'live' | 'replay'): void {
  d.mode = mode;
  $('mode-live').setAttribute('aria-pressed', String(mode === 'live'));
  $('mode-replay').setAttribute('aria-pressed', String(mode === 'replay'));
  $('replay-bar').hidden = mode !== 'replay';
  if (mode === 'live') {
    stopReplayPlay(d);
    d.replay = null;
    connectLive(d);
  } else {
    d.socket?.disconnect();
    d.socket = null;
    setConnection('replay', true);
    void startReplay(d);
  }
}

async function startReplay(d: Dashboard): Promise<void> {
  stopReplayPlay(d);
  const load = ++d.replayLoads;
  d.replay = null;
  d.map.clearDevices();
  d.feed.clear();
  const span = sessionSpan(selectedSession(d));
  if (!span) {
    $('replay-time').textContent = 'Pick a session to replay.';
    refreshTimeline(d);
    return;
  }
  const range = {
    trialId: selectedTrialId(),
    from: new Date(span.startMs).toISOString(),
    to: new Date(span.endMs).toISOString(),
  };
  const [fixes, detections] = await Promise.all([api.fixes(range), allDetections(range)]);
  if (load !== d.replayLoads || d.mode !== 'replay') return;
  const byDevice = new Map<string, LiveFix[]>();
  for (const fix of fixes.items) {
    const list = byDevice.get(fix.deviceId);
    if (list) list.push(fix);
    else byDevice.set(fix.deviceId, [fix]);
  }
  // The device's status at any time is its last status change before it: every one, not only the alerts
  // the feed shows, or a device would look `unknown` until its first alert and never return to `safe`.
  const statuses = new Map<string, TimedStatus[]>();
  for (const detection of detections) {
    if (detection.type !== 'status' || !detection.status) continue;
    const entry = { atMs: detection.atMs, status: detection.status };
    const list = statuses.get(detection.deviceId);
    if (list) list.push(entry);
    else statuses.set(detection.deviceId, [entry]);
  }
  d.replay = {
    ...span,
    byDevice,
    statuses,
    note: fixes.truncated ? ' (first 50,000 fixes only)' : '',
    timer: null,
  };
  for (const detection of detections) d.feed.add(detection, detection.acknowledgement);
  $<HTMLInputElement>('replay-slider').value = '0';
  showReplayAt(d);
}

/** Every stored detection in the range, page by page (the server returns at most DETECTION_PAGE at once). */
async function allDetections(range: {
  trialId?: string;
  from: string;
  to: string;
}): Promise<DetectionView[]> {
  const all: DetectionView[] = [];
  for (;;) {
    const page = await api.detections({ ...range, alertsOnly: false, offset: all.length });
    all.push(...page.items);
    if (page.items.length < DETECTION_PAGE || all.length >= page.total) return all;
  }
}

function replayTime(d: Dashboard): number {
  const r = d.replay!;
  return r.startMs + (Number($<HTMLInputElement>('replay-slider').value) / 1000) * (r.endMs - r.startMs);
}

/** Index of the last entry at or before `t` in a list sorted by time, or -1 (binary search). */
function lastAtOrBefore<T>(list: readonly T[], timeOf: (item: T) => number, t: number): number {
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (timeOf(list[mid]!) <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Each device at its last stored fix at or before the slider's time, in its status at that time. */
function showReplayAt(d: Dashboard): void {
  if (!d.replay) return;
  const t = replayTime(d);
  for (const [deviceId, fixes] of d.replay.byDevice) {
    const found = lastAtOrBefore(fixes, (fix) => fix.fixTimeMs, t);
    if (found < 0) {
      d.map.removeDevice(deviceId);
      continue;
    }
    d.map.showFix(fixes[found]!, true);
    const statuses = d.replay.statuses.get(deviceId) ?? [];
    const status = lastAtOrBefore(statuses, (s) => s.atMs, t);
    d.map.setStatus(deviceId, status < 0 ? 'unknown' : statuses[status]!.status);
  }
  d.feed.showUntil(t);
  $('replay-time').textContent = new Date(t).toLocaleString() + d.replay.note;
  refreshTimeline(d);
}

function toggleReplayPlay(d: Dashboard): void {
  if (!d.replay) return;
  if (d.replay.timer !== null) {
    stopReplayPlay(d);
    return;
  }
  $('replay-play').textContent = 'Pause';
  d.replay.timer = window.setInterval(() => {
    const slider = $<HTMLInputElement>('replay-slider');
    const next = Math.min(1000, Number(slider.value) + 2);
    slider.value = String(next);
    showReplayAt(d);
    if (next >= 1000) stopReplayPlay(d);
  }, 100);
}

function stopReplayPlay(d: Dashboard): void {
  if (d.replay?.timer != null) window.clearInterval(d.replay.timer);
  if (d.replay) d.replay.timer = null;
  $('replay-play').textContent = 'Play';
}

void startDashboard();
