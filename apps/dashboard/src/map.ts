import L from 'leaflet';
import type { LiveDeviceStatus, LiveFix } from '../../../libs/telemetry/src/live-events.js';
import type { Zone } from './api.js';

/**
 * Status is told by shape and text as well as colour (colour-blind safe): the marker's glyph and its label
 * both name it. Colours are from the Okabe–Ito palette.
 */
export const STATUS_STYLE: Record<LiveDeviceStatus, { glyph: string; label: string; colour: string }> = {
  safe: { glyph: '●', label: 'safe', colour: '#009E73' },
  approaching: { glyph: '▲', label: 'approaching', colour: '#E69F00' },
  breach: { glyph: '■', label: 'BREACH', colour: '#D55E00' },
  lost: { glyph: '◇', label: 'lost', colour: '#6b6b6b' },
  unknown: { glyph: '○', label: 'unknown', colour: '#0072B2' },
};

interface DeviceLayer {
  marker: L.Marker;
  accuracy: L.Circle;
  fix: LiveFix;
  status: LiveDeviceStatus;
}

const METRES_PER_DEGREE = 111_320;

/** A corridor drawn as its buffer: one quadrilateral per centreline segment plus a disc at each vertex. */
function corridorLayer(line: number[][], halfWidthM: number, style: L.PathOptions): L.LayerGroup {
  const group = L.layerGroup();
  for (let i = 1; i < line.length; i++) {
    const [lon1, lat1] = line[i - 1]!;
    const [lon2, lat2] = line[i]!;
    const cos = Math.cos((((lat1! + lat2!) / 2) * Math.PI) / 180);
    const dx = (lon2! - lon1!) * cos * METRES_PER_DEGREE;
    const dy = (lat2! - lat1!) * METRES_PER_DEGREE;
    const length = Math.hypot(dx, dy) || 1;
    const offLon = ((-dy / length) * halfWidthM) / (METRES_PER_DEGREE * cos);
    const offLat = ((dx / length) * halfWidthM) / METRES_PER_DEGREE;
    L.polygon(
      [
        [lat1! + offLat, lon1! + offLon],
        [lat2! + offLat, lon2! + offLon],
        [lat2! - offLat, lon2! - offLon],
        [lat1! - offLat, lon1! - offLon],
      ],
      { ...style, weight: 0 },
    ).addTo(group);
  }
  for (const [lon, lat] of line)
    L.circle([lat!, lon!], { ...style, weight: 0, radius: halfWidthM }).addTo(group);
  L.polyline(
    line.map(([lon, lat]) => [lat!, lon!] as L.LatLngTuple),
    { ...style, fill: false, weight: 2, dashArray: '8 6' },
  ).addTo(group);
  return group;
}

const ZONE_STYLE: Record<'safe' | 'danger', L.PathOptions> = {
  // Safe: solid outline; danger: dashed outline, so the two differ without colour.
  safe: { color: '#009E73', weight: 2, fillOpacity: 0.12 },
  danger: { color: '#D55E00', weight: 3, dashArray: '6 4', fillOpacity: 0.25 },
};

/** An offline device (its last will, or it said so) is drawn faded and labelled "offline", not only greyed. */
function deviceIcon(deviceId: string, status: LiveDeviceStatus, offline = false): L.DivIcon {
  const style = STATUS_STYLE[status];
  return L.divIcon({
    className: `device-marker status-${status}${offline ? ' offline' : ''}`,
    html: `<span class="glyph" style="color:${style.colour}" aria-hidden="true">${style.glyph}</span><span class="label">${escapeHtml(deviceId)} · ${style.label}${offline ? ' · offline' : ''}</span>`,
    iconSize: [14, 14],
    iconAnchor: [7, 7],
  });
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** The Leaflet map: zones by kind, devices at the fix the detector used, with its accuracy circle. */
export class LiveMap {
  readonly map: L.Map;
  private readonly zones = L.layerGroup();
  private readonly devices = new Map<string, DeviceLayer>();
  private readonly offline = new Set<string>();
  private readonly renderer = L.canvas({ padding: 0.2 });
  private fitted = false;

  constructor(element: HTMLElement, tileUrl: string | null) {
    // No tile server by default: the zones and devices are the map. A base layer only when configured.
    // Zones are few and drawn as SVG (focusable, inspectable); the many accuracy circles go on one canvas.
    this.map = L.map(element, { zoomSnap: 0.25 }).setView([52.9, -1.5], 15);
    if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 20 }).addTo(this.map);
    L.control.scale({ imperial: false }).addTo(this.map);
    this.zones.addTo(this.map);
    // Leaflet caches the container's size and re-reads it only on a window resize, but the replay bar and
    // the side panel change the map's size without one: a stale (or zero, if measured before layout) size
    // clips every zone out of the drawn area. Re-measure whenever the container changes.
    new ResizeObserver(() => this.map.invalidateSize({ pan: false })).observe(element);
  }

  setZones(zones: readonly Zone[]): void {
    this.zones.clearLayers();
    const bounds = L.latLngBounds([]);
    for (const zone of zones) {
      const { kind, geometry, halfWidthM, version } = zone.version;
      const style = { ...ZONE_STYLE[kind] };
      const layer =
        geometry.type === 'LineString'
          ? corridorLayer(geometry.coordinates as number[][], halfWidthM ?? 0, style)
          : L.geoJSON(geometry as GeoJSON.Geometry, { style: () => style });
      const tooltip = `${escapeHtml(zone.name)} — ${kind}${geometry.type === 'LineString' ? ` corridor ±${halfWidthM ?? 0} m` : ''}, v${version}`;
      layer.eachLayer((part) => {
        part.bindTooltip(tooltip, { sticky: true });
        if ('getBounds' in part) bounds.extend((part as L.Polygon).getBounds());
      });
      layer.addTo(this.zones);
    }
    // A trial without zones lets the first device centre the map again.
    this.fitted = bounds.isValid();
    if (this.fitted) {
      this.map.invalidateSize({ pan: false }); // fit to the size the container has now
      // Not animated: Leaflet drops a view change asked for while a zoom animation runs (the previous
      // trial's first device zooming in, say), which left the map on that device with this trial's zones
      // clipped out of the drawn area.
      this.map.fitBounds(bounds.pad(0.2), { animate: false });
    }
  }

  clearDevices(): void {
    for (const layer of this.devices.values()) {
      layer.marker.remove();
      layer.accuracy.remove();
    }
    this.devices.clear();
    this.offline.clear();
  }

  /** Replay: a device with no fix yet at the replay time is not on the map. */
  removeDevice(deviceId: string): void {
    const layer = this.devices.get(deviceId);
    if (!layer) return;
    layer.marker.remove();
    layer.accuracy.remove();
    this.devices.delete(deviceId);
  }

  /** Shows a fix unless a newer one is already shown (a late, older fix never moves the marker back). */
  showFix(fix: LiveFix, force = false): void {
    const layer = this.devices.get(fix.deviceId);
    const latLng: L.LatLngTuple = [fix.lat, fix.lon];
    if (!layer) {
      const status: LiveDeviceStatus = 'unknown';
      const accuracy = L.circle(latLng, {
        radius: fix.accuracyM,
        renderer: this.renderer,
        weight: 1,
        color: STATUS_STYLE[status].colour,
        fillOpacity: 0.08,
        interactive: false,
      }).addTo(this.map);
      const offline = this.offline.has(fix.deviceId);
      const marker = L.marker(latLng, {
        icon: deviceIcon(fix.deviceId, status, offline),
        keyboard: false,
      }).addTo(this.map);
      const entry: DeviceLayer = { marker, accuracy, fix, status };
      marker.bindTooltip(() => this.describe(entry));
      this.devices.set(fix.deviceId, entry);
      if (!this.fitted && this.devices.size === 1) this.map.setView(latLng, 17, { animate: false });
      return;
    }
    if (!force && fix.fixTimeMs < layer.fix.fixTimeMs) return;
    layer.fix = fix;
    layer.marker.setLatLng(latLng);
    layer.accuracy.setLatLng(latLng);
    if (layer.accuracy.getRadius() !== fix.accuracyM) layer.accuracy.setRadius(fix.accuracyM);
  }

  setStatus(deviceId: string, status: LiveDeviceStatus): void {
    const layer = this.devices.get(deviceId);
    if (!layer || layer.status === status) return;
    layer.status = status;
    layer.marker.setIcon(deviceIcon(deviceId, status, this.offline.has(deviceId)));
    layer.accuracy.setStyle({ color: STATUS_STYLE[status].colour });
  }

  /** The device's connection state, from its status topic (kept for devices not on the map yet). */
  setOnline(deviceId: string, online: boolean): void {
    if (online === !this.offline.has(deviceId)) return;
    if (online) this.offline.delete(deviceId);
    else this.offline.add(deviceId);
    const layer = this.devices.get(deviceId);
    layer?.marker.setIcon(deviceIcon(deviceId, layer.status, !online));
  }

  isOffline(deviceId: string): boolean {
    return this.offline.has(deviceId);
  }

  statusOf(deviceId: string): LiveDeviceStatus | undefined {
    return this.devices.get(deviceId)?.status;
  }

  lastFixes(): LiveFix[] {
    return [...this.devices.values()].map((layer) => layer.fix);
  }

  private describe(layer: DeviceLayer): string {
    const time = new Date(layer.fix.fixTimeMs).toLocaleTimeString();
    const offline = this.offline.has(layer.fix.deviceId) ? ' (offline)' : '';
    return `${escapeHtml(layer.fix.deviceId)}: ${STATUS_STYLE[layer.status].label}${offline}<br>last fix ${time}, ±${layer.fix.accuracyM.toFixed(1)} m`;
  }
}
