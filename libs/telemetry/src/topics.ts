/**
 * MQTT contract, version 1 (DESIGN.md, "Data flow"). `{d}` is the device id, one topic level.
 */
export const TOPIC_ROOT = 'lookout/v1/devices';

export type DeviceTopicKind = 'fix' | 'event' | 'status' | 'alert' | 'config';

/** Device -> server kinds; the server subscribes to these. */
export const UPLINK_KINDS = ['fix', 'event', 'status'] as const satisfies readonly DeviceTopicKind[];

export function deviceTopic(deviceId: string, kind: DeviceTopicKind): string {
  return `${TOPIC_ROOT}/${deviceId}/${kind}`;
}

/** The subscription filter for one kind across every device, e.g. `lookout/v1/devices/+/fix`. */
export function allDevicesFilter(kind: DeviceTopicKind): string {
  return `${TOPIC_ROOT}/+/${kind}`;
}

/** An MQTT 5 shared subscription ([MQTT-4.8.2]): `$share/{group}/{filter}`; the broker splits messages across the group. */
export function sharedFilter(group: string, filter: string): string {
  return `$share/${group}/${filter}`;
}

export interface ParsedDeviceTopic {
  deviceId: string;
  kind: DeviceTopicKind;
}

const KINDS: ReadonlySet<string> = new Set<DeviceTopicKind>(['fix', 'event', 'status', 'alert', 'config']);

/** Parses `lookout/v1/devices/{d}/{kind}`; returns undefined for any other topic. */
export function parseDeviceTopic(topic: string): ParsedDeviceTopic | undefined {
  const prefix = `${TOPIC_ROOT}/`;
  if (!topic.startsWith(prefix)) return undefined;
  const rest = topic.slice(prefix.length).split('/');
  if (rest.length !== 2) return undefined;
  const [deviceId, kind] = rest as [string, string];
  if (deviceId === '' || !KINDS.has(kind)) return undefined;
  return { deviceId, kind: kind as DeviceTopicKind };
}
